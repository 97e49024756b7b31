"""Optimizers vs PyTorch: 100-step trajectories, state_dict, param groups, closure, reprs, errors.

The key check: the same two-layer network, started from the same weights in edunet
and in PyTorch, trained side by side on the same data, stays the same after every
step for every optimizer and option.
"""

import copy
import inspect
import warnings

import numpy
import pytest

import edunet
import edunet.nn
import edunet.optim

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-4, 1e-5
rng = numpy.random.default_rng(0)
INPUTS = rng.standard_normal((16, 4)).astype(numpy.float32)
TARGETS = rng.standard_normal((16, 3)).astype(numpy.float32)


class TwinModels:
    """The same MLP (Linear(4, 8), tanh, Linear(8, 3)) in edunet and in torch."""

    def __init__(self, seed=0):
        torch.manual_seed(seed)
        self.layers = {torch: [torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)],
                       edunet: [edunet.nn.Linear(4, 8), edunet.nn.Linear(8, 3)]}
        for theirs, ours in zip(self.layers[torch], self.layers[edunet]):
            with edunet.no_grad():
                ours.weight.copy_(edunet.tensor(theirs.weight.detach().numpy()))
                ours.bias.copy_(edunet.tensor(theirs.bias.detach().numpy()))

    def parameters(self, lib):
        return [param for layer in self.layers[lib] for param in layer.parameters()]

    def loss(self, lib):
        """Mean squared error of the network on the fixed data."""
        first, second = self.layers[lib]
        output = second(first(lib.tensor(INPUTS)).tanh())
        return ((output - lib.tensor(TARGETS)) ** 2).mean()

    def assert_same_parameters(self, step=None):
        for ours, theirs in zip(self.parameters(edunet), self.parameters(torch)):
            numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                          rtol=RTOL, atol=ATOL, err_msg=f"after step {step}")


def train_step(twin, lib, optimizer, sign=1.0):
    """zero_grad, backward, step; ``sign=-1`` makes the objective -loss (for maximize)."""
    optimizer.zero_grad()
    (twin.loss(lib) * sign).backward()
    optimizer.step()


def assert_same_state(ours, theirs):
    """Two state_dicts (edunet's, torch's) hold the same structure and values."""
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in ours["state"].items():
        assert list(state) == list(theirs["state"][index])
        for key, value in state.items():
            expected = theirs["state"][index][key]
            if key == "step":
                assert value.dtype == edunet.float32 and value.shape == ()
                assert value.item() == expected.item()
            else:
                numpy.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=RTOL,
                                              atol=ATOL, err_msg=key)
    assert ours["param_groups"] == theirs["param_groups"]


# ---------------------------------------------------------------- trajectories
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.05, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.003)),
    ("RMSprop", dict(lr=0.001, alpha=0.9, eps=1e-6, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.002, momentum=0.5)),
    ("RMSprop", dict(lr=0.002, centered=True)),
    ("RMSprop", dict(lr=0.002, centered=True, momentum=0.5, weight_decay=0.01, maximize=True)),
    ("Adagrad", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.05)),
    ("Adagrad", dict(lr=0.05, initial_accumulator_value=0.1, eps=1e-6)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01, maximize=True)),
]
CONFIG_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in options.items())}"
              for name, options in CONFIGS]


@pytest.mark.parametrize("name, options", CONFIGS, ids=CONFIG_IDS)
def test_trajectory_matches_torch(name, options):
    twin = TwinModels()
    ours = getattr(edunet.optim, name)(twin.parameters(edunet), **options)
    theirs = getattr(torch.optim, name)(twin.parameters(torch), **options)
    sign = -1.0 if options.get("maximize") else 1.0
    for step in range(100):
        train_step(twin, edunet, ours, sign)
        train_step(twin, torch, theirs, sign)
        twin.assert_same_parameters(step)
    assert_same_state(ours.state_dict(), theirs.state_dict())
    # Training worked: the objective went down.
    assert twin.loss(edunet).item() < TwinModels().loss(edunet).item()


