"""Training-trajectory fixtures (written by torch_fixtures.py; `npm run fixtures:torch`):
the zoo's lenet5, resnet20, plain20 and zfnet-mini written as PyTorch modules under the
zoo's own names (zfnet-mini with its dropout at 0, as check:torch --train runs it),
trained for 5 steps of 16 real Fashion-MNIST images with SGD (momentum 0.9) and Adam from
weights both sides compute from the same integer hash (no weight file: resnet20's would
be over 1 MB), so that tests/io/torch_trajectory.test.ts can compare the engine's
trajectory without PyTorch. Each <name>.trajectory.safetensors holds

  images, labels        the 80 images (U8 pixels; the input is pixel / 255) and labels
  loss.<opt>            each step's mean cross-entropy, before that step's update, in float64
  lossnoise.<opt>       each step's float32 spread: the largest relative loss difference of
                        PyTorch's float32 runs (below) from the float64 run
  absmax.<opt>.<key>    the largest |value| of every state-dict tensor after the last step (float64 run)
  sample.<opt>.<key>    the tensor after the last step at SAMPLE evenly spaced indices
                        (every value of a tensor of at most SAMPLE values), float64 run
  noise.<opt>.<key>     its float32 spread: the largest |float32 run - float64 run| at the samples / absmax

The reference is the float64 run. The float32 spread is what float32 alone does to the
trajectory: PyTorch's float32 runs on one thread, on two (another summation order), with
the input and with one weight moved by one unit in the last place. For lenet5 it stays
under 1e-5; resnet20 amplifies such differences about a hundredfold a step from the third
(its loss at step 4 differs by 2e-3 between PyTorch on one thread and on two, and its
batch-norm shifts, whose gradients are sums that cancel, by a third), so the test allows
ours four times the spread, and at least 1e-4.

Initial weights (hash_init, mirrored by tests/helpers/hash_init.ts): every convolution and
linear weight and bias uniform in [-b, b), b = 1 / sqrt(fan_in), from a 32-bit hash of the
key and the index; batch norm at PyTorch's defaults (weight 1, bias 0, mean 0, var 1).
"""
import gzip
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock

from torch_common import save_safetensors

STEPS = 5
BATCH = 16
SAMPLE = 512
OPTIMIZERS = {"sgd": 0.01, "adam": 0.001}
M32 = 0xFFFFFFFF


def _mix(x):
    x &= M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    x ^= x >> 16
    return x


def fnv1a(text):
    h = 0x811C9DC5
    for b in text.encode():
        h ^= b
        h = (h * 0x01000193) & M32
    return h


def hash_uniform(key, n):
    """n values in [0, 1): mix(i * 0x9e3779b9 + mix(fnv1a(key))) / 2^32, as float64."""
    seed = _mix(fnv1a(key))
    return [_mix(((i * 0x9E3779B9) & M32) + seed) / 4294967296.0 for i in range(n)]


def hash_init(model):
    """Writes the hash weights into `model` (see the module's note)."""
    fans = {}
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fans[name] = m.weight[0].numel()
    with torch.no_grad():
        for key, p in model.named_parameters():
            module = key.rsplit(".", 1)[0]
            if module not in fans:
                continue  # batch norm keeps PyTorch's defaults
            bound = 1 / math.sqrt(fans[module])
            values = torch.tensor([(2 * u - 1) * bound for u in hash_uniform(key, p.numel())], dtype=torch.float64)
            p.copy_(values.reshape(p.shape).float())
    return model


class Lenet5(nn.Module):
    """The zoo's lenet5 (src/nn/zoo.ts) under its names: conv 5x5 (6, padded) - pool - conv 5x5 (16) - pool - 120 - 84 - 10, ReLU."""

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2d_2 = nn.Conv2d(6, 16, 5)
        self.dense_1 = nn.Linear(400, 120)
        self.dense_2 = nn.Linear(120, 84)
        self.dense_3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2d_1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2d_2(x)), 2)
        x = torch.flatten(x, 1)
        return self.dense_3(F.relu(self.dense_2(F.relu(self.dense_1(x)))))


