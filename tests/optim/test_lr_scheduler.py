"""LR schedulers vs PyTorch: 100 training steps with every scheduler; get_last_lr() and the
parameters agree after every step; state_dict, warnings and errors as PyTorch's."""

import copy
import inspect
import math
import warnings

import numpy
import pytest

import edunet
import edunet.optim
from edunet.optim import lr_scheduler
from tests.optim.test_optimizers import TwinModels, train_step

torch = pytest.importorskip("torch")

# A made-up validation metric, the same floats for both libraries: it falls in noisy
# stairs for 35 epochs, then stalls above its best (a plateau).
_noise = numpy.random.default_rng(1).uniform(-0.02, 0.02, 100)
METRICS = [1.0 / (1 + step // 7) + 0.01 * math.sin(step) + float(_noise[step]) if step < 35
           else 0.3 + 0.001 * math.sin(step) for step in range(100)]


def sgd(lib, params):
    return lib.optim.SGD(params, lr=0.05, momentum=0.9)


def adam(lib, params):
    return lib.optim.Adam(params, lr=0.01)


def two_groups(lib, layers):
    """SGD with two param groups (the second with its own lr), as schedulers see them."""
    first, second = layers
    return lib.optim.SGD([{"params": first.parameters()},
                          {"params": second.parameters(), "lr": 0.02}], lr=0.05, momentum=0.9)


def one_group(make_optimizer):
    """All the model's parameters in one param group."""
    return lambda lib, layers: make_optimizer(
        lib, [param for layer in layers for param in layer.parameters()])


class Scale:
    """A callable object (not a function) as lr_lambda: LambdaLR saves its attributes."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


SCHEDULES = {
    "StepLR": (two_groups, lambda s, o: s.StepLR(o, step_size=15, gamma=0.5)),
    "StepLR-default-gamma": (one_group(adam), lambda s, o: s.StepLR(o, step_size=30)),
    "MultiStepLR": (two_groups, lambda s, o: s.MultiStepLR(o, milestones=[10, 25, 25, 60],
                                                           gamma=0.6)),
    "ExponentialLR": (one_group(adam), lambda s, o: s.ExponentialLR(o, gamma=0.97)),
    "CosineAnnealingLR": (two_groups, lambda s, o: s.CosineAnnealingLR(o, T_max=30)),
    "CosineAnnealingLR-eta_min": (one_group(adam),
                                  lambda s, o: s.CosineAnnealingLR(o, T_max=45, eta_min=0.001)),
    "LambdaLR": (one_group(sgd), lambda s, o: s.LambdaLR(o, lambda epoch: 1 / (1 + epoch))),
    "LambdaLR-per-group": (two_groups, lambda s, o: s.LambdaLR(
        o, [lambda epoch: 0.5 ** (epoch // 20), Scale(0.98)])),
    "OneCycleLR-cos-SGD": (two_groups, lambda s, o: s.OneCycleLR(o, max_lr=[0.1, 0.05],
                                                                 total_steps=100)),
    "OneCycleLR-linear-Adam": (one_group(adam), lambda s, o: s.OneCycleLR(
        o, max_lr=0.02, epochs=10, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
        base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0)),
    "OneCycleLR-three-phase": (one_group(sgd), lambda s, o: s.OneCycleLR(
        o, max_lr=0.05, total_steps=120, three_phase=True)),
    "OneCycleLR-no-momentum-cycle": (one_group(sgd), lambda s, o: s.OneCycleLR(
        o, max_lr=0.05, total_steps=100, cycle_momentum=False)),
    "ReduceLROnPlateau": (two_groups, lambda s, o: s.ReduceLROnPlateau(o, patience=3)),
    "ReduceLROnPlateau-max-abs-cooldown": (one_group(sgd), lambda s, o: s.ReduceLROnPlateau(
        o, mode="max", factor=0.5, patience=2, threshold=0.01, threshold_mode="abs",
        cooldown=3, min_lr=1e-4)),
    "ReduceLROnPlateau-min-abs": (one_group(adam), lambda s, o: s.ReduceLROnPlateau(
        o, factor=0.7, patience=4, threshold=0.02, threshold_mode="abs", cooldown=2)),
    "ReduceLROnPlateau-rel-threshold-min_lrs": (two_groups, lambda s, o: s.ReduceLROnPlateau(
        o, factor=0.3, patience=1, threshold=0.05, cooldown=1, min_lr=[0.001, 0.004], eps=1e-3)),
}


def _momenta(optimizer):
    """Every group's momentum and betas as one flat list of numbers (None when absent)."""
    values = []
    for group in optimizer.param_groups:
        values.append(group.get("momentum"))
        values.extend(group.get("betas") or (None, None))
    return values


@pytest.mark.parametrize("case", list(SCHEDULES))
def test_schedule_matches_torch_while_training(case):
    make_optimizer, make_scheduler = SCHEDULES[case]
    twin = TwinModels()
    optimizers = {lib: make_optimizer(lib, twin.layers[lib]) for lib in (edunet, torch)}
    schedulers = {lib: make_scheduler(lib.optim.lr_scheduler, optimizers[lib])
                  for lib in (edunet, torch)}
    # "max" mode watches a metric that should go up.
    sign = -1.0 if getattr(schedulers[torch], "mode", "min") == "max" else 1.0
    ours = schedulers[edunet]
    assert ours.get_last_lr() == schedulers[torch].get_last_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right order of calls gives no warning
        for step in range(100):
            for lib in (edunet, torch):
                train_step(twin, lib, optimizers[lib])
                if "Plateau" in case:
                    schedulers[lib].step(sign * METRICS[step])
                else:
                    schedulers[lib].step()
            twin.assert_same_parameters(step)
            assert ours.get_last_lr() == pytest.approx(schedulers[torch].get_last_lr(),
                                                       rel=1e-12, abs=1e-15), f"step {step}"
            assert ours.get_last_lr() == [group["lr"] for group in optimizers[edunet].param_groups]
            for our, their in zip(_momenta(optimizers[edunet]), _momenta(optimizers[torch]), strict=True):
                assert our == their if their is None else our == pytest.approx(their)
            assert ours.last_epoch == schedulers[torch].last_epoch


def test_the_schedules_change_the_learning_rate_as_documented():
    """A few values worked out by hand from the formulas in the docstrings."""
    def lrs(make, steps):
        optimizer = edunet.optim.SGD([edunet.nn.Parameter(edunet.zeros(1))], lr=1.0)
        scheduler = make(optimizer)
        values = [scheduler.get_last_lr()[0]]
        for _ in range(steps):
            optimizer.step()
            scheduler.step()
            values.append(scheduler.get_last_lr()[0])
        return values

    step_lr = lrs(lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 5)
    assert step_lr == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    multi = lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[1, 3, 3], gamma=0.5), 4)
    assert multi == [1.0, 0.5, 0.5, 0.125, 0.125]
    cosine = lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.2), 8)
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(9)]
    assert cosine == pytest.approx(expected)  # down to eta_min at T_max, then back up
    # Warm-up over steps 0..4 (pct_start * total_steps - 1), annealing over steps 4..9.
    one_cycle = lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10,
                                                      pct_start=0.5, div_factor=4.0,
                                                      final_div_factor=2.0), 9)
    assert one_cycle[0] == 0.25 and one_cycle[2] == pytest.approx(0.625)
    assert max(one_cycle) == one_cycle[4] == 1.0
    assert one_cycle[-1] == pytest.approx(0.125)


