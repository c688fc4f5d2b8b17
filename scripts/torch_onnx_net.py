"""A PyTorch module built from an ONNX file of this engine's exportOnnx (the inference
form: convolutions, batch norm with its running statistics, dense layers as Gemm, pools,
LRN, concat, add), for training it in PyTorch: each layer with weights becomes the
torch.nn module of that kind at the layer's own module path (`layer1.0.conv1`), so the
module's state dict has the keys of the engine's exportStateDict (PyTorch's names and
layouts) and loads it with load_state_dict. Batch norm is nn.BatchNorm2d: in training
mode it normalises with the batch's statistics and moves its running statistics, as a
PyTorch user's network does. Dropout is not in the file (the inference form drops it).

The engine's training check (scripts/torch_train_check.py) builds the zoo's networks this
way: their structure comes from the engine's own export (checked against ONNX Runtime),
their arithmetic from PyTorch's ops.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _attrs(node):
    import onnx

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _module_path(name, suffixes):
    for s in suffixes:
        if name.endswith("." + s):
            return name[: -len(s) - 1]
    raise ValueError(f"torch_onnx_net: initializer '{name}' does not end with one of {suffixes}")


def _pad_arguments(pads):
    """ONNX pads [top, left, bottom, right] as (symmetric padding, F.pad tuple or None)."""
    top, left, bottom, right = pads
    if top == bottom and left == right:
        return (top, left), None
    return (0, 0), (left, right, top, bottom)


class OnnxNet(nn.Module):
    def __init__(self, path):
        super().__init__()
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(path).graph
        self.initializers = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
        self.steps = []
        for node in graph.node:
            a = _attrs(node)
            op = node.op_type
            if op == "Conv":
                w = self.initializers[node.input[1]]
                path = _module_path(node.input[1], ["weight"])
                kernel = tuple(a.get("kernel_shape", w.shape[2:]))
                padding, extra = _pad_arguments(a.get("pads", [0, 0, 0, 0]))
                groups = a.get("group", 1)
                conv = nn.Conv2d(
                    w.shape[1] * groups, w.shape[0], kernel, stride=tuple(a.get("strides", [1, 1])), padding=padding, dilation=tuple(a.get("dilations", [1, 1])), groups=groups, bias=len(node.input) > 2
                )
                self._add(path, conv)
                self.steps.append(("module", node, path, extra))
            elif op == "Gemm":
                w = self.initializers[node.input[1]]  # [in, out]: the engine's layout (no transB)
                if a.get("transB", 0) or a.get("transA", 0):
                    raise ValueError(f"torch_onnx_net: {node.name}: a transposed Gemm is not this engine's export")
                path = _module_path(node.input[1], ["weight"])
                self._add(path, nn.Linear(w.shape[0], w.shape[1], bias=len(node.input) > 2))
                self.steps.append(("module", node, path, None))
            elif op == "BatchNormalization":
                path = _module_path(node.input[1], ["gamma"])
                c = self.initializers[node.input[1]].shape[0]
                self._add(path, nn.BatchNorm2d(c, eps=a.get("epsilon", 1e-5), momentum=1 - a.get("momentum", 0.9)))
                self.steps.append(("module", node, path, None))
            else:
                self.steps.append(("op", node, None, a))

    def _add(self, path, module):
        parent = self
        parts = path.split(".")
        for p in parts[:-1]:
            if p not in parent._modules:
                parent.add_module(p, nn.Module())
            parent = parent._modules[p]
        parent.add_module(parts[-1], module)

    def _get(self, path):
        m = self
        for p in path.split("."):
            m = m._modules[p]
        return m

    def forward(self, x):
        values = {"input": x}
        out = None
        for kind, node, path, extra in self.steps:
            ins = [values[i] if i in values else self.initializers.get(i) for i in node.input if i]
            if kind == "module":
                h = ins[0]
                if extra is not None:
                    h = F.pad(h, extra)
                y = self._get(path)(h)
            else:
                y = self._op(node.op_type, ins, extra, node)
            values[node.output[0]] = y
            out = y
        return values.get("output", out)

    @staticmethod
    def _op(op, ins, a, node):
        x = ins[0]
        if op == "Relu":
            return F.relu(x)
        if op == "Sigmoid":
            return torch.sigmoid(x)
        if op == "Tanh":
            return torch.tanh(x)
        if op == "LeakyRelu":
            return F.leaky_relu(x, a.get("alpha", 0.01))
        if op == "Elu":
            return F.elu(x, a.get("alpha", 1.0))
        if op == "Clip":
            return torch.clamp(x, float(ins[1]), float(ins[2]))
        if op == "Softmax":
            return torch.softmax(x, a.get("axis", -1))
        if op in ("MaxPool", "AveragePool"):
            kernel = tuple(a["kernel_shape"])
            stride = tuple(a.get("strides", kernel))
            padding, extra = _pad_arguments(a.get("pads", [0, 0, 0, 0]))
            ceil = bool(a.get("ceil_mode", 0))
            if op == "MaxPool":
                if extra is not None:
                    x = F.pad(x, extra, value=float("-inf"))
                return F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil)
            if extra is not None:
                raise ValueError(f"torch_onnx_net: {node.name}: average pooling with uneven pads")
            return F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil, count_include_pad=bool(a.get("count_include_pad", 0)))
        if op == "GlobalAveragePool":
            return x.mean(dim=(2, 3), keepdim=True)
        if op == "Flatten":
            return torch.flatten(x, a.get("axis", 1))
        if op == "Reshape":
            return x.reshape([int(d) for d in ins[1]])
        if op == "Concat":
            return torch.cat(ins, dim=a.get("axis", 1))
        if op == "Add":
            return ins[0] + ins[1]
        if op == "Sum":
            y = ins[0]
            for t in ins[1:]:
                y = y + t
            return y
        if op == "LRN":
            return F.local_response_norm(x, a["size"], alpha=a.get("alpha", 1e-4), beta=a.get("beta", 0.75), k=a.get("bias", 1.0))
        if op == "Identity":
            return x
        raise ValueError(f"torch_onnx_net: {node.name}: ONNX op {op} is not built here")