class Resnet20(nn.Module):
    """The zoo's resnet20 (src/nn/models/resnet.ts): He et al.'s CIFAR ResNet of torchvision's
    basic blocks, 16/32/64 channels, three blocks a stage, 1x1 projections where the shape changes."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers = []
        channels = 16
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for j in range(3):
                s = stride if j == 0 else 1
                down = None
                if s != 1 or channels != width:
                    down = nn.Sequential(nn.Conv2d(channels, width, 1, stride=s, bias=False), nn.BatchNorm2d(width))
                blocks.append(BasicBlock(channels, width, stride=s, downsample=down))
                channels = width
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class PlainBlock(nn.Module):
    """torchvision's BasicBlock without the shortcut: conv1 - bn1 - ReLU - conv2 - bn2 - ReLU."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class Plain20(nn.Module):
    """The zoo's plain20 (src/nn/models/resnet.ts): resnet20's layers without the shortcuts."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers = []
        channels = 16
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            layers.append(nn.Sequential(*[PlainBlock(channels if j == 0 else width, width, stride if j == 0 else 1) for j in range(3)]))
            channels = width
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ZfnetMini(nn.Module):
    """The zoo's zfnet-mini (src/nn/models/zfnet.ts) without dropout: conv 5x5 (32) - 3x3/2
    ceil-mode pool - LRN (5, 1e-4, 0.75, 2) - conv 5x5 (64) - pool - LRN - 3x3 convs 96, 96,
    64 - pool - FC 256, 256, 10, ReLU; features.{i} and classifier.{i} as the zoo names them."""

    def __init__(self):
        super().__init__()
        pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # noqa: E731
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), pool(), lrn(),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), pool(), lrn(),
            nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 64, 3, padding=1), nn.ReLU(), pool(),
        )  # fmt: skip
        self.classifier = nn.Sequential(
            nn.Identity(), nn.Linear(576, 256), nn.ReLU(), nn.Identity(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
        )  # fmt: skip

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


TRAJECTORIES = {"lenet5": Lenet5, "resnet20": Resnet20, "plain20": Plain20, "zfnet-mini": ZfnetMini}


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    (magic,) = struct.unpack(">I", data[:4])
    dims = [struct.unpack(">I", data[4 + 4 * i : 8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return torch.frombuffer(bytearray(data[4 + 4 * len(dims) :]), dtype=torch.uint8).reshape(dims)


def fashion_mnist(count, folder=None):
    """The first `count` training images ([count, 1, 28, 28] uint8) and labels of Fashion-MNIST."""
    folder = folder or os.path.join(os.environ.get("DATASETS_DIR", "/usr/share/datasets"), "fashion-mnist")
    images = _idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))[:count]
    labels = _idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))[:count]
    return images.reshape(count, 1, 28, 28).clone(), labels.long().clone()


def sample_indices(n):
    return list(range(n)) if n <= SAMPLE else [(j * n) // SAMPLE for j in range(SAMPLE)]


def train(name, opt_name, lr, x, labels, dtype, threads=1, nudge=False):
    """STEPS steps from the hash weights in `dtype` on `threads` threads (`nudge`: the first
    weight one unit in the last place up): the losses and the state after the last step (float64)."""
    torch.set_num_threads(threads)
    model = hash_init(TRAJECTORIES[name]())
    if nudge:
        with torch.no_grad():
            first = next(model.parameters()).view(-1)
            first[0] = float(torch.nextafter(first[0], torch.tensor(float("inf"))))
    model = model.to(dtype)
    model.train()
    if opt_name == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for k in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(model(x[k * BATCH : (k + 1) * BATCH].to(dtype)), labels[k * BATCH : (k + 1) * BATCH])
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses, {key: v.detach().double().clone() for key, v in model.state_dict().items() if not key.endswith("num_batches_tracked")}


def write_trajectory(name, out_dir):
    pixels, labels = fashion_mnist(STEPS * BATCH)
    x = (pixels.double() / 255).float()  # the input is float32 on both sides (pixel / 255, rounded)
    out = {"images": pixels, "labels": labels.float()}
    for opt_name, lr in OPTIMIZERS.items():
        losses, state = train(name, opt_name, lr, x, labels, torch.float64)
        variants = [
            train(name, opt_name, lr, x, labels, torch.float32),
            train(name, opt_name, lr, x, labels, torch.float32, threads=2),
            train(name, opt_name, lr, x * (1 + 2**-23), labels, torch.float32),
            train(name, opt_name, lr, x, labels, torch.float32, nudge=True),
        ]
        out[f"loss.{opt_name}"] = torch.tensor(losses, dtype=torch.float64)
        out[f"lossnoise.{opt_name}"] = torch.tensor([max(abs(v[0][k] - losses[k]) / abs(losses[k]) for v in variants) for k in range(STEPS)], dtype=torch.float32)
        worst = (0.0, "")
        for key, v in state.items():
            flat = v.reshape(-1)
            idx = sample_indices(flat.numel())
            absmax = flat.abs().max()
            noise = max(float((s[key].reshape(-1)[idx] - flat[idx]).abs().max() / absmax.clamp_min(1e-30)) for _, s in variants)
            worst = max(worst, (noise, key))
            out[f"absmax.{opt_name}.{key}"] = absmax.reshape(1)
            out[f"sample.{opt_name}.{key}"] = flat[idx].clone()
            out[f"noise.{opt_name}.{key}"] = torch.tensor([noise], dtype=torch.float32)
        spread = ", ".join(f"{e:.0e}" for e in out[f"lossnoise.{opt_name}"].tolist())
        print(f"{name} {opt_name}: loss {losses[0]:.4f} -> {losses[-1]:.4f}; float32 spread: loss {spread}, tensors up to {worst[0]:.1e} ({worst[1]})")
    save_safetensors(
        os.path.join(out_dir, f"{name}.trajectory.safetensors"),
        out,
        {"model": name, "torch": torch.__version__, "steps": str(STEPS), "batch": str(BATCH), "lr": ",".join(f"{k}:{v}" for k, v in OPTIMIZERS.items())},
    )
