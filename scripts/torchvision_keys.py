#!/usr/bin/python3
"""Writes tests/fixtures/torchvision_state_dicts.json: the state-dict keys and shapes of
every torchvision model the zoo has (random weights; nothing is downloaded), so a test
can check that the zoo's layer names and shapes map one to one onto torchvision's.

Run with Debian's PyTorch: apt-get install python3-torch python3-torchvision, then
/usr/bin/python3 scripts/torchvision_keys.py
"""
import json
import os

import torchvision.models as tv
import torchvision.models.segmentation as seg

MODELS = {
    "alexnet-torchvision": lambda: tv.alexnet(),
    "vgg11": lambda: tv.vgg11(),
    "vgg13": lambda: tv.vgg13(),
    "vgg16": lambda: tv.vgg16(),
    "vgg19": lambda: tv.vgg19(),
    "vgg16-bn": lambda: tv.vgg16_bn(),
    "googlenet": lambda: tv.googlenet(aux_logits=False, init_weights=False),
    "googlenet-aux": lambda: tv.googlenet(aux_logits=True, init_weights=False),
    "resnet18": lambda: tv.resnet18(),
    "resnet34": lambda: tv.resnet34(),
    "resnet50": lambda: tv.resnet50(),
    "resnet101": lambda: tv.resnet101(),
    "resnet152": lambda: tv.resnet152(),
    "densenet121": lambda: tv.densenet121(),
    "densenet169": lambda: tv.densenet169(),
    "fcn-resnet50": lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False),
    "fcn-resnet50-aux": lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=True),
}

def main():
    out = {}
    for key, make in MODELS.items():
        model = make()
        out[key] = {
            "torchvision": __import__("torchvision").__version__,
            "tensors": [[name, list(t.shape)] for name, t in model.state_dict().items()],
        }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "torchvision_state_dicts.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    counts = ", ".join("%s (%d tensors)" % (k, len(v["tensors"])) for k, v in out.items())
    print("wrote %s: %s" % (path, counts))


if __name__ == "__main__":
    main()
