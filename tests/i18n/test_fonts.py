"""Chinese text in plots: drawn with a CJK font, no missing-glyph warnings."""

import warnings

import pytest

import edunet
from edunet import i18n

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

INSTALLED = {font.name for font in font_manager.fontManager.ttflist}
HAS_CJK_FONT = any(name in INSTALLED for name in i18n.CJK_FONTS)


@pytest.fixture
def fresh_rc(monkeypatch):
    """Each test starts from matplotlib's defaults and edunet's fonts not yet chosen."""
    monkeypatch.setattr(i18n, "_fonts_ready", False)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield
    edunet.set_language(None)


def draw(text):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure, axes = plt.subplots()
        axes.set_title(text)
        axes.set_xlabel("学习率 lr")
        figure.canvas.draw()
        plt.close(figure)
    return [str(warning.message) for warning in caught]


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (apt install fonts-noto-cjk)")
def test_set_language_zh_gives_plots_a_cjk_font(fresh_rc):
    assert any("missing from font" in message for message in draw("损失函数")), \
        "without a CJK font configured, matplotlib should warn (else this test proves nothing)"
    edunet.set_language("zh")                 # matplotlib is imported: fonts set at once
    assert [message for message in draw("损失函数与反向传播") if "Glyph" in message] == []
    assert matplotlib.rcParams["font.family"][-1] in i18n.CJK_FONTS
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"   # Latin text unchanged


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (apt install fonts-noto-cjk)")
def test_first_translated_message_sets_the_font_lazily(fresh_rc, monkeypatch):
    monkeypatch.setattr(i18n, "_chosen_language", "zh")   # as if chosen before matplotlib came
    i18n._("Correct.")
    assert [message for message in draw("梯度") if "Glyph" in message] == []


def test_without_a_cjk_font_one_warning_says_how_to_get_one(fresh_rc, monkeypatch):
    monkeypatch.setattr(i18n, "CJK_FONTS", ("No Such Font",))
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        assert i18n.use_cjk_font() is None


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font installed (apt install fonts-noto-cjk)")
def test_a_font_installed_after_matplotlib_cached_its_list_is_found(fresh_rc, monkeypatch):
    latin_only = [font for font in font_manager.fontManager.ttflist
                  if font.name not in i18n.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)   # a stale cache
    assert i18n.use_cjk_font() in i18n.CJK_FONTS
    assert [message for message in draw("反向传播") if "Glyph" in message] == []
