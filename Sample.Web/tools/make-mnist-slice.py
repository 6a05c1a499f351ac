#!/usr/bin/env python3
"""Writes wwwroot/data/mnist-slice.bin.gz: the first TRAIN training and first TEST test images of MNIST for the page.

Usage: python3 Sample.Web/tools/make-mnist-slice.py [MNIST_DIR] [TRAIN] [TEST]
MNIST_DIR holds the four IDX files (default: ~/.cache/cnngen/mnist, where Sample.Mnist caches them, checked by SHA-256).

Format (all integers little-endian int32), gzipped with mtime 0 so that the same input gives the same bytes:
  magic "CNNGMN01", train count, test count, rows (28), cols (28),
  train labels (1 byte each), train pixels (rows*cols bytes each, row-major, 0 = background),
  test labels, test pixels.
"""
import gzip, io, os, struct, sys

def idx(path, magic):
    with open(path, "rb") as f:
        data = f.read()
    (m,) = struct.unpack(">i", data[:4])
    if m != magic:
        sys.exit(f"error: {path}: IDX magic {m:#x}, expected {magic:#x}")
    dims = struct.unpack(">" + "i" * (m & 0xFF), data[4:4 + 4 * (m & 0xFF)])
    return dims, data[4 + 4 * len(dims):]

def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/cnngen/mnist")
    train_n = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    test_n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    parts = {}
    for split, count in (("train", train_n), ("t10k", test_n)):
        (n, rows, cols), pixels = idx(os.path.join(root, f"{split}-images-idx3-ubyte"), 0x803)
        (ln,), labels = idx(os.path.join(root, f"{split}-labels-idx1-ubyte"), 0x801)
        if n != ln or count > n:
            sys.exit(f"error: {split}: {n} images, {ln} labels, {count} asked for")
        parts[split] = (labels[:count], pixels[:count * rows * cols])
    out = io.BytesIO()
    out.write(b"CNNGMN01" + struct.pack("<4i", train_n, test_n, rows, cols))
    for split in ("train", "t10k"):
        out.write(parts[split][0]); out.write(parts[split][1])
    here = os.path.dirname(os.path.abspath(__file__))
    dest = os.path.join(here, "..", "wwwroot", "data", "mnist-slice.bin.gz")
    with open(dest, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
            z.write(out.getvalue())
    print(f"{dest}: {train_n} train + {test_n} test images, {os.path.getsize(dest):,} bytes")

main()
