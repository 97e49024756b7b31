"""The classroom on a real JupyterHub, driven in headless chromium with Playwright.

The hub runs classroom/hub/jupyterhub_config.py as the guide ships it, with two test
swaps: a dummy authenticator (any name, one password) and local processes instead of
Docker containers, each student with their own home folder. configurable-http-proxy
comes from npm (.ci/run installs it into .ci/chp/).

Two students each: log in (the hub's default URL is the course's nbgitpuller link, so
the course is cloned into their home), open the nbgitpuller link of a notebook with
widgets and run it all, fetch the released nbgrader assignment from the Assignments
panel, answer two exercises (the second differently), run it, save and submit. Each
submission reaches nbgrader's exchange with its own answer; the teacher autogrades
them: each student's own grade, own clone of the course, own progress file.

Local processes all run as one Unix user (root here), and nbgrader names a submitter
by the Unix user (by JUPYTERHUB_USER in the image's "jovyan" containers), so the test
files the two submissions by their content rather than with `nbgrader collect`.

Skips only where chromium, Playwright, JupyterHub, nbgrader, nbgitpuller, git or
configurable-http-proxy is missing. Screenshots go to tmp_path and /tmp/hub_screenshots.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from classroom_helpers import BIN, CLASSROOM, ROOT, environment, nbgrader, new_course

pytestmark = pytest.mark.slow

PROXY = next((str(path) for path in [ROOT / ".ci" / "chp" / "node_modules" / ".bin" /
                                     "configurable-http-proxy"] if path.exists()),
             shutil.which("configurable-http-proxy"))
if PROXY is None:
    pytest.skip("configurable-http-proxy is not installed (npm install --prefix .ci/chp "
                "configurable-http-proxy)", allow_module_level=True)
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)
for module in ("jupyterhub", "nbgrader", "nbgitpuller", "jupyterhub_idle_culler"):
    pytest.importorskip(module, reason="pip install -e '.[classroom]'")

# The browser, its flags and JupyterLab's quiet settings are the widget tests' (skips the
# module when chromium or playwright is missing).
from tests.viz.test_browser import (CHROMIUM, CHROMIUM_ARGS, USER_SETTINGS,  # noqa: E402
                                    sync_api, wait_until)
PASSWORD = "class-password"
ASSIGNMENT = "00_start_here"
WIDGET_NOTEBOOK = "04_loss_functions.ipynb"
ANSWERS = {"alice": '"edunet/nn/linear.py"', "bob": '"edunet/nn/conv.py"'}
# One line, so the editor's auto-indent can't change what the student types.
DEVICE_ANSWER = 'pick_device = lambda: "cuda" if edunet.cuda.is_available() else "cpu"'
SHARED_COPY = Path("/tmp/hub_screenshots")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_settings(folder):
    for name, values in USER_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def course_repository(folder):
    """A git repository of the course notebooks: what nbgitpuller pulls."""
    (folder / "notebooks").mkdir(parents=True)
    for name in (f"{ASSIGNMENT}.ipynb", WIDGET_NOTEBOOK):
        shutil.copy(ROOT / "notebooks" / name, folder / "notebooks")
    for arguments in (["init", "-q", "-b", "main"], ["add", "-A"],
                      ["-c", "user.name=Teacher", "-c", "user.email=teacher@school.example",
                       "commit", "-q", "-m", "the course"]):
        subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True)
    return folder


def hub_configuration(base, ports, student_config):
    """The shipped config, then the test's swaps (dummy login, local processes, loopback)."""
    hub_url = f"http://127.0.0.1:{ports['hub']}"
    settings = base / "lab-settings"
    write_settings(settings)
    path = base / "jupyterhub_config.py"
    path.write_text(f"""
c = get_config()
load_subconfig({str(CLASSROOM / 'hub' / 'jupyterhub_config.py')!r})

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(base / 'homes' / '{username}')!r}
c.Spawner.environment = {{
    "PATH": {BIN + os.pathsep + os.environ.get('PATH', '')!r},
    "PYTHONPATH": {str(ROOT)!r},
    "JUPYTER_CONFIG_PATH": {str(student_config)!r},
    "JUPYTERLAB_SETTINGS_DIR": {str(settings)!r},
}}
c.Spawner.args = ["--allow-root", "--LabApp.expose_app_in_browser=True",
                  "--LabApp.user_settings_dir={settings}"]
c.JupyterHub.bind_url = {hub_url!r}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports['api']}
c.JupyterHub.hub_connect_ip = "127.0.0.1"
c.ConfigurableHTTPProxy.command = [{PROXY!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports['proxy']}"
c.JupyterHub.db_url = "sqlite:///{base / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(base / 'cookie_secret')!r}
""")
    return path, hub_url


