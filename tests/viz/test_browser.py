"""Every edunet.viz widget in a real browser: JupyterLab (headless) + Debian's chromium,
driven by Playwright, on a temporary copy of tests/viz/widgets_gallery.ipynb.

Runs all cells, checks that each widget rendered (no "Error displaying widget") and that
each picture has a text alternative, moves a slider of the feature-map and conv widgets
with the keyboard and checks that the image and the caption change, switches the conv
explorer to pooling, and looks at the widgets in JupyterLab's dark theme. A second test
(stop_button.ipynb) presses Stop during a plain training loop, then interrupts another.
Screenshots go to the test's tmp_path (and /tmp/viz_screenshots).
Skips only where chromium, Playwright or JupyterLab is not installed; see RECIPES.md.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytest.importorskip("jupyterlab", reason="pip install jupyterlab")
pytest.importorskip("ipywidgets")

GALLERY = Path(__file__).with_name("widgets_gallery.ipynb")
STOP_NOTEBOOK = Path(__file__).with_name("stop_button.ipynb")
REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_COPY = Path("/tmp/viz_screenshots")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Settings that keep the page still: no news toast, every cell kept in the DOM.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jupyter_lab(tmp_path):
    """A JupyterLab server on a copy of the gallery; yields its URL; stops exactly it."""
    root = tmp_path / "root"
    root.mkdir()
    for notebook in (GALLERY, STOP_NOTEBOOK):
        shutil.copy(notebook, root / notebook.name)
    with lab_server(tmp_path, root, USER_SETTINGS) as url:
        yield url


@contextlib.contextmanager
def lab_server(tmp_path, root, user_settings, environment=None):
    """A JupyterLab server on ``root`` with these user settings; yields its URL; stops exactly it.

    Shared by every browser test (the gallery, notebooks 09-11, the Chinese edition).
    """
    settings = tmp_path / "settings"
    for name, values in user_settings.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port = free_port()
    environment = dict(os.environ if environment is None else environment)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
               "--allow-root", f"--ServerApp.root_dir={root}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
               f"--LabApp.user_settings_dir={settings}", "--LabApp.expose_app_in_browser=True"]
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment,
                              cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" +
                                (tmp_path / "jupyter.log").read_text()[-3000:])
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_until(condition, timeout, message):
    """Poll ``condition()`` (re-querying the DOM each time) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {message}")
        time.sleep(0.2)


def widget_cells(page):
    """{widget name: its code cell}, from each cell's first line '# widget: NAME'."""
    cells = {}
    for cell in page.locator(".jp-CodeCell").all():
        first_line = cell.locator(".jp-InputArea-editor .cm-line").first.inner_text()
        if first_line.startswith("# widget: "):
            cells[first_line.removeprefix("# widget: ").strip()] = cell
    return cells


def status_idle(page):
    return "| Idle" in page.locator(".jp-StatusBar-Widget").inner_text()


def caption_and_image(cell):
    """The caption text and the figure's ``src`` (a fresh blob URL on every redraw)."""
    caption = cell.locator(".edunet-caption").first.inner_text()
    source = cell.locator(".edunet-figure").first.get_attribute("src")
    return caption, source


def move_slider(page, cell, label, presses=1):
    """Focus the slider called ``label`` in ``cell`` and press ArrowRight ``presses`` times."""
    slider = cell.locator(".widget-slider").filter(has=page.locator(
        ".widget-label", has_text=label))
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")
    return slider


def corner_is_white(png_path):
    """True when the picture's top-left corner is (almost) white."""
    image = pytest.importorskip("PIL.Image").open(png_path).convert("RGB")
    pixels = [image.getpixel((x, y)) for x in range(4, 8) for y in range(4, 8)]   # inside any edge
    return all(min(pixel) > 235 for pixel in pixels)


def start_command(page, command):
    """Start a JupyterLab command without waiting for it (``evaluate`` would wait for the
    promise that ``execute`` returns: for a cell that trains, until training ends)."""
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute('{command}'); }}")


def steps_shown(cell):
    """The step number the dashboard's status line in ``cell`` shows (-1 before the first)."""
    status = cell.locator(".edunet-status")
    if not status.count():
        return -1
    found = re.search(r"step (\d+)", status.first.inner_text())
    return int(found[1]) if found else -1


