#!/usr/bin/python3
"""Trains a model of this engine with PyTorch's DistributedDataParallel and hands it back.

  torchrun --nproc_per_node 2 examples/torch-ddp/train_ddp.py \
      --state lenet5.safetensors --onnx lenet5.onnx --out lenet5-ddp.safetensors --steps 20

--state is a state dict of `npm run train -- --export-torch FILE` (PyTorch's names and
layouts). The network it goes into is torchvision's where torchvision has the model
(--model resnet18, vgg16, densenet121, ...: torchvision's module paths are the zoo's
layer names; a first convolution or a head of another shape than torchvision's default is
rebuilt at the file's shape), else scripts/torch_onnx_net.OnnxNet built from the
`--export-onnx FILE` export (--onnx), whose module paths are the same state-dict names.

Every process (one per --nproc_per_node, on each of --nnodes machines) takes its share of
Fashion-MNIST's training images through a DistributedSampler; DDP averages the gradients
(gloo on the CPU here; --backend nccl on GPUs). Rank 0 prints the cross-entropy on a fixed
held-out batch (the first --eval-batch test images, eval mode) before and after, and
writes the trained state dict (safetensors, the same names) to --out, which
`npm run train -- --model KEY --init FILE` continues from.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from torch_common import load_safetensors, save_safetensors  # noqa: E402

# Zoo keys torchvision builds with the same state-dict names (scripts/torchvision_keys.py).
TORCHVISION = {
    "alexnet-torchvision": ("alexnet", {}),
    "vgg11": ("vgg11", {}),
    "vgg13": ("vgg13", {}),
    "vgg16": ("vgg16", {}),
    "vgg19": ("vgg19", {}),
    "vgg16-bn": ("vgg16_bn", {}),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False}),
    "resnet18": ("resnet18", {}),
    "resnet34": ("resnet34", {}),
    "resnet50": ("resnet50", {}),
    "resnet101": ("resnet101", {}),
    "resnet152": ("resnet152", {}),
    "densenet121": ("densenet121", {}),
    "densenet169": ("densenet169", {}),
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(folder, split, limit, channels, size):
    """Images as the engine reads them: values / 255 in [0, 1], N x C x H x W (zero-padded
    evenly to `size`, grey repeated to `channels`), labels int64. Not yet normalised."""
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))[:limit]
    y = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))[:limit]
    x = torch.from_numpy(x.astype(np.float32) / 255).unsqueeze(1)
    if size > x.shape[-1]:
        p = (size - x.shape[-1]) // 2
        x = F.pad(x, (p, size - x.shape[-1] - p, p, size - x.shape[-1] - p))
    if channels > 1:
        x = x.repeat(1, channels, 1, 1)
    return x, torch.from_numpy(y.astype(np.int64))


def fit_shapes(model, state):
    """Rebuilds each Conv2d and Linear of a torchvision model whose weight has another shape
    in `state` (a one-channel first convolution, a 10-class head) at the file's shape."""
    for name, module in list(model.named_modules()):
        w = state.get(f"{name}.weight")
        if w is None or not isinstance(module, (nn.Conv2d, nn.Linear)) or tuple(w.shape) == tuple(module.weight.shape):
            continue
        bias = module.bias is not None
        if isinstance(module, nn.Linear):
            new = nn.Linear(w.shape[1], w.shape[0], bias=bias)
        else:
            m = module
            new = nn.Conv2d(w.shape[1] * m.groups, w.shape[0], m.kernel_size, m.stride, m.padding, m.dilation, m.groups, bias)
        parent = model
        *path, last = name.split(".")
        for p in path:
            parent = getattr(parent, p)
        setattr(parent, last, new)


def build(args, state):
    if args.model in TORCHVISION:
        import torchvision.models as tv

        fn, kwargs = TORCHVISION[args.model]
        model = getattr(tv, fn)(**kwargs)
        fit_shapes(model, state)
        return model, f"torchvision.models.{fn}"
    if not args.onnx:
        raise SystemExit(f"train_ddp: torchvision has no '{args.model}'; give its --export-onnx file as --onnx")
    from torch_onnx_net import OnnxNet

    return OnnxNet(args.onnx), f"OnnxNet({os.path.basename(args.onnx)})"


