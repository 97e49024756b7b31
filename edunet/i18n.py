"""The language of the course: English or Chinese (中文).

Everything a learner reads from the course (exercise verdicts and hints, widget
labels, captions and alerts) goes through ``_()``::

    from edunet.i18n import _
    print(_("Correct."))                               # "Correct." or "正确。"
    print(_("step {step} of {total}").format(step=3, total=10))

Translate first, then ``format``: the catalog holds the text with its
``{placeholders}``, so a translation may put them in another order.

The catalogs are GNU gettext ``.po`` files, ``edunet/locale/<language>/edunet.po``:
the format every translation tool reads and a reviewer can diff. They are read
here directly (a few lines below), so no compile step and no ``.mo`` files.

Which language:
    1. ``edunet.set_language("zh")`` (the Chinese notebooks call it first);
    2. else the environment variable ``EDUNET_LANG`` ("en" or "zh");
    3. else the locale (``LANG``/``LC_ALL``/``LC_MESSAGES``, e.g. "zh_CN.UTF-8");
    4. else English.

Library error messages stay English, as PyTorch's do: they are what a learner
pastes into a search engine.
"""

import ast
import os
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALE_DIRECTORY = Path(__file__).parent / "locale"

_chosen_language = None
_catalogs = {}


def set_language(language):
    """Choose the course's language: "en" or "zh" ("zh_CN", "zh-Hans" ... mean "zh")."""
    global _chosen_language
    _chosen_language = _normalise(language, strict=True)


def get_language():
    """The language in use now: "en" or "zh" (see the module docstring for the order)."""
    if _chosen_language is not None:
        return _chosen_language
    from_environment = os.environ.get("EDUNET_LANG")
    if from_environment:
        return _normalise(from_environment)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return _normalise(value)
    return "en"


def _normalise(language, strict=False):
    code = str(language).strip().lower().replace("-", "_").split(".")[0]
    code = code.split("_")[0]
    if code in LANGUAGES:
        return code
    if strict:
        raise ValueError(f"set_language({language!r}): edunet's course speaks "
                         f"{', '.join(repr(name) for name in LANGUAGES)}.")
    return "en"


def gettext(message):
    """``message`` in the current language (itself when no translation exists)."""
    language = get_language()
    if language == "en":
        return message
    return catalog(language).get(message) or message


_ = gettext


def catalog(language):
    """The ``{English: translation}`` mapping of one language, read once from its ``.po`` file."""
    if language not in _catalogs:
        path = LOCALE_DIRECTORY / language / "edunet.po"
        _catalogs[language] = read_po(path) if path.exists() else {}
    return _catalogs[language]


def read_po(path):
    """Read a gettext ``.po`` file into ``{msgid: msgstr}`` (untranslated entries left out).

    Handles what our catalogs use: ``#`` comments, ``msgid``/``msgstr`` with
    continuation lines of C-style quoted strings. Fuzzy entries are skipped, as
    gettext does.
    """
    entries, message_id, message_text, field, fuzzy = {}, None, None, None, False

    def finish():
        if message_id and message_text and not fuzzy:
            entries[message_id] = message_text

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            finish()
            message_id, message_text, field = _unquote(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            message_text, field = _unquote(line[7:]), "text"
        elif line.startswith('"') and field == "id":
            message_id += _unquote(line)
        elif line.startswith('"') and field == "text":
            message_text += _unquote(line)
        elif not line:
            finish()
            message_id, message_text, field, fuzzy = None, None, None, False
    finish()
    return entries


def _unquote(text):
    # A .po string is a C string literal; Python's literal syntax reads the same escapes.
    return ast.literal_eval(text.strip())
