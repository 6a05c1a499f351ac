#!/usr/bin/env python3
"""Writes PyTorch state_dicts as safetensors files, for Onnx.Tests' safetensors import tests.

  /usr/bin/python3 Onnx/scripts/export_safetensors.py [--out Onnx.Tests/Fixtures/pytorch]

The two networks of export_pytorch.py (LeNet-5 and the newer kinds), from a fixed seed, trained for 300 batches of 64 on
MNIST (so that their probabilities are far from uniform and a misplaced tensor shows), BatchNorm's affine parameters
and running statistics then perturbed at random so that each of them matters. MNIST is read from the IDX files
CnnGen caches (~/.cache/cnngen/mnist, or $CNNGEN_MNIST_DIR). Writes, into --out:

  <net>.safetensors    the model's state_dict (float32 tensors; BatchNorm's num_batches_tracked as int64)
  <net>.st.probs.bin   PyTorch's probabilities (eval mode, softmax) on inputs.bin (written by export_pytorch.py), 40 x 10 float32

The `safetensors` Python package is not installable on this machine, so the file is written here by the format's
specification (github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON header mapping each
tensor name to its dtype, shape and [begin, end) byte offsets into the data that follows (here in name order, padded
with spaces to 8 bytes), then the little-endian tensor bytes. The checked-in outputs are what CI uses.
"""
import argparse, json, os, struct, sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_pytorch import MEAN, STD, kinds, lenet5, read_idx  # noqa: E402

DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def save_safetensors(state, path, metadata):
    header, chunks, offset = {}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous()
        dtype, np_type = DTYPES[t.dtype]
        data = t.numpy().astype(np_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "Onnx.Tests", "Fixtures", "pytorch"))
    ap.add_argument("--mnist", default=os.environ.get("CNNGEN_MNIST_DIR") or os.path.expanduser("~/.cache/cnngen/mnist"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    train_x = ((torch.from_numpy(read_idx(os.path.join(args.mnist, "train-images-idx3-ubyte")).copy()).float() / 255.0 - MEAN) / STD).unsqueeze(1)
    train_y = torch.from_numpy(read_idx(os.path.join(args.mnist, "train-labels-idx1-ubyte")).astype(np.int64))
    inputs = torch.from_numpy(np.fromfile(os.path.join(args.out, "inputs.bin"), dtype="<f4").reshape(-1, 1, 28, 28))
    for seed, (name, make) in enumerate((("lenet5", lenet5), ("kinds", kinds))):
        torch.manual_seed(100 + seed)
        net = make()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        net.train()
        order = torch.randperm(len(train_x))
        for i in range(300):
            idx = order[i * 64:(i + 1) * 64]
            opt.zero_grad()
            nn.functional.cross_entropy(net(train_x[idx]), train_y[idx]).backward()
            opt.step()
        g = torch.Generator().manual_seed(200 + seed)
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                with torch.no_grad():
                    m.running_mean.add_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                    m.running_var.mul_(0.8 + 0.4 * torch.rand(m.running_var.shape, generator=g))
                    m.weight.mul_(1 + 0.1 * torch.randn(m.weight.shape, generator=g))
                    m.bias.add_(0.05 * torch.randn(m.bias.shape, generator=g))
                    m.num_batches_tracked.fill_(7)
        net.eval()
        save_safetensors(net.state_dict(), os.path.join(args.out, f"{name}.safetensors"),
                         {"format": "pt", "producer": "CnnGen Onnx/scripts/export_safetensors.py", "torch": torch.__version__})
        with torch.no_grad():
            torch.softmax(net(inputs), dim=1).numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.st.probs.bin"))
        print(f"{name}: {len(net.state_dict())} tensors, {sum(p.numel() for p in net.parameters())} parameters", flush=True)


if __name__ == "__main__":
    sys.exit(main())
