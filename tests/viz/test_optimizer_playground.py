"""viz.optimizer_playground: each path is what edunet.optim does, step by step, by hand."""

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import edunet  # noqa: E402
from edunet import optim  # noqa: E402
from edunet.viz.optimizer_playground import OPTIMIZERS, optimizer_playground  # noqa: E402

FUNCTIONS = {"bowl": lambda x, y: x * x + y * y,
             "elongated bowl": lambda x, y: 0.1 * x * x + 6 * y * y,
             "Rosenbrock": lambda x, y: (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
             "saddle": lambda x, y: x * x - y * y}
STARTS = {"bowl": (-1.5, 1.2), "elongated bowl": (-1.8, 0.8), "Rosenbrock": (-1.2, 1.0),
          "saddle": (-1.5, 0.05)}


def by_hand(surface, name, lr, momentum, steps, scheduler):
    point = edunet.tensor(STARTS[surface], dtype=edunet.float64, requires_grad=True)
    optimizer = {
        "SGD": lambda: optim.SGD([point], lr=lr),
        "Momentum": lambda: optim.SGD([point], lr=lr, momentum=momentum),
        "Nesterov": lambda: optim.SGD([point], lr=lr, momentum=momentum, nesterov=True),
        "RMSprop": lambda: optim.RMSprop([point], lr=lr),
        "Adam": lambda: optim.Adam([point], lr=lr),
    }[name]()
    schedule = {
        "none": None,
        "StepLR": optim.lr_scheduler.StepLR(optimizer, step_size=max(1, steps // 4), gamma=0.5)
        if scheduler == "StepLR" else None,
        "ExponentialLR": optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.97)
        if scheduler == "ExponentialLR" else None,
        "CosineAnnealingLR": optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
        if scheduler == "CosineAnnealingLR" else None,
    }[scheduler]
    path = [list(STARTS[surface])]
    for _ in range(steps):
        optimizer.zero_grad()
        FUNCTIONS[surface](point[0], point[1]).backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        path.append(point.tolist())
    return numpy.array(path), optimizer.param_groups[0]["lr"]


@pytest.mark.parametrize("surface, lr, momentum, steps, scheduler", [
    ("bowl", 0.1, 0.9, 20, "none"),
    ("elongated bowl", 0.05, 0.5, 30, "StepLR"),
    ("Rosenbrock", 0.001, 0.8, 40, "CosineAnnealingLR"),
    ("saddle", 0.02, 0.95, 25, "ExponentialLR"),
])
def test_every_path_equals_running_the_optimizer_by_hand(surface, lr, momentum, steps, scheduler):
    widget = optimizer_playground(surface, lr=lr, momentum=momentum, steps=steps,
                                  scheduler=scheduler)
    assert set(widget.paths) == set(OPTIMIZERS)
    for name in OPTIMIZERS:
        expected, final_lr = by_hand(surface, name, lr, momentum, steps, scheduler)
        numpy.testing.assert_allclose(widget.paths[name], expected, rtol=1e-12, atol=1e-12)
        x, y = expected.T
        numpy.testing.assert_allclose(widget.losses[name], FUNCTIONS[surface](x, y), rtol=1e-9)
        end = f"{name}: ends at ({expected[-1, 0]:.3f}, {expected[-1, 1]:.3f})"
        assert end in widget.caption.value
    assert widget.final_lr == pytest.approx(final_lr)
    assert f"scheduler {scheduler}" in widget.caption.value
    assert widget.surface_dropdown.value == surface and widget.lr_slider.value == lr


def test_each_control_redraws():
    widget = optimizer_playground("bowl", steps=5)
    for control, value in [(widget.surface_dropdown, "saddle"), (widget.lr_slider, 0.01),
                           (widget.momentum_slider, 0.5), (widget.scheduler_dropdown, "StepLR"),
                           (widget.steps_slider, 7)]:
        before = (widget.caption.value, widget.chart.value)
        control.value = value
        assert widget.caption.value != before[0] and widget.chart.value != before[1]
    expected, _ = by_hand("saddle", "Momentum", 0.01, 0.5, 7, "StepLR")
    numpy.testing.assert_allclose(widget.paths["Momentum"], expected, rtol=1e-12)


def test_the_optimizers_behave_as_taught():
    widget = optimizer_playground("elongated bowl", lr=0.1, momentum=0.9, steps=50)
    final = {name: losses[-1] for name, losses in widget.losses.items()}
    assert final["Momentum"] < final["SGD"] and final["Nesterov"] < final["SGD"]
    assert all(loss < widget.losses[name][0] for name, loss in final.items())
    widget.surface_dropdown.value = "Rosenbrock"          # too big a step for its curvature
    assert "diverged" in widget.caption.value
    assert len(widget.paths["SGD"]) < 51


def test_paths_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    widget = optimizer_playground("Rosenbrock", lr=0.001, momentum=0.9, steps=60)
    makers = {"Nesterov": lambda p: torch.optim.SGD([p], lr=0.001, momentum=0.9, nesterov=True),
              "RMSprop": lambda p: torch.optim.RMSprop([p], lr=0.001),
              "Adam": lambda p: torch.optim.Adam([p], lr=0.001)}
    for name, make in makers.items():
        point = torch.tensor(STARTS["Rosenbrock"], dtype=torch.float64, requires_grad=True)
        optimizer, path = make(point), [list(STARTS["Rosenbrock"])]
        for _ in range(60):
            optimizer.zero_grad()
            FUNCTIONS["Rosenbrock"](point[0], point[1]).backward()
            optimizer.step()
            path.append(point.tolist())
        numpy.testing.assert_allclose(widget.paths[name], path, rtol=1e-10, atol=1e-12)