@pytest.fixture(scope="module")
def classroom():
    """A running hub, a released assignment and the course repository; stops them all.

    In a folder of its own, not pytest's tmp_path: the hub keeps using it for minutes,
    and pytest deletes its older numbered folders when other pytest runs start.
    """
    base = Path(tempfile.mkdtemp(prefix="edunet-hub-"))
    repository = course_repository(base / "course-repository")
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    teacher = new_course(base / "teacher")
    with open(teacher / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    nbgrader(teacher, "generate_assignment", ASSIGNMENT)
    nbgrader(teacher, "release_assignment", ASSIGNMENT)
    # What the image's appendix writes for students: the course and the exchange.
    student_config = base / "student-config"
    student_config.mkdir()
    (student_config / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "edunet"\n'
        f"c.Exchange.root = {str(exchange)!r}\n")

    ports = {name: free_port() for name in ("hub", "api", "proxy")}
    config, url = hub_configuration(base, ports, student_config)
    log_path = base / "jupyterhub.log"
    log = open(log_path, "w")
    hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=base,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                           env=environment(EDUNET_COURSE_REPOSITORY=str(repository),
                                           EDUNET_COURSE_BRANCH="main"))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/hub/health", timeout=2):
                    break
            except OSError:
                if hub.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterHub did not start:\n" + log_path.read_text()[-4000:])
                time.sleep(0.5)
        yield {"url": url, "base": base, "teacher": teacher, "repository": repository,
               "exchange": exchange, "log": log_path}
    finally:
        hub.send_signal(signal.SIGTERM)        # the hub stops the students' servers and the proxy
        try:
            hub.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(hub.pid, signal.SIGKILL)  # anything of this hub's session still left
        except ProcessLookupError:
            pass
        hub.wait()
        log.close()
        SHARED_COPY.mkdir(exist_ok=True)
        shutil.copy(log_path, SHARED_COPY / "jupyterhub.log")
        shutil.rmtree(base, ignore_errors=True)


def status_idle(page):
    status = page.locator(".jp-StatusBar-Widget")
    return status.count() > 0 and "| Idle" in status.first.inner_text()


def notebook_ready(page):
    return page.locator(".jp-NotebookPanel:visible .jp-CodeCell").count() > 0 and status_idle(page)


def widget_manager_ready(page):
    """Whether the notebook's kernel connection has ipywidgets' comm target registered.

    Cells run before it is would send their widgets to no one (the plots then land in
    the cell as plain output): a person waits for the page to settle, so does the test.
    """
    return page.evaluate("""() => {
        const kernel = window.jupyterapp.shell.currentWidget.context.sessionContext.session?.kernel;
        return Boolean(kernel && kernel._targetRegistry && kernel._targetRegistry["jupyter.widget"]);
    }""")


def command(page, name):
    """Start a JupyterLab command (not waiting for it: the test's own waits have timeouts)."""
    page.evaluate("(name) => { window.jupyterapp.commands.execute(name); return true; }", name)


def run_all(page, timeout=180):
    """Clear the stored outputs (so no old prompt counts as run), run all, wait for every cell."""
    wait_until(lambda: widget_manager_ready(page), 60, "the widget manager is connected")
    command(page, "notebook:clear-all-cell-outputs")
    wait_until(lambda: not page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output").count(),
               30, "the stored outputs were cleared")
    command(page, "notebook:run-all-cells")

    def all_cells_ran():
        prompts = page.locator(".jp-NotebookPanel:visible .jp-CodeCell .jp-InputPrompt")
        texts = prompts.all_inner_texts()
        return texts and all(re.fullmatch(r"\[\d+\]:", text.strip()) for text in texts) and (
            status_idle(page))

    wait_until(all_cells_ran, timeout, "every cell ran and the kernel is idle")


