import torch
from torch import nn


class AddOne(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, input):
        output = input + 1
        return output


model = AddOne()
x = torch.tensor([1.0])
output = model(x)
print(output)
print(model)
