import torch
import torch.nn as nn
from torchsummary import summary


class Model(nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.linear1 = nn.Linear(3, 3)
        nn.init.xavier_normal_(self.linear1.weight)
        nn.init.zeros_(self.linear1.bias)
        self.linear2 = nn.Linear(3, 2)
        nn.init.kaiming_normal_(self.linear2.weight, nonlinearity='relu')
        nn.init.zeros_(self.linear2.bias)
        self.out = nn.Linear(2, 2)
        self.sigmoid = nn.Sigmoid()
        self.relu = nn.ReLU()
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.relu(self.linear2(x))
        x = self.softmax(self.out(x))
        return x


model = Model()
print(model)
print(model.linear1.bias, model.linear2.bias.tolist())
data = torch.randn(5, 3)
output = model(data)
print(output.shape)
print(torch.allclose(output.sum(dim=1), torch.ones(5)))
summary(model, input_size=(3,), batch_size=5)
for name, parameter in model.named_parameters():
    print(name, parameter.shape)
print(sum(p.numel() for p in model.parameters()))
