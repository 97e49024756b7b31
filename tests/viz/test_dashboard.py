"""viz.training_dashboard: what it logs, how rarely it redraws, and how Stop ends training."""

import json
import pathlib
import sys
import textwrap
import time
import types

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.utils.data import DataLoader, TensorDataset  # noqa: E402
from edunet.viz import dashboard as dashboard_module  # noqa: E402
from edunet.viz.dashboard import TrainingDashboard, accuracy, training_dashboard  # noqa: E402


def problem(seed=0, samples=256, batch_size=16):
    edunet.manual_seed(seed)
    x = edunet.randn(samples, 4)
    y = (x[:, 0] + x[:, 1] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    return model, loader, edunet.optim.SGD(model.parameters(), lr=0.1)


def test_fit_trains_and_logs_every_step_like_a_hand_written_loop():
    model, loader, optimizer = problem()
    dashboard = training_dashboard()
    history = dashboard.fit(model, loader, nn.CrossEntropyLoss(), optimizer, epochs=2)
    assert isinstance(dashboard, TrainingDashboard)
    twin, twin_loader, twin_optimizer = problem()        # the same loop, by hand
    losses, accuracies = [], []
    for _ in range(2):
        for inputs, targets in twin_loader:
            twin_optimizer.zero_grad()
            output = twin(inputs)
            loss = nn.functional.cross_entropy(output, targets)
            loss.backward()
            twin_optimizer.step()
            losses.append(loss.item())
            accuracies.append((output.argmax(1) == targets).float().mean().item())
    assert dashboard.total_steps == 32 == dashboard.steps_logged == dashboard.progress.value
    assert history["loss"] == list(enumerate(losses))
    assert history["accuracy"] == list(enumerate(accuracies))
    assert history["loss"][-1][1] < history["loss"][0][1]
    assert "step 31 (32/32)" in dashboard.status.value
    assert f"last {losses[-1]:.4g}" in dashboard.caption.value
    assert dashboard.stop_button.disabled and dashboard.stopped_by is None


def test_log_in_your_own_loop_with_extra_metrics():
    dashboard = training_dashboard(total_steps=5)
    for step in range(5):
        dashboard.log(step, loss=1.0 / (step + 1), accuracy=0.2 * step, val_loss=0.5)
    assert dashboard.history["val_loss"] == [(step, 0.5) for step in range(5)]
    assert dashboard.history["accuracy"][-1] == (4, 0.8)
    assert dashboard.progress.value == 5 == dashboard.progress.max
    assert "accuracy 80.00%" in dashboard.status.value and "loss 0.2000" in dashboard.status.value
    assert "loss: first 1, last 0.2, best 0.2" in dashboard.caption.value


def test_redraws_are_throttled():
    dashboard = training_dashboard(total_steps=200)
    assert dashboard.draw_count == 1                      # the empty plot
    for step in range(200):
        dashboard.log(step, loss=1.0)
    # 200 quick steps: no redraw in between, one at the last step.
    assert dashboard.draw_count == 2


def test_redraw_rule_on_a_fake_clock(monkeypatch):
    clock = types.SimpleNamespace(now=100.0)
    fake_time = types.SimpleNamespace(monotonic=lambda: clock.now)
    monkeypatch.setattr(dashboard_module, "time", fake_time)
    dashboard = training_dashboard(redraw_seconds=1.0)   # drawn at 100.0, taking no time
    drawn = []
    for now in [100.5, 100.9, 101.2, 101.5, 102.3]:
        clock.now = now
        dashboard.log(len(drawn), loss=1.0)
        drawn.append(dashboard.draw_count)
    assert drawn == [1, 1, 2, 2, 3]
    dashboard.draw_seconds = 0.5             # a slow drawing: wait 5 times as long as it took
    for now in [103.5, 104.6, 105.0]:
        clock.now = now
        dashboard.log(len(drawn), loss=1.0)
        drawn.append(dashboard.draw_count)
    assert drawn[-3:] == [3, 3, 4]


def test_the_stop_button_makes_fit_stop():
    model, loader, optimizer = problem()
    dashboard = training_dashboard()
    calls = []

    def loss_fn(output, target):
        calls.append(1)
        if len(calls) == 5:
            dashboard.stop_button.click()               # what a click in the browser does
        return nn.functional.cross_entropy(output, target)

    dashboard.fit(model, loader, loss_fn, optimizer, epochs=3)
    assert dashboard.stop_requested and dashboard.stopped_by == "button"
    assert dashboard.steps_logged == 5 and len(calls) == 5
    assert "Stopped by the Stop button after 5 steps" in dashboard.caption.value


def test_an_interrupt_stops_fit_cleanly():
    model, loader, optimizer = problem()
    dashboard = training_dashboard()

    def loss_fn(output, target):
        if dashboard.steps_logged == 3:
            raise KeyboardInterrupt                      # the notebook's interrupt button
        return nn.functional.cross_entropy(output, target)

    history = dashboard.fit(model, loader, loss_fn, optimizer)
    assert dashboard.stopped_by == "interrupt" and len(history["loss"]) == 3


def test_accuracy_only_for_classification():
    scores = edunet.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert accuracy(scores, edunet.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(scores, edunet.ones(3, 2)) is None


KERNEL_SETUP = """
import asyncio, time, edunet
from edunet import nn
from edunet.utils.data import DataLoader, TensorDataset
from edunet.viz.dashboard import training_dashboard
edunet.manual_seed(0)
x = edunet.randn(64, 4); y = (x[:, 0] > 0).long()
model = nn.Sequential(nn.Linear(4, 2))
loader = DataLoader(TensorDataset(x, y), batch_size=8)
optimizer = edunet.optim.SGD(model.parameters(), lr=0.1)
def slow_loss(output, target):
    time.sleep(0.02)
    return nn.functional.cross_entropy(output, target)
dashboard = training_dashboard(total_steps=800)
print(dashboard.stop_button.model_id)
"""

# The loop a learner writes: no check of stop_requested, no await, nested loops.
LEARNER_LOOP = """
step = 0
for epoch in range(100):
    for inputs, targets in loader:
        output = model(inputs)
        loss = slow_loss(output, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        dashboard.log(step, loss=loss.item())
        step += 1
print("the loop ran to its end")
"""

REPORT = """
print(dashboard.stopped_by, dashboard.steps_logged, dashboard.total_steps,
      dashboard.stop_button.description, "|", dashboard.status.value)
"""


@pytest.fixture
def kernel(tmp_path):
    """A real ipykernel running this Python; yields ``run(code, click=..., interrupt=...)``."""
    jupyter_client = pytest.importorskip("jupyter_client")
    from jupyter_client.kernelspec import KernelSpecManager
    ipykernel = pytest.importorskip("ipykernel")
    if int(ipykernel.__version__.split(".")[0]) < 7:
        pytest.skip("ipykernel < 7 handles widget messages only between cells")
    # A kernel spec of our own: this Python, whatever kernels the machine has installed.
    spec = tmp_path / "kernels" / "edunet-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "edunet test", "language": "python"}))
    manager = jupyter_client.KernelManager(
        kernel_name="edunet-test",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))
    manager.start_kernel(cwd=str(pathlib.Path(__file__).parents[2]))
    client = manager.client()
    client.start_channels()

    def run(code, click=None, interrupt_after=None):
        """Run ``code``; return (its printed text, its error or None). ``click`` is
        (seconds, widget id): a Stop click sent while the cell runs."""
        message_id = client.execute(textwrap.dedent(code))
        start, done, output, error = time.monotonic(), False, [], None
        while True:
            waited = time.monotonic() - start
            if click is not None and not done and waited > click[0]:
                content = {"comm_id": click[1],
                           "data": {"method": "custom", "content": {"event": "click"}}}
                client.shell_channel.send(client.session.msg("comm_msg", content))
                done = True
            if interrupt_after is not None and not done and waited > interrupt_after:
                manager.interrupt_kernel()
                done = True
            try:
                message = client.get_iopub_msg(timeout=0.1)
            except Exception:                    # queue.Empty: nothing yet
                if waited > 120:
                    raise AssertionError("the cell did not end") from None
                continue
            if message["parent_header"].get("msg_id") != message_id:
                continue
            if message["msg_type"] == "stream":
                output.append(message["content"]["text"])
            if message["msg_type"] == "error":
                error = "\n".join(message["content"]["traceback"])
            state = message["content"].get("execution_state")
            if message["msg_type"] == "status" and state == "idle":
                return "".join(output).strip(), error

    try:
        client.wait_for_ready(timeout=60)
        yield run
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.slow
def test_the_stop_button_works_during_fit_async_in_a_real_kernel(kernel):
    """A click sent while ``await dashboard.fit_async(...)`` runs stops it."""
    model_id, _ = kernel(KERNEL_SETUP)
    printed, error = kernel("""
        history = await dashboard.fit_async(model, loader, slow_loss, optimizer, epochs=100)
        print(dashboard.stopped_by, dashboard.steps_logged, dashboard.total_steps)
        """, click=(1.5, model_id))
    assert error is None
    stopped_by, steps, total = printed.split()
    assert stopped_by == "button"
    assert 0 < int(steps) < int(total) == 800


@pytest.mark.slow
def test_the_stop_button_stops_the_loop_a_learner_writes(kernel):
    """A plain synchronous loop that only calls ``log``: a click ends it at the next step,
    with one line and no traceback; the dashboard says "stopped"; the model is usable."""
    model_id, _ = kernel(KERNEL_SETUP)
    printed, error = kernel(LEARNER_LOOP, click=(1.5, model_id))
    assert error is None, error                   # no traceback shown
    assert "the loop ran to its end" not in printed
    steps = int(printed.removeprefix("Training stopped at step ").split(";")[0])
    assert printed == f"Training stopped at step {steps}; the model keeps its weights."
    report, error = kernel(REPORT)
    stopped_by, logged, total, description, _, status = report.split(" ", 5)
    assert (stopped_by, description) == ("button", "stopped") and error is None
    assert 0 < int(logged) == steps + 1 < int(total) == 800
    assert status.startswith(f"stopped at step {steps} ({steps + 1}/800)")
    assert "left" not in status
    # The click itself reaches the button after the cell: it must not say "stopping..." again.
    report, _ = kernel(REPORT)
    assert report.split()[3] == "stopped"
    printed, error = kernel("print(model(x[:2]).shape)")
    assert printed == "edunet.Size([2, 2])" and error is None


@pytest.mark.slow
def test_an_interrupt_ends_the_learners_loop_in_one_line(kernel):
    kernel(KERNEL_SETUP)
    printed, error = kernel(LEARNER_LOOP, interrupt_after=1.5)
    assert error is None, error
    assert printed.startswith("Training stopped at step ") and "\n" not in printed
    assert printed.endswith("; the model keeps its weights.")
    report, _ = kernel(REPORT)
    stopped_by, logged, total, description, _, status = report.split(" ", 5)
    assert (stopped_by, description) == ("interrupt", "stopped")
    assert status.startswith("stopped at step") and "left" not in status
    # An interrupt that has nothing to do with training keeps its usual traceback.
    printed, error = kernel("import time\nfor _ in range(1000): time.sleep(0.01)",
                            interrupt_after=1.0)
    assert error is not None and "KeyboardInterrupt" in error


def test_fit_again_trains_on():
    model, loader, optimizer = problem()
    dashboard = training_dashboard()
    dashboard.fit(model, loader, nn.CrossEntropyLoss(), optimizer)
    dashboard.stop_button.click()                      # a late click changes nothing...
    dashboard.fit(model, loader, nn.CrossEntropyLoss(), optimizer)   # ...for the next run
    steps = [step for step, _ in dashboard.history["loss"]]
    assert steps == list(range(32)) and dashboard.total_steps == 32
    assert dashboard.stopped_by is None and dashboard.stop_button.description == "finished"
