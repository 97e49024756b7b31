"""viz.draw_graph: the SVG graph has the autograd nodes, shapes and the engine's gradients."""

import xml.etree.ElementTree as ElementTree

import numpy
import pytest

pytest.importorskip("ipywidgets")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.autograd import topological_sort  # noqa: E402
from edunet.viz.graph import AutogradGraph, draw_graph, graph_svg  # noqa: E402


def small_model_loss(seed=0):
    edunet.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = edunet.randn(5, 3)
    loss = nn.functional.cross_entropy(model(x), edunet.tensor([0, 1, 1, 0, 1]))
    return model, x, loss


def test_nodes_names_and_shapes_follow_the_model():
    model, x, loss = small_model_loss()
    graph = AutogradGraph(loss, dict(model.named_parameters()))
    assert graph.nodes[1] is loss.grad_fn
    assert graph.nodes[1:] == list(reversed(topological_sort([loss.grad_fn])))
    assert graph.titles[0] == "result" and graph.shapes[0] == ()
    for node, title, kind in zip(graph.nodes[1:], graph.titles[1:], graph.kinds[1:]):
        assert kind == ("leaf" if node.name() == "AccumulateGrad" else "op")
        if kind == "op":
            assert title == node.name()
    leaves = {title: shape for title, kind, shape in zip(graph.titles, graph.kinds, graph.shapes)
              if kind == "leaf"}
    assert leaves == {name: tuple(p.shape) for name, p in model.named_parameters()}
    # Each op's output shape is the shape of the tensor it really produced.
    hidden = model[0](x)
    shapes = dict(zip(graph.titles, graph.shapes))
    assert shapes["NllLossBackward0"] == ()
    assert shapes["ReluBackward0"] == tuple(model[1](hidden).shape) == (5, 4)
    addmm = [shape for title, shape in zip(graph.titles, graph.shapes) if title == "AddmmBackward0"]
    assert addmm == [tuple(model(x).shape), tuple(hidden.shape)] == [(5, 2), (5, 4)]


def test_replay_gives_the_gradients_backward_stores_and_changes_nothing():
    model, _, loss = small_model_loss()
    graph = AutogradGraph(loss, dict(model.named_parameters()))
    assert not graph.freed
    loss.backward()                       # still works after the replay
    twin, _, twin_loss = small_model_loss()   # the same numbers, never replayed
    twin_loss.backward()
    replayed = {graph.titles[i]: graph.gradients[i] for i, kind in enumerate(graph.kinds)
                if kind == "leaf"}
    assert set(replayed) == {name for name, _ in twin.named_parameters()}
    for (name, parameter), (_, twin_parameter) in zip(model.named_parameters(),
                                                      twin.named_parameters()):
        numpy.testing.assert_allclose(replayed[name], twin_parameter.grad.numpy(), rtol=1e-6)
        numpy.testing.assert_array_equal(parameter.grad.numpy(), twin_parameter.grad.numpy())


def test_gradients_add_up_at_a_reused_tensor():
    a = edunet.tensor([1.0, 2.0], requires_grad=True)
    result = (a * a + a * 3).sum()
    graph = AutogradGraph(result, {"a": a})
    leaf = graph.titles.index("a")
    parts = graph.contributions[leaf]
    assert len(parts) == 3                # a * a uses a twice, a * 3 once
    numpy.testing.assert_allclose(sum(gradient for _, gradient in parts), [5.0, 7.0])
    numpy.testing.assert_allclose(graph.gradients[leaf], 2 * a.detach().numpy() + 3)
    caption = graph.describe(leaf)
    assert "used 3 times" in caption and "[5, 7]" in caption
    svg = graph.svg(leaf)
    assert svg.count("&#931;") == 1       # the sum badge, on that node only


def test_layout_layers_and_rows():
    model, x, loss = small_model_loss()
    graph = AutogradGraph(loss, dict(model.named_parameters()))
    for position, inputs in enumerate(graph.inputs):
        for input_position in inputs:
            assert graph.layers[input_position] > graph.layers[position]
            assert graph.y[input_position] > graph.y[position]     # inputs drawn below
    assert graph.y[0] == min(graph.y)            # the result on top, next to the buttons
    for layer in set(graph.layers):
        row = sorted((graph.x[i] - graph.widths[i] / 2, graph.x[i] + graph.widths[i] / 2)
                     for i, other in enumerate(graph.layers) if other == layer)
        for (_, right), (left, _) in zip(row, row[1:]):
            assert right < left                                   # no overlapping boxes
        assert row[0][0] >= 0 and row[-1][1] <= graph.width


def test_svg_is_well_formed_and_escapes_names():
    w = edunet.randn(2, 2, requires_grad=True)
    result = (w @ w).sum()
    svg = graph_svg(result, params={"<weight & co>": w}, step=2)
    root = ElementTree.fromstring(svg)
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert len(nodes) == len(AutogradGraph(result).nodes)
    texts = [text.text for text in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<weight & co>" in texts and "MmBackward0" in texts and "out [2, 2]" in texts


def test_widget_steps_through_the_backward_pass():
    model, _, loss = small_model_loss()
    widget = draw_graph(loss, params=dict(model.named_parameters()))
    total = len(widget.graph.backward_order)
    assert widget.step_slider.max == total and "<svg" in widget.picture.value
    # Buttons, then the caption, then the picture: the stepped node starts near the buttons.
    assert list(widget.children[1:]) == [widget.caption, widget.picture]
    assert 'role="img" aria-label="The autograd graph' in widget.picture.value
    widget.next_button.click()
    assert widget.step_slider.value == 1
    assert widget.caption.value.startswith(f"Step 1/{total}: NllLossBackward0")
    first_svg = widget.svg
    widget.step_slider.value = total
    assert widget.svg != first_svg
    last = widget.graph.titles[total]
    assert f"Step {total}/{total}: {last}" in widget.caption.value
    assert "AccumulateGrad adds" in widget.caption.value
    widget.next_button.click()                         # stays at the end
    assert widget.step_slider.value == total
    widget.previous_button.click()
    assert widget.step_slider.value == total - 1


def test_after_backward_the_leaves_show_their_grad():
    model, _, loss = small_model_loss()
    loss.backward()
    graph = AutogradGraph(loss, dict(model.named_parameters()))
    assert graph.freed and "freed" in graph.describe(0)
    bias = graph.titles.index("2.bias")
    grad_line = graph.lines(bias, step=0)[-1]
    assert grad_line.startswith(".grad [")
    expected = model[2].bias.grad.numpy()
    assert grad_line == ".grad [" + ", ".join(f"{v:.3g}" for v in expected) + "]"
    assert graph.shapes[bias] == (2,)


def test_a_tensor_without_history_is_explained():
    with pytest.raises(ValueError, match="requires_grad=True"):
        AutogradGraph(edunet.ones(3))