def test_param_groups_with_their_own_options_match_torch():
    twin = TwinModels()

    def make(lib):
        first, second = twin.layers[lib]
        return lib.optim.SGD([{"params": first.parameters()},
                              {"params": second.parameters(), "lr": 0.02, "nesterov": True}],
                             lr=0.1, momentum=0.9)

    ours, theirs = make(edunet), make(torch)
    assert [group["lr"] for group in ours.param_groups] == [0.1, 0.02]
    for step in range(100):
        train_step(twin, edunet, ours)
        train_step(twin, torch, theirs)
        twin.assert_same_parameters(step)
    assert_same_state(ours.state_dict(), theirs.state_dict())


def test_add_param_group_later_matches_torch():
    twin = TwinModels()
    optimizers = {}
    for lib in (edunet, torch):
        first, second = twin.layers[lib]
        optimizers[lib] = lib.optim.Adagrad(first.parameters(), lr=0.05)
    for step in range(40):
        if step == 20:  # "unfreeze" the second layer with its own options
            for lib in (edunet, torch):
                optimizers[lib].add_param_group({"params": twin.layers[lib][1].parameters(),
                                                 "lr": 0.1, "initial_accumulator_value": 0.5})
        for lib in (edunet, torch):
            train_step(twin, lib, optimizers[lib])
        twin.assert_same_parameters(step)
    group = optimizers[edunet].param_groups[1]
    assert group["lr"] == 0.1 and group["lr_decay"] == 0 and group["eps"] == 1e-10


@pytest.mark.parametrize("name, options", [("SGD", dict(lr=0.1, momentum=0.9)),
                                           ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01)),
                                           ("RMSprop", dict(lr=0.003)), ("Adagrad", dict(lr=0.05))])
def test_closure_is_called_with_grad_enabled_and_its_loss_returned(name, options):
    twin = TwinModels()
    optimizers = {edunet: getattr(edunet.optim, name)(twin.parameters(edunet), **options),
                  torch: getattr(torch.optim, name)(twin.parameters(torch), **options)}
    calls = []

    def closure_for(lib):
        def closure():
            calls.append(lib.is_grad_enabled())
            optimizers[lib].zero_grad()
            loss = twin.loss(lib)
            loss.backward()
            return loss
        return closure

    for step in range(20):
        with edunet.no_grad():  # step() must switch gradients back on for the closure
            our_loss = optimizers[edunet].step(closure_for(edunet))
        their_loss = optimizers[torch].step(closure_for(torch))
        assert our_loss.item() == pytest.approx(their_loss.item(), rel=1e-4)
        twin.assert_same_parameters(step)
    assert calls == [True] * 40
    assert optimizers[edunet].step() is None


# ---------------------------------------------------------------- state_dict
@pytest.mark.parametrize("name, options", [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.002, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01))])
def test_state_dict_round_trip_continues_the_same_trajectory(name, options):
    twin = TwinModels()
    ours = getattr(edunet.optim, name)(twin.parameters(edunet), **options)
    theirs = getattr(torch.optim, name)(twin.parameters(torch), **options)
    for _ in range(40):
        train_step(twin, edunet, ours)
        train_step(twin, torch, theirs)
    saved = copy.deepcopy(ours.state_dict())
    assert_same_state(saved, theirs.state_dict())

    # A fresh model and optimizer (other options) take over from the saved point.
    resumed_twin = TwinModels(seed=1)
    with edunet.no_grad():
        for fresh, trained in zip(resumed_twin.parameters(edunet), twin.parameters(edunet)):
            fresh.copy_(trained)
    resumed = getattr(edunet.optim, name)(resumed_twin.parameters(edunet), lr=0.5)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == options["lr"]
    assert resumed.param_groups[0]["params"][0] is resumed_twin.parameters(edunet)[0]

    for step in range(60):
        train_step(twin, edunet, ours)
        train_step(twin, torch, theirs)
        train_step(resumed_twin, edunet, resumed)
        twin.assert_same_parameters(step)
        for mine, original in zip(resumed_twin.parameters(edunet), twin.parameters(edunet)):
            numpy.testing.assert_array_equal(mine.detach().numpy(), original.detach().numpy())
    # The loaded state was copied: training the resumed optimizer left `saved` alone.
    assert saved["state"][0] is not resumed.state_dict()["state"][0]


