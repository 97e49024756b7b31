"""What the classroom tests share: the repository's paths and running nbgrader."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "classroom"
# nbgrader runs the `alembic` command when it makes a gradebook: the interpreter's bin/
# must be on PATH (a virtual environment's, or pyenv's, which a shim hides).
BIN = os.path.dirname(sys.executable)


def load_script(name):
    """A script of classroom/ imported as a module (classroom/ is no package)."""
    specification = importlib.util.spec_from_file_location(name, CLASSROOM / f"{name}.py")
    module = importlib.util.module_from_spec(specification)
    specification.loader.exec_module(module)
    return module


def environment(**extra):
    """The environment for nbgrader and the kernels it starts: this edunet, PATH with bin/."""
    variables = dict(os.environ)
    variables["PATH"] = BIN + os.pathsep + variables.get("PATH", "")
    variables["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([variables["PYTHONPATH"]] if variables.get("PYTHONPATH") else []))
    variables.update(extra)
    return variables


def nbgrader(course, *arguments, timeout=600):
    """Run ``nbgrader ARGUMENTS`` in the course folder; its output, or a clear failure."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=course,
                            env=environment(), capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"nbgrader {' '.join(arguments)} failed:\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def new_course(folder):
    """A teacher's course folder as the guide makes it: the config and the generated source."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CLASSROOM / "nbgrader_config.py", folder)
    shutil.copytree(CLASSROOM / "source", folder / "source")
    return folder