def show_cell(page, text):
    """Scroll the open notebook to the first cell whose source contains ``text``.

    JupyterLab may leave cells outside the window out of the page until scrolled to.
    """
    page.evaluate("""(text) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const index = notebook.widgets.findIndex(
            (cell) => cell.model.sharedModel.getSource().includes(text));
        notebook.activeCellIndex = index;
        notebook.widgets[index].node.scrollIntoView();
        return index;
    }""", text)


def student_session(browser, url, student, shots, repository):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    try:
        # 1. Log in: the hub's default URL is the course's nbgitpuller link.
        page.goto(f"{url}/hub/login")
        page.fill("#username_input", student)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{student}/lab/tree/edunet/notebooks/{ASSIGNMENT}.ipynb*",
                          timeout=180_000)
        wait_until(lambda: notebook_ready(page), 120, "the course's first notebook opened")
        page.screenshot(path=str(shots / f"{student}_1_logged_in.png"))

        # 2. The nbgitpuller link of a notebook with widgets; run it all.
        link = f"{url}/hub/user-redirect/git-pull?" + urlencode({
            "repo": str(repository), "branch": "main",
            "targetpath": "edunet", "urlpath": f"lab/tree/edunet/notebooks/{WIDGET_NOTEBOOK}"})
        page.goto(link)
        page.wait_for_url(f"**/lab/tree/edunet/notebooks/{WIDGET_NOTEBOOK}*", timeout=120_000)
        wait_until(lambda: notebook_ready(page), 120, f"{WIDGET_NOTEBOOK} opened")
        run_all(page)
        show_cell(page, "viz.")
        widgets = page.locator(".jp-NotebookPanel:visible .jupyter-widgets")
        try:
            wait_until(lambda: widgets.count() > 0, 20, "a widget rendered")
        except AssertionError:
            # Seen on a loaded machine, about one run in three: the widget cell's fresh output
            # is drawn as the Panel's stored picture, not as the live widget (the output
            # counts as untrusted). Running that cell again, as a student would, shows it.
            page.screenshot(path=str(shots / f"{student}_2_widget_first_try.png"))
            command(page, "notebook:run-cell")
            wait_until(lambda: widgets.count() > 0, 30, "a widget rendered on the second run")
        outputs = page.locator(".jp-NotebookPanel:visible .jp-Cell-outputWrapper").all_inner_texts()
        assert not [text for text in outputs if "Error displaying widget" in text]
        widgets.first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"{student}_2_widget_notebook.png"))

        # 3. Assignments panel: fetch the released assignment.
        command(page, "nbgrader:open-assignment-list")
        fetch = page.locator("#released_assignments_list button", has_text="Fetch")
        wait_until(lambda: fetch.count() > 0, 60, "the released assignment is listed")
        fetch.first.click()
        fetched = page.locator("#fetched_assignments_list")
        wait_until(lambda: ASSIGNMENT in fetched.inner_text(), 60, "the assignment was fetched")
        page.screenshot(path=str(shots / f"{student}_3_fetched.png"))

        # 4. Answer exercises 1 and 2 as a student types them (2 differently), run, save.
        # (Run all stops at the first failing check, as in any notebook: exercise 3 is left.)
        page.goto(f"{url}/user/{student}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        wait_until(lambda: notebook_ready(page), 120, "the assignment notebook opened")
        for marker, answer in [("def pick_device", DEVICE_ANSWER),
                               ("your answer, a string", f"answer = {ANSWERS[student]}")]:
            cell = page.locator(".jp-NotebookPanel:visible .jp-CodeCell", has_text=marker)
            editor = cell.locator(".cm-content").first
            editor.scroll_into_view_if_needed()
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(answer)
        page.keyboard.press("Escape")
        command(page, "notebook:clear-all-cell-outputs")
        command(page, "notebook:run-all-cells")
        check_cell = page.locator(".jp-NotebookPanel:visible .jp-CodeCell",
                                  has_text="check.source_file(answer)").first
        wait_until(lambda: re.fullmatch(r"\[\d+\]:", check_cell.locator(
            ".jp-InputPrompt").inner_text().strip()) and status_idle(page), 180,
            "the check of exercise 2 ran and the kernel is idle")
        command(page, "docmanager:save")
        wait_until(lambda: not page.locator(".jp-mod-dirty").count(), 30, "the notebook saved")
        check_cell.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"{student}_4_answered.png"))
        verdict_text = check_cell.locator(".jp-Cell-outputWrapper").inner_text()

        # 5. Submit it from the Assignments panel.
        command(page, "nbgrader:open-assignment-list")
        submit = page.locator("#fetched_assignments_list button", has_text="Submit")
        wait_until(lambda: submit.count() > 0, 60, "the fetched assignment can be submitted")
        submit.first.click()
        submitted = page.locator("#submitted_assignments_list")
        wait_until(lambda: ASSIGNMENT in submitted.inner_text(), 60, "the submission is listed")
        page.screenshot(path=str(shots / f"{student}_5_submitted.png"))
        return verdict_text
    except Exception:
        page.screenshot(path=str(shots / f"{student}_failed.png"))
        (shots / f"{student}_console.txt").write_text("\n".join(console))
        (shots / f"{student}_plugins.txt").write_text(str(page.evaluate("""() => {
            const app = window.jupyterapp;
            const widget = app.shell.currentWidget;
            return {activated: app.isPluginActivated('@jupyter-widgets/jupyterlab-manager:plugin'),
                    deferred: app.deferredPlugins, mimeTypes: widget.content.rendermime.mimeTypes,
                    trusted: widget.context.model.cells.get(0).trusted};
        }""")))
        (shots / f"{student}_active_cell.html").write_text(page.evaluate(
            "() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell.jp-mod-active')?.outerHTML || 'none'"))
        raise
    finally:
        context.close()


