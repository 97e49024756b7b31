"""Every operation of the core exists where PyTorch has it: as a function, a method, or both."""

import pytest

import edunet

torch = pytest.importorskip("torch")

# The operations the core promises (issue: "Operations"), plus creation and conversion.
OPERATIONS = """
add sub mul div pow matmul neg abs exp log log1p sqrt sin cos tanh sigmoid relu clamp maximum
minimum where eq ne lt le gt ge sum mean max min argmax argmin prod var std logsumexp norm
reshape flatten squeeze unsqueeze permute transpose broadcast_to cat stack
split chunk gather masked_fill softmax log_softmax t unbind narrow index_select flip clone
detach square rsqrt sign floor ceil round amax amin all any isnan isinf isfinite
logical_not logical_and logical_or mm bmm mv dot floor_divide remainder true_divide
""".split()
CREATION = """
tensor zeros ones full empty arange linspace logspace eye rand randn randint randperm
zeros_like ones_like full_like empty_like rand_like randn_like randint_like from_numpy as_tensor
manual_seed no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled
get_default_dtype set_default_dtype promote_types result_type broadcast_shapes is_tensor numel
float32 float64 float16 int64 int32 int16 int8 uint8 bool float double half long int short
""".split()
METHODS = """
view expand repeat contiguous size dim numel item tolist numpy clone contiguous float double long int bool half to cpu cuda
backward detach detach_ requires_grad_ retain_grad register_hook add_ sub_ mul_ div_ zero_
fill_ copy_ clamp_ uniform_ normal_ masked_fill_ relu_ view_as reshape_as expand_as type_as
is_contiguous stride element_size is_floating_point new_zeros new_ones new_full new_tensor
""".split()


@pytest.mark.parametrize("name", OPERATIONS + CREATION)
def test_top_level_names_exist_where_torch_has_them(name):
    assert hasattr(torch, name), f"torch has no {name}: remove it from the list"
    assert hasattr(edunet, name), f"edunet.{name} is missing"


@pytest.mark.parametrize("name", OPERATIONS + METHODS)
def test_tensor_methods_exist_where_torch_has_them(name):
    if not hasattr(torch.Tensor, name):
        assert not hasattr(edunet.Tensor, name) or name in ("numpy",), name
        return
    assert hasattr(edunet.Tensor, name), f"Tensor.{name} is missing"
