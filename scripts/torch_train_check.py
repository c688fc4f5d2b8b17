#!/usr/bin/python3
"""The PyTorch half of `npm run check:torch -- --train`: trains a zoo network in PyTorch
(float32, on the CPU) from the same weights and on the same batches as the engine, and
writes every step's loss and every weight and running statistic after every step.

The engine's half (tools/jobs/torch_train_check.ts) wrote into --dir:
  model.onnx           the network (exportOnnx; built here by torch_onnx_net.OnnxNet)
  state.safetensors    its initial weights as a PyTorch state dict (exportStateDict)
  batches.safetensors  x [steps * batch, C, H, W] and labels [steps * batch], taken in order
This writes, per optimizer, torch.<optimizer>.safetensors:
  loss                 [steps] each step's mean cross-entropy (before that step's update)
  step.<k>.<key>       every state-dict tensor after step k (1-based; num_batches_tracked left out)
  opt.<k>.<key>.<s>    the optimizer's state of every weight after step k: SGD's `velocity`
                       (momentum_buffer), Adam's `m` and `v` (exp_avg, exp_avg_sq), so that
                       the engine can restart any step from PyTorch's state (its per-step check)
  loss64, step64.<k>.<key>
                       the same run in float64 (from the same float32 weights and images)
  spread.loss          [steps] the float32 spread of each step's loss: the largest relative
                       difference from the float64 run of PyTorch's float32 runs (this one,
                       on two threads, with the first weight one unit in the last place up,
                       with oneDNN off, in the channels-last layout, and ULP_RUNS runs from
                       the initial weights each moved at random by -1, 0 or +1 unit in the
                       last place, seeds 1, 2, ...)
  spread.<k>.<key>     [1] the same of every tensor after step k (relative to its largest value)
  grad64.loss, grad64.<key>
                       the first step's loss and every weight's gradient, in float64 from the
                       initial weights (stored as float64): the engine's CPU reference in float64
                       computes the same step, so the arithmetic of every rule is compared
                       without float32 in the way
  onestep64.loss, onestep64.<k>.<key>
                       step k run in float64 from this run's state after step k-1 (weights,
                       running statistics, optimizer state): the engine's per-step check
                       restarts each step from that state and compares with this
  onestep.loss, onestep.<k>.<key>
                       one step's float32 error: this run's step k against onestep64
and in its metadata `float64`: PyTorch's float32 run against its float64 run, in the same
figures the engine's side computes of ours against the float32 run.

  /usr/bin/python3 scripts/torch_train_check.py --dir .cache/check_torch_train/resnet20 --optimizer sgd:0.01,adam:0.001
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from torch_common import load_safetensors, save_safetensors  # noqa: E402
from torch_onnx_net import OnnxNet  # noqa: E402


def make_optimizer(kind, params, lr):
    """SGD with momentum 0.9 or Adam with PyTorch's defaults, as the engine's {kind: 'sgd', momentum: 0.9} and {kind: 'adam'}."""
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    raise ValueError(f"unknown optimizer {kind}")


STATE_NAMES = {"momentum_buffer": "velocity", "exp_avg": "m", "exp_avg_sq": "v"}

# Float32 runs from the initial weights moved by random units in the last place: how far
# float32 alone moves this trajectory. Where a step's ReLU or max-pool decision lies within
# float32's rounding of the exact one, the runs take it either way and part for good (a
# chaotic trajectory); PyTorch's other variants share most of their kernels and summation
# orders, so they tend to take it the same way and understate the spread.
ULP_RUNS = 3


def move_ulps(model, seed):
    """Moves every weight of `model` by -1, 0 or +1 unit in the last place, at random (seeded)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            r = torch.randint(-1, 2, p.shape, generator=g)
            up = torch.nextafter(p, torch.full_like(p, float("inf")))
            down = torch.nextafter(p, torch.full_like(p, float("-inf")))
            p.copy_(torch.where(r > 0, up, torch.where(r < 0, down, p)))


def first_step_gradients(path, state, x, labels):
    """The first step's loss and every weight's gradient in float64, from the initial weights."""
    model = OnnxNet(path)
    model.load_state_dict(state, strict=False)
    model.double()
    model.train()
    loss = F.cross_entropy(model(x.double()), labels)
    loss.backward()
    out = {"grad64.loss": loss.detach().reshape(1)}
    for key, p in model.named_parameters():
        out[f"grad64.{key}"] = p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)
    return out


