"""edunet.vision.transforms against the documented math (and torch ops where they are the oracle)."""

import numpy
import pytest

import edunet
from edunet.vision import transforms

torch = pytest.importorskip("torch")


def random_image(*shape, seed=0):
    return numpy.random.default_rng(seed).integers(0, 256, shape, dtype=numpy.uint8)


# ---------------------------------------------------------------- reprs (torchvision's text)
@pytest.mark.parametrize("transform, text", [
    (transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]),
     "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)"),
    (transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
     "Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])"),
    (transforms.RandomCrop(32, padding=4), "RandomCrop(size=(32, 32), padding=4)"),
    (transforms.RandomCrop((24, 20)), "RandomCrop(size=(24, 20), padding=None)"),
    (transforms.RandomHorizontalFlip(), "RandomHorizontalFlip(p=0.5)"),
    (transforms.RandomVerticalFlip(p=0.3), "RandomVerticalFlip(p=0.3)"),
    (transforms.Lambda(abs), "Lambda()"),
    (transforms.ToTensor(), "ToTensor()"),
    (transforms.Pad(4), "Pad(padding=4, fill=0, padding_mode=constant)"),
    (transforms.CenterCrop(10), "CenterCrop(size=(10, 10))"),
    (transforms.Compose([]), "Compose(\n)"),
])
def test_repr_is_torchvisions(transform, text):
    assert repr(transform) == text


# ---------------------------------------------------------------- ToTensor
def test_to_tensor_scales_uint8_grey_images_to_float32_in_0_1():
    image = random_image(5, 7)
    tensor = transforms.ToTensor()(image)
    assert tensor.shape == (1, 5, 7) and tensor.dtype == edunet.float32
    expected = torch.from_numpy(image).to(torch.float32).div(255).unsqueeze(0).numpy()
    numpy.testing.assert_array_equal(tensor.numpy(), expected)
    assert tensor.numpy().min() >= 0 and tensor.numpy().max() <= 1


def test_to_tensor_moves_channels_first():
    image = random_image(4, 6, 3)
    tensor = transforms.ToTensor()(image).numpy()
    assert tensor.shape == (3, 4, 6)
    for channel in range(3):
        numpy.testing.assert_array_equal(tensor[channel],
                                         image[:, :, channel].astype(numpy.float32) / 255)


def test_to_tensor_keeps_other_dtypes_unscaled():
    image = numpy.random.default_rng(1).normal(size=(3, 4, 2))
    tensor = transforms.ToTensor()(image)
    assert tensor.dtype == edunet.float64
    numpy.testing.assert_array_equal(tensor.numpy(), image.transpose(2, 0, 1))


def test_to_tensor_reads_pil_images():
    Image = pytest.importorskip("PIL.Image")
    rgb = random_image(4, 5, 3)
    numpy.testing.assert_array_equal(transforms.ToTensor()(Image.fromarray(rgb)).numpy(),
                                     transforms.ToTensor()(rgb).numpy())
    grey = random_image(4, 5)
    numpy.testing.assert_array_equal(transforms.ToTensor()(Image.fromarray(grey)).numpy(),
                                     transforms.ToTensor()(grey).numpy())
    black_and_white = Image.fromarray(grey > 127)  # mode "1": pixels come out 0.0 or 1.0
    numpy.testing.assert_array_equal(transforms.ToTensor()(black_and_white).numpy()[0],
                                     (grey > 127).astype(numpy.float32))
    floats = Image.fromarray(numpy.full((2, 3), 7.5, numpy.float32))  # mode "F": not scaled
    assert transforms.ToTensor()(floats).numpy().tolist() == [[[7.5] * 3] * 2]


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        transforms.ToTensor()(numpy.zeros((1, 2, 3, 4), numpy.uint8))


