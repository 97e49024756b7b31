import torch
from torch import nn
from torch.nn import ReLU, Sigmoid

input = torch.tensor([[1, -0.5],
                      [-1, 3]])
input = torch.reshape(input, (-1, 1, 2, 2))
print(input.shape)


class Activations(nn.Module):
    def __init__(self):
        super(Activations, self).__init__()
        self.relu1 = ReLU()
        self.sigmoid1 = Sigmoid()

    def forward(self, input):
        return self.relu1(input), self.sigmoid1(input)


relu_output, sigmoid_output = Activations()(input)
print(relu_output)
print(sigmoid_output)

x = torch.tensor([-1.0, 2.0])
y = ReLU(inplace=True)(x)
print(x)
print(ReLU(inplace=True), Sigmoid())
