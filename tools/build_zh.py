"""Build the Chinese notebooks (notebooks/zh/) from the English ones plus translations.

English is the source. ``translations/zh/<notebook>.md`` holds the Chinese text of
every markdown cell of ``notebooks/<notebook>.ipynb``, one block per cell::

    <!-- cell 3f9c0a21 en:5d41402abc4b -->
    # 张量与自动求导
    ...

``3f9c0a21`` is the cell's id, ``5d41402abc4b`` the start of the SHA-256 of the
English text the block was translated from. When the English cell changes, its
hash no longer matches and the block is *stale*. Code cells are never translated:
they are copied verbatim, and one code cell is added first,
``import edunet; edunet.set_language("zh")``, so that verdicts, hints and widgets
speak Chinese too.

Usage (from the repository root)::

    python tools/build_zh.py                 # build + execute every notebook
    python tools/build_zh.py 03_convolution_pooling_activations   # just one
    python tools/build_zh.py --check         # drift check (what the test runs); exit 1 on drift
    python tools/build_zh.py --stale         # each missing/stale cell: old English -> new English, and the Chinese
    python tools/build_zh.py --sync          # rewrite translation files in notebook order,
                                             # adding a TODO block (the English text) per new cell
    python tools/build_zh.py --mark-done 05_backpropagation CELL_ID ...  # after retranslating

Retranslating after the English changed: ``--stale`` shows what changed, edit the
blocks, ``--mark-done`` them (or ``--mark-done NOTEBOOK all``), then build.
Executing a notebook uses nbclient with a time limit per cell and one retry
(widget cells can hang an executor about 1 run in 25).
"""

import argparse
import copy
import difflib
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
ENGLISH = REPOSITORY / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = REPOSITORY / "translations" / "zh"
LANGUAGE_CELL_ID = "zh-set-language"
LANGUAGE_CELL_SOURCE = 'import edunet; edunet.set_language("zh")'
TODO = "TODO"
MARKER = re.compile(r"^<!-- cell (?P<id>\S+) en:(?P<hash>[0-9a-f]{12}|TODO) -->$")
HEADER = """<!-- Chinese edition of notebooks/{name}.ipynb: one block per markdown cell.
     A block starts with "<!-- cell ID en:HASH -->"; HASH is the start of the SHA-256 of
     the English text it was translated from (en:TODO = not translated yet).
     After editing: python tools/build_zh.py --mark-done {name} ID; then python tools/build_zh.py {name}
     Terms: notebooks/zh/GLOSSARY.md. Keep code, identifiers, formulas and LaTeX as they are. -->
"""


