"""edunet.utils.data against torch.utils.data: datasets, samplers, collate, DataLoader, splits."""

import collections
import warnings

import numpy
import pytest

import edunet
from edunet.utils import data
from edunet.utils.data import dataloader as dataloader_module

torch = pytest.importorskip("torch")
torch_data = pytest.importorskip("torch.utils.data")

Point = collections.namedtuple("Point", "x y")


def plain(value):
    """A structure of lists/dicts/numbers that compares equal across edunet and torch results.

    Tensors become ("tensor", dtype name, shape, values); containers keep their type name.
    """
    if isinstance(value, (edunet.Tensor, torch.Tensor)):
        array = value.detach().numpy() if isinstance(value, torch.Tensor) else value.numpy()
        return ("tensor", str(value.dtype).split(".")[-1], tuple(array.shape), array.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {key: plain(item) for key, item in value.items()})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [plain(item) for item in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(item) for item in value])
    return value


def both(make):
    """make(tensor_function) built once with edunet.tensor and once with torch.tensor."""
    return make(edunet.tensor), make(torch.tensor)


# ---------------------------------------------------------------- default_collate
COLLATE_CASES = {
    "tensors": lambda t: [t([1.0, 2.0]), t([3.0, 4.0]), t([5.0, 6.0])],
    "int tensors": lambda t: [t([[1, 2]]), t([[3, 4]])],
    "pairs of tensor and int": lambda t: [(t([1.0, 2.0]), 0), (t([3.0, 4.0]), 1)],
    "float64 arrays": lambda t: [numpy.ones((2, 2)), numpy.zeros((2, 2))],
    "float32 arrays": lambda t: [numpy.ones(3, numpy.float32), numpy.arange(3, dtype=numpy.float32)],
    "uint8 arrays": lambda t: [numpy.arange(4, dtype=numpy.uint8).reshape(2, 2)] * 3,
    "int32 arrays": lambda t: [numpy.arange(3, dtype=numpy.int32)] * 2,
    "bool arrays": lambda t: [numpy.array([True, False])] * 2,
    "0-d arrays": lambda t: [numpy.array(3), numpy.array(4)],
    "float32 scalars": lambda t: [numpy.float32(1.5), numpy.float32(2.5)],
    "int32 scalars": lambda t: [numpy.int32(1), numpy.int32(2)],
    "float64 scalars": lambda t: [numpy.float64(1.5)],
    "numpy bools": lambda t: [numpy.bool_(True), numpy.bool_(False)],
    "ints": lambda t: [1, 2, 3],
    "floats": lambda t: [1.5, 2.5],
    "float then int": lambda t: [1.5, 2],
    "bools": lambda t: [True, False],
    "strings": lambda t: ["a", "b"],
    "bytes": lambda t: [b"a", b"b"],
    "tuples with strings": lambda t: [(1, "a"), (2, "b")],
    "lists": lambda t: [[1, 2], [3, 4]],
    "dicts": lambda t: [{"image": t([1.0]), "label": 3, "name": "x"},
                        {"image": t([2.0]), "label": 4, "name": "y"}],
    "ordered dicts": lambda t: [collections.OrderedDict(a=1.0, b=2)] * 2,
    "namedtuples": lambda t: [Point(1, 2.0), Point(3, 4.0)],
    "nested": lambda t: [({"a": (t([1, 2]), 1.0)}, [numpy.zeros(2), 3]),
                         ({"a": (t([3, 4]), 2.0)}, [numpy.ones(2), 4])],
}


@pytest.mark.parametrize("name", list(COLLATE_CASES))
def test_default_collate_matches_torch(name):
    ours, theirs = both(COLLATE_CASES[name])
    assert plain(data.default_collate(ours)) == plain(torch_data.default_collate(theirs))


@pytest.mark.parametrize("name", ["float64 arrays", "float32 scalars", "pairs of tensor and int",
                                  "dicts", "namedtuples", "strings"])
def test_default_convert_matches_torch(name):
    from torch.utils.data._utils.collate import default_convert as torch_default_convert
    ours, theirs = both(COLLATE_CASES[name])
    for our_sample, their_sample in zip(ours, theirs):
        assert plain(data.default_convert(our_sample)) == plain(torch_default_convert(their_sample))


def test_collate_keeps_the_graph_of_tensors_that_require_grad():
    leaves = [edunet.ones(2, requires_grad=True), edunet.zeros(2, requires_grad=True)]
    batch = data.default_collate(leaves)
    batch.sum().backward()
    assert batch.requires_grad and leaves[0].grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("batch", [[[1, 2], [3]], [object()], [numpy.array(["a"])],
                                   [numpy.array([None], dtype=object)]],
                         ids=["ragged", "object", "string array", "object array"])