# ---------------------------------------------------------------- saving and resuming
@pytest.mark.parametrize("case", ["StepLR", "MultiStepLR", "CosineAnnealingLR",
                                  "LambdaLR-per-group", "OneCycleLR-cos-SGD",
                                  "ReduceLROnPlateau-max-abs-cooldown"])
def test_state_dict_round_trip_resumes_the_schedule(case):
    make_optimizer, make_scheduler = SCHEDULES[case]
    plateau = "Plateau" in case
    twin = TwinModels()
    optimizer = make_optimizer(edunet, twin.layers[edunet])
    scheduler = make_scheduler(lr_scheduler, optimizer)

    def advance(optimizer, scheduler, step):
        optimizer.step()
        scheduler.step(METRICS[step]) if plateau else scheduler.step()

    for step in range(35):
        advance(optimizer, scheduler, step)
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    saved_scheduler = copy.deepcopy(scheduler.state_dict())
    assert "optimizer" not in saved_scheduler

    # Resume PyTorch's way: a new optimizer and scheduler, the scheduler first.
    resumed_optimizer = make_optimizer(edunet, TwinModels().layers[edunet])
    resumed = make_scheduler(lr_scheduler, resumed_optimizer)
    resumed.load_state_dict(saved_scheduler)
    resumed_optimizer.load_state_dict(saved_optimizer)
    assert resumed.get_last_lr() == scheduler.get_last_lr()
    for step in range(35, 100):
        advance(optimizer, scheduler, step)
        advance(resumed_optimizer, resumed, step)
        assert resumed.get_last_lr() == scheduler.get_last_lr()
        assert _momenta(resumed_optimizer) == _momenta(optimizer)