def open_notebook(browser, url, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{url}/lab/tree/{name}?reset")
    wait_until(lambda: page.locator(".jp-CodeCell").count() > 0 and status_idle(page),
               90, f"{name} opened with an idle kernel")
    return page


def run_all(page, url, path, timeout=180, idle=status_idle):
    """Open ``path`` (relative to the server's root) in ``page``, run every cell, and wait
    until every prompt shows its number and the kernel is ``idle`` (a function of the page:
    the Chinese interface words its status bar differently)."""
    page.goto(f"{url}/lab/tree/{path}?reset")
    wait_until(lambda: page.locator(".jp-CodeCell").count() > 0 and idle(page), 120,
               f"{path} opened with an idle kernel")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def all_cells_ran():
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        return all(re.fullmatch(r"\[\d+\]:", prompt.strip()) for prompt in prompts) and (
            idle(page))

    wait_until(all_cells_ran, timeout, f"every cell of {path} ran and the kernel is idle")


def test_the_stop_button_and_the_interrupt_end_a_learners_loop(jupyter_lab, tmp_path):
    """Stop pressed while a plain loop runs ends it at the next step with one line, no
    traceback; the interrupt square does the same; both dashboards then say "stopped"."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    shots_on_failure = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_notebook(browser, jupyter_lab, STOP_NOTEBOOK.name)
            shots_on_failure.append((page, shots / "49_failure.png"))
            cells = page.locator(".jp-CodeCell")
            loop, second = cells.nth(1), cells.nth(2)
            start_command(page, "notebook:run-all-cells")
            # Let it train for a while: the progress bar moves, the prompt says [*].
            wait_until(lambda: steps_shown(loop) >= 20, 60,
                       "the first loop is training")
            assert "[*]" in loop.locator(".jp-InputPrompt").inner_text()
            loop.locator("button", has_text="Stop training").click()
            wait_until(lambda: re.fullmatch(r"\[\d+\]:", loop.locator(
                ".jp-InputPrompt").inner_text().strip()), 30, "the first loop ended")
            output = loop.locator(".jp-OutputArea-output").all_inner_texts()
            text = "\n".join(output)
            assert re.search(r"Training stopped at step \d+; the model keeps its weights\.", text)
            assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
            assert "the loop ran to its end" not in text
            wait_until(lambda: loop.locator("button", has_text="stopped").count() == 1, 30,
                       "the Stop button says stopped")
            status = loop.locator(".edunet-status").first.inner_text()
            assert status.startswith("stopped at step") and "left" not in status, status
            step = int(re.search(r"step (\d+)", text)[1])
            assert 20 <= step < 599
            loop.screenshot(path=str(shots / "40_stopped_by_the_button.png"))

            # The interrupt square, on the second loop.
            second.click()
            start_command(page, "notebook:run-cell")
            wait_until(lambda: steps_shown(second) >= 20, 60,
                       "the second loop is training")
            start_command(page, "kernelmenu:interrupt")
            wait_until(lambda: re.fullmatch(r"\[\d+\]:", second.locator(
                ".jp-InputPrompt").inner_text().strip()), 30, "the second loop ended")
            text = "\n".join(second.locator(".jp-OutputArea-output").all_inner_texts())
            assert re.search(r"Training stopped at step \d+; the model keeps its weights\.", text)
            assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
            wait_until(lambda: second.locator("button", has_text="stopped").count() == 1, 30,
                       "the second dashboard says stopped")
            assert second.locator(".edunet-status").first.inner_text().startswith("stopped at")
            second.screenshot(path=str(shots / "41_stopped_by_the_interrupt.png"))
        except BaseException:
            for failed_page, path in shots_on_failure:
                failed_page.screenshot(path=str(path))
            raise
        finally:
            SHARED_COPY.mkdir(exist_ok=True)
            for shot in shots.iterdir():
                shutil.copy(shot, SHARED_COPY / shot.name)
            browser.close()
    SHARED_COPY.mkdir(exist_ok=True)
    for shot in shots.iterdir():
        shutil.copy(shot, SHARED_COPY / shot.name)


def test_every_widget_renders_and_reacts_in_jupyterlab(jupyter_lab, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    first_lines = [cell["source"][0] for cell in json.loads(GALLERY.read_text())["cells"]]
    expected = [line.removeprefix("# widget: ").strip() for line in first_lines
                if line.startswith("# widget: ")]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            run_all(page, jupyter_lab, GALLERY.name)
            page.screenshot(path=str(shots / "00_notebook.png"))
            cells = widget_cells(page)
            assert sorted(cells) == sorted(expected)

            for number, name in enumerate(expected, start=1):
                cell = cells[name]
                cell.scroll_into_view_if_needed()
                errors = cell.locator(".jp-OutputArea-output[data-mime-type="
                                      "'application/vnd.jupyter.stderr'], .jp-RenderedText"
                                      "[data-mime-type='application/vnd.jupyter.error']")
                assert errors.count() == 0, f"{name}: {errors.all_inner_texts()}"
                wait_until(lambda: cell.locator(".jupyter-widgets").count() > 0, 30,
                           f"{name} rendered a widget")
                text = cell.locator(".jp-Cell-outputWrapper").inner_text()
                assert "Error displaying widget" not in text, f"{name}: {text[:500]}"
                wait_until(lambda: "Loading widget" not in cell.locator(
                    ".jp-Cell-outputWrapper").inner_text(), 30, f"{name} finished loading")
                cell.screenshot(path=str(shots / f"{number:02d}_{name}.png"))

            # Feature maps: the next image of the batch redraws the grid and the caption.
            cell = cells["feature_maps"]
            cell.scroll_into_view_if_needed()
            before = caption_and_image(cell)
            assert "image 0 of the batch of 4" in before[0] and "page 1 of 1" in before[0]
            move_slider(page, cell, "Image of the batch")
            after = wait_until(lambda: "image 1 of the batch of 4" in caption_and_image(cell)[0]
                               and caption_and_image(cell), 30, "feature-map caption: image 1")
            wait_until(lambda: caption_and_image(cell)[1] != before[1], 30,
                       "feature-map image changed")
            wait_until(lambda: status_idle(page), 30, "kernel idle after the slider")
            cell.screenshot(path=str(shots / "20_feature_maps_image_1.png"))
            assert after[0] != before[0]

            # Convolution explorer: stride 1 -> 2 and two steps of the sliding window.
            cell = cells["conv_explorer"]
            cell.scroll_into_view_if_needed()
            before = caption_and_image(cell)
            assert "stride=1" in before[0] and "step 1 of 9" in before[0]
            move_slider(page, cell, "stride")
            wait_until(lambda: "stride=2" in caption_and_image(cell)[0], 30,
                       "conv caption: stride=2")
            wait_until(lambda: status_idle(page), 30, "kernel idle after stride")
            move_slider(page, cell, "step: output cell", presses=2)
            after = wait_until(lambda: "step 3 of 4" in caption_and_image(cell)[0]
                               and caption_and_image(cell), 30, "conv caption: step 3 of 4")
            wait_until(lambda: caption_and_image(cell)[1] != before[1], 30, "conv image changed")
            wait_until(lambda: status_idle(page), 30, "kernel idle after the step slider")
            assert "output[1, 0]" in after[0]
            cell.screenshot(path=str(shots / "21_conv_explorer_stride_2_step_3.png"))

            # Pooling takes PyTorch's default stride, the window size.
            cell.locator(".widget-toggle-button", has_text="max pool").click()
            wait_until(lambda: "F.max_pool2d" in caption_and_image(cell)[0]
                       and "stride=3" in caption_and_image(cell)[0], 30,
                       "max pool with stride 3")
            wait_until(lambda: status_idle(page), 30, "kernel idle after max pool")
            cell.screenshot(path=str(shots / "22_conv_explorer_max_pool.png"))

            # Every picture says in words what it shows (its title, ipywidgets' tooltip).
            for name in expected:
                if name == "draw_graph":
                    label = cells[name].locator("[role=img]").first.get_attribute("aria-label")
                else:
                    label = cells[name].locator(".edunet-figure").first.get_attribute("title")
                assert label and len(label) > 30, f"{name}: no text alternative ({label!r})"

            # JupyterLab's dark theme: the pictures keep their white background.
            page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', "
                          "{theme: 'JupyterLab Dark'})")
            wait_until(lambda: page.locator("body[data-jp-theme-light='false']").count(), 30,
                       "the dark theme is on")
            time.sleep(1)
            for name in ("loss_explorer", "optimizer_playground", "feature_maps"):
                cells[name].scroll_into_view_if_needed()
                figure = cells[name].locator(".edunet-figure").first
                shot = shots / f"30_dark_{name}.png"
                figure.screenshot(path=str(shot))
                assert corner_is_white(shot), f"{name}: the picture lost its background"
            cells["loss_explorer"].screenshot(path=str(shots / "31_dark_loss_explorer_cell.png"))
        finally:
            browser.close()
    SHARED_COPY.mkdir(exist_ok=True)
    for shot in shots.iterdir():
        shutil.copy(shot, SHARED_COPY / shot.name)
