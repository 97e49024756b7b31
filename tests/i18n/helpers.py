"""Shared by the i18n tests: the repository's tools loaded as modules, and prose extraction."""

import importlib.util
import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def load_tool(name):
    """``tools/<name>.py`` as a module (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"edunet_tool_{name}",
                                                  REPOSITORY / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prose(markdown):
    """The words of a markdown text: code, formulas, HTML tags and links taken out."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"https?://\S+", " ", text)
