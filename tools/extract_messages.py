"""Collect every ``_("...")`` of edunet into the message catalogs (gettext ``.po``).

    python tools/extract_messages.py            # update edunet/locale/*/edunet.po
    python tools/extract_messages.py --check    # exit 1 if a catalog is out of date or
                                                # a message has no translation (the test)
    python tools/extract_messages.py --untranslated   # list what a translator must do

It reads the code with Python's ``ast`` (nothing is imported or run) and finds calls
of ``_``, ``gettext`` and ``i18n._`` / ``i18n.gettext`` whose first argument is a string
literal. Updating a catalog keeps every existing translation, adds new messages with an
empty ``msgstr`` (fill it in), records where each message is used (``#:`` lines), marks
messages with ``{placeholders}`` as ``python-brace-format``, and keeps messages the code
no longer uses at the end as obsolete ``#~`` entries, so no translation is ever lost.

Obsolete entries are also a translation memory, as in GNU ``msgmerge``. A new message
takes the translation of an obsolete one with the same text; with the same text but
other placeholder names (``{answer}`` for ``{value}``), the translation with the names
mapped in order; and the translation of the closest similar one as a *fuzzy*
suggestion (``#, fuzzy`` and ``#| msgid "the old English"``), which edunet does not use
until a translator checks it and deletes the ``fuzzy`` flag. ``--drop-obsolete`` clears
the memory.

A call whose argument is not a plain literal (an f-string, a variable) cannot be
translated: it is reported as an error. Translate first, then ``format``::

    _("Expected {expected}, got {actual}.").format(expected=3, actual=4)
"""

import argparse
import ast
import difflib
import re
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE = REPOSITORY / "edunet"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh",)
FUNCTION_NAMES = {"_", "gettext"}
FUZZY_RATIO = 0.75          # how alike two messages must be for a fuzzy suggestion
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?(?:[:!][^{}]*)?\}(?!\})")
HEADER = {
    "zh": ("# edunet's messages in Chinese. Update with python tools/extract_messages.py;\n"
           "# terms as in notebooks/zh/GLOSSARY.md. The obsolete (#~) entries at the end are a\n"
           "# translation memory: new messages with the same or a similar text reuse them.\n"
           'msgid ""\nmsgstr ""\n'
           '"Project-Id-Version: edunet\\n"\n'
           '"Language: zh_CN\\n"\n'
           '"MIME-Version: 1.0\\n"\n'
           '"Content-Type: text/plain; charset=UTF-8\\n"\n'
           '"Content-Transfer-Encoding: 8bit\\n"\n'
           '"Plural-Forms: nplurals=1; plural=0;\\n"\n'),
}


# --- finding the messages in the code ------------------------------------------------

def is_translation_call(node):
    function = node.func
    if isinstance(function, ast.Name):
        return function.id in FUNCTION_NAMES
    return isinstance(function, ast.Attribute) and function.attr in FUNCTION_NAMES and \
        isinstance(function.value, ast.Name) and function.value.id == "i18n"


def find_messages(package=PACKAGE):
    """``({message: [where, ...]}, [error, ...])`` for every ``.py`` file in ``package``."""
    messages, errors = {}, []
    for path in sorted(Path(package).rglob("*.py")):
        relative = path.relative_to(REPOSITORY).as_posix()
        if relative == "edunet/i18n.py":
            continue                       # its docstring examples are not messages
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)),
                       key=lambda node: (node.lineno, node.col_offset))
        for node in calls:
            if not (isinstance(node, ast.Call) and is_translation_call(node)):
                continue
            where = f"{relative}:{node.lineno}"
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                messages.setdefault(argument.value, []).append(where)
            else:
                errors.append(f"{where}: _() needs one string literal (translate first, then "
                              f"format); got {ast.unparse(argument) if argument else 'nothing'}")
    return messages, errors


def placeholders(text):
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


# --- reading and writing .po files ---------------------------------------------------

def unquote(text):
    return ast.literal_eval(text.strip())


def read_catalog(path):
    """Every entry of a ``.po`` file, obsolete ones too, as dicts (header left out)."""
    entries, entry, field = [], None, None

    def start():
        return {"msgid": None, "msgstr": "", "comments": [], "flags": [], "obsolete": False,
                "previous": None}

    def finish():
        if entry is not None and entry["msgid"]:
            entries.append(entry)

    if not Path(path).exists():
        return entries
    entry = start()
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            entry, field = start(), None
            continue
        if line.startswith("msgid ") and entry["msgid"] is not None:
            finish()                       # two entries with no blank line between them
            entry = start()
        if line.startswith("#,"):
            entry["flags"] += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
        elif line.startswith("#|"):
            entry["previous"] = raw        # the old English of a fuzzy suggestion
        elif line.startswith("#:") or line.startswith("#."):
            pass                           # references and extracted comments are rebuilt
        elif line.startswith("#"):
            entry["comments"].append(raw)  # translator comments are kept as they are
        elif line.startswith("msgid "):
            entry["msgid"], entry["obsolete"], field = unquote(line[6:]), obsolete, "msgid"
        elif line.startswith("msgstr "):
            entry["msgstr"], field = unquote(line[7:]), "msgstr"
        elif line.startswith('"') and field:
            entry[field] += unquote(line)
    finish()
    return entries


def quote(text):
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
               .replace("\n", "\\n"))
    return f'"{escaped}"'


def po_string(keyword, text, prefix=""):
    """``msgid "..."``, split after each newline as gettext writes long messages."""
    pieces = text.splitlines(keepends=True)
    if len(pieces) <= 1:
        return f"{prefix}{keyword} {quote(text)}\n"
    return f'{prefix}{keyword} ""\n' + "".join(f"{prefix}{quote(piece)}\n" for piece in pieces)