def test_two_students_get_the_course_run_widgets_and_submit_separately(classroom, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    verdicts = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for student in ANSWERS:
                verdicts[student] = student_session(browser, classroom["url"], student, shots,
                                                    classroom["repository"])
        finally:
            browser.close()
            SHARED_COPY.mkdir(exist_ok=True)
            for shot in shots.iterdir():
                shutil.copy(shot, SHARED_COPY / shot.name)
    assert "Correct." in verdicts["alice"] and "Not yet." in verdicts["bob"]

    homes = classroom["base"] / "homes"
    for student in ANSWERS:
        # nbgitpuller cloned the course into each home, separately
        clone = homes / student / "edunet"
        assert (clone / ".git").is_dir() and (clone / "notebooks" / WIDGET_NOTEBOOK).exists()
        # each student's checks recorded their own progress
        progress = json.loads((homes / student / ".local" / "share" / "edunet" /
                               "progress.json").read_text())["exercises"]
        assert progress["start_here.source_file"]["passed"] is (student == "alice")

    # Each submission reached the exchange with its own answer. (nbgrader names the
    # submitter by the Unix user, or by JUPYTERHUB_USER in the image's "jovyan" containers;
    # here every local process is root, so the teacher files the two by their content.)
    teacher = classroom["teacher"]
    inbound = classroom["exchange"] / "edunet" / "inbound"
    submissions = sorted(inbound.iterdir())
    assert len(submissions) == 2, submissions
    for student, answer in ANSWERS.items():
        mine = [path for path in submissions
                if f"answer = {answer}".replace('"', '\\"') in
                (path / f"{ASSIGNMENT}.ipynb").read_text()]
        assert len(mine) == 1, f"{student}'s answer is in {len(mine)} submissions"
        shutil.copytree(mine[0], teacher / "submitted" / student / ASSIGNMENT)
    nbgrader(teacher, "autograde", ASSIGNMENT)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{teacher / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission(ASSIGNMENT, student).score
                  for student in ANSWERS}
    assert scores == {"alice": 3.0, "bob": 2.0}     # exercise 1 (2 points) right for both, 2 (1) for alice
    assert "idle-culler" in classroom["log"].read_text()