def test_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as theirs:
        torch_data.default_collate(batch)
    with pytest.raises(theirs.type) as ours:
        data.default_collate(batch)
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------- datasets
def test_tensor_dataset_subset_and_concat_match_torch():
    features, labels = numpy.arange(20.0).reshape(10, 2), numpy.arange(10) % 3
    ours = data.TensorDataset(edunet.tensor(features), edunet.tensor(labels))
    theirs = torch_data.TensorDataset(torch.tensor(features), torch.tensor(labels))
    assert len(ours) == len(theirs) == 10
    for index in (0, 3, -1):
        assert plain(ours[index]) == plain(theirs[index])
    our_subset, their_subset = data.Subset(ours, [7, 2, 5]), torch_data.Subset(theirs, [7, 2, 5])
    assert len(our_subset) == 3
    assert plain([our_subset[i] for i in range(3)]) == plain([their_subset[i] for i in range(3)])
    assert plain(our_subset[[0, 2]]) == plain(their_subset[[0, 2]])
    our_concat = data.ConcatDataset([ours, our_subset])
    their_concat = torch_data.ConcatDataset([theirs, their_subset])
    assert len(our_concat) == 13 and our_concat.cumulative_sizes == their_concat.cumulative_sizes
    for index in (0, 9, 10, 12, -1, -13):
        assert plain(our_concat[index]) == plain(their_concat[index])
    assert isinstance(ours + our_subset, data.ConcatDataset) and len(ours + our_subset) == 13


def test_dataset_errors_match_torch():
    cases = [
        (lambda lib: lib.TensorDataset(pick(lib).ones(3), pick(lib).ones(4)), AssertionError),
        (lambda lib: lib.ConcatDataset([]), AssertionError),
        (lambda lib: lib.ConcatDataset([Stream(1) if lib is data else TorchStream(1)]),
         AssertionError),
        (lambda lib: lib.ConcatDataset([range(3)])[-4], ValueError),
        (lambda lib: lib.Dataset()[0], NotImplementedError),
        (lambda lib: len(lib.Dataset()), TypeError),
    ]
    for make, error in cases:
        for lib in (data, torch_data):
            with pytest.raises(error):
                make(lib)
    with pytest.raises(IndexError):
        data.ConcatDataset([range(3), range(2)])[5]


def pick(lib):
    return edunet if lib is data else torch


# ---------------------------------------------------------------- DataLoader
def pair_datasets(size=10):
    ours = data.TensorDataset(edunet.arange(size), edunet.arange(size) * 2.0)
    theirs = torch_data.TensorDataset(torch.arange(size), torch.arange(size) * 2.0)
    return ours, theirs


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 12, None])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_match_torch(batch_size, drop_last):
    if batch_size is None and drop_last:
        return  # an error, tested below
    ours, theirs = pair_datasets()
    our_loader = data.DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    their_loader = torch_data.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    assert len(our_loader) == len(their_loader)
    assert plain(list(our_loader)) == plain(list(their_loader))
    assert plain(list(our_loader)) == plain(list(our_loader))  # a loader can be read again


class Stream(data.IterableDataset):
    def __init__(self, size, length=None):
        self.size, self.length = size, length

    def __iter__(self):
        return iter(range(self.size))

    def __len__(self):
        if self.length is None:
            raise TypeError("this stream has no length")
        return self.length


class TorchStream(torch_data.IterableDataset):
    def __init__(self, size):
        self.size = size

    def __iter__(self):
        return iter(range(self.size))

    def __len__(self):
        return self.size


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (7, False), (None, False)])
def test_iterable_dataset_batches_match_torch(batch_size, drop_last):
    ours = data.DataLoader(Stream(7, length=7), batch_size=batch_size, drop_last=drop_last)
    theirs = torch_data.DataLoader(TorchStream(7), batch_size=batch_size, drop_last=drop_last)
    assert plain(list(ours)) == plain(list(theirs))
    assert len(ours) == len(theirs)


