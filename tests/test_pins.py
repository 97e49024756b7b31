"""The course runs on pinned versions, the ones CI tests with, everywhere.

constraints.txt is the pinned set. environment.yml (= binder/environment.yml, what
Binder builds) pins the same versions of what the course runs on, pyproject's [lab]
extra the same versions of what it names, and CI installs with ``-c constraints.txt``.
The last test proves that the versions this test run uses are the pinned ones: a green
CI means the pinned set itself passed, so a Binder link built from these files runs
what was tested (not whatever ipywidgets or JupyterLab came out last week).
"""

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a learner's notebook needs at run time: must be pinned in environment.yml too.
COURSE_RUNTIME = {"numpy", "matplotlib", "matplotlib-inline", "ipywidgets", "jupyterlab-widgets",
                  "widgetsnbextension", "jupyterlab", "jupyter-server", "ipykernel", "ipython",
                  "jupyter-client", "jupyter-core", "comm", "traitlets", "tornado", "pyzmq",
                  "tqdm", "jupyterlab-language-pack-zh-cn"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines):
    """{canonical name: version} from requirement lines of the form ``name==version``."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)", line)
        assert match, f"not an exact pin: {line!r}"
        found[canonical(match[1])] = match[2]
    return found


def constraints():
    return pins((ROOT / "constraints.txt").read_text().splitlines())


def environment_pins(path):
    text = path.read_text()
    pip_section = text.split("- pip:", 1)[1]
    return pins(line for line in pip_section.splitlines() if line.strip().startswith("- "))


def test_constraints_pin_every_course_package_exactly():
    pinned = constraints()
    assert COURSE_RUNTIME <= set(pinned), sorted(COURSE_RUNTIME - set(pinned))


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_the_environment_files_pin_the_same_versions(path):
    environment = environment_pins(ROOT / path)
    pinned = constraints()
    assert set(environment) == COURSE_RUNTIME
    assert {name: pinned[name] for name in environment} == environment
    conda_part = (ROOT / path).read_text().split("- pip:", 1)[0]
    assert "python=3.11" in conda_part          # conda installs only Python and pip


def test_pyproject_lab_extra_uses_the_same_pins():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    with open(ROOT / "pyproject.toml", "rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    lab = pins(extras["lab"])
    pinned = constraints()
    assert lab == {name: pinned[name] for name in lab}
    assert {"jupyterlab", "ipywidgets", "matplotlib", "ipykernel"} <= set(lab)


def test_ci_installs_with_the_constraints():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"pip install -c constraints\.txt -e \"\.\[test\]\"", ci)


def test_binder_culls_idle_kernels():
    config = json.loads((ROOT / "binder" / "jupyter_server_config.json").read_text())
    culling = config["MappingKernelManager"]
    assert 0 < culling["cull_idle_timeout"] <= 3600 and culling["cull_interval"] > 0
    assert culling["cull_connected"] is True        # an open tab must not keep 9 kernels alive
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "binder/jupyter_server_config.json" in post_build
    assert "jupyter --config-dir" in post_build


def test_jupyter_server_reads_the_culling_setting(tmp_path):
    """The file, where postBuild puts it, really configures Jupyter Server."""
    pytest.importorskip("jupyter_server")
    folder = tmp_path / "user"
    folder.mkdir()
    (folder / "jupyter_server_config.json").write_text(
        (ROOT / "binder" / "jupyter_server_config.json").read_text())
    code = ("from jupyter_server.serverapp import ServerApp\n"
            "app = ServerApp()\n"
            "app.load_config_file()\n"
            "print(dict(app.config['MappingKernelManager']))\n")
    environment = {"JUPYTER_CONFIG_PATH": str(tmp_path / "nothing"),
                   "JUPYTER_CONFIG_DIR": str(folder),
                   "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'cull_idle_timeout': 1800" in result.stdout and "'cull_connected': True" in (
        result.stdout)


def test_the_installed_versions_are_the_pinned_ones():
    """What this test run uses is what the files pin (CI installs with the constraints)."""
    pinned = constraints()
    wrong = {}
    for name, version in pinned.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name in COURSE_RUNTIME:
                wrong[name] = (version, "not installed")
            continue
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"pinned vs installed: {wrong}"
