#!/usr/bin/python3
"""Writes tests/fixtures/torch/: five small PyTorch networks with random weights, each as
  <name>.state.safetensors     its state dict, exactly as module.state_dict() holds it
  <name>.expected.safetensors  a fixed batch, PyTorch's eval and train logits, the mean
                               cross-entropy and every weight's gradient of that step
  <name>.onnx                  torch.onnx.export of the eval-mode network
The engine's tests load them (tests/io/torch_parity.test.ts, tests/node/onnx.test.ts)
and compare against the same networks built from the zoo's pieces
(tests/fixtures/torch_models.ts names every layer as these modules do).
Beside them, lenet5, resnet20, plain20 and zfnet-mini .trajectory.safetensors: 5 training
steps of the zoo's networks with SGD and Adam on real Fashion-MNIST
(torch_trajectory.py; tests/io/torch_trajectory.test.ts).

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision python3-onnx):
  /usr/bin/python3 scripts/torch_fixtures.py              # all of them
  /usr/bin/python3 scripts/torch_fixtures.py resnet20.trajectory lenet5     # some, by file name
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.densenet import DenseNet
from torchvision.models.googlenet import BasicConv2d, Inception
from torchvision.models.resnet import BasicBlock

from torch_common import reference_step, save_safetensors
from torch_trajectory import TRAJECTORIES, write_trajectory


class LeNet5(nn.Module):
    """LeNet-5 as a PyTorch user writes it (conv1, conv2, fc1-fc3): loads into the zoo's
    lenet5 with a rename table."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


class ResidualStage(nn.Module):
    """A ResNet stem and one stage of two basic blocks, the first strided and projected."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        down = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
        self.layer1 = nn.Sequential(BasicBlock(8, 16, stride=2, downsample=down), BasicBlock(16, 16))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.layer1(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class InceptionModule(nn.Module):
    """A BasicConv2d stem and one inception module of torchvision's GoogLeNet."""

    def __init__(self):
        super().__init__()
        self.conv1 = BasicConv2d(3, 16, kernel_size=3, padding=1)
        self.inception3a = Inception(16, 8, 8, 12, 4, 6, 6)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.inception3a(self.conv1(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SeparableBlock(nn.Module):
    """A MobileNet v1 stem and two depthwise-separable blocks, named as the zoo's MobileNet (Keras' names)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.conv1_bn = nn.BatchNorm2d(8)
        self.conv_dw_1 = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.conv_dw_1_bn = nn.BatchNorm2d(8)
        self.conv_pw_1 = nn.Conv2d(8, 16, 1, bias=False)
        self.conv_pw_1_bn = nn.BatchNorm2d(16)
        self.conv_dw_2 = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16, bias=False)
        self.conv_dw_2_bn = nn.BatchNorm2d(16)
        self.conv_pw_2 = nn.Conv2d(16, 32, 1, bias=False)
        self.conv_pw_2_bn = nn.BatchNorm2d(32)
        self.predictions = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.conv1_bn(self.conv1(x)))
        for i in (1, 2):
            x = torch.relu(getattr(self, f"conv_dw_{i}_bn")(getattr(self, f"conv_dw_{i}")(x)))
            x = torch.relu(getattr(self, f"conv_pw_{i}_bn")(getattr(self, f"conv_pw_{i}")(x)))
        return self.predictions(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def dense_block():
    """torchvision's DenseNet with two small dense blocks (growth 6) and a transition."""
    return DenseNet(growth_rate=6, block_config=(3, 2), num_init_features=16, bn_size=4, num_classes=10)


# name: (make, input shape, batch, ONNX opset): the opsets span what PyTorch 1.13 writes.
FIXTURES = {
    "lenet5": (LeNet5, (1, 28, 28), 4, 11),
    "residual_stage": (ResidualStage, (3, 12, 12), 4, 13),
    "inception_module": (InceptionModule, (3, 10, 10), 4, 15),
    "dense_block": (dense_block, (3, 32, 32), 3, 17),
    "separable_block": (SeparableBlock, (3, 12, 12), 4, 12),
}


def perturb_batch_norm(model, generator):
    """Random running statistics and affine terms, so eval mode is not the identity and a swapped name shows."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
            m.num_batches_tracked.fill_(7)
    return model


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "torch")
    os.makedirs(out_dir, exist_ok=True)
    only = set(sys.argv[1:])
    names = set(FIXTURES) | {f"{t}.trajectory" for t in TRAJECTORIES}
    if only - names:
        raise SystemExit(f"torch_fixtures: no fixture {sorted(only - names)}; choose from {sorted(names)}")
    for name in TRAJECTORIES:
        if not only or f"{name}.trajectory" in only:
            write_trajectory(name, out_dir)
    for i, (name, (make, shape, batch, opset)) in enumerate(FIXTURES.items()):
        if only and name not in only:
            continue
        torch.manual_seed(100 + i)
        generator = torch.Generator().manual_seed(200 + i)
        model = make()
        with torch.no_grad():
            perturb_batch_norm(model, generator)
        x = torch.randn((batch, *shape), generator=generator)
        labels = torch.randint(0, 10, (batch,), generator=generator)
        state, expected = reference_step(model, x, labels)
        save_safetensors(os.path.join(out_dir, f"{name}.state.safetensors"), state)
        save_safetensors(os.path.join(out_dir, f"{name}.expected.safetensors"), expected, {"model": name, "torch": torch.__version__, "opset": str(opset)})
        torch.onnx.export(model, x, os.path.join(out_dir, f"{name}.onnx"), opset_version=opset, input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, opset {opset}")


if __name__ == "__main__":
    main()
