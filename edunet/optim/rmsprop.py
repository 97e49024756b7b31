"""RMSprop: divide each gradient by a running root-mean-square of recent gradients
(``torch.optim.RMSprop``; Hinton's lecture notes, 2012).

Elements whose gradients are usually large take small steps and elements whose
gradients are usually small take larger ones, so a single learning rate works
across very differently scaled parameters. Adam is RMSprop plus momentum on the
numerator and bias correction.
"""

from edunet.creation import tensor, zeros_like
from edunet.optim.optimizer import Optimizer, check_implementation_options, check_numbers


class RMSprop(Optimizer):
    r"""RMSprop, with optional momentum, centering and weight decay.

    For each parameter ``p`` with gradient ``g``, one step does

    .. math::
        g &\leftarrow -g \quad \text{(if maximize)} \\
        g &\leftarrow g + \lambda p \quad \text{(weight decay)} \\
        v &\leftarrow \alpha v + (1 - \alpha) g^2 \\
        d &\leftarrow \sqrt{v} + \epsilon, \text{ or if centered: }
            \bar g \leftarrow \alpha \bar g + (1 - \alpha) g, \;
            d \leftarrow \sqrt{v - \bar g^2} + \epsilon \\
        b &\leftarrow \mu b + g / d, \; p \leftarrow p - \text{lr} \cdot b
            \quad \text{if momentum } \mu > 0, \text{ else }
            p \leftarrow p - \text{lr} \cdot g / d

    Centering divides by an estimate of the gradient's standard deviation instead
    of its root mean square. ``state[p]`` holds ``"step"``, ``"square_avg"`` (v),
    ``"momentum_buffer"`` (b, if momentum > 0) and ``"grad_avg"`` (g bar, if centered).

    Args:
        params: ``model.parameters()`` or a list of parameter groups (dicts).
        lr: learning rate (default 0.01).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator so it is never zero (default 1e-8).
        weight_decay: lambda (default 0).
        momentum: momentum factor mu (default 0).
        centered: normalize by the estimated variance of the gradient.
        capturable, foreach, differentiable: accepted for PyTorch compatibility
            (see edunet/optim/optimizer.py).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_numbers(type(self).__name__, lr=lr, alpha=alpha, eps=eps,
                      weight_decay=weight_decay, momentum=momentum)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        check_implementation_options(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param, group):
        """One RMSprop update of one parameter (``Optimizer.step`` calls it for each
        parameter that has a gradient, under no_grad)."""
        alpha, momentum = group["alpha"], group["momentum"]
        grad = -param.grad if group["maximize"] else param.grad
        state = self.state[param]
        if not state:
            state["step"] = tensor(0.0)
            state["square_avg"] = zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        state["step"] += 1

        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])

        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            variance = square_avg - grad_avg * grad_avg
            denominator = variance.sqrt_().add_(group["eps"])
        else:
            denominator = square_avg.sqrt().add_(group["eps"])

        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer.mul_(momentum).addcdiv_(grad, denominator)
            param.add_(buffer, alpha=-group["lr"])
        else:
            param.addcdiv_(grad, denominator, value=-group["lr"])
