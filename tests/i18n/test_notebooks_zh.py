"""notebooks/zh/ mirrors the English notebooks and cannot drift from them.

The Chinese notebooks are built by tools/build_zh.py from the English ones plus
translations/zh/*.md. These tests fail when a markdown cell has no translation, when
a translation was made from an older English text (its hash is stale), when a Chinese
notebook's code differs from the English (the one allowed difference: the first cell,
``import edunet; edunet.set_language("zh")``), or when a notebook was not rebuilt.
The drift checks themselves are tested on a temporary copy of the repository's layout.
"""

import json
import shutil

import pytest

from tests.i18n.helpers import REPOSITORY, load_tool

build_zh = load_tool("build_zh")
NAMES = [path.stem for path in build_zh.english_notebooks()]


def test_every_english_notebook_has_a_chinese_edition():
    assert NAMES, "no English notebooks found"
    chinese = sorted(path.stem for path in (REPOSITORY / "notebooks" / "zh").glob("*.ipynb"))
    assert chinese == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_no_drift(name):
    problems = build_zh.check([name])
    assert not problems, ("\n".join(problems) + "\nSee what changed: python tools/build_zh.py "
                          f"--stale {name}")


@pytest.mark.parametrize("name", NAMES)
def test_chinese_notebook_is_executed_and_speaks_chinese(name):
    notebook = build_zh.read_notebook(REPOSITORY / "notebooks" / "zh" / f"{name}.ipynb")
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] is not None for cell in code), "rebuild: not executed"
    assert build_zh.cell_source(code[0]) == 'import edunet; edunet.set_language("zh")'
    markdown = "".join(build_zh.cell_source(cell) for cell in notebook["cells"]
                       if cell["cell_type"] == "markdown")
    chinese_characters = sum("\u4e00" <= character <= "\u9fff" for character in markdown)
    assert chinese_characters > 500


# --- the checks catch what they must: a copy of the layout, changed on purpose ---------

@pytest.fixture
def layout(tmp_path, monkeypatch):
    """notebooks/00_start_here.ipynb, its translation and its built Chinese edition."""
    name = NAMES[0]
    english, chinese, translations = tmp_path / "notebooks", tmp_path / "notebooks" / "zh", \
        tmp_path / "translations" / "zh"
    chinese.mkdir(parents=True)
    translations.mkdir(parents=True)
    shutil.copy(build_zh.ENGLISH / f"{name}.ipynb", english)
    shutil.copy(build_zh.TRANSLATIONS / f"{name}.md", translations)
    monkeypatch.setattr(build_zh, "REPOSITORY", tmp_path)
    monkeypatch.setattr(build_zh, "ENGLISH", english)
    monkeypatch.setattr(build_zh, "CHINESE", chinese)
    monkeypatch.setattr(build_zh, "TRANSLATIONS", translations)
    build_zh.build([name], run=False)
    assert build_zh.check([name]) == []
    return name, english / f"{name}.ipynb", chinese / f"{name}.ipynb"


def edit(path, change):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    change(notebook["cells"])
    path.write_text(json.dumps(notebook), encoding="utf-8")


def first(cells, kind):
    return next(cell for cell in cells if cell["cell_type"] == kind)


def test_changed_english_makes_the_translation_stale(layout, capsys):
    name, english, _ = layout
    edit(english, lambda cells: first(cells, "markdown").update(source="# Changed title\n"))
    problems = build_zh.check([name])
    assert any("stale" in line for line in problems), problems
    assert build_zh.print_stale([name]) == 1
    assert "# Changed title" in capsys.readouterr().out


def test_new_english_cell_has_no_translation(layout):
    name, english, _ = layout
    new = {"cell_type": "markdown", "id": "brand-new", "metadata": {}, "source": "New text."}
    edit(english, lambda cells: cells.insert(1, new))
    assert any("missing brand-new" in line for line in build_zh.check([name]))
    build_zh.sync(name)                                        # adds a TODO block ...
    assert build_zh.read_translations(name)["brand-new"] == ("TODO", "New text.")
    assert any("missing brand-new" in line for line in build_zh.check([name]))  # ... still missing


def test_changed_chinese_code_is_drift(layout):
    name, _, chinese = layout
    edit(chinese, lambda cells: first(cells[1:], "code").update(source="print('changed')"))
    assert any("code differs" in line for line in build_zh.check([name]))


def test_missing_language_cell_is_drift(layout):
    name, _, chinese = layout
    edit(chinese, lambda cells: cells.pop(0))
    assert any("first cell" in line for line in build_zh.check([name]))


def test_mark_done_records_the_new_hash(layout):
    name, english, _ = layout
    edit(english, lambda cells: first(cells, "markdown").update(source="# Changed title\n"))
    cell_id = first(build_zh.read_notebook(english)["cells"], "markdown")["id"]
    build_zh.mark_done(name, [cell_id])
    assert build_zh.read_translations(name)[cell_id][0] == build_zh.text_hash("# Changed title\n")


def test_sync_moves_a_translation_to_its_cell_under_a_new_id(layout):
    name, english, _ = layout
    cell = first(build_zh.read_notebook(english)["cells"], "markdown")
    chinese = build_zh.read_translations(name)[cell["id"]]
    edit(english, lambda cells: first(cells, "markdown").update(id="renamed-cell"))
    assert any("missing renamed-cell" in line for line in build_zh.check([name]))
    build_zh.sync(name)
    blocks = build_zh.read_translations(name)
    assert blocks["renamed-cell"] == chinese and cell["id"] not in blocks
