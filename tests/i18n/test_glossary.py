"""The Chinese edition uses the glossary's terms (notebooks/zh/GLOSSARY.md) and only them.

Two checks:
1. no competing variant listed under "不要写成" appears in any translated notebook cell or
   any message of the zh catalog (its translation memory included);
2. in the notebook cells, where the English (outside code and formulas) uses a term marked ✓, the Chinese
   uses that term's Chinese. English terms are matched longest first, so "loss
   function" is one term and not also "loss". A capitalised match whose first word
   the Chinese keeps verbatim ("Linear layers" -> "Linear 层", "Dataset") is a class
   name kept in English, which the glossary allows.
"""

import re

import pytest

from tests.i18n.helpers import REPOSITORY, load_tool, prose

build_zh = load_tool("build_zh")
extract_messages = load_tool("extract_messages")
GLOSSARY = REPOSITORY / "notebooks" / "zh" / "GLOSSARY.md"


def read_glossary():
    """``[(english forms, chinese, variants to avoid, checked)]`` from the glossary's table."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "---") or set(cells[0]) <= {"-"}:
            continue
        english, chinese, avoid, checked = cells
        rows.append(([form.strip() for form in english.split(",") if form.strip()],
                     chinese.split("（")[0].strip(),
                     [variant.strip() for variant in avoid.split("、") if variant.strip()],
                     checked == "✓"))
    return rows


def english_pattern(form):
    words = [re.escape(word) for word in re.split(r"[- ]", form)]
    return re.compile(r"\b" + r"[- ]".join(words) + r"(?:e?s)?\b", re.IGNORECASE)


def translated_cells():
    """``[(where, english, chinese)]`` for every translated markdown cell."""
    cells = []
    for path in build_zh.english_notebooks():
        english = {cell["id"]: build_zh.cell_source(cell)
                   for cell in build_zh.markdown_cells(build_zh.read_notebook(path))}
        for cell_id, (_, chinese) in build_zh.read_translations(path.stem).items():
            if cell_id in english:
                cells.append((f"{path.stem} cell {cell_id}", english[cell_id], chinese))
    return cells


def catalog_messages():
    entries = extract_messages.read_catalog(extract_messages.catalog_path("zh"))
    return [(f"edunet.po {entry['msgid']!r}", entry["msgid"], entry["msgstr"])
            for entry in entries if entry["msgstr"]]          # the memory (#~) too


def test_glossary_has_the_seed_terms():
    chinese = {row[1] for row in read_glossary()}
    seeds = {"张量", "自动求导", "卷积", "池化", "激活函数", "损失函数", "反向传播", "优化器",
             "学习率", "模型", "模块", "初始化", "隐藏层", "输入层", "输出层", "权重", "偏置",
             "参数量", "前向传播", "卷积核", "最大池化", "全连接层", "线性层", "展平", "梯度",
             "通道", "批次", "过拟合", "正则化", "批归一化", "数据集", "数据加载器", "交叉熵",
             "均方误差", "填充", "循环神经网络"}
    assert seeds <= chinese, f"missing from the glossary: {sorted(seeds - chinese)}"


def variant_problems(cells, rows):
    """A line for each competing variant ("不要写成") found in a translation."""
    problems = []
    for where, _, chinese in cells:
        text = prose(chinese)
        for _, term, avoid, _ in rows:
            problems += [f"{where}: {variant!r} where the glossary says {term!r}"
                         for variant in avoid if variant in text]
    return problems


def term_problems(cells, rows):
    """A line for each checked English term whose Chinese term the translation lacks."""
    forms = sorted(((form, term) for forms, term, _, checked in rows if checked
                    for form in forms), key=lambda pair: -len(pair[0]))
    patterns = [(english_pattern(form), term) for form, term in forms]
    problems = []
    for where, english, chinese in cells:
        english_text, chinese_text = prose(english), prose(chinese)
        for pattern, term in patterns:
            matches = [match.group(0) for match in pattern.finditer(english_text)]
            english_text = pattern.sub(" ", english_text)
            for match in matches:
                kept_class_name = match[0].isupper() and \
                    re.split(r"[- ]", match)[0] in chinese_text
                if term not in chinese_text and not kept_class_name:
                    problems.append(f"{where}: the English says {match!r}, the Chinese lacks "
                                    f"{term!r}")
                    break
    return problems


def test_no_competing_variants():
    problems = variant_problems(translated_cells() + catalog_messages(), read_glossary())
    assert not problems, "\n".join(problems)


def test_checked_terms_are_translated_with_the_glossary_term():
    # Notebook cells only: messages write code without backticks ("model(batch) raised"),
    # so their English words cannot be told from identifiers.
    problems = term_problems(translated_cells(), read_glossary())
    assert not problems, "\n".join(problems)


def test_the_checks_catch_inconsistent_terms():
    rows = read_glossary()
    cells = [("a", "The loss function and its gradient.", "代价函数及其梯度。"),
             ("b", "The learning rate of the optimizer.", "优化器的学习速率。"),
             ("c", "A Linear layer with a bias.", "一个带偏置的 Linear 层。"),
             ("d", "Call `loss.backward()` for the tensor.", "对该张量调用 `loss.backward()`。")]
    assert variant_problems(cells, rows) == [
        "a: '代价函数' where the glossary says '损失函数'",
        "a: '代价' where the glossary says '损失'",
        "b: '学习速率' where the glossary says '学习率'"]
    assert term_problems(cells, rows) == [
        "a: the English says 'loss function', the Chinese lacks '损失函数'",
        "b: the English says 'learning rate', the Chinese lacks '学习率'"]


@pytest.mark.parametrize("text, expected", [("Loss functions", "loss function"),
                                            ("a learning-rate schedule", "learning rate"),
                                            ("mini batches", "batch")])
def test_english_patterns_match_plurals_and_hyphens(text, expected):
    assert english_pattern(expected).search(text)
