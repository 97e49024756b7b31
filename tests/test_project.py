"""The project's own set-up: install commands, CI, Binder and packaging stay in sync."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

OPEN_COURSE = ('python -m pip install -c constraints.txt -e ".[lab]" && '
               'python -m jupyter lab notebooks/')
RUN_TESTS = ('python -m pip install -c constraints.txt -e ".[test]" "torch==2.13.0" && '
             'python -m pytest')


def fenced_blocks(markdown):
    """The contents of the ``` fenced code blocks, in order."""
    return [block.strip() for block in re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)]


def test_environment_files_are_identical():
    # repo2docker ignores the root environment.yml once binder/ exists.
    assert (ROOT / "environment.yml").read_bytes() == (ROOT / "binder" / "environment.yml").read_bytes()


def test_readme_opens_with_the_two_setup_commands():
    blocks = fenced_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks[:2] == [OPEN_COURSE, RUN_TESTS]


def test_ci_runs_the_readme_test_command():
    ci_script = ROOT / ".ci" / "run"
    assert os.access(ci_script, os.X_OK), ".ci/run must be executable"
    lines = [line.strip() for line in ci_script.read_text(encoding="utf-8").splitlines()]
    assert RUN_TESTS in lines


def test_readme_course_outline_matches_notebooks():
    """A notebook the README links to exists, and every notebook is linked."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"notebooks/(\d\d_\w+\.ipynb)", readme))
    present = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert linked == present


def test_runtime_dependencies_are_numpy_only():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    with open(ROOT / "pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    names = [re.split(r"[<>=!~;\[ ]", requirement)[0] for requirement in project["dependencies"]]
    assert names == ["numpy"]


def test_binder_dockerfile_installs_environment_and_runs_postbuild():
    """repo2docker --no-build prints the Dockerfile Binder would build, no Docker needed."""
    executable = shutil.which("jupyter-repo2docker")
    if executable is None:
        pytest.skip("jupyter-repo2docker is not installed (it comes with the [test] extra)")
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK), "binder/postBuild must be executable"
    result = subprocess.run(
        [executable, "--no-build", "--debug", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    dockerfile = result.stdout
    # The conda environment comes from binder/environment.yml ...
    env_update = re.search(r'env update -p \S+ --file "binder/environment\.yml"', dockerfile)
    assert "COPY --chown=0:0 src/binder/environment.yml" in dockerfile
    assert env_update, dockerfile
    # ... before the repository is copied in, and postBuild installs edunet after that.
    copy_repository = dockerfile.index("COPY --chown=0:0 src/ ")
    run_postbuild = dockerfile.index("RUN ./binder/postBuild")
    assert env_update.start() < copy_repository < run_postbuild
