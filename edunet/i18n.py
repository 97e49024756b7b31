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

Why gettext ``.po`` and not, say, a Python dict or JSON: it is the one format
translators, translation platforms (Weblate, Transifex, Crowdin) and review tools all
read; each entry keeps its English next to its translation and the places in the
code it comes from; "fuzzy" and obsolete entries are part of the format. And the
English text itself is the key, so code stays readable: ``_("Correct.")``, not
``MESSAGES["verdict_correct"]``. ``tools/extract_messages.py`` collects every
``_("...")`` of the code into the catalogs.

Which language:
    1. ``edunet.set_language("zh")`` (the Chinese notebooks call it first);
    2. else the environment variable ``EDUNET_LANG`` ("en" or "zh");
    3. else the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as gettext
       reads them, e.g. "zh_CN.UTF-8");
    4. else English.

Plots: matplotlib's default font has no Chinese characters (they draw as boxes).
In Chinese, edunet puts an installed CJK font into matplotlib's fallback list: at
``set_language("zh")`` when matplotlib is already imported, else at the first
translated message after it is (the widgets translate their labels as they draw).
``use_cjk_font()`` does it by hand. edunet itself never imports matplotlib.

Library error messages stay English, as PyTorch's do: they are what a learner
pastes into a search engine.
"""

import ast
import os
import sys
import warnings
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALE_DIRECTORY = Path(__file__).parent / "locale"

_chosen_language = None
_catalogs = {}
_fonts_ready = False


def set_language(language):
    """Choose the course's language: "en" or "zh" ("zh_CN", "zh-Hans" ... mean "zh").

    ``set_language(None)`` forgets the choice: the environment decides again.
    """
    global _chosen_language
    _chosen_language = None if language is None else _normalise(language, strict=True)
    if get_language() == "zh" and "matplotlib" in sys.modules:
        use_cjk_font()


def get_language():
    """The language in use now: "en" or "zh" (see the module docstring for the order)."""
    if _chosen_language is not None:
        return _chosen_language
    from_environment = os.environ.get("EDUNET_LANG")
    if from_environment:
        return _normalise(from_environment)
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:                       # LANGUAGE may list several: "zh_CN:en"
            return _normalise(value.split(":")[0])
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
    if not _fonts_ready and language == "zh" and "matplotlib" in sys.modules:
        use_cjk_font()
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


# --- Chinese in plots ---------------------------------------------------------------

# Installed CJK fonts matplotlib may find, best first (Linux, then Windows and macOS).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Noto Sans CJK JP", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS")
# Where fonts installed after matplotlib built its font cache are looked for, by file name.
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
                "/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")
CJK_FONT_FILES = ("NotoSansCJK*", "SourceHanSans*", "wqy-microhei*", "wqy-zenhei*", "msyh*",
                  "simhei*")
NO_CJK_FONT = ("No Chinese font found, so Chinese text in plots draws as boxes: install one "
               "(Debian/Ubuntu: sudo apt install fonts-noto-cjk) and restart the kernel.")


def use_cjk_font():
    """Let matplotlib draw Chinese: add an installed CJK font to ``font.sans-serif``.

    The Latin font stays first, so English text and digits look as before; the CJK
    font also joins ``font.family``, because matplotlib falls back from font to font
    along that list (not within the generic ``sans-serif`` list) for each character
    the first font lacks. Returns the
    font's name, or None (with one warning saying how to install one) when there is none.
    Imports matplotlib, so only call it where matplotlib is in use.
    """
    global _fonts_ready
    from matplotlib import font_manager, rcParams

    _fonts_ready = True
    found = _installed_cjk_fonts(font_manager)
    if not found:                       # installed after matplotlib cached its font list?
        for path in _cjk_font_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
        found = _installed_cjk_fonts(font_manager)
    if not found:
        warnings.warn(NO_CJK_FONT, stacklevel=2)
        return None
    current = [name for name in rcParams["font.sans-serif"] if name not in found]
    rcParams["font.sans-serif"] = current[:1] + found[:1] + current[1:]
    families = [name for name in rcParams["font.family"] if name not in found]
    rcParams["font.family"] = families + found[:1]
    return found[0]


def _installed_cjk_fonts(font_manager):
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed]


def _cjk_font_files():
    for folder in FONT_FOLDERS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for pattern in CJK_FONT_FILES:
                yield from sorted(root.rglob(pattern))