def test_state_dict_has_torchs_layout():
    twin = TwinModels()
    optimizers = {}
    for lib in (edunet, torch):
        first, second = twin.layers[lib]
        optimizers[lib] = lib.optim.SGD([{"params": first.parameters()},
                                         {"params": second.parameters(), "lr": 0.5}],
                                        lr=0.1, momentum=0.9)
        twin.layers[lib][1].bias.requires_grad_(False)  # no grad: no state for index 3
        train_step(twin, lib, optimizers[lib])
    ours, theirs = optimizers[edunet].state_dict(), optimizers[torch].state_dict()
    assert list(ours) == ["state", "param_groups"]
    assert [group["params"] for group in ours["param_groups"]] == [[0, 1], [2, 3]]
    assert sorted(ours["state"]) == [0, 1, 2]
    assert_same_state(ours, theirs)
    # Like PyTorch, state_dict() hands out the optimizer's own tensors, not copies.
    first_weight_state = optimizers[edunet].state[twin.layers[edunet][0].weight]
    assert ours["state"][0]["momentum_buffer"] is first_weight_state["momentum_buffer"]


def test_named_parameters_keep_their_names():
    model = {lib: lib.nn.Linear(2, 1) for lib in (edunet, torch)}
    optimizers = {lib: lib.optim.SGD(model[lib].named_parameters(), lr=0.1)
                  for lib in (edunet, torch)}
    ours, theirs = optimizers[edunet], optimizers[torch]
    assert ours.param_groups[0]["param_names"] == ["weight", "bias"]
    assert ours.param_groups[0]["params"][0] is model[edunet].weight
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    assert repr(ours) == repr(theirs)
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without"):
        ours.add_param_group({"params": [edunet.nn.Parameter(edunet.zeros(1))]})


def test_load_state_dict_converts_to_the_parameters_dtype_but_keeps_step_float32():
    source = edunet.nn.Parameter(edunet.ones(3))
    optimizer = edunet.optim.Adam([source])
    source.grad = edunet.ones(3)
    optimizer.step()
    target = edunet.nn.Parameter(edunet.ones(3, dtype=edunet.float64))
    resumed = edunet.optim.Adam([target])
    resumed.load_state_dict(optimizer.state_dict())
    assert resumed.state[target]["exp_avg"].dtype == edunet.float64
    assert resumed.state[target]["step"].dtype == edunet.float32
    assert resumed.state[target]["step"].item() == 1.0


@pytest.mark.parametrize("lib", ["edunet", "torch"])
def test_load_state_dict_rejects_a_different_layout(lib):
    lib = edunet if lib == "edunet" else torch
    first, second = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
    saved = lib.optim.SGD([first], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that "
                                         "doesn't match the size of optimizer's group"):
        lib.optim.SGD([first, second], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="loaded state dict has a different number of "
                                         "parameter groups"):
        lib.optim.SGD([{"params": [first]}, {"params": [second]}], lr=0.1).load_state_dict(saved)


# ---------------------------------------------------------------- zero_grad and skipping
def test_zero_grad_sets_to_none_or_fills_zeros():
    twin = TwinModels()
    optimizer = edunet.optim.SGD(twin.parameters(edunet), lr=0.1)
    twin.loss(edunet).backward()
    weight = twin.parameters(edunet)[0]
    gradient = weight.grad
    optimizer.zero_grad(set_to_none=False)
    assert weight.grad is gradient and not gradient.numpy().any()
    assert not gradient.requires_grad
    optimizer.zero_grad()
    assert all(param.grad is None for param in twin.parameters(edunet))
    optimizer.zero_grad(set_to_none=False)  # no gradients at all: nothing to do
    assert weight.grad is None


