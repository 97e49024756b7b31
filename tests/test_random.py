"""The seeded generator: a seed gives the same numbers every time, drawn by NumPy."""

import numpy

import edunet
from edunet.random import Generator


def test_uniform_draws_numpys_stream_for_every_range():
    # uniform(0, 1) takes a faster route (random()); the numbers must be NumPy's uniform ones.
    for low, high in ((0.0, 1.0), (-2.5, 3.0)):
        generator = Generator().manual_seed(7)
        expected = numpy.random.default_rng(7).uniform(low, high, size=(50, 40))
        drawn = generator.uniform((50, 40), low, high, dtype=numpy.float64)
        numpy.testing.assert_array_equal(drawn, expected)
        assert generator.uniform((3,)).dtype == numpy.float32


def test_manual_seed_repeats_dropout_masks():
    masks = []
    for _ in range(2):
        edunet.manual_seed(11)
        masks.append(edunet.nn.functional.dropout(edunet.ones(1000), p=0.3).numpy())
    numpy.testing.assert_array_equal(masks[0], masks[1])
    assert 0.6 < (masks[0] > 0).mean() < 0.8