# ---------------------------------------------------------------- Normalize
@pytest.mark.parametrize("shape, mean, std", [
    ((1, 4, 5), (0.1307,), (0.3081,)),
    ((3, 4, 5), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ((2, 3, 4, 5), (0.5, 0.25, 0.1), (0.5, 0.5, 2.0)),
    ((3, 2, 2), 0.5, 0.25),
])
def test_normalize_is_x_minus_mean_over_std_per_channel(shape, mean, std):
    values = numpy.random.default_rng(2).random(shape, dtype=numpy.float32)
    result = transforms.Normalize(mean, std)(edunet.tensor(values))
    mean_t = torch.as_tensor(mean, dtype=torch.float32)
    std_t = torch.as_tensor(std, dtype=torch.float32)
    if mean_t.ndim == 1:
        mean_t, std_t = mean_t.view(-1, 1, 1), std_t.view(-1, 1, 1)
    expected = (torch.from_numpy(values) - mean_t) / std_t  # the documented formula, in float32
    assert result.dtype == edunet.float32
    numpy.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_normalize_inplace_or_not():
    values = numpy.random.default_rng(3).random((1, 3, 3), dtype=numpy.float32)
    original = edunet.tensor(values)
    result = transforms.Normalize((0.5,), (0.5,))(original)
    assert result is not original
    numpy.testing.assert_array_equal(original.numpy(), values)  # untouched
    same = transforms.Normalize((0.5,), (0.5,), inplace=True)(original)
    assert same is original
    numpy.testing.assert_array_equal(original.numpy(), result.numpy())


@pytest.mark.parametrize("make_input, mean, std, error", [
    (lambda: edunet.zeros(1, 2, 2, dtype=edunet.int64), (0.5,), (0.5,), TypeError),
    (lambda: edunet.zeros(2, 2), (0.5,), (0.5,), ValueError),
    (lambda: edunet.zeros(1, 2, 2), (0.5,), (0.0,), ValueError),
    (lambda: edunet.zeros(2, 2, 2), (0.5, 0.5, 0.5), (1.0, 1.0, 1.0), RuntimeError),
    (lambda: numpy.zeros((1, 2, 2), numpy.float32), (0.5,), (0.5,), TypeError),
], ids=["int tensor", "no channel dimension", "zero std", "wrong channel count", "numpy array"])
def test_normalize_errors(make_input, mean, std, error):
    with pytest.raises(error):
        transforms.Normalize(mean, std)(make_input())


# ---------------------------------------------------------------- flips
def test_flips_mirror_every_layout():
    grey, colour = random_image(4, 5), random_image(4, 5, 3)
    chw = transforms.ToTensor()(colour)
    always = transforms.RandomHorizontalFlip(p=1.0)
    numpy.testing.assert_array_equal(always(grey), grey[:, ::-1])
    numpy.testing.assert_array_equal(always(colour), colour[:, ::-1, :])
    numpy.testing.assert_array_equal(always(chw).numpy(), chw.numpy()[:, :, ::-1])
    assert isinstance(always(chw), edunet.Tensor)
    numpy.testing.assert_array_equal(transforms.RandomVerticalFlip(p=1.0)(colour), colour[::-1])
    numpy.testing.assert_array_equal(transforms.RandomVerticalFlip(p=1.0)(chw).numpy(),
                                     chw.numpy()[:, ::-1, :])
    assert transforms.RandomHorizontalFlip(p=0.0)(grey) is grey


def test_flip_of_a_pil_image_is_a_pil_mirror():
    Image = pytest.importorskip("PIL.Image")
    picture = Image.fromarray(random_image(4, 5, 3))
    flipped = transforms.RandomHorizontalFlip(p=1.0)(picture)
    assert isinstance(flipped, Image.Image)
    expected = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    numpy.testing.assert_array_equal(numpy.asarray(flipped), numpy.asarray(expected))


def flip_decisions(p, count):
    flip = transforms.RandomHorizontalFlip(p)
    image = numpy.array([[0, 1]], numpy.uint8)
    return [int(flip(image)[0, 0]) for _ in range(count)]


def test_flips_happen_with_probability_p_repeatably_under_a_seed():
    edunet.manual_seed(0)
    first = flip_decisions(0.3, 2000)
    assert 0.26 < numpy.mean(first) < 0.34
    edunet.manual_seed(0)
    assert flip_decisions(0.3, 2000) == first
    edunet.manual_seed(1)
    assert flip_decisions(0.3, 2000) != first


# ---------------------------------------------------------------- padding
@pytest.mark.parametrize("padding, sides", [(2, (2, 2, 2, 2)), ((1, 3), (1, 3, 1, 3)),
                                            ([3], (3, 3, 3, 3)), ((1, 2, 3, 0), (1, 2, 3, 0))])
@pytest.mark.parametrize("mode, torch_mode", [("constant", "constant"), ("edge", "replicate"),
                                              ("reflect", "reflect")])
def test_pad_matches_torch_pad(padding, sides, mode, torch_mode):
    image = transforms.ToTensor()(random_image(5, 6, 2))
    ours = transforms.Pad(padding, fill=0.25 if mode == "constant" else 0, padding_mode=mode)(image)
    options = {"value": 0.25} if mode == "constant" else {}
    left, top, right, bottom = sides  # torchvision's order; torch's pad wants (l, r, t, b)
    theirs = torch.nn.functional.pad(torch.from_numpy(image.numpy()), (left, right, top, bottom),
                                     mode=torch_mode, **options)
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_pad_symmetric_repeats_the_edge_pixel():
    image = numpy.array([[1, 2, 3, 4]], numpy.uint8)
    padded = transforms.Pad((2, 0), padding_mode="symmetric")(image)
    assert padded.tolist() == [[2, 1, 1, 2, 3, 4, 4, 3]]
    reflected = transforms.Pad((2, 0), padding_mode="reflect")(image)
    assert reflected.tolist() == [[3, 2, 1, 2, 3, 4, 3, 2]]


def test_pad_arrays_like_tensors_and_fill_per_channel():
    colour = random_image(3, 4, 3)
    padded = transforms.Pad((1, 2, 3, 4), fill=(10, 20, 30))(colour)  # left, top, right, bottom
    assert padded.shape == (3 + 2 + 4, 4 + 1 + 3, 3)
    numpy.testing.assert_array_equal(padded[2:5, 1:5], colour)
    assert padded[0, 0].tolist() == [10, 20, 30] and padded[-1, -1].tolist() == [10, 20, 30]
    as_tensor = transforms.Pad((1, 2, 3, 4), fill=(10, 20, 30))(edunet.tensor(colour.transpose(2, 0, 1)))
    numpy.testing.assert_array_equal(as_tensor.numpy(), padded.transpose(2, 0, 1))


@pytest.mark.parametrize("arguments, error", [
    ({"padding": (1, 2, 3)}, ValueError), ({"padding": 1, "padding_mode": "wrap"}, ValueError),
    ({"padding": "1"}, TypeError), ({"padding": 1, "fill": "white"}, TypeError)])
def test_padding_arguments_are_checked(arguments, error):
    with pytest.raises(error):
        transforms.Pad(**arguments)
    with pytest.raises(error):
        transforms.RandomCrop(4, **arguments)


# ---------------------------------------------------------------- crops
def window_position(window, padded):
    """(top, left) of ``window`` inside ``padded``: the one place where it fits."""
    height, width = window.shape[:2]
    places = [(top, left) for top in range(padded.shape[0] - height + 1)
              for left in range(padded.shape[1] - width + 1)
              if numpy.array_equal(padded[top:top + height, left:left + width], window)]
    assert len(places) == 1
    return places[0]


def test_random_crop_with_padding_is_a_uniform_window_of_the_padded_image():
    image = random_image(6, 6)
    padded = numpy.pad(image, 2)  # padding=2, fill 0
    crop = transforms.RandomCrop(6, padding=2)
    edunet.manual_seed(0)
    positions = [window_position(crop(image), padded) for _ in range(600)]
    assert set(positions) == {(top, left) for top in range(5) for left in range(5)}
    counts = numpy.bincount([top * 5 + left for top, left in positions], minlength=25)
    assert counts.min() > 8  # 24 expected per place
    edunet.manual_seed(0)
    assert [window_position(crop(image), padded) for _ in range(600)] == positions


def test_random_crop_on_tensors_and_pil_images():
    Image = pytest.importorskip("PIL.Image")
    colour = random_image(8, 9, 3)
    crop = transforms.RandomCrop((5, 4), padding=1, fill=7)
    edunet.manual_seed(4)
    from_array = crop(colour)
    edunet.manual_seed(4)
    from_tensor = crop(edunet.tensor(colour.transpose(2, 0, 1)))
    edunet.manual_seed(4)
    from_pil = crop(Image.fromarray(colour))
    assert from_array.shape == (5, 4, 3) and tuple(from_tensor.shape) == (3, 5, 4)
    numpy.testing.assert_array_equal(from_tensor.numpy(), from_array.transpose(2, 0, 1))
    numpy.testing.assert_array_equal(numpy.asarray(from_pil), from_array)


def test_random_crop_of_the_full_size_is_the_image():
    image = random_image(4, 5)
    numpy.testing.assert_array_equal(transforms.RandomCrop((4, 5))(image), image)


def test_random_crop_larger_than_the_image_is_an_error_unless_pad_if_needed():
    image = random_image(4, 5)
    with pytest.raises(ValueError, match=r"Required crop size \(6, 8\) is larger than input "
                                         r"image size \(4, 5\)"):
        transforms.RandomCrop((6, 8))(image)
    # pad_if_needed pads both sides by the shortfall: width 5 + 2 * 3, height 4 + 2 * 2.
    crop = transforms.RandomCrop((6, 8), pad_if_needed=True, fill=255)
    edunet.manual_seed(0)
    window = crop(image)
    padded = numpy.pad(image, ((2, 2), (3, 3)), constant_values=255)
    assert window.shape == (6, 8)
    window_position(window, padded)


def test_center_crop_follows_torchvisions_rounding_and_pads_small_images():
    image = numpy.arange(7 * 8, dtype=numpy.uint8).reshape(7, 8)
    # top = round((7 - 3) / 2) = 2, left = round((8 - 5) / 2) = round(1.5) = 2
    numpy.testing.assert_array_equal(transforms.CenterCrop((3, 5))(image), image[2:5, 2:7])
    small = numpy.ones((2, 3), numpy.uint8)
    padded = transforms.CenterCrop((4, 6))(small)  # pads 1 top/bottom, 1 left and 2 right
    expected = numpy.zeros((4, 6), numpy.uint8)
    expected[1:3, 1:4] = 1
    numpy.testing.assert_array_equal(padded, expected)


# ---------------------------------------------------------------- Compose, Lambda
def test_compose_applies_in_order_and_lambda_wraps_a_function():
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 2),
                                   transforms.Normalize((1.0,), (2.0,))])
    image = numpy.full((2, 2), 255, numpy.uint8)
    assert pipeline(image).numpy().tolist() == [[[0.5, 0.5], [0.5, 0.5]]]  # (1 * 2 - 1) / 2
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


# ---------------------------------------------------------------- devices
@pytest.mark.parametrize("transform", [
    transforms.Normalize((0.5, 0.25, 0.1), (0.5, 0.5, 2.0)),
    transforms.Normalize((0.5,), (0.5,), inplace=True),
    transforms.RandomHorizontalFlip(p=1.0),
    transforms.RandomVerticalFlip(p=1.0),
    transforms.Pad((1, 2), padding_mode="reflect"),
    transforms.Pad((1, 2, 0, 3), fill=0.5),
    transforms.CenterCrop(4),
    transforms.RandomCrop(5, padding=1, padding_mode="edge"),
], ids=repr)
def test_tensor_transforms_stay_on_the_tensors_device(transform, device):
    image = numpy.random.default_rng(5).random((3, 6, 7), dtype=numpy.float32)
    edunet.manual_seed(0)
    ours = transform(edunet.tensor(image, device=device))
    edunet.manual_seed(0)
    on_cpu = transform(edunet.tensor(image))
    assert ours.device.type == edunet.device(device).type
    numpy.testing.assert_array_equal(ours.cpu().numpy(), on_cpu.numpy())
