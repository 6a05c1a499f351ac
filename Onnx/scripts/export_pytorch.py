#!/usr/bin/env python3
"""Trains two networks briefly in PyTorch on MNIST and exports them with torch.onnx.export, for Onnx.Tests' import tests.

  /usr/bin/python3 Onnx/scripts/export_pytorch.py [--mnist DIR] [--out Onnx.Tests/Fixtures/pytorch]

Debian's PyTorch (python3-torch 1.13) is enough: torch.onnx.export needs no `onnx` module. MNIST is read from the IDX
files CnnGen caches (~/.cache/cnngen/mnist, or $CNNGEN_MNIST_DIR). Writes, into --out:

  lenet5.onnx, kinds.onnx   the two exported models (opset 13, input 'input' (N,1,28,28), output 'probabilities')
  inputs.bin                40 inputs of 1x28x28 float32, little-endian: the first 32 MNIST test images normalized
                            (x/255 - 0.1307) / 0.3081, then 8 of N(0,1) noise
  <net>.probs.bin           PyTorch's probabilities on those inputs, 40 x 10 float32
  <net>.classes.bin         PyTorch's class (one byte) for each of the 10,000 MNIST test images
  manifest.json             versions, training settings, test accuracies

The checked-in outputs are what CI uses (CI has no PyTorch); rerun this script to remake them.
The CnnGen declarations these match are Onnx.Tests/PyTorchNets.cs.
"""
import argparse, json, os, struct, sys, time

import numpy as np
import torch
import torch.nn as nn

MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def lenet5():
    """LeNet-5 as Sample.Mnist declares it."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class Block(nn.Module):
    """A residual block: body(x) + x, or + a strided 1x1 convolution with bias of x."""

    def __init__(self, body, projection=None):
        super().__init__()
        self.body, self.projection = body, projection

    def forward(self, x):
        return self.body(x) + (x if self.projection is None else self.projection(x))


def kinds():
    """The newer kinds: BatchNorm (conv and dense), LeakyReLU, AvgPool, residual blocks with an identity and a projected
    join, grouped and depthwise convolutions, Tanh, Sigmoid, global average pooling, Dropout."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.LeakyReLU(0.1), nn.AvgPool2d(2),
        Block(nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                            nn.Conv2d(8, 8, 3, padding=1, groups=8))),
        nn.ReLU(),
        Block(nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2, bias=False), nn.BatchNorm2d(16), nn.Sigmoid(),
                            nn.Conv2d(16, 16, 3, padding=1)),
              nn.Conv2d(8, 16, 1, stride=2)),
        nn.Tanh(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 10))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist", default=os.environ.get("CNNGEN_MNIST_DIR") or os.path.expanduser("~/.cache/cnngen/mnist"))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "Onnx.Tests", "Fixtures", "pytorch"))
    ap.add_argument("--epochs", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)

    def normalized(images):
        return ((torch.from_numpy(images.copy()).float() / 255.0 - MEAN) / STD).unsqueeze(1)

    train_x = normalized(read_idx(os.path.join(args.mnist, "train-images-idx3-ubyte")))
    train_y = torch.from_numpy(read_idx(os.path.join(args.mnist, "train-labels-idx1-ubyte")).astype(np.int64))
    test_x = normalized(read_idx(os.path.join(args.mnist, "t10k-images-idx3-ubyte")))
    test_y = torch.from_numpy(read_idx(os.path.join(args.mnist, "t10k-labels-idx1-ubyte")).astype(np.int64))

    noise = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    inputs = torch.cat([test_x[:32], noise]).contiguous()
    inputs.numpy().astype("<f4").tofile(os.path.join(args.out, "inputs.bin"))

    manifest = {"torch": torch.__version__, "opset": 13, "epochs": args.epochs, "optimizer": "Adam lr 1e-3, batch 64",
                "normalization": {"mean": MEAN, "std": STD}, "inputs": "first 32 MNIST test images, then 8 of N(0,1)",
                "nets": {}}
    for name, make in (("lenet5", lenet5), ("kinds", kinds)):
        net = make()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        start = time.time()
        net.train()
        for epoch in range(args.epochs):
            order = torch.randperm(len(train_x))
            for i in range(0, len(order), 64):
                idx = order[i:i + 64]
                opt.zero_grad()
                loss = nn.functional.cross_entropy(net(train_x[idx]), train_y[idx])
                loss.backward()
                opt.step()
        model = nn.Sequential(net, nn.Softmax(dim=1)).eval()
        with torch.no_grad():
            probs = torch.cat([model(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)])
            classes = probs.argmax(dim=1)
            accuracy = (classes == test_y).float().mean().item()
            model(inputs).numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.probs.bin"))
        classes.numpy().astype(np.uint8).tofile(os.path.join(args.out, f"{name}.classes.bin"))
        # PRESERVE keeps BatchNormalization as its own node (EVAL would fold it into the convolution before it);
        # the model is in eval mode, so BatchNorm is exported in its inference form and Dropout is left out
        torch.onnx.export(model, inputs[:1], os.path.join(args.out, f"{name}.onnx"), opset_version=13,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                          input_names=["input"], output_names=["probabilities"],
                          dynamic_axes={"input": {0: "N"}, "probabilities": {0: "N"}})
        manifest["nets"][name] = {"parameters": sum(p.numel() for p in net.parameters()),
                                  "test_accuracy": round(accuracy, 4), "train_seconds": round(time.time() - start, 1)}
        print(f"{name}: test accuracy {accuracy:.4f}, {manifest['nets'][name]['train_seconds']} s", flush=True)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
