"""End to end: a small CNN trained for one epoch on the bundled Fashion-MNIST sample learns."""

import edunet
from edunet import nn, optim
from edunet.utils.data import DataLoader, random_split
from edunet.vision import datasets, transforms


def test_a_small_cnn_learns_fashion_mnist_in_one_epoch():
    edunet.manual_seed(0)
    sample = datasets.FashionMNIST.sample(transform=transforms.Compose([
        transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))]))
    train_set, test_set = random_split(sample, [1600, 400], generator=edunet.Generator().manual_seed(0))
    model = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 8 x 14 x 14
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 7 x 7
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loss_function = nn.CrossEntropyLoss()

    model.train()
    losses = []
    for images, labels in DataLoader(train_set, batch_size=32, shuffle=True):
        optimizer.zero_grad()
        loss = loss_function(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    model.eval()
    correct = 0
    with edunet.no_grad():
        for images, labels in DataLoader(test_set, batch_size=100):
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    accuracy = correct / len(test_set)
    assert sum(losses[-10:]) / 10 < sum(losses[:10]) / 10, "the loss did not go down"
    assert accuracy > 0.6, f"test accuracy {accuracy:.2f} after one epoch (chance is 0.10)"