def trajectory(model, x, labels, batch, steps, kind, lr, threads=1):
    """Trains `model` (training mode: batch statistics, running statistics moving) for
    `steps` steps on consecutive batches on `threads` threads; the losses, the state after
    each step and the optimizer's state after each step."""
    torch.set_num_threads(threads)
    opt = make_optimizer(kind, list(model.parameters()), lr)
    names = {id(p): key for key, p in model.named_parameters()}
    model.train()
    losses = []
    states = []
    opt_states = []
    for k in range(steps):
        xs = x[k * batch : (k + 1) * batch]
        ys = labels[k * batch : (k + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xs), ys)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        states.append({key: v.detach().clone() for key, v in model.state_dict().items() if not key.endswith("num_batches_tracked")})
        opt_states.append(
            {f"{names[id(p)]}.{STATE_NAMES[s]}": t.detach().clone() for p, st in opt.state.items() for s, t in st.items() if s in STATE_NAMES}
        )
    return losses, states, opt_states


def one_step_errors(path, state, x, labels, batch, steps, kind, lr, losses, states, opt_states):
    """Each step in float64 from the float32 run's state before it: the relative error of
    its loss and of every tensor after it, against the float32 run's."""
    model = OnnxNet(path)
    model.load_state_dict(state, strict=False)
    model.double()
    model.train()
    params = dict(model.named_parameters())
    inverse = {v: k for k, v in STATE_NAMES.items()}
    loss_errors, tensor_errors, losses64, states64 = [], [], [], []
    for k in range(steps):
        if k > 0:
            model.load_state_dict({key: v.double() for key, v in states[k - 1].items()}, strict=False)
        opt = make_optimizer(kind, list(params.values()), lr)
        if k > 0:
            for name, p in params.items():
                entry = {inverse[s]: opt_states[k - 1][f"{name}.{s}"].double().clone() for s in ("velocity", "m", "v") if f"{name}.{s}" in opt_states[k - 1]}
                if kind == "adam":
                    entry["step"] = torch.tensor(float(k))
                if entry:
                    opt.state[p] = entry
        opt.zero_grad()
        loss = F.cross_entropy(model(x[k * batch : (k + 1) * batch].double()), labels[k * batch : (k + 1) * batch])
        loss.backward()
        opt.step()
        loss_errors.append(abs(float(loss) - losses[k]) / abs(losses[k]))
        after = model.state_dict()
        tensor_errors.append({key: relative(ref, after[key]) for key, ref in states[k].items()})
        losses64.append(float(loss))
        states64.append({key: after[key].detach().float().clone() for key in states[k]})
    return loss_errors, tensor_errors, losses64, states64


def relative(a, b):
    return float((a.double() - b.double()).abs().max() / b.double().abs().max().clamp_min(1e-30)) if b.numel() else 0.0


