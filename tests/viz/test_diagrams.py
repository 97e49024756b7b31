"""viz.diagrams: the notebooks' still pictures draw, and say what they show in their titles."""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from edunet.viz import diagrams  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_network_counts_its_weights_and_biases():
    assert diagrams.network([3, 3, 2, 2], ["input", "a", "b", "output"]) is None
    title = plt.gcf().axes[0].get_title()
    # 3*3 + 3*2 + 2*2 weights, 3 + 2 + 2 biases: counted from the sizes, as by hand
    assert title == ("3-3-2-2: 9 + 6 + 4 = 19 weights (lines) and 3 + 2 + 2 = 7 biases "
                     "(blue units)")
    assert len(plt.gcf().axes[0].lines) == 9 + 6 + 4


def test_library_layers_and_chain_rule_draw():
    diagrams.library_layers()
    assert "layers" in plt.gcf().axes[0].get_title()
    plt.close("all")
    boxes = {"x": (0, 0, 1.5, -0.08), "L": (2.4, 0, 0.07, 1.0)}
    diagrams.chain_rule(boxes, [("x", "L")])
    texts = [text.get_text() for text in plt.gcf().axes[0].texts]
    assert "∂L/∂x = -0.080" in texts and "1.500" in texts
