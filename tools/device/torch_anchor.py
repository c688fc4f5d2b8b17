"""The device pack's native anchor (run.sh's native phase, where python3 has PyTorch and CUDA):
the bench's GEMMs, convolution passes, training steps and predictions timed in PyTorch on
the same GPU, under the same case names as tools/device/device_bench.ts, so the bench can
put ours as a fraction of native. f32 throughout with TF32 off (the engine computes in f32);
the TF32 GEMMs are timed beside them, named *-tf32. Each case: warm-up, then the median of
timed runs, each ending with the result on the host as ours does (a readback, or the loss).

usage: python3 torch_anchor.py --out native.json [--mode smoke|full] [--cap SECONDS] [--device cuda|cpu]
(--device cpu only checks the script where there is no GPU.)
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


class Basic(nn.Module):
    """torchvision's BasicBlock, with a 1x1 projection where the shape changes (the zoo's resnet20)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (x if self.down is None else self.down(x)))


def resnet20():
    layers = [nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for i, width in enumerate([16, 32, 64]):
        for j in range(3):
            layers.append(Basic(cin, width, 2 if i > 0 and j == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def median_ms(fn, runs=10, warmup=3):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--cap", type=float, default=60)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    deadline = time.time() + max(args.cap - 8, args.cap / 2)
    dev = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    report = {
        "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "note": "f32 with TF32 off unless the name ends in -tf32; median ms of 10 runs after 3 warm-ups, each ending on the host",
        "cases": {},
        "complete": False,
    }

    def save():
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(report, f, indent=2)
        os.replace(tmp, args.out)

    def case(name, fn):
        if time.time() > deadline:
            report.setdefault("stoppedAt", f"time cap ({args.cap} s) reached before {name}")
            return
        report["cases"][name] = median_ms(fn)
        print(f"[native] {name:<28} {report['cases'][name]:9.3f} ms", flush=True)
        save()

    def tf32(on):
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on

    tf32(False)
    sizes = [1024, 2048, 4096] if args.mode == "full" else [128]
    for n in sizes:
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        case(f"matmul-{n}", lambda: (a @ b)[0, 0].item())
        tf32(True)
        case(f"matmul-{n}-tf32", lambda: (a @ b)[0, 0].item())
        tf32(False)

    convs = [("conv-vgg", [8, 64, 56, 56], 64, 3, 1), ("conv-resnet50-3x3", [8, 128, 28, 28], 128, 3, 1), ("conv-mobilenet-pw", [8, 128, 28, 28], 128, 1, 0)]
    if args.mode != "full":
        convs = [("conv-lenet2", [8, 6, 14, 14], 16, 5, 0)]
    for name, xs, o, k, pad in convs:
        x = torch.randn(*xs, device=dev)
        w = torch.randn(o, xs[1], k, k, device=dev)
        y = F.conv2d(x, w, padding=pad)
        dy = torch.randn_like(y)
        case(f"{name}-fwd", lambda: F.conv2d(x, w, padding=pad)[0, 0, 0, 0].item())
        if args.mode == "full":
            case(f"{name}-grad-input", lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, padding=pad)[0, 0, 0, 0].item())
            case(f"{name}-grad-filter", lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=pad)[0, 0, 0, 0].item())

    steps = [("lenet5", lenet5, 64), ("resnet20", resnet20, 16), ("resnet20", resnet20, 64)] if args.mode == "full" else [("lenet5", lenet5, 16)]
    for key, make, batch in steps:
        model = make().to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.randn(batch, 1, 28, 28, device=dev)
        labels = torch.arange(batch, device=dev) % 10

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels)
            loss.backward()
            opt.step()
            return loss.item()

        case(f"{key}-train-step-b{batch}", step)

    predicts = [("lenet5", 1), ("lenet5", 64), ("resnet18", 1), ("resnet18", 64)] if args.mode == "full" else [("lenet5", 1)]
    for key, batch in predicts:
        if key == "resnet18":
            import torchvision

            model = torchvision.models.resnet18(num_classes=1000).to(dev).eval()
            x = torch.randn(batch, 3, 224, 224)
        else:
            model = lenet5().to(dev).eval()
            x = torch.randn(batch, 1, 28, 28)

        def predict():
            with torch.no_grad():
                return model(x.to(dev)).cpu()

        case(f"{key}-predict-b{batch}", predict)

    report["complete"] = "stoppedAt" not in report
    save()


if __name__ == "__main__":
    main()
