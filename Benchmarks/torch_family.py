#!/usr/bin/python3
"""PyTorch side of `CnnGen.Benchmarks family`: one net of the family, training, inference and one-sample latency.

The nets are the ones declared in FamilyNets.cs, layer for layer (bias where CnnGen has one, BatchNorm momentum 0.1
and eps 1e-5, dropout 0.4). Run with Debian's /usr/bin/python3 (python3-torch + libopenblas0-openmp). Reads the
data the .NET side wrote (count x 784 pixel bytes, then count label bytes), trains with the same batch, learning
rate, momentum and thread count, and prints one JSON object on stdout (progress goes to stderr).
"""
import argparse
import json
import statistics
import sys
import time


def make(name, nn):
    def conv_bn_relu(cin, cout, stride=1):
        return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.body = nn.Sequential(*conv_bn_relu(cin, cout, stride),
                                      nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
            self.project = nn.Conv2d(cin, cout, 1, stride=stride) if (cin != cout or stride != 1) else None
            self.relu = nn.ReLU()

        def forward(self, x):
            shortcut = x if self.project is None else self.project(x)
            return self.relu(self.body(x) + shortcut)

    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if name == "twoconv":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "vgg":
        return nn.Sequential(
            *conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
            *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.4),
            nn.Linear(256, 10))
    if name == "resnet":
        return nn.Sequential(
            *conv_bn_relu(1, 16), Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    sys.exit(f"unknown net {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", required=True)
    ap.add_argument("--data", required=True, help="raw file: count*784 pixel bytes then count label bytes")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--warmup", type=int, required=True, help="batches trained before the timed ones, each run")
    ap.add_argument("--batches", type=int, required=True, help="timed batches per run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--infer-batch", type=int, default=1000)
    ap.add_argument("--infer-seconds", type=float, default=1.0)
    ap.add_argument("--predict-iters", type=int, default=500)
    a = ap.parse_args()

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    raw = open(a.data, "rb").read()
    size = 28 * 28
    if len(raw) != a.count * (size + 1):
        sys.exit(f"{a.data}: expected {a.count * (size + 1)} bytes, found {len(raw)}")
    buf = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
    pixels = buf[: a.count * size].view(a.count, size)
    labels = buf[a.count * size:].to(torch.int64)
    total = a.warmup + a.batches
    if total * a.batch > a.count:
        sys.exit(f"{total} batches of {a.batch} need {total * a.batch} samples; the data set has {a.count}")

    runs = []
    for run in range(a.runs):
        torch.manual_seed(a.seed + run)
        model = make(a.net, nn)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
        order = torch.randperm(a.count)
        stamps = []
        t0 = time.perf_counter()
        for b in range(total):
            idx = order[b * a.batch:(b + 1) * a.batch]
            x = pixels[idx].to(torch.float32).div_(255.0).view(-1, 1, 28, 28)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels[idx])
            loss.backward()
            opt.step()
            stamps.append(time.perf_counter())
        float(loss)
        timed = stamps[-1] - stamps[a.warmup - 1] if a.warmup > 0 else stamps[-1] - t0
        runs.append(a.batches * a.batch / timed)
        print(f"torch {a.net} threads={a.threads} run {run + 1}: {runs[-1]:,.0f} samples/s", file=sys.stderr)

    model.eval()
    xb = pixels[: a.infer_batch].to(torch.float32).div_(255.0).view(-1, 1, 28, 28)
    infer = []
    with torch.inference_mode():
        t = time.perf_counter()
        model(xb)
        iters = max(1, int(a.infer_seconds / max(time.perf_counter() - t, 1e-6)))
        for _ in range(max(3, a.runs)):
            t = time.perf_counter()
            for _ in range(iters):
                model(xb)
            infer.append(iters * a.infer_batch / (time.perf_counter() - t))
        x1 = xb[:1].clone()
        for _ in range(50):
            model(x1)
        lat = []
        for _ in range(a.predict_iters):
            t = time.perf_counter_ns()
            torch.softmax(model(x1), dim=1)
            lat.append((time.perf_counter_ns() - t) / 1000.0)

    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "train_runs": runs,
        "train_samples_per_second_median": statistics.median(runs),
        "infer_samples_per_second_median": statistics.median(infer),
        "predict_microseconds_median": statistics.median(lat),
        "parameters": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
