"""Adagrad: per-element learning rates from the sum of all past squared gradients
(``torch.optim.Adagrad``; Duchi, Hazan & Singer, 2011).

Every element divides its step by the square root of the *sum* of its squared
gradients so far. Rarely-updated elements (e.g. embeddings of rare words) keep
large steps; frequently-updated ones slow down. Because the sum only grows, the
steps shrink forever; RMSprop and Adam replace the sum by a running average.
"""

from edunet.creation import full_like, tensor
from edunet.optim.optimizer import Optimizer, check_implementation_options, check_numbers


class Adagrad(Optimizer):
    r"""Adagrad, with optional learning-rate decay and weight decay.

    For each parameter ``p`` with gradient ``g``, step ``t`` (counting from 1) does

    .. math::
        g &\leftarrow -g \quad \text{(if maximize)} \\
        g &\leftarrow g + \lambda p \quad \text{(weight decay)} \\
        \text{clr} &= \text{lr} / (1 + (t - 1) \cdot \text{lr\_decay}) \\
        s &\leftarrow s + g^2 \\
        p &\leftarrow p - \text{clr} \cdot g / (\sqrt{s} + \epsilon)

    ``state[p]`` holds ``"step"`` (t) and ``"sum"`` (s, which starts at
    ``initial_accumulator_value``); unlike the other optimizers, it is created
    when the optimizer is, as in PyTorch.

    Args:
        params: ``model.parameters()`` or a list of parameter groups (dicts).
        lr: learning rate (default 0.01).
        lr_decay: how fast the learning rate decays with the step count (default 0).
        weight_decay: lambda (default 0).
        initial_accumulator_value: the starting value of s (default 0).
        eps: added to the denominator so it is never zero (default 1e-10).
        foreach, differentiable, fused: accepted for PyTorch compatibility
            (see edunet/optim/optimizer.py).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params, lr=0.01, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        check_numbers(type(self).__name__, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      eps=eps)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_implementation_options(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param)

    def _init_state(self, param):
        # Like PyTorch, the sum starts at the constructor's initial_accumulator_value,
        # even in a param group that sets its own (the group's value goes unused).
        state = self.state[param]
        state["step"] = tensor(0.0)
        state["sum"] = full_like(param, self.defaults["initial_accumulator_value"])

    def _update(self, param, group):
        """One Adagrad update of one parameter (``Optimizer.step`` calls it for each
        parameter that has a gradient, under no_grad)."""
        state = self.state[param]
        if not state:  # a parameter added later with add_param_group
            self._init_state(param)
        state["step"] += 1
        step = state["step"].item()
        grad = -param.grad if group["maximize"] else param.grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])

        decayed_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state["sum"].addcmul_(grad, grad, value=1)
        denominator = state["sum"].sqrt().add_(group["eps"])
        param.addcdiv_(grad, denominator, value=-decayed_lr)