def test_zero_grad_detaches_a_gradient_that_has_history():
    param = edunet.nn.Parameter(edunet.ones(2))
    param.grad = edunet.ones(2, requires_grad=True) * 3  # as backward(create_graph=True) makes
    assert param.grad.grad_fn is not None
    edunet.optim.SGD([param], lr=0.1).zero_grad(set_to_none=False)
    assert param.grad.grad_fn is None and param.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_parameters_without_grad_are_skipped(name):
    used, unused = edunet.nn.Parameter(edunet.ones(3)), edunet.nn.Parameter(edunet.ones(2))
    kwargs = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    optimizer = getattr(edunet.optim, name)([used, unused], lr=0.1, **kwargs)
    (used * used).sum().backward()
    optimizer.step()
    assert unused.tolist() == [1.0, 1.0]
    assert used.tolist() != [1.0, 1.0, 1.0]
    if name == "Adagrad":  # Adagrad makes its state up front, as PyTorch's does
        assert optimizer.state[unused]["step"].item() == 0.0
    else:
        assert unused not in optimizer.state


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_updates_happen_in_place(name):
    """The model's Parameter objects and their memory stay the same: views see each step."""
    twin = TwinModels()
    params = twin.parameters(edunet)
    arrays = [param.array for param in params]
    view = params[0].data
    before = view.numpy().copy()
    optimizer = getattr(edunet.optim, name)(params, lr=0.1)
    train_step(twin, edunet, optimizer)
    assert all(param.array is array for param, array in zip(twin.parameters(edunet), arrays))
    assert not numpy.array_equal(view.numpy(), before)
    assert all(param.is_leaf and param.grad_fn is None for param in params)


def test_adam_with_decoupled_weight_decay_is_adamw():
    twin, other = TwinModels(), TwinModels()
    adamw = edunet.optim.AdamW(twin.parameters(edunet), lr=0.01, weight_decay=0.1)
    adam = edunet.optim.Adam(other.parameters(edunet), lr=0.01, weight_decay=0.1,
                             decoupled_weight_decay=True)
    for _ in range(10):
        train_step(twin, edunet, adamw)
        train_step(other, edunet, adam)
    for first, second in zip(twin.parameters(edunet), other.parameters(edunet)):
        numpy.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())


# ---------------------------------------------------------------- repr and signatures
NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]


@pytest.mark.parametrize("name", NAMES)
def test_repr_matches_torch(name):
    def make(lib):
        first, second = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
        return getattr(lib.optim, name)([{"params": [first]},
                                         {"params": [second], "lr": 0.5, "weight_decay": 0.1}])

    ours, theirs = make(edunet), make(torch)
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith(f"{name} (\nParameter Group 0\n")
    assert ours.defaults == theirs.defaults


@pytest.mark.parametrize("name", ["Optimizer"] + NAMES)
def test_signature_matches_torch(name):
    def parameters(cls):
        return [(p.name, p.kind, p.default)
                for p in inspect.signature(cls.__init__).parameters.values()]

    assert parameters(getattr(edunet.optim, name)) == parameters(getattr(torch.optim, name))


# ---------------------------------------------------------------- errors
def _error(make):
    try:
        make()
    except Exception as error:  # noqa: BLE001 (any type: it is compared with torch's)
        return type(error), str(error)
    return None


BAD_ARGUMENTS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1)),
    ("AdamW", dict(betas=(0.9, 1.5))), ("AdamW", dict(weight_decay=-0.01)),
    ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-1)),
    ("Adagrad", dict(lr=-1)), ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(weight_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
]


@pytest.mark.parametrize("name, options", BAD_ARGUMENTS)
def test_invalid_options_raise_torchs_errors(name, options):
    ours = _error(lambda: getattr(edunet.optim, name)([edunet.nn.Parameter(edunet.zeros(1))],
                                                      **options))
    theirs = _error(lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(1))],
                                                       **options))
    assert theirs is not None and ours == theirs


def _bad_params(lib):
    param = lib.nn.Parameter(lib.zeros(2))
    return {
        "empty list": [],
        "a lone tensor": param,
        "a set in a group": [{"params": {param}}],
        "a number": [1.0],
        "a dict among tensors": [param, {"params": [lib.nn.Parameter(lib.zeros(1))]}],
        "a group without params": [{"lr": 0.1}],
        "a non-leaf tensor": [lib.ones(2, requires_grad=True) * 2],
        "one tensor in two groups": [{"params": [param]}, {"params": [param]}],
        "names for some only": [("weight", param), lib.nn.Parameter(lib.zeros(1))],
    }


