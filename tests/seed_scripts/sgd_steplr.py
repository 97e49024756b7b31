import torch
from torch import nn
from torch.optim.lr_scheduler import StepLR

inputs = torch.tensor([[1.0, 2.0], [2.0, 0.5], [-1.0, 1.5], [0.5, -2.0]])
targets = torch.tensor([[1.0], [0.0], [2.0], [-1.0]])

model = nn.Linear(2, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.3, -0.2]]))
    model.bias.fill_(0.1)

loss_fn = nn.MSELoss()
optim = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = StepLR(optim, step_size=2, gamma=0.5)

for epoch in range(6):
    running_loss = 0.0
    for x, y in zip(inputs, targets):
        output = model(x.unsqueeze(0))
        result_loss = loss_fn(output, y.unsqueeze(0))
        optim.zero_grad()
        result_loss.backward()
        optim.step()
        running_loss = running_loss + result_loss.item()
    scheduler.step()
    print(f"epoch {epoch}: loss {running_loss:.4f}, lr {scheduler.get_last_lr()[0]:.4f}")

print(optim)
print(model.weight.shape, model.bias.shape)