def test_state_dict_holds_what_torchs_holds():
    for make in (lambda s, o: s.StepLR(o, step_size=3), lambda s, o: s.ReduceLROnPlateau(o),
                 lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10),
                 lambda s, o: s.LambdaLR(o, [Scale(0.9)])):
        states = {}
        for lib in (edunet, torch):
            optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1, momentum=0.9)
            states[lib] = make(lib.optim.lr_scheduler, optimizer).state_dict()
        public = {lib: {key: value for key, value in states[lib].items()
                        if not key.startswith("_")} for lib in states}
        assert public[edunet] == public[torch]
        assert states[edunet]["_last_lr"] == states[torch]["_last_lr"]
    assert states[edunet]["lr_lambdas"] == [{"rate": 0.9}]


def test_lambda_lr_saves_functions_as_none_and_objects_by_attributes():
    optimizer = edunet.optim.SGD([{"params": [edunet.nn.Parameter(edunet.zeros(1))]},
                                  {"params": [edunet.nn.Parameter(edunet.zeros(1))]}], lr=1.0)
    scale = Scale(0.5)
    scheduler = lr_scheduler.LambdaLR(optimizer, [lambda epoch: 1.0, scale])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"rate": 0.5}]
    state["lr_lambdas"][1]["rate"] = 0.25
    scheduler.load_state_dict(state)
    assert scale.rate == 0.25 and "lr_lambdas" in state


def test_resuming_with_last_epoch_matches_torch():
    lrs = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        for group in optimizer.param_groups:
            group["initial_lr"] = 0.1
        schedulers = [lib.optim.lr_scheduler.StepLR(optimizer, step_size=4, last_epoch=7),
                      lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20, last_epoch=5)]
        lrs[lib] = []
        for _ in range(12):
            optimizer.step()
            for scheduler in schedulers:
                scheduler.step()
                lrs[lib].append(scheduler.get_last_lr()[0])
    assert lrs[edunet] == pytest.approx(lrs[torch], rel=1e-12)


def test_step_with_an_epoch_warns_and_uses_the_closed_form_like_torch():
    lrs = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        schedulers = [lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5),
                      lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
                      lib.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 5]),
                      lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)]
        optimizer.step()
        lrs[lib] = []
        for scheduler in schedulers:
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step"):
                scheduler.step(7)
            lrs[lib].append(scheduler.get_last_lr()[0])
    assert lrs[edunet] == pytest.approx(lrs[torch], rel=1e-12)


# ---------------------------------------------------------------- warnings and errors
def test_scheduler_step_before_optimizer_step_warns_like_torch():
    messages = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        with pytest.warns(UserWarning) as record:
            scheduler.step()
        messages[lib] = [str(warning.message) for warning in record]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # only the first scheduler step is checked
            scheduler.step()
    assert messages[edunet] == messages[torch]
    assert "Detected call of `lr_scheduler.step()` before `optimizer.step()`" in messages[edunet][0]


