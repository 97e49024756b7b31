"""Images, with torchvision's layout: ``edunet.vision.datasets`` and ``edunet.vision.transforms``.

    from edunet.vision import datasets, transforms

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    train_set = datasets.FashionMNIST("data", train=True, download=True, transform=transform)
    sample_set = datasets.FashionMNIST.sample(transform=transform)   # bundled, no network

Code written for torchvision runs after ``from edunet import vision as torchvision``.
"""

from edunet.vision import datasets, transforms

__all__ = ["datasets", "transforms"]
