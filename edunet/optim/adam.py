"""Adam and AdamW: adaptive moment estimation (``torch.optim.Adam``, ``torch.optim.AdamW``).

Adam keeps two running averages per parameter element:

- ``exp_avg`` (m), the mean of recent gradients: a momentum-like direction;
- ``exp_avg_sq`` (v), the mean of recent *squared* gradients: how large the
  gradient usually is.

Each element then steps by about ``lr * m / sqrt(v)``: roughly ``lr`` in the
direction the gradient keeps pointing, whatever the gradient's scale, so one
learning rate suits every layer. Both averages start at zero, which biases them
towards zero in the first steps; dividing by ``1 - beta ** step`` corrects that.

AdamW differs in one line: weight decay shrinks the parameter directly
(``p <- p * (1 - lr * weight_decay)``) instead of being added to the gradient,
where Adam's scaling by ``1 / sqrt(v)`` would weaken it for large-gradient weights.
"""

import math

from edunet.creation import tensor, zeros_like
from edunet.ops.elementwise import maximum
from edunet.optim.optimizer import Optimizer, check_implementation_options, check_numbers


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), with optional AMSGrad and weight decay.

    For each parameter ``p`` with gradient ``g``, step ``t`` (counting from 1) does

    .. math::
        g &\leftarrow -g \quad \text{(if maximize)} \\
        g &\leftarrow g + \lambda p \quad \text{(weight decay; with decoupled\_weight\_decay, }
            p \leftarrow p (1 - \text{lr} \cdot \lambda) \text{ instead)} \\
        m &\leftarrow \beta_1 m + (1 - \beta_1) g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        \hat v &\leftarrow \max(\hat v, v) \text{ if amsgrad, else } \hat v = v \\
        p &\leftarrow p - \frac{\text{lr}}{1 - \beta_1^t} \cdot
            \frac{m}{\sqrt{\hat v} / \sqrt{1 - \beta_2^t} + \epsilon}

    ``state[p]`` holds ``"step"`` (t, a float tensor as in PyTorch), ``"exp_avg"`` (m),
    ``"exp_avg_sq"`` (v) and, with amsgrad, ``"max_exp_avg_sq"`` (the largest v so far).

    Args:
        params: ``model.parameters()`` or a list of parameter groups (dicts).
        lr: learning rate (default 0.001).
        betas: (beta1, beta2), the decay rates of m and v (default (0.9, 0.999)).
        eps: added to the denominator so it is never zero (default 1e-8).
        weight_decay: lambda (default 0).
        amsgrad: divide by the largest v seen so far, so steps never grow back
            (Reddi et al., 2018).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: apply weight decay as AdamW does.
        foreach, capturable, differentiable, fused: accepted for PyTorch
            compatibility (see edunet/optim/optimizer.py).

    Example::

        optimizer = edunet.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_numbers(type(self).__name__, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_implementation_options(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, param, group):
        """One Adam update of one parameter (``Optimizer.step`` calls it for each
        parameter that has a gradient, under no_grad)."""
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        grad = -param.grad if group["maximize"] else param.grad
        state = self.state[param]
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        state["step"] += 1
        step = state["step"].item()

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # The running averages: m moves towards g, v towards g * g.
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        if group["amsgrad"]:
            state["max_exp_avg_sq"] = maximum(state["max_exp_avg_sq"], exp_avg_sq)
            exp_avg_sq = state["max_exp_avg_sq"]

        # Bias correction: m and v started at zero, so early on they are too small.
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        denominator = exp_avg_sq.sqrt().div_(math.sqrt(bias_correction2)).add_(group["eps"])
        param.addcdiv_(exp_avg, denominator, value=-lr / bias_correction1)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    The same as ``Adam(..., decoupled_weight_decay=True)``: before the Adam step,

    .. math::
        p \leftarrow p \, (1 - \text{lr} \cdot \lambda)

    instead of adding ``lambda * p`` to the gradient. Its default weight_decay is 0.01.
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
