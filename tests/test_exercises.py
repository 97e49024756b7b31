"""The exercise machinery and show_source."""

import edunet
from edunet.exercises import Verdict, verdict


def test_verdicts_print_a_tick_or_a_cross_with_a_hint():
    right = verdict(True, "12 parameters.", "no", hint="unused")
    wrong = verdict(False, "yes", "You counted 9.", hint="Each output also has a bias.")
    assert right and not wrong and isinstance(wrong, Verdict)
    assert repr(right) == "✔ Correct. 12 parameters."
    assert repr(wrong) == "✘ Not yet. You counted 9.\n  Hint: Each output also has a bias."
    assert "**Not yet.**" in wrong._repr_markdown_()


def test_show_source_prints_the_code_and_where_it_lives(capsys):
    edunet.show_source(edunet.ops.arithmetic.Mul)
    shown = capsys.readouterr().out
    assert shown.startswith("# edunet/ops/arithmetic.py, line ")
    assert "def forward(self, x, y):" in shown and "def backward(self, grad_output):" in shown