def text_hash(text):
    """The first 12 hex digits of the SHA-256 of ``text`` (what a block records)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def cell_source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def english_notebooks():
    return sorted(ENGLISH.glob("[0-9][0-9]_*.ipynb"))


def read_notebook(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_notebook(notebook, path):
    import nbformat
    nbformat.write(nbformat.reads(json.dumps(notebook), as_version=4), str(path))


# --- translation files -------------------------------------------------------------

def translation_path(name):
    return TRANSLATIONS / f"{name}.md"


def read_translations(name):
    """``{cell id: (english hash or "TODO", chinese text)}`` in file order."""
    path = translation_path(name)
    blocks, current, lines = {}, None, []

    def finish():
        if current is not None:
            blocks[current[0]] = (current[1], "\n".join(lines).strip("\n"))

    if not path.exists():
        return blocks
    for line in path.read_text(encoding="utf-8").splitlines():
        match = MARKER.match(line)
        if match:
            finish()
            current, lines = (match["id"], match["hash"]), []
        elif current is not None:
            lines.append(line)
    finish()
    return blocks


def write_translations(name, blocks):
    parts = [HEADER.format(name=name)]
    for cell_id, (source_hash, text) in blocks.items():
        parts.append(f"<!-- cell {cell_id} en:{source_hash} -->\n{text}\n")
    path = translation_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


# --- drift -------------------------------------------------------------------------

def markdown_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"]


def translation_problems(name):
    """``[(kind, cell id, message)]`` for missing, stale and orphaned translations."""
    english = read_notebook(ENGLISH / f"{name}.ipynb")
    blocks = read_translations(name)
    problems, ids = [], set()
    for cell in markdown_cells(english):
        ids.add(cell["id"])
        if cell["id"] not in blocks or blocks[cell["id"]][0] == TODO:
            problems.append(("missing", cell["id"], "markdown cell has no Chinese translation"))
        elif blocks[cell["id"]][0] != text_hash(cell_source(cell)):
            problems.append(("stale", cell["id"], "the English text changed since it was translated"))
    for cell_id in blocks:
        if cell_id not in ids:
            problems.append(("orphan", cell_id, "translation of a cell the English notebook no "
                                                "longer has: delete the block"))
    return problems


def build_notebook(name, allow_stale=False):
    """The Chinese notebook (not executed) built from the English one and its translations."""
    english = read_notebook(ENGLISH / f"{name}.ipynb")
    blocks = read_translations(name)
    chinese = copy.deepcopy(english)
    chinese["metadata"].pop("widgets", None)
    cells = [{"cell_type": "code", "execution_count": None, "id": LANGUAGE_CELL_ID,
              "metadata": {}, "outputs": [], "source": LANGUAGE_CELL_SOURCE}]
    for cell in chinese["cells"]:
        if cell["cell_type"] == "markdown":
            source_hash, text = blocks.get(cell["id"], (TODO, None))
            if source_hash != text_hash(cell_source(cell)) and not allow_stale:
                raise SystemExit(f"{name}: cell {cell['id']} is untranslated or stale; run "
                                 f"python tools/build_zh.py --stale (or build with --allow-stale)")
            if text is not None and source_hash != TODO:
                cell["source"] = text
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    chinese["cells"] = cells
    return chinese


def notebook_problems(name):
    """How notebooks/zh/<name>.ipynb differs from what the English and translations give."""
    path = CHINESE / f"{name}.ipynb"
    if not path.exists():
        return [("notebook", name, f"{path.relative_to(REPOSITORY)} is missing: build it")]
    built = build_notebook(name, allow_stale=True)
    chinese = read_notebook(path)
    problems = []
    first = chinese["cells"][0] if chinese["cells"] else None
    if first is None or first["cell_type"] != "code" or cell_source(first) != LANGUAGE_CELL_SOURCE:
        problems.append(("notebook", name, f"first cell must be: {LANGUAGE_CELL_SOURCE}"))
    expected = [(cell["cell_type"], cell["id"]) for cell in built["cells"]]
    actual = [(cell["cell_type"], cell.get("id")) for cell in chinese["cells"]]
    if expected != actual:
        problems.append(("notebook", name, "cells differ in number, kind or order from the "
                                           "English notebook: rebuild"))
        return problems
    for want, have in zip(built["cells"], chinese["cells"]):
        if cell_source(want) != cell_source(have):
            what = "code differs from the English" if want["cell_type"] == "code" else \
                "markdown differs from its translation"
            problems.append(("notebook", have["id"], f"{what}: rebuild"))
        elif want["cell_type"] == "code" and want.get("metadata", {}).get("tags") != \
                have.get("metadata", {}).get("tags"):
            problems.append(("notebook", have["id"], "cell tags differ from the English: rebuild"))
    return problems


def check(names):
    """Every problem, one line each; empty when English, translations and notebooks agree."""
    lines = []
    for name in names:
        for kind, where, message in translation_problems(name) + notebook_problems(name):
            lines.append(f"{name}: {kind} {where}: {message}")
    english = {path.stem for path in english_notebooks()}
    for path in sorted(CHINESE.glob("*.ipynb")):
        if path.stem not in english:
            lines.append(f"{path.stem}: notebooks/zh/{path.name} has no English notebook")
    for path in sorted(TRANSLATIONS.glob("*.md")):
        if path.stem not in english:
            lines.append(f"{path.stem}: {path.relative_to(REPOSITORY)} has no English notebook")
    return lines


# --- helping a translator ----------------------------------------------------------

def english_at_hash(name, cell_id, source_hash):
    """The English text a block was translated from, found in git history (or None)."""
    relative = f"notebooks/{name}.ipynb"
    try:
        commits = subprocess.run(["git", "log", "--format=%H", "--", relative], cwd=REPOSITORY,
                                 capture_output=True, text=True, check=True).stdout.split()
        for commit in commits[:50]:
            shown = subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=REPOSITORY,
                                   capture_output=True, text=True)
            if shown.returncode:
                continue
            for cell in json.loads(shown.stdout)["cells"]:
                if cell.get("id") == cell_id and text_hash(cell_source(cell)) == source_hash:
                    return cell_source(cell)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    return None


def print_stale(names):
    count = 0
    for name in names:
        english = {cell["id"]: cell_source(cell)
                   for cell in markdown_cells(read_notebook(ENGLISH / f"{name}.ipynb"))}
        blocks = read_translations(name)
        for kind, cell_id, message in translation_problems(name):
            count += 1
            print(f"=== {name} {kind} {cell_id}: {message}")
            if kind == "orphan":
                continue
            old = english_at_hash(name, cell_id, blocks[cell_id][0]) if kind == "stale" else None
            if old is not None:
                print("--- English change (old -> new):")
                print("\n".join(difflib.unified_diff(old.splitlines(), english[cell_id].splitlines(),
                                                     "translated from", "English now", lineterm="")))
            else:
                print("--- English now:")
                print(english[cell_id])
            if cell_id in blocks and blocks[cell_id][0] != TODO:
                print("--- Chinese now:")
                print(blocks[cell_id][1])
            print()
    print(f"{count} cell(s) to translate or delete." if count else "Every cell is translated.")
    return count


def sync(name):
    """Rewrite the translation file in the notebook's order; new cells get a TODO block.

    A block whose cell id is gone but whose English hash matches a new cell (the same
    text under a new id, e.g. after a notebook was re-created) moves to that cell.
    """
    english = read_notebook(ENGLISH / f"{name}.ipynb")
    old = read_translations(name)
    ids = {cell["id"] for cell in markdown_cells(english)}
    orphans = {block[0]: cell_id for cell_id, block in old.items()
               if cell_id not in ids and block[0] != TODO}
    blocks = {}
    for cell in markdown_cells(english):
        source = cell_source(cell)
        if cell["id"] in old:
            blocks[cell["id"]] = old[cell["id"]]
        elif text_hash(source) in orphans:
            blocks[cell["id"]] = old.pop(orphans.pop(text_hash(source)))
        else:
            blocks[cell["id"]] = (TODO, source)
    for cell_id, block in old.items():
        blocks.setdefault(cell_id, block)        # orphans stay until someone deletes them
    write_translations(name, blocks)


def mark_done(name, cell_ids):
    english = {cell["id"]: cell_source(cell)
               for cell in markdown_cells(read_notebook(ENGLISH / f"{name}.ipynb"))}
    blocks = read_translations(name)
    if cell_ids == ["all"]:            # every block whose text is no longer the English
        cell_ids = [cell_id for cell_id in blocks
                    if cell_id in english and blocks[cell_id][1] != english[cell_id]]
    for cell_id in cell_ids:
        if cell_id not in blocks or cell_id not in english:
            raise SystemExit(f"{name}: no cell {cell_id} in both the notebook and its translations")
        blocks[cell_id] = (text_hash(english[cell_id]), blocks[cell_id][1])
    write_translations(name, blocks)


# --- building and executing ---------------------------------------------------------

def execute(notebook, timeout=180, tries=2):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for attempt in range(1, tries + 1):
        node = nbformat.reads(json.dumps(notebook), as_version=4)
        client = NotebookClient(node, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(CHINESE)}})
        try:
            client.execute()
            return json.loads(nbformat.writes(node))
        except (CellTimeoutError, DeadKernelError, TimeoutError, RuntimeError) as error:
            if attempt == tries:
                raise
            print(f"  retrying after: {type(error).__name__}: {str(error)[:200]}", flush=True)


def build(names, run=True, allow_stale=False):
    CHINESE.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(f"building notebooks/zh/{name}.ipynb", flush=True)
        notebook = build_notebook(name, allow_stale=allow_stale)
        if run:
            notebook = execute(notebook)
        write_notebook(notebook, CHINESE / f"{name}.ipynb")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--check", action="store_true", help="report drift, exit 1 if any")
    parser.add_argument("--stale", action="store_true", help="show the cells to (re)translate")
    parser.add_argument("--sync", action="store_true", help="add TODO blocks for new cells")
    parser.add_argument("--mark-done", action="store_true",
                        help="NAME ID...: record that these blocks match the English now")
    parser.add_argument("--no-execute", action="store_true", help="build without running")
    parser.add_argument("--allow-stale", action="store_true",
                        help="build anyway (stale blocks kept, missing ones in English)")
    arguments = parser.parse_args(argv)
    if arguments.mark_done:
        mark_done(arguments.names[0], arguments.names[1:])
        return 0
    names = [name.removesuffix(".ipynb") for name in arguments.names] or \
        [path.stem for path in english_notebooks()]
    if arguments.check:
        lines = check(names)
        print("\n".join(lines) or "notebooks/zh agrees with the English notebooks.")
        return 1 if lines else 0
    if arguments.stale:
        return 1 if print_stale(names) else 0
    if arguments.sync:
        for name in names:
            sync(name)
        return 0
    build(names, run=not arguments.no_execute, allow_stale=arguments.allow_stale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
