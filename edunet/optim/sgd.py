"""SGD: stochastic gradient descent, with optional momentum (``torch.optim.SGD``).

Plain SGD steps every parameter against its gradient:

    p <- p - lr * g

Momentum keeps a running direction ``b`` (the "velocity") that remembers past
gradients, so steps speed up along directions that stay consistent and damp
out back-and-forth zig-zags:

    b <- momentum * b + (1 - dampening) * g        (the first step sets b = g)
    p <- p - lr * b
"""

from edunet.optim.optimizer import Optimizer, check_implementation_options, check_numbers


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov and weight decay.

    For each parameter ``p`` with gradient ``g``, one step does

    .. math::
        g &\leftarrow -g \quad \text{(if maximize)} \\
        g &\leftarrow g + \lambda p \quad \text{(weight decay } \lambda \text{)} \\
        b &\leftarrow \mu b + (1 - \tau) g \quad \text{(momentum } \mu \text{, dampening }
            \tau\text{; } b = g \text{ on the first step)} \\
        g &\leftarrow g + \mu b \text{ if nesterov, else } g \leftarrow b \\
        p &\leftarrow p - \text{lr} \cdot g

    ``state[p]["momentum_buffer"]`` holds ``b`` (only when momentum is non-zero).

    Args:
        params: ``model.parameters()`` or a list of parameter groups (dicts).
        lr: learning rate (default 0.001).
        momentum: momentum factor mu (default 0: plain SGD).
        dampening: tau, how much of each new gradient is left out of ``b`` (default 0).
        weight_decay: L2 penalty lambda (default 0).
        nesterov: look ahead along the momentum (Nesterov momentum); needs momentum > 0
            and dampening = 0.
        maximize: climb the objective instead of descending it.
        foreach, differentiable, fused: accepted for PyTorch compatibility
            (see edunet/optim/optimizer.py).

    Example::

        optimizer = edunet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    """

    def __init__(self, params, lr=0.001, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        check_numbers(type(self).__name__, lr=lr, momentum=momentum, dampening=dampening,
                      weight_decay=weight_decay)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_implementation_options(differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update(self, param, group):
        """One SGD update of one parameter (``Optimizer.step`` calls it for each parameter
        that has a gradient, under no_grad): p <- p - lr * (gradient, or momentum's step)."""
        grad = -param.grad if group["maximize"] else param.grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        if group["momentum"] != 0:
            grad = self._apply_momentum(param, grad, group)
        param.add_(grad, alpha=-group["lr"])

    def _apply_momentum(self, param, grad, group):
        """Update ``param``'s momentum buffer with ``grad``; return the step direction."""
        momentum = group["momentum"]
        state = self.state[param]
        buffer = state.get("momentum_buffer")
        if buffer is None:
            buffer = state["momentum_buffer"] = grad.clone()
        else:
            buffer.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
        if group["nesterov"]:
            return grad.add(buffer, alpha=momentum)
        return buffer