def float_figures(losses32, states32, losses64, states64, early=10, loss_early=1e-4, loss_late=1e-3, tensor_tol=1e-3):
    """The check's figures of PyTorch's float32 run against its float64 run (the engine's
    side computes the same of ours against PyTorch's float32 run)."""
    errors = [abs(a - b) / abs(b) for a, b in zip(losses32, losses64)]
    loss_drift = next(({"step": k + 1, "error": e} for k, e in enumerate(errors) if e > (loss_early if k < early else loss_late)), None)
    tensor_drift = None
    for k, (s32, s64) in enumerate(zip(states32, states64)):
        worst = max(((relative(s32[key], s64[key]), key) for key in s64), default=(0.0, ""))
        if worst[0] > tensor_tol:
            tensor_drift = {"step": k + 1, "tensor": worst[1], "error": worst[0], "count": sum(relative(s32[key], s64[key]) > tensor_tol for key in s64)}
            break
    last32, last64 = states32[-1], states64[-1]
    stat = lambda key: key.endswith("running_mean") or key.endswith("running_var")  # noqa: E731
    weights = max(((relative(last32[k], last64[k]), k) for k in last64 if not stat(k)), default=(0.0, ""))
    stats = max(((relative(last32[k], last64[k]), k) for k in last64 if stat(k)), default=(0.0, ""))
    return {
        "lossEarly": max(errors[:early], default=0.0),
        "lossAll": max(errors, default=0.0),
        "weights": weights[0],
        "weightsOn": weights[1],
        "runningStats": stats[0],
        "runningStatsOn": stats[1],
        "firstStep": max((relative(states32[0][k], states64[0][k]) for k in states64[0]), default=0.0),
        "lossDrift": loss_drift,
        "tensorDrift": tensor_drift,
        "losses64": losses64,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--optimizer", default="sgd:0.01,adam:0.001", help="kind:lr[,kind:lr]")
    args = parser.parse_args()
    torch.manual_seed(0)
    data = load_safetensors(os.path.join(args.dir, "batches.safetensors"))
    x = data["x"]
    labels = data["labels"].long() if data["labels"].dtype == torch.int64 else data["labels"].round().long()
    if x.shape[0] < args.steps * args.batch:
        raise SystemExit(f"torch_train_check: {x.shape[0]} images are fewer than {args.steps} batches of {args.batch}")
    state = load_safetensors(os.path.join(args.dir, "state.safetensors"))
    for spec in args.optimizer.split(","):
        kind, lr = spec.split(":")
        model = OnnxNet(os.path.join(args.dir, "model.onnx"))
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing:
            raise SystemExit(f"torch_train_check: the state dict lacks {missing}")
        # Weights the inference graph does not reach (GoogLeNet's auxiliary heads) are left out on both sides.
        losses, states, opt_states = trajectory(model, x, labels, args.batch, args.steps, kind, float(lr))

        def variant(dtype=torch.float32, threads=1, nudge=False, mkldnn=True, channels_last=False, ulp_seed=None):
            m = OnnxNet(os.path.join(args.dir, "model.onnx"))
            m.load_state_dict(state, strict=False)
            if ulp_seed is not None:
                move_ulps(m, ulp_seed)
            if nudge:
                with torch.no_grad():
                    first = next(m.parameters()).view(-1)
                    first[0] = float(torch.nextafter(first[0], torch.tensor(float("inf"))))
            m.to(dtype)
            xs = x.to(dtype)
            if channels_last:
                m.to(memory_format=torch.channels_last)
                xs = xs.contiguous(memory_format=torch.channels_last)
            torch.backends.mkldnn.enabled = mkldnn
            try:
                return trajectory(m, xs, labels, args.batch, args.steps, kind, float(lr), threads)[:2]
            finally:
                torch.backends.mkldnn.enabled = True

        # What float32 alone does to this trajectory: PyTorch's float32 runs against the same
        # run in float64: this one, on two threads, one weight nudged by one ulp, and two other
        # float32 implementations of PyTorch's own (oneDNN off: its native convolutions; the
        # channels-last layout: other kernels, other summation orders), and ULP_RUNS runs from
        # the initial weights moved at random by a unit in the last place.
        losses64, states64 = variant(torch.float64)
        figures64 = float_figures(losses, states, losses64, states64)
        variants = [(losses, states), variant(threads=2), variant(nudge=True), variant(mkldnn=False), variant(channels_last=True)]
        variants += [variant(ulp_seed=seed) for seed in range(1, ULP_RUNS + 1)]
        onestep_loss, onestep, onestep_losses64, onestep_states64 = one_step_errors(
            os.path.join(args.dir, "model.onnx"), state, x, labels, args.batch, args.steps, kind, float(lr), losses, states, opt_states
        )
        out = {
            **first_step_gradients(os.path.join(args.dir, "model.onnx"), state, x[: args.batch], labels[: args.batch]),
            "loss": torch.tensor(losses, dtype=torch.float64),
            "loss64": torch.tensor(losses64, dtype=torch.float64),
            "onestep.loss": torch.tensor(onestep_loss, dtype=torch.float32),
            "onestep64.loss": torch.tensor(onestep_losses64, dtype=torch.float64),
        }
        for k, errors in enumerate(onestep):
            for key, error in errors.items():
                out[f"onestep.{k + 1}.{key}"] = torch.tensor([error], dtype=torch.float32)
                out[f"onestep64.{k + 1}.{key}"] = onestep_states64[k][key]
        out["spread.loss"] = torch.tensor([max(abs(v[0][k] - losses64[k]) / abs(losses64[k]) for v in variants) for k in range(args.steps)], dtype=torch.float32)
        for k in range(args.steps):
            for key, ref in states64[k].items():
                out[f"spread.{k + 1}.{key}"] = torch.tensor([max(relative(v[1][k][key], ref) for v in variants)], dtype=torch.float32)
                out[f"step64.{k + 1}.{key}"] = ref.float()
        for k, s in enumerate(states):
            for key, v in s.items():
                out[f"step.{k + 1}.{key}"] = v
            for key, v in opt_states[k].items():
                out[f"opt.{k + 1}.{key}"] = v
        save_safetensors(
            os.path.join(args.dir, f"torch.{kind}.safetensors"),
            out,
            {"torch": torch.__version__, "lr": lr, "unreached": ",".join(unexpected), "float64": json.dumps(figures64)},
        )
        print(f"{kind} lr {lr}: loss {losses[0]:.4f} -> {losses[-1]:.4f} over {args.steps} steps; float32 against float64: loss {figures64['lossAll']:.1e}, weights {figures64['weights']:.1e}")


if __name__ == "__main__":
    main()
