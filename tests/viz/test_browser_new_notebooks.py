"""Notebooks 09-11 in a real browser: JupyterLab (headless) + Debian's chromium, driven by
Playwright, on a temporary copy of the notebooks.

For each notebook: Run All, wait until every cell ran, check that no cell shows an error
or a warning and that every widget rendered; move the sliders of the sequence explorer
(09) and the init explorer (10) and check that their captions and pictures follow.
Screenshots go to the test's tmp_path (and /tmp/viz_screenshots/new_notebooks). The helpers come from test_browser.py; like it, this
skips only where chromium, Playwright or JupyterLab is not installed (see RECIPES.md).
"""

import shutil
from pathlib import Path

import pytest

from .test_browser import (CHROMIUM, CHROMIUM_ARGS, USER_SETTINGS, caption_and_image,
                           lab_server, move_slider, run_all, status_idle, sync_api,
                           wait_until)

REPOSITORY = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["09_sequences.ipynb", "10_initialization_and_normalization.ipynb",
             "11_tensorboard.ipynb"]
SHARED_COPY = Path("/tmp/viz_screenshots/new_notebooks")


@pytest.fixture
def course_lab(tmp_path):
    """A JupyterLab server on a copy of notebooks 09-11; yields its URL; stops exactly it."""
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(REPOSITORY / "notebooks" / name, root / "notebooks" / name)
    with lab_server(tmp_path, root, USER_SETTINGS) as url:
        yield url


def assert_clean(page, name):
    """No error, no warning, no broken widget anywhere in the notebook."""
    problems = page.locator(".jp-OutputArea-output[data-mime-type="
                            "'application/vnd.jupyter.stderr'], .jp-RenderedText"
                            "[data-mime-type='application/vnd.jupyter.error']")
    assert problems.count() == 0, f"{name}: {problems.all_inner_texts()}"
    text = page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in text, name
    assert "Traceback" not in text, name


def close_and_shut_down(page):
    """Close the notebook and stop its kernel before the next one (less memory, calm page).

    The command asks for confirmation in a dialog, so its promise is not awaited here;
    the dialog's accept button is clicked instead.
    """
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:close-and-shutdown'); }")
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        accept.wait_for(timeout=10_000)
        accept.click()
    except sync_api.TimeoutError:
        pass                                     # no dialog: nothing to confirm
    wait_until(lambda: page.locator(".jp-Notebook").count() == 0, 60, "the notebook closed")


def widget_cell(page):
    """The code cell whose output holds an edunet widget figure."""
    cell = page.locator(".jp-CodeCell").filter(has=page.locator(".edunet-figure")).first
    cell.scroll_into_view_if_needed()
    return cell


def test_new_notebooks_run_and_their_widgets_react_in_jupyterlab(course_lab, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            for number, name in enumerate(NOTEBOOKS):
                run_all(page, course_lab, f"notebooks/{name}", timeout=600)
                assert_clean(page, name)
                page.screenshot(path=str(shots / f"{number}0_{name[:-6]}.png"))
                if name.startswith("09"):
                    check_sequence_explorer(page, shots)
                elif name.startswith("10"):
                    assert page.locator(".jp-OutputArea-output img").count() >= 4    # 3 plots + widget
                    check_init_explorer(page, shots)
                else:
                    text = page.locator(".jp-Notebook").inner_text()
                    assert "57 records" in text and "graph: True" in text
                close_and_shut_down(page)
        finally:
            browser.close()
            SHARED_COPY.mkdir(parents=True, exist_ok=True)    # also the shots of a failed run
            for shot in shots.iterdir():
                shutil.copy(shot, SHARED_COPY / shot.name)


def check_sequence_explorer(page, shots):
    cell = widget_cell(page)
    wait_until(lambda: "Loading widget" not in cell.inner_text(), 60, "the widget loaded")
    before = caption_and_image(cell)
    assert before[0].startswith("t = 1 of 30"), before[0]
    cell.screenshot(path=str(shots / "01_sequence_explorer.png"))

    move_slider(page, cell, "time step t", presses=4)
    wait_until(lambda: caption_and_image(cell)[0].startswith("t = 5 of 30"), 60,
               "caption: t = 5 of 30")
    wait_until(lambda: caption_and_image(cell)[1] != before[1], 60, "the picture changed")
    wait_until(lambda: status_idle(page), 60, "kernel idle after the time slider")

    move_slider(page, cell, "sequence length T", presses=2)
    wait_until(lambda: caption_and_image(cell)[0].startswith("t = 5 of 32"), 120,
               "caption: t = 5 of 32")
    wait_until(lambda: status_idle(page), 60, "kernel idle after the length slider")
    caption = caption_and_image(cell)[0]
    assert "RNN" in caption and "LSTM, forget gate open" in caption
    cell.screenshot(path=str(shots / "02_sequence_explorer_t5_T32.png"))


def check_init_explorer(page, shots):
    cell = widget_cell(page)
    wait_until(lambda: "Loading widget" not in cell.inner_text(), 60, "the widget loaded")
    before = caption_and_image(cell)
    # the notebook switched it to Kaiming's init from code, after it was displayed
    assert "ReLU with kaiming_normal_ weights" in before[0], before[0]
    assert "after layer 20" in before[0]
    cell.screenshot(path=str(shots / "11_init_explorer.png"))
    move_slider(page, cell, "layers", presses=2)
    wait_until(lambda: "after layer 22" in caption_and_image(cell)[0], 120,
               "caption: after layer 22")
    wait_until(lambda: caption_and_image(cell)[1] != before[1], 60, "the picture changed")
    wait_until(lambda: status_idle(page), 60, "kernel idle after the depth slider")
    cell.screenshot(path=str(shots / "12_init_explorer_22_layers.png"))
