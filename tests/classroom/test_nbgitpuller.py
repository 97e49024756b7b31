"""One link into every account: nbgitpuller links, and a student's edits survive an update."""

import json
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from classroom_helpers import ROOT, load_script

links = load_script("links")


def test_links_open_the_course_and_each_notebook_through_the_hub():
    made = links.course_links("https://hub.school.example/", "https://example.org/edunet.git", "main")
    notebooks = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(made) == 1 + len(notebooks)
    targets = []
    for _title, link in made:
        address = urlsplit(link)
        assert (address.scheme, address.netloc, address.path) == (
            "https", "hub.school.example", "/hub/user-redirect/git-pull")
        query = {key: values[0] for key, values in parse_qs(address.query).items()}
        assert query["repo"] == "https://example.org/edunet.git" and query["branch"] == "main"
        assert query["targetpath"] == "edunet"
        targets.append(query["urlpath"])
    assert targets == ["lab/tree/edunet/notebooks"] + [
        f"lab/tree/edunet/notebooks/{name}" for name in notebooks]


def test_the_hub_logs_students_into_the_same_link():
    config = (ROOT / "classroom" / "hub" / "jupyterhub_config.py").read_text()
    default = links.nbgitpuller_link("", "notebooks/00_start_here.ipynb", "REPO", "BRANCH")
    assert "/git-pull?repo={COURSE_REPOSITORY}&branch={COURSE_BRANCH}&targetpath=edunet" in config
    assert default.endswith("urlpath=lab%2Ftree%2Fedunet%2Fnotebooks%2F00_start_here.ipynb")


def git(folder, *arguments):
    subprocess.run(["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@school.example",
                    *arguments], cwd=folder, check=True, capture_output=True)


def pull(repository, target):
    """What the link does in the student's server: nbgitpuller's own command."""
    result = subprocess.run(["gitpuller", str(repository), "main", str(target)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def set_cell(path, marker, source):
    """Replace the source of the first cell containing ``marker`` (as JupyterLab saves it)."""
    notebook = json.loads(path.read_text())
    cell = next(cell for cell in notebook["cells"] if marker in "".join(cell["source"]))
    cell["source"] = source.splitlines(keepends=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def cell_text(path, marker):
    notebook = json.loads(path.read_text())
    return next("".join(cell["source"]) for cell in notebook["cells"]
                if marker in "".join(cell["source"]))


@pytest.fixture
def course_repository(tmp_path):
    if shutil.which("git") is None or shutil.which("gitpuller") is None:
        pytest.skip("git or nbgitpuller's gitpuller command is not installed")
    upstream = tmp_path / "course"
    (upstream / "notebooks").mkdir(parents=True)
    for name in ("00_start_here.ipynb", "01_tensors_and_autograd.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, upstream / "notebooks")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "the course")
    return upstream


def test_a_students_edits_survive_a_course_update(course_repository, tmp_path):
    student = tmp_path / "home" / "edunet"
    pull(course_repository, student)
    notebook = student / "notebooks" / "01_tensors_and_autograd.ipynb"
    assert notebook.exists()

    # The student answers an exercise and starts notes of their own.
    set_cell(notebook, "check.broadcast_shape(answer)", "answer = (4, 3)\ncheck.broadcast_shape(answer)")
    (student / "notebooks" / "my_notes.ipynb").write_text('{"cells": []}')

    # The teacher updates the course: a clearer title in the same notebook, a new notebook.
    upstream_notebook = course_repository / "notebooks" / "01_tensors_and_autograd.ipynb"
    set_cell(upstream_notebook, "# 01 ·", "# 01 · Tensors and autograd (updated)")
    shutil.copy(ROOT / "notebooks" / "02_module_basics.ipynb", course_repository / "notebooks")
    git(course_repository, "add", "-A")
    git(course_repository, "commit", "-q", "-m", "course update")

    pull(course_repository, student)
    assert cell_text(notebook, "check.broadcast_shape(answer)").startswith("answer = (4, 3)")
    assert cell_text(notebook, "# 01 ·") == "# 01 · Tensors and autograd (updated)"
    assert (student / "notebooks" / "02_module_basics.ipynb").exists()
    assert (student / "notebooks" / "my_notes.ipynb").read_text() == '{"cells": []}'


def test_when_both_change_the_same_cell_the_students_version_wins(course_repository, tmp_path):
    student = tmp_path / "home" / "edunet"
    pull(course_repository, student)
    notebook = student / "notebooks" / "00_start_here.ipynb"
    set_cell(notebook, "check.device(device)", 'device = "cpu"\ncheck.device(device)')
    upstream_notebook = course_repository / "notebooks" / "00_start_here.ipynb"
    set_cell(upstream_notebook, "check.device(device)", "device = None  # your answer\ncheck.device(device)")
    git(course_repository, "commit", "-q", "-am", "reworded placeholder")
    pull(course_repository, student)
    assert cell_text(notebook, "check.device(device)") == 'device = "cpu"\ncheck.device(device)'
