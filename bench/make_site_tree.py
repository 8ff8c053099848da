#!/usr/bin/env python3
"""A real-size installed tree from a metadata snapshot, for benchmarks.

samples/ml-service/site-packages holds only the `.dist-info` folders of 28 distributions; their
RECORDs list 659 MB of files that are not in the repository. This writes those files with their
recorded sizes and content that compresses like real packages do (about 2:1 with deflate:
a mix of random bytes, as in machine code and compressed data, and repetitive text, as in
Python source), deterministically (same seed, same bytes), so zipping it costs what zipping a
real tree costs. `--sparse` writes holes instead (fast; compresses to almost nothing).

    python3 bench/make_site_tree.py samples/ml-service/site-packages /tmp/site [--sparse]
"""
import argparse
import csv
import hashlib
import io
import os
import random
import shutil
import sys

POOL_BYTES = 32 << 20
WORDS = [b"def ", b"return ", b"self", b"import ", b"numpy", b"array", b"    ", b"\n", b"if ",
         b"else:", b"for ", b" in ", b"range(", b")", b"(", b"None", b"True", b"dtype", b"_",
         b"=", b", ", b"x", b"value", b"class ", b"object", b"raise ", b"Error", b"0x00"]


def make_pool(seed):
    """32 MiB that deflate shrinks about 2:1: random runs interleaved with word salad."""
    rng = random.Random(seed)
    out = io.BytesIO()
    while out.tell() < POOL_BYTES:
        if rng.random() < 0.3:
            out.write(rng.randbytes(rng.randint(16, 256)))
        else:
            out.write(b"".join(rng.choice(WORDS) for _ in range(rng.randint(8, 64))))
    return out.getbuffer()[:POOL_BYTES]


def write_file(path, size, pool, sparse):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        if sparse:
            f.truncate(size)
            return
        start = int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "little") % POOL_BYTES
        left = size
        while left > 0:
            n = min(left, POOL_BYTES - start)
            f.write(pool[start:start + n])
            left -= n
            start = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot")
    ap.add_argument("out")
    ap.add_argument("--sparse", action="store_true")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists; remove it first")
    pool = None if args.sparse else make_pool(args.seed)
    total = files = 0
    for entry in sorted(os.listdir(args.snapshot)):
        shutil.copytree(os.path.join(args.snapshot, entry), os.path.join(args.out, entry))
        with open(os.path.join(args.snapshot, entry, "RECORD"), newline="") as f:
            for row in csv.reader(f):
                if len(row) < 3 or not row[2] or row[0].startswith(entry + "/"):
                    continue
                write_file(os.path.join(args.out, row[0]), int(row[2]), pool, args.sparse)
                total += int(row[2])
                files += 1
    print(f"{args.out}: {files} files, {total:,} bytes")


if __name__ == "__main__":
    main()