def test_two_schedulers_share_one_tracked_optimizer_step():
    optimizer = edunet.optim.Adam([edunet.nn.Parameter(edunet.zeros(1))], lr=0.1)
    first = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    second = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    assert "step" not in vars(optimizer)  # schedulers don't patch the optimizer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        first.step()
        second.step()
    assert second.get_last_lr() == [0.025]  # chained: 0.1 * 0.5 * 0.5
    assert copy.deepcopy(optimizer).param_groups[0]["lr"] == 0.025


def test_replacing_optimizer_step_after_creating_the_scheduler_warns():
    optimizer = edunet.optim.SGD([edunet.nn.Parameter(edunet.zeros(1))], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    optimizer.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        scheduler.step()


def test_get_lr_outside_step_warns():
    optimizer = edunet.optim.SGD([edunet.nn.Parameter(edunet.zeros(1))], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        scheduler.get_lr()


def _error(make):
    try:
        make()
    except Exception as error:  # noqa: BLE001 (any type: it is compared with torch's)
        return type(error), str(error)
    return None


BAD_SCHEDULERS = {
    "not an optimizer": lambda s, o: s.StepLR("sgd", step_size=1),
    "plateau on a non-optimizer": lambda s, o: s.ReduceLROnPlateau(None),
    "lambda count": lambda s, o: s.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]),
    "resume without initial_lr": lambda s, o: s.StepLR(o, step_size=1, last_epoch=3),
    "total_steps 0": lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=0),
    "no total_steps": lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=3),
    "bad epochs": lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=-1, steps_per_epoch=2),
    "bad steps_per_epoch": lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=1, steps_per_epoch=0),
    "pct_start int": lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=1),
    "anneal_strategy": lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=5,
                                                 anneal_strategy="exp"),
    "max_lr list length": lambda s, o: s.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=5),
    "factor >= 1": lambda s, o: s.ReduceLROnPlateau(o, factor=1.0),
    "mode": lambda s, o: s.ReduceLROnPlateau(o, mode="lowest"),
    "threshold_mode": lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="percent"),
    "min_lr count": lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
}


@pytest.mark.parametrize("case", list(BAD_SCHEDULERS))
def test_invalid_arguments_raise_torchs_errors(case):
    errors = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        errors[lib] = _error(lambda: BAD_SCHEDULERS[case](lib.optim.lr_scheduler, optimizer))
    assert errors[torch] is not None
    assert errors[edunet][0] is errors[torch][0]
    if case == "resume without initial_lr":  # ours suggests the fix in its own words
        assert errors[edunet][1].startswith("\"param 'initial_lr' is not specified in "
                                            "param_groups[0] when resuming")
    else:
        assert errors[edunet] == errors[torch]


def test_one_cycle_errors_like_torch():
    errors = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.Adagrad([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        errors[lib, "momentum"] = _error(
            lambda: lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3))
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3,
                                                      cycle_momentum=False)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        errors[lib, "too many steps"] = _error(scheduler.step)
    for kind in ("momentum", "too many steps"):
        assert errors[edunet, kind] == errors[torch, kind] and errors[torch, kind] is not None


def test_plateau_with_a_new_param_group_needs_matching_min_lrs_like_torch():
    errors = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0,
                                                             min_lr=[0.01])
        optimizer.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})
        scheduler.step(1.0)
        errors[lib] = _error(lambda: scheduler.step(2.0))
    assert errors[edunet] == errors[torch] and errors[torch][0] is RuntimeError


