"""Random numbers: one seeded generator behind ``rand``, ``randn``, dropout, shuffling.

``edunet.manual_seed(0)`` makes every random result in edunet repeatable. The
numbers are drawn by NumPy on the CPU (and copied to a GPU when a tensor lives
there), so a seed gives the same values on every device. They are not the same
values PyTorch draws for that seed: the two libraries use different algorithms.
"""

import numpy

DEFAULT_SEED = 67280421310721  # PyTorch's initial seed, so initial_seed() reads the same


class Generator:
    """A source of random numbers with its own seed (``torch.Generator``).

    Pass one as ``generator=`` to keep a random stream (e.g. a DataLoader's
    shuffling) independent of everything else.
    """

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from ``seed`` (an int); returns the generator."""
        try:
            seed = int(seed)
        except ValueError:  # manual_seed("a"): PyTorch's ValueError too
            raise ValueError(f"manual_seed expects an int, got {seed!r}") from None
        except TypeError:
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}") from None
        self._seed = seed
        self.numpy = numpy.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the new seed."""
        seed = int(numpy.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state (a dict) for ``set_state``."""
        return self.numpy.bit_generator.state

    def set_state(self, state):
        self.numpy.bit_generator.state = state
        return self

    # Arrays drawn from the stream (NumPy arrays on the CPU).
    def uniform(self, shape, low=0.0, high=1.0, dtype=numpy.float32):
        if low == 0.0 and high == 1.0:  # the same numbers, a pass faster (dropout's masks)
            return self.numpy.random(shape).astype(dtype, copy=False)
        return self.numpy.uniform(low, high, size=shape).astype(dtype, copy=False)

    def normal(self, shape, mean=0.0, std=1.0, dtype=numpy.float32):
        return self.numpy.normal(mean, std, size=shape).astype(dtype, copy=False)

    def integers(self, low, high, shape, dtype=numpy.int64):
        return self.numpy.integers(low, high, size=shape).astype(dtype, copy=False)

    def permutation(self, n):
        return self.numpy.permutation(n).astype(numpy.int64)


default_generator = Generator()


def manual_seed(seed):
    """Seed every random source in edunet; returns the default generator."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed from the operating system's entropy; returns the new seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
