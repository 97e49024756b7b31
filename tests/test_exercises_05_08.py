"""Exercise checks of notebooks 05-08: right answers pass, typical mistakes fail with a hint."""

import warnings

import pytest

import edunet
from edunet import cuda, nn
from edunet.exercises import backprop, gpu, optimizers, training


def passes(result):
    return bool(result) and result.hint is None


def fails_with(result, *words):
    """The check failed, its hint is there, and it mentions each of ``words``."""
    assert not result, repr(result)
    assert result.hint, f"no hint: {result!r}"
    for word in words:
        assert word in result.hint, f"{word!r} not in the hint: {result.hint}"
    return True


# 05 Backpropagation ---------------------------------------------------------------------------

def test_chain_rule_right_and_the_usual_slips():
    # loss = (w x + b - y)^2 with w=0.5, x=3, b=1, y=4: e = -1.5, d loss/d w = 2 e x = -9
    assert passes(backprop.chain_rule(-9.0))
    assert passes(backprop.chain_rule(edunet.tensor(-9.0)))
    assert fails_with(backprop.chain_rule(-3.0), "d z / d w = x")       # stopped at d loss/d z
    assert fails_with(backprop.chain_rule(-1.5), "d loss / d x")       # multiplied by w
    assert fails_with(backprop.chain_rule(-4.5), "the 2")              # forgot the square's 2
    assert fails_with(backprop.chain_rule(2.25), "loss itself")
    assert fails_with(backprop.chain_rule(9.0), "one link at a time")
    assert fails_with(backprop.chain_rule(None), "None")
    assert fails_with(backprop.chain_rule("four"))
    assert fails_with(backprop.chain_rule(edunet.tensor([1.0, 2.0])), ".item()")


def test_chain_rule_matches_autograd():
    values = backprop.CHAIN_RULE_VALUES
    w = edunet.tensor(values["w"], requires_grad=True)
    loss = (w * values["x"] + values["b"] - values["y"]) ** 2
    loss.backward()
    assert passes(backprop.chain_rule(w.grad.item()))


def test_accumulated_gradient_counts_every_backward_call():
    w = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(backprop.ACCUMULATION_CALLS):
        (w * backprop.ACCUMULATION_FACTOR).sum().backward()
    assert passes(backprop.accumulated_gradient(w.grad))
    assert passes(backprop.accumulated_gradient([12, 12, 12]))
    assert fails_with(backprop.accumulated_gradient([4.0, 4.0, 4.0]), "adds to it")
    assert fails_with(backprop.accumulated_gradient([4.0, 8.0, 12.0]), "does not depend on w")
    assert fails_with(backprop.accumulated_gradient(None))
    assert fails_with(backprop.accumulated_gradient(12))