def test_iterable_dataset_refuses_shuffle_and_samplers_as_torch():
    for options in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError) as theirs:
            torch_data.DataLoader(TorchStream(3), **options)
        with pytest.raises(ValueError) as ours:
            data.DataLoader(Stream(3), **options)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("options", [
    {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
    {"timeout": -1},
    {"persistent_workers": True},
    {"prefetch_factor": 2},
    {"batch_size": 0},
    {"batch_size": 2.0},
    {"drop_last": 1},
], ids=str)
def test_option_errors_match_torch(options):
    ours, theirs = pair_datasets()
    with pytest.raises(Exception) as their_error:
        torch_data.DataLoader(theirs, **options)
    with pytest.raises(their_error.type) as our_error:
        data.DataLoader(ours, **options)
    assert str(our_error.value) == str(their_error.value)


def test_settings_cannot_change_after_init_as_torch():
    ours, theirs = pair_datasets()
    for name in ("batch_size", "sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError) as their_error:
            setattr(torch_data.DataLoader(theirs), name, 4)
        with pytest.raises(ValueError) as our_error:
            setattr(data.DataLoader(ours), name, 4)
        assert str(our_error.value) == str(their_error.value)


def test_custom_sampler_batch_sampler_and_collate_fn():
    ours, theirs = pair_datasets()
    order, batches = [9, 0, 4, 4], [[1, 2], [8], [3, 3, 3]]
    assert plain(list(data.DataLoader(ours, batch_size=3, sampler=order))) == \
        plain(list(torch_data.DataLoader(theirs, batch_size=3, sampler=order)))
    assert plain(list(data.DataLoader(ours, batch_sampler=batches))) == \
        plain(list(torch_data.DataLoader(theirs, batch_sampler=batches)))
    assert len(data.DataLoader(ours, batch_sampler=batches)) == 3
    loader = data.DataLoader(ours, batch_size=4, collate_fn=lambda samples: len(samples))
    assert list(loader) == [4, 4, 2]


def epoch_order(loader):
    return [int(index) for indices, _ in loader for index in indices]


def test_shuffle_is_a_permutation_repeatable_under_a_seed():
    dataset = data.TensorDataset(edunet.arange(50), edunet.zeros(50))
    loader = data.DataLoader(dataset, batch_size=8, shuffle=True)
    edunet.manual_seed(0)
    first_epoch, second_epoch = epoch_order(loader), epoch_order(loader)
    edunet.manual_seed(0)
    assert epoch_order(loader) == first_epoch and epoch_order(loader) == second_epoch
    edunet.manual_seed(1)
    assert epoch_order(loader) != first_epoch
    assert sorted(first_epoch) == list(range(50))
    assert first_epoch != list(range(50)) and second_epoch != first_epoch  # new order every epoch


def test_shuffle_with_its_own_generator_ignores_the_global_seed():
    dataset = data.TensorDataset(edunet.arange(30), edunet.zeros(30))
    orders = []
    for global_seed in (0, 1):
        edunet.manual_seed(global_seed)
        generator = edunet.Generator().manual_seed(7)
        orders.append(epoch_order(data.DataLoader(dataset, batch_size=4, shuffle=True,
                                                  generator=generator)))
    other = epoch_order(data.DataLoader(dataset, batch_size=4, shuffle=True,
                                        generator=edunet.Generator().manual_seed(8)))
    assert orders[0] == orders[1] != other


def test_num_workers_warns_once_and_loads_the_same_batches(monkeypatch):
    monkeypatch.setattr(dataloader_module, "_warned_about_workers", False)
    ours, _ = pair_datasets()
    with pytest.warns(UserWarning, match="num_workers=2"):
        loader = data.DataLoader(ours, batch_size=3, num_workers=2, worker_init_fn=print,
                                 prefetch_factor=2, persistent_workers=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.DataLoader(ours, num_workers=4)  # no second warning
    assert plain(list(loader)) == plain(list(data.DataLoader(ours, batch_size=3)))
    assert data.get_worker_info() is None


def test_pin_memory_warns_like_torch_without_a_gpu():
    if edunet.cuda.is_available():
        pytest.skip("the warning is for machines without a GPU")
    ours, _ = pair_datasets()
    with pytest.warns(UserWarning, match="no accelerator is found"):
        list(data.DataLoader(ours, pin_memory=True))


def test_dataset_with_getitems_is_asked_for_whole_batches():
    class Batched(data.Dataset):
        def __init__(self):
            self.requests = []

        def __len__(self):
            return 5

        def __getitems__(self, indices):
            self.requests.append(list(indices))
            return [float(index) for index in indices]

    dataset = Batched()
    batches = list(data.DataLoader(data.Subset(dataset, [4, 3, 2, 1, 0]), batch_size=2))
    assert dataset.requests == [[4, 3], [2, 1], [0]]
    assert [batch.tolist() for batch in batches] == [[4.0, 3.0], [2.0, 1.0], [0.0]]


# ---------------------------------------------------------------- samplers
def test_samplers():
    assert list(data.BatchSampler(range(7), 3, False)) == list(torch_data.BatchSampler(range(7), 3, False))
    assert list(data.BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(data.BatchSampler(range(7), 3, False)) == 3
    assert list(data.SequentialSampler(range(4))) == [0, 1, 2, 3]
    edunet.manual_seed(3)
    drawn = list(data.RandomSampler(range(5), num_samples=12))
    assert len(drawn) == 12 and sorted(drawn[:5]) == sorted(drawn[5:10]) == list(range(5))
    with_replacement = list(data.RandomSampler(range(5), replacement=True, num_samples=40))
    assert len(with_replacement) == 40 and set(with_replacement) <= set(range(5))
    assert len(set(with_replacement)) < 40
    assert sorted(data.SubsetRandomSampler([10, 20, 30])) == [10, 20, 30]
    for bad, error in (({"replacement": 1}, TypeError), ({"num_samples": 0}, ValueError)):
        with pytest.raises(error):
            torch_data.RandomSampler(range(3), **bad)
        with pytest.raises(error):
            data.RandomSampler(range(3), **bad)


# ---------------------------------------------------------------- random_split
@pytest.mark.parametrize("size, lengths", [
    (10, [3, 7]), (10, [0.3, 0.3, 0.4]), (5, [0.5, 0.5]), (7, [0.1, 0.1, 0.8]),
    (10, [0.33, 0.33, 0.34]), (10, (0.5, 0.5)), (3, [0.25, 0.25, 0.25, 0.25]), (10, [0.05, 0.95]),
])
def test_random_split_sizes_match_torch(size, lengths):
    with warnings.catch_warnings(record=True) as their_warnings:
        warnings.simplefilter("always")
        theirs = torch_data.random_split(range(size), lengths)
    with warnings.catch_warnings(record=True) as our_warnings:
        warnings.simplefilter("always")
        ours = data.random_split(range(size), lengths)
    assert [len(part) for part in ours] == [len(part) for part in theirs]
    assert [str(w.message) for w in our_warnings] == [str(w.message) for w in their_warnings]
    everything = [index for part in ours for index in part]
    assert sorted(everything) == list(range(size))  # disjoint, and nothing left out


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [-0.5, 1.5]])
def test_random_split_errors_match_torch(lengths):
    with pytest.raises(ValueError) as theirs:
        torch_data.random_split(range(10), lengths)
    with pytest.raises(ValueError) as ours:
        data.random_split(range(10), lengths)
    assert str(ours.value).startswith(str(theirs.value))


def test_random_split_refuses_negative_lengths():
    with pytest.raises(ValueError, match="can't be negative"):
        data.random_split(range(10), [-1, 11])


def test_random_split_is_repeatable():
    edunet.manual_seed(0)
    first = [list(part) for part in data.random_split(range(20), [0.5, 0.5])]
    edunet.manual_seed(0)
    assert [list(part) for part in data.random_split(range(20), [0.5, 0.5])] == first
    edunet.manual_seed(1)
    assert [list(part) for part in data.random_split(range(20), [0.5, 0.5])] != first
    with_generator = [list(part) for part in data.random_split(
        range(20), [10, 10], generator=edunet.Generator().manual_seed(5))]
    again = [list(part) for part in data.random_split(
        range(20), [10, 10], generator=edunet.Generator().manual_seed(5))]
    assert with_generator == again


def test_batches_stay_on_the_datasets_device(device):
    dataset = data.TensorDataset(edunet.arange(10, device=device),
                                 edunet.arange(20.0, device=device).reshape(10, 2))
    batches = list(data.DataLoader(dataset, batch_size=4))
    assert [tuple(labels.shape) for labels, _ in batches] == [(4,), (4,), (2,)]
    assert all(tensor.device.type == edunet.device(device).type for batch in batches for tensor in batch)
    assert batches[1][1].cpu().tolist() == [[8.0, 9.0], [10.0, 11.0], [12.0, 13.0], [14.0, 15.0]]


def test_batch_size_attribute_matches_torch():
    torch = pytest.importorskip("torch")
    from edunet.utils.data import DataLoader
    for batch_size in (1, 2, 5):
        ours = DataLoader(list(range(10)), batch_size=batch_size)
        theirs = torch.utils.data.DataLoader(list(range(10)), batch_size=batch_size)
        assert ours.batch_size == theirs.batch_size == batch_size
