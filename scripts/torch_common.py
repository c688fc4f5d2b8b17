"""What the PyTorch scripts share: the safetensors writer (Debian has no Python
safetensors package, so the format is written here: an 8-byte little-endian header
length, a JSON header padded with spaces to 8 bytes, the raw little-endian data), and
one training step's reference figures.
"""
import json
import struct

import torch
import torch.nn.functional as F

DTYPES = {torch.float32: ("F32", 4), torch.int64: ("I64", 8), torch.uint8: ("U8", 1), torch.float16: ("F16", 2), torch.bfloat16: ("BF16", 2), torch.float64: ("F64", 8)}


def save_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} as safetensors.torch.save_file would (contiguous, in order)."""
    header = {"__metadata__": metadata or {"format": "pt"}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        dtype, size = DTYPES[t.dtype]
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        assert len(raw) == t.numel() * size
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header)
    text += " " * ((8 - len(text.encode()) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text.encode())))
        f.write(text.encode())
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads a safetensors file of F32/I64 tensors into {name: tensor}."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        dtype = {"F32": torch.float32, "I64": torch.int64}[e["dtype"]]
        out[name] = torch.frombuffer(raw, dtype=dtype).reshape(e["shape"]) if raw else torch.zeros(e["shape"], dtype=dtype)
    return out


def main_logits(out):
    """GoogLeNet with auxiliary heads returns (logits, aux2, aux1) in training, torchvision's
    segmentation models {"out": logits, "aux": ...}; the main head's logits."""
    if isinstance(out, dict):
        return out["out"]
    return out[0] if isinstance(out, tuple) else out


class MainLogits(torch.nn.Module):
    """A model whose output is main_logits of the wrapped one's (for the ONNX export of a
    segmentation model, whose dict output would otherwise be flattened)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return main_logits(self.model(x))


def exact_logits(model, x):
    """Eval-mode logits only, computed in float64 and stored as float32 (the float32 state
    dict beside them): the check of a model whose output is per-pixel logits, which the
    engine's one-step comparison (stepGradients: [batch, classes] logits) does not take."""
    state = {k: (v.clone().float() if v.is_floating_point() else v.clone()) for k, v in model.state_dict().items()}
    model.double()
    model.eval()
    with torch.no_grad():
        logits = main_logits(model(x.double()))
    model.float()
    return state, {"input": x.float(), "logits_eval": logits.float()}


def fold_resize_sizes(path, sizes):
    """Rewrites the ONNX file at `path` so that each Resize whose sizes input is computed
    (PyTorch exports interpolate(size=...) as Shape, Slice, Gather, Concat arithmetic on the
    activations' shapes) reads the constant `sizes` instead, and drops the nodes nobody reads
    any more. The engine's importer takes constant scales or sizes only."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(path)
    g = m.graph
    constants = {i.name for i in g.initializer}
    folded = 0
    for n in g.node:
        if n.op_type == "Resize" and len(n.input) > 3 and n.input[3] and n.input[3] not in constants:
            name = n.name + ".sizes"
            g.initializer.append(numpy_helper.from_array(torch.tensor(sizes, dtype=torch.int64).numpy(), name))
            constants.add(name)
            n.input[3] = name
            folded += 1
    while True:
        read = {i for n in g.node for i in n.input} | {o.name for o in g.output}
        dead = [n for n in g.node if not any(o in read for o in n.output)]
        if not dead:
            break
        for n in dead:
            g.node.remove(n)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return folded


def gradient(p):
    """A parameter's gradient, zeros where the loss does not reach it (the auxiliary heads)."""
    return p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)


def relative_error(a, b):
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def reference_step(model, x, labels):
    """The float64 reference figures (exact_step), and beside each gradient the relative
    error PyTorch's own float32 step makes on it (`f32_error.grad.<name>`): a tensor whose
    sum cancels heavily is only known to about that precision in float32."""
    state, expected = exact_step(model, x, labels)
    grads32 = float32_gradients(model, x, labels)
    for name, g in grads32.items():
        expected["f32_error.grad." + name] = torch.tensor([relative_error(g.double(), expected["grad." + name].double())], dtype=torch.float32)
    return state, expected


def float32_gradients(model, x, labels):
    """PyTorch's float32 gradients of the same training step (state restored afterwards)."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    model.zero_grad()
    F.cross_entropy(main_logits(model(x)), labels).backward()
    grads = {name: gradient(p) for name, p in model.named_parameters()}
    model.load_state_dict(state)
    model.eval()
    return grads


def exact_step(model, x, labels):
    """Eval-mode logits; train-mode logits, mean cross-entropy and every weight's gradient
    (dropout off: the engine's side runs the same step without masks). Computed in float64
    and stored as float32, so the figures carry no float32 summation error of PyTorch's own
    (a batch-norm scale's gradient sums hundreds of products that cancel)."""
    model.double()
    x = x.double()
    model.eval()
    with torch.no_grad():
        logits_eval = model(x)
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    # Running statistics move in a training forward; the exported state dict is taken before.
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.zero_grad()
    logits_train = main_logits(model(x))
    loss = F.cross_entropy(logits_train, labels)
    loss.backward()
    expected = {"input": x, "labels": labels.float(), "logits_eval": logits_eval, "logits_train": logits_train.detach(), "loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        expected["grad." + name] = gradient(p)
    # The training forward moved the running statistics (momentum 0.1, unbiased variance).
    for name, b in model.named_buffers():
        if name.endswith("running_mean") or name.endswith("running_var"):
            expected["after." + name] = b.detach().clone()
    model.load_state_dict(state)
    model.float()
    model.eval()
    state = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
    expected = {k: (v.float() if v.is_floating_point() else v) for k, v in expected.items()}
    return state, expected
