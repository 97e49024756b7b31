"""A Chinese notebook in a real browser: JupyterLab (in Chinese) + Debian's chromium.

Opens a copy of notebooks/zh/02_module_basics.ipynb, runs every cell and checks: the
explanations are Chinese, JupyterLab's menus are Chinese (when the language pack is
installed), the exercise verdicts are Chinese, the widgets render, no widget label the
zh catalog translates is left in English, and a plot with a Chinese title draws without
missing-glyph warnings. The last cell is added to the copy: it is what a learner would
write, a matplotlib plot with Chinese labels. Screenshots go to the test's tmp_path and
/tmp/viz_screenshots_zh: look at them (Chinese glyphs, not boxes).
Reuses the helpers of tests/viz/test_browser.py (and skips where it does).
"""

import importlib.util
import json
import os
import re
import shutil

import pytest

from edunet import i18n
from tests.viz.test_browser import (CHROMIUM, CHROMIUM_ARGS, REPOSITORY, USER_SETTINGS,
                                    lab_server, run_all, sync_api, wait_until)

NOTEBOOK = REPOSITORY / "notebooks" / "zh" / "02_module_basics.ipynb"
SHARED_COPY = "/tmp/viz_screenshots_zh"
HAS_LANGUAGE_PACK = importlib.util.find_spec("jupyterlab_language_pack_zh_CN") is not None
PLOT_CELL = """import matplotlib.pyplot as plt

figure, axes = plt.subplots(figsize=(5, 2.6))
axes.plot([2.3, 1.2, 0.8, 0.6, 0.5], marker="o")
axes.set_title("损失随训练轮数下降")
axes.set_xlabel("轮")
axes.set_ylabel("损失")
plt.show()"""


@pytest.fixture
def chinese_lab(tmp_path):
    """JupyterLab with Chinese menus on a copy of the notebook (plus a plot cell)."""
    root = tmp_path / "root"
    root.mkdir()
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "zh-plot",
                              "metadata": {}, "outputs": [], "source": PLOT_CELL})
    (root / NOTEBOOK.name).write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    values = dict(USER_SETTINGS)
    values["@jupyterlab/translation-extension/plugin.jupyterlab-settings"] = {"locale": "zh_CN"}
    # The Chinese notebook picks its language itself: no EDUNET_LANG from the test run.
    environment = {key: value for key, value in os.environ.items() if key != "EDUNET_LANG"}
    with lab_server(tmp_path, root, values, environment) as url:
        yield url


def status_idle(page):
    """The status bar's kernel state reads idle: "| Idle", or "| 空闲" in Chinese menus."""
    return re.search(r"\| (Idle|空闲)", page.locator(".jp-StatusBar-Widget").inner_text())


def chinese(text):
    return sum("\u4e00" <= character <= "\u9fff" for character in text)


def test_chinese_notebook_runs_in_chinese_jupyterlab(chinese_lab, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    catalog = i18n.catalog("zh")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            run_all(page, chinese_lab, NOTEBOOK.name, idle=status_idle)
            page.locator(".jp-MarkdownOutput").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "00_notebook_top.png"))

            # Explanations in Chinese, menus in Chinese where the language pack is installed.
            markdown = " ".join(page.locator(".jp-MarkdownOutput").all_inner_texts())
            assert "模块基础" in markdown and chinese(markdown) > 1000
            if HAS_LANGUAGE_PACK:
                menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
                assert "文件" in menus, menus

            # No errors anywhere; the widgets rendered.
            errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0, errors.all_inner_texts()
            widget_cell = page.locator(".jp-CodeCell").filter(
                has=page.locator(".jupyter-widgets")).first
            widget_cell.scroll_into_view_if_needed()
            wait_until(lambda: "Loading widget" not in widget_cell.inner_text(), 30,
                       "the widget finished loading")
            assert "Error displaying widget" not in widget_cell.inner_text()
            widget_cell.screenshot(path=str(shots / "01_parameter_counts_widget.png"))

            # Widget labels the catalog translates are shown translated.
            labels = page.locator(".jupyter-widgets .widget-label, .jupyter-widgets button, "
                                  ".jupyter-widgets th").all_inner_texts()
            untranslated = [label for label in labels if label.strip() in catalog]
            assert untranslated == [], f"labels left in English: {untranslated}"

            # Exercise verdicts speak Chinese.
            outputs = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
            assert "还不对。" in outputs and "提示" in outputs
            verdict = page.locator(".jp-OutputArea-output", has_text="还不对。").first
            verdict.scroll_into_view_if_needed()
            verdict.screenshot(path=str(shots / "02_verdict.png"))

            # The learner's plot: Chinese title drawn, no "Glyph ... missing" warning.
            plot_cell = page.locator(".jp-CodeCell").last
            plot_cell.scroll_into_view_if_needed()
            wait_until(lambda: plot_cell.locator(".jp-OutputArea-output img").count() > 0, 30,
                       "the plot cell shows an image")
            stderr = plot_cell.locator("[data-mime-type='application/vnd.jupyter.stderr']")
            assert stderr.count() == 0, stderr.all_inner_texts()
            plot_cell.screenshot(path=str(shots / "03_chinese_plot.png"))
        finally:
            browser.close()
    os.makedirs(SHARED_COPY, exist_ok=True)
    for shot in shots.iterdir():
        shutil.copy(shot, os.path.join(SHARED_COPY, shot.name))
