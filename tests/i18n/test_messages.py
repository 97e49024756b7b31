"""The message catalogs: every _() message of the code has a Chinese translation."""

import pytest

import edunet
from edunet import i18n
from edunet.exercises.checking import Verdict
from tests.i18n.helpers import load_tool

extract_messages = load_tool("extract_messages")


def test_every_message_in_the_code_is_translated():
    messages, errors = extract_messages.find_messages()
    assert not errors, "\n".join(errors)
    entries = extract_messages.read_catalog(extract_messages.catalog_path("zh"))
    problems = extract_messages.problems("zh", messages, entries)
    assert not problems, ("\n".join(problems) + "\nUpdate the catalog with python "
                          "tools/extract_messages.py, then translate the empty msgstr entries.")


def test_extraction_finds_calls_and_rejects_formatted_strings(tmp_path, monkeypatch):
    package = tmp_path / "edunet"
    package.mkdir()
    (package / "widget.py").write_text(
        'from edunet.i18n import _\n'
        'label = _("Learning rate")\n'
        'caption = _("step {step} of {total}").format(step=1, total=2)\n'
        'bad = _(f"loss {label}")\n'
        'other = print("not a message")\n', encoding="utf-8")
    monkeypatch.setattr(extract_messages, "REPOSITORY", tmp_path)
    messages, errors = extract_messages.find_messages(package)
    assert messages == {"Learning rate": ["edunet/widget.py:2"],
                        "step {step} of {total}": ["edunet/widget.py:3"]}
    assert len(errors) == 1 and "edunet/widget.py:4" in errors[0]


def test_updating_keeps_translations_and_marks_removed_ones_obsolete(tmp_path):
    path = tmp_path / "edunet.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: zh_CN\\n"\n\n'
                    '# translator: keep it short\nmsgid "Hint"\nmsgstr "提示"\n\n'
                    'msgid "Old message"\nmsgstr "旧消息"\n\n'
                    'msgid "Two\\n"\n"lines"\nmsgstr ""\n"两\\n"\n"行"\n', encoding="utf-8")
    old = extract_messages.read_catalog(path)
    messages = {"Hint": ["a.py:1"], "Two\nlines": ["a.py:2"], "New {name}": ["a.py:3"]}
    path.write_text(extract_messages.render_catalog("zh", messages, old), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "# translator: keep it short\n#: a.py:1\nmsgid \"Hint\"\nmsgstr \"提示\"" in text
    assert '#~ msgid "Old message"\n#~ msgstr "旧消息"' in text
    assert '#, python-brace-format\nmsgid "New {name}"\nmsgstr ""' in text
    assert i18n.read_po(path) == {"Hint": "提示", "Two\nlines": "两\n行"}   # obsolete, empty: out
    problems = extract_messages.problems("zh", messages, extract_messages.read_catalog(path))
    assert problems == ["a.py:3: no zh translation yet: 'New {name}'"]


def test_placeholders_must_match(tmp_path):
    path = tmp_path / "edunet.po"
    path.write_text('msgid "step {step} of {total}"\nmsgstr "第 {step} 步"\n', encoding="utf-8")
    problems = extract_messages.problems("zh", {"step {step} of {total}": ["a.py:1"]},
                                         extract_messages.read_catalog(path))
    assert len(problems) == 1 and "placeholders" in problems[0]


@pytest.fixture
def chinese():
    edunet.set_language("zh")
    yield
    edunet.set_language(None)


def test_verdicts_speak_chinese(chinese):
    passed, failed = Verdict(True, "42"), Verdict(False, "41", hint=["first", "second"])
    assert repr(passed) == "✔ 正确。 42"
    assert repr(failed) == "✘ 还不对。 41\n  提示: first\n  更多帮助: second"
    assert "<summary>更多帮助</summary>" in failed._repr_markdown_()
    edunet.set_language("en")
    assert repr(passed) == "✔ Correct. 42"


def test_translation_memory_exact_renamed_and_fuzzy(tmp_path):
    memory = {"{answer!r} is not a number.": "{answer!r} 不是一个数。",
              "Your model has {count:,} parameters.": "你的模型有 {count:,} 个参数。",
              "Build it with nn.Sequential(...) or a subclass of nn.Module.":
                  "用 nn.Sequential(...) 或 nn.Module 的子类搭建它。"}
    assert extract_messages.from_memory("{answer!r} is not a number.", memory) == \
        ("{answer!r} 不是一个数。", False, None)
    assert extract_messages.from_memory("Your model has {total} parameters.", memory) == \
        ("你的模型有 {total} 个参数。", False, None)            # same text, other placeholder
    translation, fuzzy, previous = extract_messages.from_memory(
        "Build it with nn.Sequential(...), or write a subclass of nn.Module.", memory)
    assert (translation, fuzzy) == (memory[previous], True)   # similar text: a suggestion
    assert extract_messages.from_memory("Something else entirely.", memory) == ("", False, None)

    obsolete = [{"msgid": english, "msgstr": chinese, "comments": [], "flags": [],
                 "obsolete": True, "previous": None} for english, chinese in memory.items()]
    messages = {"Your model has {total} parameters.": ["a.py:1"],
                "Build it with nn.Sequential(...), or write a subclass of nn.Module.": ["a.py:2"]}
    path = tmp_path / "edunet.po"
    path.write_text(extract_messages.render_catalog("zh", messages, obsolete), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Build it with nn.Sequential(...) or a subclass of nn.Module."' in text
    assert i18n.read_po(path) == {"Your model has {total} parameters.": "你的模型有 {total} 个参数。"}
    problems = extract_messages.problems("zh", messages, extract_messages.read_catalog(path))
    assert len(problems) == 1 and "fuzzy" in problems[0]
    # A translator accepts the suggestion by deleting the flag; the old English goes too.
    path.write_text(text.replace("#, fuzzy\n", ""), encoding="utf-8")
    rendered = extract_messages.render_catalog("zh", messages, extract_messages.read_catalog(path))
    assert "#|" not in rendered and "fuzzy" not in rendered
