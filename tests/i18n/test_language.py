"""Choosing the language: set_language > EDUNET_LANG > the locale > English."""

import subprocess
import sys

import pytest

import edunet
from edunet import i18n


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for variable in ("EDUNET_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    edunet.set_language(None)
    yield
    edunet.set_language(None)


def test_english_by_default():
    assert edunet.get_language() == "en"
    assert i18n._("Correct.") == "Correct."


@pytest.mark.parametrize("variable, value, expected", [
    ("LANG", "zh_CN.UTF-8", "zh"), ("LANG", "C.UTF-8", "en"), ("LANG", "de_DE.UTF-8", "en"),
    ("LC_ALL", "zh_TW.UTF-8", "zh"), ("LANGUAGE", "zh_CN:en", "zh"), ("EDUNET_LANG", "zh", "zh"),
])
def test_environment(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    assert edunet.get_language() == expected


def test_order_set_language_then_edunet_lang_then_locale(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("EDUNET_LANG", "en")
    assert edunet.get_language() == "en"
    edunet.set_language("zh-Hans")
    assert edunet.get_language() == "zh"
    assert i18n._("Correct.") == "正确。"
    edunet.set_language(None)
    assert edunet.get_language() == "en"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match=r"set_language\('fr'\).*'en', 'zh'"):
        edunet.set_language("fr")


def test_untranslated_message_stays_english():
    edunet.set_language("zh")
    assert i18n._("A message nobody translated") == "A message nobody translated"


def test_core_does_not_import_matplotlib():
    code = ("import sys, edunet; edunet.set_language('zh'); "
            "from edunet.i18n import _; _('Correct.'); print('matplotlib' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "False"
