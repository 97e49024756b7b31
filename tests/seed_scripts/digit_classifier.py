import torch
import torch.nn as nn


class DigitClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.bn1 = nn.BatchNorm1d(512)
        self.fc2 = nn.Linear(512, 256)
        self.bn2 = nn.BatchNorm1d(256)
        self.fc3 = nn.Linear(256, 128)
        self.fc4 = nn.Linear(128, 10)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.3)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = self.dropout(self.relu(self.bn1(self.fc1(x))))
        x = self.dropout(self.relu(self.bn2(self.fc2(x))))
        x = self.relu(self.fc3(x))
        return self.fc4(x)


model = DigitClassifier()
print(model)
images = torch.randn(64, 1, 28, 28)
logits = model(images)
print(logits.shape, logits.dtype)
model.eval()
with torch.no_grad():
    print(model(images[:3]).shape)
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