class Cube(edunet.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 3 * input ** 2


class CubeForgetsTheChainRule(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return 3 * input ** 2


class CubeWithTwo(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 2 * input ** 2


class CubeUnwritten(edunet.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input ** 3

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError


class Square(Cube):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input ** 2


def test_cube_function_is_judged_by_gradcheck():
    edunet.manual_seed(3)
    expected = edunet.rand(3)
    edunet.manual_seed(3)
    assert passes(backprop.cube_function(Cube))
    assert edunet.equal(edunet.rand(3), expected)     # checking left the learner's seed alone
    wrong = backprop.cube_function(CubeWithTwo)
    # Tiers: the first hint names the idea (the chain rule), only the last one the code.
    assert fails_with(wrong, "chain rule")
    assert "3 * input ** 2" not in wrong.hint and "3 * input ** 2" in wrong.hints[-1]
    assert "Gradient check failed" in wrong.message       # the gradcheck report is shown
    assert fails_with(backprop.cube_function(CubeForgetsTheChainRule), "grad_output")
    unwritten = backprop.cube_function(CubeUnwritten)
    assert fails_with(unwritten, "chain rule") and "3 * input ** 2" in unwritten.hints[-1]
    square = backprop.cube_function(Square)
    assert fails_with(square) and "input ** 3" not in square.hint
    assert "input ** 3" in square.hints[-1]
    assert fails_with(backprop.cube_function(None))


def test_sigmoid_shrink():
    assert passes(backprop.sigmoid_shrink(0.25 ** 10))
    assert passes(backprop.sigmoid_shrink(9.5367431640625e-07))
    assert fails_with(backprop.sigmoid_shrink(0.25), "There are 10")
    assert fails_with(backprop.sigmoid_shrink(0.5 ** 10), "derivative")
    assert fails_with(backprop.sigmoid_shrink(2.5), "multiplies")
    assert fails_with(backprop.sigmoid_shrink(None))


# 06 Optimizers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("order", ["DCEAB", "CDEAB", "CEDAB", "CEABD", "d c e a b", "D,C,E,A,B"])
def test_loop_orders_that_work(order):
    assert passes(optimizers.loop_order(order))


@pytest.mark.parametrize("order, word", [
    ("CEADB", "Between backward"),        # zero_grad between backward and step: gradients lost
    ("DCEBA", "A comes before B"),        # step before backward
    ("DECAB", "forward pass"),            # loss before the forward pass
    ("DCAEB", "E before A"),              # backward before the loss exists
    ("DCEA", "every line"),
    ("DCEABB", "every line"),
])
def test_loop_orders_that_do_not(order, word):
    assert fails_with(optimizers.loop_order(order), word)


def test_largest_stable_lr_by_experiment():
    def diverges(lr, steps=200):
        w = 1.0
        for _ in range(steps):
            w -= lr * 2 * w
        return abs(w) > 1.0
    assert not diverges(0.99) and diverges(1.01)       # the boundary really is 1
    assert passes(optimizers.largest_stable_lr(1.0))
    assert fails_with(optimizers.largest_stable_lr(0.5), "fastest")
    assert fails_with(optimizers.largest_stable_lr(2.0), "2 w")
    tiers = optimizers.largest_stable_lr(0.1)            # a nudge first, the inequality later
    assert fails_with(tiers, "gradient_descent") and "|1 - 2 lr| < 1" in tiers.hints[-1]
    assert fails_with(optimizers.largest_stable_lr(None))


def test_step_lr_matches_the_scheduler():
    from edunet import optim
    config = optimizers.STEP_LR
    parameter = nn.Parameter(edunet.zeros(1))
    optimizer = optim.SGD([parameter], lr=config["lr"])
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=config["step_size"],
                                          gamma=config["gamma"])
    for _ in range(config["epochs"]):
        optimizer.step()
        scheduler.step()
    assert passes(optimizers.step_lr(optimizer.param_groups[0]["lr"]))
    assert passes(optimizers.step_lr(0.025))
    assert fails_with(optimizers.step_lr(0.0125), "too many")
    assert fails_with(optimizers.step_lr(0.05), "too few")
    assert fails_with(optimizers.step_lr(0.1 * 0.5 ** 2.5), "25 // 10")
    assert fails_with(optimizers.step_lr(None))


def momentum_right(w, grad, velocity, lr=0.1, momentum=0.9):
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def momentum_classic_form(w, grad, velocity, lr=0.1, momentum=0.9):
    velocity = momentum * velocity - lr * grad         # same trajectory for a constant lr
    return w + velocity, velocity


def momentum_plain_sgd(w, grad, velocity, lr=0.1, momentum=0.9):
    return w - lr * grad, velocity


def momentum_returns_the_gradient(w, grad, velocity, lr=0.1, momentum=0.9):
    new_velocity = momentum * velocity + grad
    return w - lr * new_velocity, grad


def test_momentum_step():
    assert passes(optimizers.momentum_step(momentum_right))
    assert passes(optimizers.momentum_step(momentum_classic_form))
    assert fails_with(optimizers.momentum_step(momentum_plain_sgd), "plain SGD")
    assert fails_with(optimizers.momentum_step(momentum_returns_the_gradient),
                      "first step is right")
    assert fails_with(optimizers.momentum_step(lambda w, grad, velocity, lr, momentum: None))
    assert fails_with(optimizers.momentum_step(None))


def test_momentum_reference_is_pytorchs_sgd():
    torch = pytest.importorskip("torch")
    w = torch.tensor(optimizers.MOMENTUM["w"], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=optimizers.MOMENTUM["lr"],
                                momentum=optimizers.MOMENTUM["momentum"])
    expected = []
    for _ in range(optimizers.MOMENTUM["steps"]):
        optimizer.zero_grad()
        (w * w).backward()
        optimizer.step()
        expected.append(w.item())
    assert optimizers._reference_trajectory() == pytest.approx(expected, rel=1e-12)


# 07 Training a CNN -----------------------------------------------------------------------------

def test_flattened_features_is_the_real_shape():
    model = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    features = model(edunet.zeros(1, 1, 28, 28)).shape[1]
    assert passes(training.flattened_features(features))
    assert fails_with(training.flattened_features(16 * 14 * 14), "two")
    assert fails_with(training.flattened_features(16 * 5 * 5), "padding=1")
    assert fails_with(training.flattened_features(7 * 7), "16 channels")
    assert fails_with(training.flattened_features(100))
    assert fails_with(training.flattened_features(None))


def accuracy_right(model, loader):
    model.eval()
    correct = 0
    with edunet.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def accuracy_in_training_mode(model, loader):
    correct = 0
    with edunet.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")              # the train-mode teaching warning
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def accuracy_percent(model, loader):
    return 100 * accuracy_right(model, loader)


def accuracy_per_full_batch(model, loader):
    return accuracy_right(model, loader) * len(loader.dataset) / (len(loader) * 16)


def accuracy_mean_of_batches(model, loader):
    model.eval()
    accuracies = []
    with edunet.no_grad():
        for inputs, labels in loader:
            accuracies.append((model(inputs).argmax(dim=1) == labels).float().mean().item())
    return sum(accuracies) / len(accuracies)


def accuracy_with_graph(model, loader):
    model.eval()
    correct = 0
    for inputs, labels in loader:
        correct += (model(inputs).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def test_accuracy_function():
    assert passes(training.accuracy_function(accuracy_right))
    assert fails_with(training.accuracy_function(accuracy_in_training_mode), "model.eval()")
    assert fails_with(training.accuracy_function(accuracy_percent), "percentage")
    assert fails_with(training.accuracy_function(accuracy_per_full_batch), "last batch")
    assert fails_with(training.accuracy_function(accuracy_with_graph), "no_grad")
    verdict = training.accuracy_function(accuracy_mean_of_batches)
    assert fails_with(verdict, "averaged the accuracies of the batches")
    assert "len(loader.dataset)" in verdict.hints[1]
    assert fails_with(training.accuracy_function(lambda model, loader: 1 / 0), "loader")
    assert fails_with(training.accuracy_function(None))


def test_accuracy_problem_really_depends_on_the_mode():
    model, loader, right, _ = training._accuracy_problem()
    assert 0.0 < right < 1.0
    edunet.manual_seed(0)
    training_mode = [accuracy_in_training_mode(model, loader) for _ in range(5)]
    assert any(abs(value - right) > 1e-6 for value in training_mode)


def test_layers_that_change():
    assert passes(training.layers_that_change({"Dropout", "BatchNorm2d"}))
    assert passes(training.layers_that_change([nn.Dropout, nn.BatchNorm2d]))
    assert fails_with(training.layers_that_change({"Dropout"}), "statistics")
    assert fails_with(training.layers_that_change({"Dropout", "BatchNorm2d", "ReLU"}), "randomness")
    assert fails_with(training.layers_that_change(None))
    flips = {type(module).__name__ for module in nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Dropout(), nn.Linear(2, 2)).modules()
        if getattr(module, "behaves_differently_in_training", False)}
    assert flips == {"Dropout", "BatchNorm2d"}


def make_model():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))


def test_restored(tmp_path):
    edunet.manual_seed(0)
    model = make_model()
    model(edunet.randn(4, 1, 4, 4))                 # training mode: BatchNorm's averages move
    edunet.save(model.state_dict(), tmp_path / "model.edunet")
    new_model = make_model()
    assert fails_with(training.restored(new_model, model), "load_state_dict")
    new_model.load_state_dict(edunet.load(tmp_path / "model.edunet"))
    assert passes(training.restored(new_model, model))
    assert fails_with(training.restored(model, model), "new instance")
    assert fails_with(training.restored(nn.Linear(2, 2), model), "same architecture")
    assert fails_with(training.restored(None, model))
    assert fails_with(training.restored(model.state_dict(), model), "not the state dict")


def save_and_load_right(model, path):
    edunet.save(model.state_dict(), path)
    new_model = make_model()
    new_model.load_state_dict(edunet.load(path))
    return new_model


def test_save_and_load():
    import copy
    edunet.manual_seed(0)
    model = make_model()
    model(edunet.randn(4, 1, 4, 4))                 # training mode: BatchNorm's averages move
    assert passes(training.save_and_load(save_and_load_right, model))
    # A copy in memory is not saving: no file, whatever the copy holds.
    assert fails_with(training.save_and_load(lambda model, path: copy.deepcopy(model), model),
                      "edunet.save")
    assert fails_with(training.save_and_load(lambda model, path: model, model), "edunet.save")

    def saves_but_forgets_to_load(model, path):
        edunet.save(model.state_dict(), path)
        return make_model()

    assert fails_with(training.save_and_load(saves_but_forgets_to_load, model),
                      "load_state_dict")

    def saves_the_model_object(model, path):
        edunet.save({"model": model.state_dict()}, path)
        return copy.deepcopy(model)

    assert fails_with(training.save_and_load(saves_the_model_object, model), "state_dict()")
    assert fails_with(training.save_and_load(lambda model, path: 1 / 0, model), "edunet.save")
    assert fails_with(training.save_and_load(None, model))


# 08 The GPU ------------------------------------------------------------------------------------

def test_pick_device_tries_both_machines():
    before = cuda.is_available
    assert passes(gpu.pick_device(lambda: "cuda" if edunet.cuda.is_available() else "cpu"))
    assert passes(gpu.pick_device(
        lambda: edunet.device("cuda" if edunet.accelerator.is_available() else "cpu")))
    assert fails_with(gpu.pick_device(lambda: "cpu"), "same answer")
    assert fails_with(gpu.pick_device(lambda: "cpu" if edunet.cuda.is_available() else "cuda"),
                      "other way round")
    assert fails_with(gpu.pick_device(lambda: "gpu"), "device name")
    assert fails_with(gpu.pick_device(lambda: 1 / 0))
    assert fails_with(gpu.pick_device(None))
    assert cuda.is_available is before                # the real function is put back


def test_converted():
    model, batch = nn.Linear(3, 2), edunet.randn(4, 3)
    assert fails_with(gpu.converted(model, batch), "in place")
    model.to(edunet.float64)
    batch.to(edunet.float64)                          # the classic slip: result thrown away
    assert fails_with(gpu.converted(model, batch), "returns a new tensor")
    batch = batch.to(edunet.float64)
    assert passes(gpu.converted(model, batch))
    assert fails_with(gpu.converted(None, batch))


def test_fair_timing():
    assert passes(gpu.fair_timing("ABCF"))
    assert passes(gpu.fair_timing("f, c, b, a"))
    assert fails_with(gpu.fair_timing("ABC"), "(F)")
    assert fails_with(gpu.fair_timing("ACF"), "queueing")
    assert fails_with(gpu.fair_timing("ABCDF"), "start-up")
    assert fails_with(gpu.fair_timing("ABCEF"), "printing")
    assert fails_with(gpu.fair_timing("ABCG"), "A to F")
    assert fails_with(gpu.fair_timing(None))