@pytest.mark.parametrize("case", list(_bad_params(edunet)))
def test_invalid_params_raise_torchs_errors(case):
    ours = _error(lambda: edunet.optim.SGD(_bad_params(edunet)[case], lr=0.1))
    theirs = _error(lambda: torch.optim.SGD(_bad_params(torch)[case], lr=0.1))
    assert theirs is not None and ours[0] is theirs[0]
    if case == "a lone tensor":  # each names its own tensor type; ours adds the fix
        assert theirs[1].endswith("but got torch.FloatTensor")
        tensor_type = edunet.zeros(2).type()
        assert ours[1].startswith(theirs[1].replace("torch.FloatTensor", tensor_type) + ".")
        assert "model.parameters()" in ours[1]
    elif case in ("empty list", "a non-leaf tensor"):  # torch's words, then the likely fix
        assert ours[1].startswith(theirs[1] + ". ")
        assert "nn.ModuleList" in ours[1] or ".requires_grad_()" in ours[1]
    else:
        assert ours[1] == theirs[1]


def test_add_param_group_errors_and_duplicate_warning():
    param = edunet.nn.Parameter(edunet.zeros(2))
    optimizer = edunet.optim.SGD([param], lr=0.1)
    with pytest.raises(TypeError, match=r"param_group must be a dict, but got <class 'list'>"):
        optimizer.add_param_group([param])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter"):
        optimizer.add_param_group({"params": param})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        edunet.optim.SGD([param, param], lr=0.1)


def test_the_base_class_has_no_step_and_differentiable_is_refused():
    param = edunet.nn.Parameter(edunet.zeros(1))
    optimizer = edunet.optim.Optimizer([param], {})
    assert optimizer.param_groups == [{"params": [param]}]
    with pytest.raises(NotImplementedError):
        optimizer.step()
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        edunet.optim.Adam([param], differentiable=True)


def test_a_user_written_optimizer_works_like_in_torch():
    """The course lets learners write their own optimizer on the base class."""

    class SignSGD(edunet.optim.Optimizer):
        def __init__(self, params, lr=0.01):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            with edunet.no_grad():
                for group in self.param_groups:
                    for param in group["params"]:
                        if param.grad is not None:
                            param.add_(param.grad.sign(), alpha=-group["lr"])

    param = edunet.nn.Parameter(edunet.tensor([1.0, -2.0]))
    optimizer = SignSGD([param], lr=0.5)
    (param * param).sum().backward()
    optimizer.step()
    assert param.tolist() == [0.5, -1.5]
    assert repr(optimizer) == "SignSGD (\nParameter Group 0\n    lr: 0.5\n)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler = edunet.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == 0.25


@pytest.mark.parametrize("name, options", [("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
                                           ("Adam", dict(lr=0.01, amsgrad=True)),
                                           ("AdamW", dict(lr=0.01)),
                                           ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                           ("Adagrad", dict(lr=0.1, lr_decay=0.1))])
def test_optimizers_work_on_every_device(name, options, device):
    """State lives on the parameter's device (the step count on the CPU, as in PyTorch)."""
    start = numpy.random.default_rng(2).standard_normal((3, 2)).astype(numpy.float32)
    ours = edunet.nn.Parameter(edunet.tensor(start, device=device))
    theirs = torch.nn.Parameter(torch.tensor(start))
    optimizers = {edunet: getattr(edunet.optim, name)([ours], **options),
                  torch: getattr(torch.optim, name)([theirs], **options)}
    for _ in range(10):
        for lib, param in ((edunet, ours), (torch, theirs)):
            optimizers[lib].zero_grad()
            ((param * param - 1) ** 2).sum().backward()  # minima at +-1
            optimizers[lib].step()
    assert numpy.isfinite(theirs.detach().numpy()).all()
    numpy.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(),
                                  rtol=RTOL, atol=ATOL)
    for key, value in optimizers[edunet].state[ours].items():
        assert value.device == (edunet.device("cpu") if key == "step" else ours.device)
    resumed = getattr(edunet.optim, name)([edunet.nn.Parameter(edunet.zeros(3, 2))], **options)
    resumed.load_state_dict(optimizers[edunet].state_dict())  # moved to the CPU parameter
    assert all(value.device == edunet.device("cpu")
               for value in resumed.state_dict()["state"][0].values())
