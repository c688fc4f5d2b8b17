#!/usr/bin/python3
"""The PyTorch half of `npm run check:torch`: a torchvision model with random weights
(random batch-norm statistics too), its state dict (safetensors), its ONNX export and
PyTorch's float64 figures of one training step on a random batch, written to --out for
the engine's half (tools/jobs/torch_check.ts) to compare against. A segmentation model
(a dict output: torchvision's FCN) gets its eval-mode logits only, its 'out'.

  /usr/bin/python3 scripts/check_torch.py --model resnet18 --out .cache/check_torch/resnet18
  /usr/bin/python3 scripts/check_torch.py --model fcn-resnet50 --size 64 --out .cache/check_torch/fcn-resnet50
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_common import MainLogits, exact_logits, fold_resize_sizes, reference_step, save_safetensors  # noqa: E402
from torch_fixtures import perturb_batch_norm  # noqa: E402
from torchvision_keys import MODELS  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--out", required=True)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--size", type=int, default=224, help="input height and width")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)
    model = MODELS[args.model]()
    with torch.no_grad():
        perturb_batch_norm(model, generator)
    x = torch.randn((args.batch, 3, args.size, args.size), generator=generator)
    model.eval()
    with torch.no_grad():
        segmentation = isinstance(model(x[:1]), dict)
    if segmentation:
        state, expected = exact_logits(model, x)
    else:
        labels = torch.randint(0, 1000, (args.batch,), generator=generator)
        state, expected = reference_step(model, x, labels)
    os.makedirs(args.out, exist_ok=True)
    save_safetensors(os.path.join(args.out, "state.safetensors"), state)
    save_safetensors(os.path.join(args.out, "expected.safetensors"), expected, {"model": args.model, "torch": torch.__version__})
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(MainLogits(model) if segmentation else model, x, onnx_path, opset_version=13, input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    if segmentation:
        fold_resize_sizes(onnx_path, list(expected["logits_eval"].shape))
    print(f"{args.model}: {sum(p.numel() for p in model.parameters())} parameters, batch {args.batch} of {args.size}x{args.size}")


if __name__ == "__main__":
    main()
