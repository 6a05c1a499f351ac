#!/usr/bin/python3
"""PyTorch side of `CnnGen.Benchmarks compare`: LeNet-5 training, inference and single-sample latency.

Run with Debian's /usr/bin/python3 (python3-torch + libopenblas0-openmp). Reads the data set the .NET side
wrote (count x 784 pixel bytes, then count label bytes), trains with the same batch, learning rate, momentum
and thread count, and prints one JSON object on stdout (progress goes to stderr).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="raw file: count*784 pixel bytes then count label bytes")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--warmup", type=int, default=50, help="batches trained before the timed ones, each run")
    ap.add_argument("--batches", type=int, required=True, help="timed batches per run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--infer-batch", type=int, default=1000)
    ap.add_argument("--infer-iters", type=int, default=20)
    ap.add_argument("--predict-iters", type=int, default=2000)
    a = ap.parse_args()

    t_import = time.perf_counter()
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import_seconds = time.perf_counter() - t_import

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    raw = open(a.data, "rb").read()
    size = 28 * 28
    if len(raw) != a.count * (size + 1):
        sys.exit(f"{a.data}: expected {a.count * (size + 1)} bytes, found {len(raw)}")
    buf = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
    pixels = buf[: a.count * size].view(a.count, size)  # kept as bytes, converted per batch
    labels = buf[a.count * size:].to(torch.int64)

    def lenet5():
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    total = a.warmup + a.batches
    if total * a.batch > a.count:
        sys.exit(f"{total} batches of {a.batch} need {total * a.batch} samples; the data set has {a.count}")

    runs = []
    for run in range(a.runs):
        torch.manual_seed(a.seed + run)
        model = lenet5()
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
        order = torch.randperm(a.count)
        stamps = []
        loss_sum = 0.0
        t0 = time.perf_counter()
        for b in range(total):
            idx = order[b * a.batch:(b + 1) * a.batch]
            x = pixels[idx].to(torch.float32).div_(255.0).view(-1, 1, 28, 28)
            y = labels[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if b % 100 == 0:
                loss_sum = float(loss)  # a sync point no more often than the .NET side's progress
            stamps.append(time.perf_counter())
        timed = stamps[-1] - stamps[a.warmup - 1] if a.warmup > 0 else stamps[-1] - t0
        runs.append({
            "samples_per_second": a.batches * a.batch / timed,
            "all_batches_seconds": stamps[-1] - t0,
            "last_logged_loss": loss_sum,
        })
        print(f"torch threads={a.threads} run {run + 1}: {runs[-1]['samples_per_second']:,.0f} samples/s", file=sys.stderr)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # after training, before inference

    # inference, batch of infer_batch, eval mode, no autograd
    model.eval()
    xb = pixels[: a.infer_batch].to(torch.float32).div_(255.0).view(-1, 1, 28, 28)
    infer = []
    with torch.inference_mode():
        for _ in range(3):
            model(xb)
        for _ in range(max(3, a.runs)):
            t = time.perf_counter()
            for _ in range(a.infer_iters):
                model(xb)
            infer.append(a.infer_iters * a.infer_batch / (time.perf_counter() - t))
        # PyTorch's own best case: it runs much faster per sample at batch 64 than at 1000 (oneDNN/im2col working set)
        x64 = xb[:64].clone()
        infer64 = []
        for _ in range(max(3, a.runs)):
            t = time.perf_counter()
            for _ in range(a.infer_iters * 4):
                model(x64)
            infer64.append(a.infer_iters * 4 * 64 / (time.perf_counter() - t))
        # single-sample latency
        x1 = xb[:1].clone()
        for _ in range(200):
            model(x1)
        lat = []
        for _ in range(a.predict_iters):
            t = time.perf_counter_ns()
            p = torch.softmax(model(x1), dim=1)
            lat.append((time.perf_counter_ns() - t) / 1000.0)
        del p

    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for line in config.splitlines() for part in line.replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    print(json.dumps({
        "torch_version": torch.__version__,
        "python": sys.executable,
        "threads": torch.get_num_threads(),
        "blas": blas,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "import_seconds": import_seconds,
        "train_runs": runs,
        "train_samples_per_second_median": statistics.median(r["samples_per_second"] for r in runs),
        "infer_samples_per_second_median": statistics.median(infer),
        "infer_batch64_samples_per_second_median": statistics.median(infer64),
        "predict_microseconds_median": statistics.median(lat),
        "peak_rss_bytes": peak_rss,
    }))


if __name__ == "__main__":
    main()