def remap_placeholders(old_english, new_english, translation):
    """``translation`` of ``old_english`` with its placeholders renamed as in ``new_english``.

    Placeholders are paired in the order they appear; None when they cannot be paired.
    """
    old = [match.group(0) for match in PLACEHOLDER.finditer(old_english)]
    new = [match.group(0) for match in PLACEHOLDER.finditer(new_english)]
    if len(old) != len(new):
        return None
    mapping = {}
    for old_name, new_name in zip(old, new):
        if mapping.setdefault(old_name, new_name) != new_name:
            return None
    return PLACEHOLDER.sub(lambda match: mapping.get(match.group(0), match.group(0)), translation)


def from_memory(message, memory):
    """``(translation, fuzzy, old English)`` for a new message, from translated old entries."""
    if message in memory:
        return memory[message], False, None
    shape = PLACEHOLDER.sub("{}", message)
    best, best_ratio = None, 0.0
    for old_english in memory:
        old_shape = PLACEHOLDER.sub("{}", old_english)
        if old_shape == shape:
            translation = remap_placeholders(old_english, message, memory[old_english])
            if translation is not None:
                return translation, False, None
        matcher = difflib.SequenceMatcher(None, shape, old_shape, autojunk=False)
        if matcher.real_quick_ratio() > best_ratio and matcher.quick_ratio() > best_ratio:
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = old_english, ratio
    if best is None or best_ratio < FUZZY_RATIO:
        return "", False, None
    translation = remap_placeholders(best, message, memory[best]) or memory[best]
    return translation, True, best


def render_catalog(language, messages, old_entries, drop_obsolete=False):
    old = {entry["msgid"]: entry for entry in old_entries}
    memory = {entry["msgid"]: entry["msgstr"] for entry in old_entries
              if entry["msgstr"] and "fuzzy" not in entry["flags"]}
    parts = [HEADER[language]]
    for message, places in messages.items():
        entry = old.get(message)
        if entry is None:
            translation, fuzzy, previous = from_memory(message, memory)
            entry = {"msgstr": translation, "comments": [], "flags": ["fuzzy"] if fuzzy else [],
                     "previous": previous and po_string("msgid", previous, "#| ").rstrip("\n")}
        flags = [flag for flag in entry["flags"] if flag != "python-brace-format"]
        if placeholders(message):
            flags.append("python-brace-format")
        text = "".join(f"{comment}\n" for comment in entry["comments"])
        text += "".join(f"#: {place}\n" for place in places)
        text += f"#, {', '.join(flags)}\n" if flags else ""
        if "fuzzy" in flags and entry.get("previous"):
            text += entry["previous"] + "\n"
        text += po_string("msgid", message) + po_string("msgstr", entry["msgstr"])
        parts.append(text)
    for entry in old_entries:
        if entry["msgid"] not in messages and entry["msgstr"] and not drop_obsolete:
            parts.append(po_string("msgid", entry["msgid"], "#~ ") +
                         po_string("msgstr", entry["msgstr"], "#~ "))
    return "\n".join(parts)


def catalog_path(language):
    return LOCALE / language / "edunet.po"


# --- the checks ----------------------------------------------------------------------

def problems(language, messages, entries):
    """Why the catalog of ``language`` is not complete and correct (empty when it is)."""
    found = []
    translated = {entry["msgid"]: entry for entry in entries if not entry["obsolete"]}
    for message, places in messages.items():
        entry = translated.get(message)
        if entry is None:
            found.append(f"{places[0]}: not in {catalog_path(language).relative_to(REPOSITORY)}"
                         f" (run python tools/extract_messages.py): {message!r}")
        elif not entry["msgstr"]:
            found.append(f"{places[0]}: no {language} translation yet: {message!r}")
        elif "fuzzy" in entry["flags"]:
            found.append(f"{places[0]}: the {language} translation is marked fuzzy: {message!r}")
        elif placeholders(entry["msgstr"]) != placeholders(message):
            found.append(f"{places[0]}: the {language} translation has placeholders "
                         f"{placeholders(entry['msgstr'])}, the English {placeholders(message)}: "
                         f"{message!r}")
    for message, entry in translated.items():
        if message not in messages:
            found.append(f"{message!r} is in the {language} catalog but no longer in the code "
                         f"(run python tools/extract_messages.py to mark it obsolete)")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on any problem")
    parser.add_argument("--untranslated", action="store_true", help="list missing translations")
    parser.add_argument("--drop-obsolete", action="store_true",
                        help="forget translations of messages the code no longer uses")
    arguments = parser.parse_args(argv)
    messages, errors = find_messages()
    report = list(errors)
    for language in LANGUAGES:
        path = catalog_path(language)
        entries = read_catalog(path)
        if arguments.check or arguments.untranslated:
            report += problems(language, messages, entries)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_catalog(language, messages, entries, arguments.drop_obsolete),
                        encoding="utf-8")
        updated = [entry for entry in read_catalog(path) if not entry["obsolete"]]
        missing = sum(not entry["msgstr"] for entry in updated)
        fuzzy = sum("fuzzy" in entry["flags"] for entry in updated)
        print(f"{path.relative_to(REPOSITORY)}: {len(messages)} messages, {missing} without a "
              f"translation, {fuzzy} fuzzy (check them, then delete the fuzzy flag)")
    if arguments.check or arguments.untranslated:
        print("\n".join(report) or "Every message has a translation.")
    elif errors:
        print("\n".join(errors))
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