def test_public_names_and_signatures_match_torch():
    assert issubclass(lr_scheduler._LRScheduler, lr_scheduler.LRScheduler)
    assert lr_scheduler._LRScheduler.__name__ == "_LRScheduler"
    for name in ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                 "LambdaLR", "OneCycleLR", "ReduceLROnPlateau"]:
        ours, theirs = getattr(lr_scheduler, name), getattr(torch.optim.lr_scheduler, name)
        assert issubclass(ours, lr_scheduler.LRScheduler)
        for method in ("__init__", "step"):
            assert ([(p.name, p.kind, p.default) for p in
                     inspect.signature(getattr(ours, method)).parameters.values()] ==
                    [(p.name, p.kind, p.default) for p in
                     inspect.signature(getattr(theirs, method)).parameters.values()])
    assert edunet.optim.lr_scheduler is lr_scheduler


def test_a_checkpoint_saved_with_edunet_save_resumes_training(tmp_path):
    """The course's checkpoint recipe: optimizer and scheduler state through a file."""
    def make(twin):
        optimizer = edunet.optim.Adam(twin.parameters(edunet), lr=0.01, amsgrad=True)
        return optimizer, lr_scheduler.MultiStepLR(optimizer, milestones=[5, 15], gamma=0.5)

    twin, resumed_twin = TwinModels(), TwinModels(seed=3)
    optimizer, scheduler = make(twin)
    for _ in range(10):
        train_step(twin, edunet, optimizer)
        scheduler.step()
    edunet.save({"model": [layer.state_dict() for layer in twin.layers[edunet]],
                 "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
                tmp_path / "checkpoint.edunet")

    checkpoint = edunet.load(tmp_path / "checkpoint.edunet")
    for layer, state in zip(resumed_twin.layers[edunet], checkpoint["model"]):
        layer.load_state_dict(state)
    resumed_optimizer, resumed_scheduler = make(resumed_twin)
    resumed_scheduler.load_state_dict(checkpoint["scheduler"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    for _ in range(10):
        train_step(twin, edunet, optimizer)
        scheduler.step()
        train_step(resumed_twin, edunet, resumed_optimizer)
        resumed_scheduler.step()
        assert resumed_scheduler.get_last_lr() == scheduler.get_last_lr()
    for mine, original in zip(resumed_twin.parameters(edunet), twin.parameters(edunet)):
        numpy.testing.assert_array_equal(mine.detach().numpy(), original.detach().numpy())


# ---------------------------------------------------------------- counting optimizer steps
def test_schedulers_leave_the_optimizer_step_method_alone():
    optimizer = edunet.optim.SGD([edunet.nn.Parameter(edunet.zeros(1))], lr=0.1)
    lr_scheduler.StepLR(optimizer, step_size=1)
    assert "step" not in vars(optimizer)
    assert optimizer.step.__func__ is edunet.optim.SGD.step is edunet.optim.Optimizer.step
    assert optimizer._step_count == 0
    optimizer.step()
    optimizer.step()
    assert optimizer._step_count == 2


def test_an_optimizer_step_before_the_scheduler_existed_does_not_count_as_torch():
    """PyTorch warns unless optimizer.step() ran after the scheduler was created."""
    messages = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        optimizer.step()
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        with pytest.warns(UserWarning) as record:
            scheduler.step()
        messages[lib] = [str(warning.message) for warning in record]
    assert messages[edunet] == messages[torch]


def test_an_optimizer_with_its_own_step_is_counted_once_per_call():
    class Halving(edunet.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.5})

        def _update(self, param, group):
            param.mul_(group["lr"])

        def step(self, closure=None):
            return super().step(closure)  # the outer step is the one counted

    optimizer = Halving([edunet.nn.Parameter(edunet.ones(1))])
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    optimizer.step()
    assert optimizer._step_count == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()
    fresh = Halving([edunet.nn.Parameter(edunet.ones(1))])
    scheduler = lr_scheduler.StepLR(fresh, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        scheduler.step()


def test_scheduler_state_dict_keeps_torchs_keys():
    states = {}
    for lib in (edunet, torch):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        states[lib] = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1).state_dict()
    # Nothing of the step counting is saved (edunet's _computing_lr is torch's
    # _get_lr_called_within_step under another name).
    assert set(states[edunet]) - set(states[torch]) == {"_computing_lr"}
