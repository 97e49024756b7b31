"""print(model) gives exactly PyTorch's text for every model in the course."""

import pytest

import edunet

torch = pytest.importorskip("torch")


def three_three_two_two(nn):
    return nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.ReLU(),
                         nn.Linear(2, 2), nn.Softmax(dim=1))


def binary_classifier(nn):
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                         nn.Linear(32, 1), nn.Sigmoid())


def cifar_cnn(nn):
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(1024, 64), nn.Linear(64, 10))


def lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.AvgPool2d(2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def batchnorm_mlp(nn):
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def fashion_cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout2d(0.25), nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10), nn.LogSoftmax(dim=1))


def class_based(nn):
    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                nn.Linear(512, 10))
            self.heads = nn.ModuleList([nn.Linear(10, 2) for _ in range(3)])
            self.extras = nn.ModuleDict({"gelu": nn.GELU(), "leaky": nn.LeakyReLU(0.2),
                                         "elu": nn.ELU(), "silu": nn.SiLU(), "tanh": nn.Tanh(),
                                         "softplus": nn.Softplus(), "identity": nn.Identity()})
            self.norms = nn.ModuleList([nn.LayerNorm(10), nn.GroupNorm(2, 4), nn.Embedding(10, 3, padding_idx=0)])
            self.pools = nn.ModuleList([nn.AdaptiveAvgPool2d((1, 1)), nn.AdaptiveMaxPool2d(2),
                                        nn.MaxPool1d(3, stride=2), nn.MaxPool2d(3, stride=2, ceil_mode=True),
                                        nn.Conv1d(4, 8, 3, stride=2), nn.ConvTranspose2d(8, 4, 2, stride=2)])

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def recurrent(nn):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(100, 32)
            self.lstm = nn.LSTM(32, 64, num_layers=2, batch_first=True, dropout=0.2, bidirectional=True)
            self.gru = nn.GRU(32, 16)
            self.rnn = nn.RNN(32, 16, nonlinearity="relu")
            self.head = nn.Linear(128, 5)

    return Tagger()


def losses(nn):
    return nn.ModuleList([nn.CrossEntropyLoss(), nn.MSELoss(), nn.L1Loss(reduction="sum"),
                          nn.BCEWithLogitsLoss(), nn.NLLLoss(), nn.SmoothL1Loss(beta=0.5),
                          nn.HuberLoss(), nn.KLDivLoss(reduction="batchmean"), nn.BCELoss()])


@pytest.mark.parametrize("build", [three_three_two_two, binary_classifier, cifar_cnn, lenet, batchnorm_mlp,
                                   fashion_cnn, class_based, recurrent, losses])
def test_print_model_matches_torch(build):
    ours, theirs = build(edunet.nn), build(torch.nn)
    assert str(ours) == str(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
