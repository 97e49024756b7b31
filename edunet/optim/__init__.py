"""``edunet.optim``: optimizers and learning-rate schedulers, as ``torch.optim``.

    from edunet import optim
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

Every optimizer is one short file with its update rule written out:
optimizer.py (the base class), sgd.py, adam.py (Adam, AdamW), rmsprop.py, adagrad.py.
"""

from edunet.optim import lr_scheduler
from edunet.optim.adagrad import Adagrad
from edunet.optim.adam import Adam, AdamW
from edunet.optim.optimizer import Optimizer
from edunet.optim.rmsprop import RMSprop
from edunet.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
