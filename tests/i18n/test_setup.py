"""What a Chinese-speaking learner installs: language pack, CJK font on Binder, README.zh.md."""

import re
import shutil
import subprocess

import pytest

from tests.i18n.helpers import REPOSITORY, load_tool

LANGUAGE_PACK = "jupyterlab-language-pack-zh-CN"
build_zh = load_tool("build_zh")


def test_language_pack_in_the_lab_extra_and_both_environments():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    with open(REPOSITORY / "pyproject.toml", "rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    assert any(requirement.startswith(LANGUAGE_PACK) for requirement in extras["lab"])
    for path in ("environment.yml", "binder/environment.yml"):
        # anywhere in the pip section (the pinned course packages come first)
        assert re.search(rf"^\s+- pip:\n(?:\s+- .*\n)*?\s+- {LANGUAGE_PACK}\b",
                         (REPOSITORY / path).read_text(), re.M), path


def test_catalogs_ship_with_the_package():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    with open(REPOSITORY / "pyproject.toml", "rb") as file:
        package_data = tomllib.load(file)["tool"]["setuptools"]["package-data"]["edunet"]
    assert "locale/*/*.po" in package_data


def test_binder_installs_a_cjk_font():
    packages = (REPOSITORY / "binder" / "apt.txt").read_text().split()
    assert "fonts-noto-cjk" in packages
    executable = shutil.which("jupyter-repo2docker")
    if executable is None:
        pytest.skip("jupyter-repo2docker is not installed (it comes with the [test] extra)")
    dockerfile = subprocess.run([executable, "--no-build", "--debug", "."], cwd=REPOSITORY,
                                capture_output=True, text=True, timeout=120, check=True).stdout
    assert re.search(r"apt-get install .*fonts-noto-cjk", dockerfile), dockerfile


def test_readme_zh_has_the_two_commands_and_binder_links_to_every_chinese_notebook():
    readme = (REPOSITORY / "README.zh.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert blocks[:2] == ['python -m pip install -e ".[lab]" && python -m jupyter lab notebooks/zh/',
                          'python -m pip install -e ".[test]" "torch==2.13.0" && python -m pytest']
    for path in build_zh.english_notebooks():
        assert f"notebooks/zh/{path.name})" in readme
        assert f"urlpath=lab/tree/notebooks/zh/{path.name})" in readme
    assert "README.zh.md" in (REPOSITORY / "README.md").read_text(encoding="utf-8")


def test_tests_and_nbval_run_in_english():
    # conftest.py at the root pins it, so stored English outputs match on any locale.
    import os
    assert os.environ.get("EDUNET_LANG") == "en"