def held_out_loss(model, x, y):
    was = model.training
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = float(F.cross_entropy(out, y))
        accuracy = float((out.argmax(1) == y).float().mean())
    model.train(was)
    return loss, accuracy


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", required=True, help="the --export-torch state dict (safetensors)")
    ap.add_argument("--onnx", help="the --export-onnx file (for models torchvision lacks)")
    ap.add_argument("--model", default="lenet5", help="the zoo key (torchvision's network where it has one)")
    ap.add_argument("--out", required=True, help="where rank 0 writes the trained state dict")
    ap.add_argument("--data", default=os.environ.get("DATASETS_DIR", "/usr/share/datasets") + "/fashion-mnist")
    ap.add_argument("--steps", type=int, default=20, help="optimizer steps (each a batch on every process)")
    ap.add_argument("--batch", type=int, default=32, help="images per process and step")
    ap.add_argument("--limit", type=int, default=4096, help="training images to draw from")
    ap.add_argument("--eval-batch", type=int, default=256, help="the held-out batch: the first N test images")
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--metrics", help="the exporting run's metrics.json: its normalization (mean, std) is used")
    ap.add_argument("--mean", type=float, help="normalise as (x - mean) / std (default: the --limit training images', as npm run train does)")
    ap.add_argument("--std", type=float)
    ap.add_argument("--size", type=int, default=0, help="pad the 28x28 images to this side (0: the model's own)")
    ap.add_argument("--backend", default="gloo", help="gloo (CPU) or nccl (GPUs: one per process)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="rank 0 also writes its figures here")
    args = ap.parse_args()

    dist.init_process_group(args.backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local}" if args.backend == "nccl" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    else:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", world))))
    torch.manual_seed(args.seed)

    state = load_safetensors(args.state)
    model, kind = build(args, state)
    model.load_state_dict(state, strict=True)  # every tensor, by name, or an error naming it
    model.to(device)
    first = next(w for k, w in state.items() if k.endswith(".weight") and w.dim() == 4)
    channels = first.shape[1]
    size = args.size or 28

    x, y = fashion_mnist(args.data, "train", args.limit, channels, size)
    hx, hy = fashion_mnist(args.data, "test", args.eval_batch, channels, size)
    # The engine normalises both splits with its training split's mean and standard deviation
    # (metrics.json's normalization); the weights expect inputs so normalised.
    mean, std = float(x.double().mean()), float(x.double().std(unbiased=False))
    if args.metrics:
        with open(args.metrics) as f:
            norm = json.load(f)["normalization"]
        mean, std = norm["mean"], norm["std"]
    mean = args.mean if args.mean is not None else mean
    std = args.std if args.std is not None else std
    x, hx = (x - mean) / std, (hx - mean) / std
    hx, hy = hx.to(device), hy.to(device)
    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=True)
    loader = DataLoader(data, batch_size=args.batch, sampler=sampler, drop_last=True)

    ddp = DistributedDataParallel(model, device_ids=[local] if device.type == "cuda" else None)
    params = ddp.parameters()
    opt = torch.optim.Adam(params, lr=args.lr) if args.optimizer == "adam" else torch.optim.SGD(params, lr=args.lr, momentum=0.9)

    before = held_out_loss(model, hx, hy)
    if rank == 0:
        print(f"train_ddp: {args.model} as {kind}: {len(state)} tensors loaded from {args.state}; {world} processes ({args.backend}), {args.steps} steps of {args.batch} images each; inputs (x - {mean:.4f}) / {std:.4f}")
        print(f"train_ddp: held-out loss before {before[0]:.4f} (accuracy {before[1]:.4f}, first {len(hy)} test images)")
    start = time.time()
    step, epoch = 0, 0
    ddp.train()
    while step < args.steps:
        sampler.set_epoch(epoch)
        for xs, ys in loader:
            opt.zero_grad()
            loss = F.cross_entropy(ddp(xs.to(device)), ys.to(device))
            loss.backward()  # DDP all-reduces (averages) the gradients here
            opt.step()
            step += 1
            if rank == 0 and (step % 5 == 0 or step == args.steps):
                print(f"train_ddp: step {step}/{args.steps} loss {float(loss):.4f}")
            if step == args.steps:
                break
        epoch += 1
    seconds = time.time() - start
    after = held_out_loss(model, hx, hy)
    if rank == 0:
        out = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        save_safetensors(args.out, out)
        print(f"train_ddp: held-out loss after {after[0]:.4f} (accuracy {after[1]:.4f}); {seconds:.1f} s of training")
        print(f"train_ddp: wrote {len(out)} tensors to {args.out}")
        if args.json:
            figures = {
                "model": args.model,
                "built_as": kind,
                "processes": world,
                "backend": args.backend,
                "steps": args.steps,
                "batch_per_process": args.batch,
                "tensors_in": len(state),
                "tensors_out": len(out),
                "loss_before": before[0],
                "loss_after": after[0],
                "accuracy_before": before[1],
                "accuracy_after": after[1],
                "train_seconds": seconds,
                "normalization": {"mean": mean, "std": std},
            }
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=1)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
