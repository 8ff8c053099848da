#!/usr/bin/env python3
"""Write samples/ml-service/site-packages/: .dist-info metadata for every distribution
in the closure of the service-wide requirements.txt, WITHOUT the payload files.

Needs: python3 (3.8+), no third-party modules.
Usage: python3 samples/ml-service/tools/make_site_packages.py [OUT_DIR]

For each distribution (see catalog.py) this writes NAME-VERSION.dist-info/ with
  METADATA      Metadata-Version, Name, Version, Requires-Python, Requires-Dist lines
  RECORD        CSV rows `path,sha256=...,size` as pip writes after `pip install -t`
  top_level.txt import names, one a line
  INSTALLER     "pip"
The size column of RECORD adds up EXACTLY to the catalog's installed size (the
RECORD row itself has empty hash and size, as pip writes it). Payload rows use
real-looking paths (the large shared objects of each wheel are named and get the
bulk of the bytes; the rest is spread over .py files and their __pycache__ .pyc),
but their hashes are placeholders (sha256 of "path:size"): the payload is not in
the repository. Rows for the dist-info files carry their real hashes and sizes.
Deterministic: the same catalog gives byte-identical output.
"""
import base64
import hashlib
import os
import random
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalog  # noqa: E402

SO = ".cpython-311-x86_64-linux-gnu.so"
# Large files of each wheel: (path, share of the installed size). Names follow the
# real manylinux wheels of these versions; shares are estimates.
MAJOR = {
    "numpy": [("numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so", 0.55),
              ("numpy.libs/libgfortran-040039e1.so.5.0.0", 0.045),
              ("numpy.libs/libquadmath-96973f99.so.0.0.0", 0.005),
              (f"numpy/core/_multiarray_umath{SO}", 0.12), (f"numpy/core/_simd{SO}", 0.05),
              (f"numpy/random/_generator{SO}", 0.02), (f"numpy/linalg/_umath_linalg{SO}", 0.005),
              (f"numpy/fft/_pocketfft_internal{SO}", 0.002), (f"numpy/random/mtrand{SO}", 0.013)],
    "scipy": [("scipy.libs/libopenblasp-r0-23e5df77.3.21.dev.so", 0.26),
              ("scipy.libs/libgfortran-040039e1.so.5.0.0", 0.021),
              (f"scipy/special/_ufuncs{SO}", 0.02), (f"scipy/special/cython_special{SO}", 0.025),
              (f"scipy/linalg/_flapack{SO}", 0.02), (f"scipy/linalg/_fblas{SO}", 0.006),
              (f"scipy/sparse/_sparsetools{SO}", 0.035),
              (f"scipy/optimize/_highs/_highs_wrapper{SO}", 0.03),
              (f"scipy/io/_fast_matrix_market/_fmm_core{SO}", 0.035),
              (f"scipy/spatial/_ckdtree{SO}", 0.008), (f"scipy/interpolate/_bspl{SO}", 0.004),
              (f"scipy/stats/_stats_pythran{SO}", 0.01), (f"scipy/signal/_sigtools{SO}", 0.002)],
    "pandas": [(f"pandas/_libs/algos{SO}", 0.028), (f"pandas/_libs/groupby{SO}", 0.035),
               (f"pandas/_libs/hashtable{SO}", 0.03), (f"pandas/_libs/join{SO}", 0.02),
               (f"pandas/_libs/lib{SO}", 0.012), (f"pandas/_libs/interval{SO}", 0.022),
               (f"pandas/_libs/tslibs/offsets{SO}", 0.015), (f"pandas/_libs/window/aggregations{SO}", 0.006),
               (f"pandas/_libs/sparse{SO}", 0.014), (f"pandas/_libs/index{SO}", 0.012)],
    "pyarrow": [("pyarrow/libarrow.so.1700", 0.40), ("pyarrow/libarrow_flight.so.1700", 0.10),
                ("pyarrow/libparquet.so.1700", 0.07), ("pyarrow/libarrow_acero.so.1700", 0.03),
                ("pyarrow/libarrow_dataset.so.1700", 0.025), ("pyarrow/libarrow_substrait.so.1700", 0.03),
                ("pyarrow/libarrow_python.so.1700", 0.02), (f"pyarrow/lib{SO}", 0.032),
                (f"pyarrow/_compute{SO}", 0.009), (f"pyarrow/_dataset{SO}", 0.006),
                (f"pyarrow/_flight{SO}", 0.008), (f"pyarrow/_parquet{SO}", 0.004)],
    "opencv-python-headless": [
        ("cv2/cv2.abi3.so", 0.63),
        ("opencv_python_headless.libs/libavcodec-9aae2d5a.so.59.37.100", 0.13),
        ("opencv_python_headless.libs/libavformat-3ff1be5b.so.59.27.100", 0.025),
        ("opencv_python_headless.libs/libopenblas-r0-f650aae0.3.3.so", 0.12),
        ("opencv_python_headless.libs/libgfortran-91cc3cb1.so.3.0.0", 0.012),
        ("opencv_python_headless.libs/libvpx-c3a7933e.so.7.1.0", 0.025),
        ("opencv_python_headless.libs/libswscale-2ac9ca48.so.6.7.100", 0.006),
        ("opencv_python_headless.libs/libavutil-a0a0531e.so.57.28.100", 0.008)],
    "scikit-learn": [(f"sklearn/_loss/_loss{SO}", 0.12), (f"sklearn/tree/_tree{SO}", 0.04),
                     (f"sklearn/utils/_seq_dataset{SO}", 0.02), (f"sklearn/metrics/_dist_metrics{SO}", 0.05),
                     (f"sklearn/metrics/_pairwise_distances_reduction/_argkmin{SO}", 0.03),
                     (f"sklearn/ensemble/_hist_gradient_boosting/histogram{SO}", 0.015),
                     (f"sklearn/linear_model/_cd_fast{SO}", 0.02), (f"sklearn/cluster/_k_means_lloyd{SO}", 0.015),
                     (f"sklearn/svm/_libsvm{SO}", 0.02), (f"sklearn/neighbors/_kd_tree{SO}", 0.02),
                     ("scikit_learn.libs/libgomp-a34b3233.so.1.0.0", 0.006)],
    "pillow": [(f"PIL/_imaging{SO}", 0.22), (f"PIL/_imagingft{SO}", 0.02),
               ("pillow.libs/libharfbuzz-07d0ad17.so.0.61010.0", 0.2),
               ("pillow.libs/libfreetype-be14bf51.so.6.20.1", 0.1),
               ("pillow.libs/libtiff-0a86184d.so.6.0.2", 0.05), ("pillow.libs/libwebp-2fd3cdca.so.7.1.9", 0.05),
               ("pillow.libs/libjpeg-45e70d75.so.62.4.0", 0.05), ("pillow.libs/libopenjp2-05423b53.so", 0.045),
               ("pillow.libs/liblzma-13fa198c.so.5.4.5", 0.02), ("pillow.libs/libpng16-58efbb84.so.16.43.0", 0.02)],
    "lxml": [(f"lxml/etree{SO}", 0.45), (f"lxml/objectify{SO}", 0.25), (f"lxml/html/diff{SO}", 0.04),
             (f"lxml/_elementpath{SO}", 0.02), (f"lxml/builder{SO}", 0.01), (f"lxml/sax{SO}", 0.015)],
    "botocore": [("botocore/cacert.pem", 0.012)],
    "pydantic-core": [(f"pydantic_core/_pydantic_core{SO}", 0.93)],
    "orjson": [(f"orjson/orjson{SO}", 0.9)],
    "charset-normalizer": [(f"charset_normalizer/md{SO}", 0.015),
                           ("charset_normalizer/md__mypyc" + SO, 0.25)],
    "certifi": [("certifi/cacert.pem", 0.9)],
}
# Distributions that install one top-level module file, not a package folder.
SINGLE_MODULE = {"six", "threadpoolctl", "typing-extensions"}
# Subpackages the filler .py/.pyc rows are spread over.
SUBPACKAGES = {
    "numpy": ["core", "lib", "linalg", "ma", "polynomial", "random", "testing", "typing", "f2py", "distutils"],
    "scipy": ["cluster", "fft", "integrate", "interpolate", "io", "linalg", "ndimage", "optimize",
              "signal", "sparse", "spatial", "special", "stats", "_lib"],
    "pandas": ["core", "core/arrays", "core/groupby", "core/indexes", "io", "io/formats", "plotting",
               "tseries", "_libs/tslibs", "tests/frame", "tests/series", "tests/io"],
    "pyarrow": ["", "interchange", "parquet", "vendored", "tests", "include/arrow"],
    "scikit-learn": ["", "cluster", "datasets", "decomposition", "ensemble", "linear_model", "metrics",
                     "model_selection", "neighbors", "preprocessing", "tree", "utils", "tests"],
    "botocore": ["", "data/s3/2006-03-01", "data/ec2/2016-11-15", "data/dynamodb/2012-08-10",
                 "data/sqs/2012-11-05", "data/lambda/2015-03-31", "data/iam/2010-05-08", "retries"],
}


def b64hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def dist_dir_name(name, version):
    return re.sub(r"[-_.]+", "_", name) + "-" + version + ".dist-info"


def payload_rows(name, total):
    """(path, size) rows summing exactly to `total`."""
    rnd = random.Random("site-packages:" + name)
    top = catalog.DISTS[name][4][0]
    rows = []
    if name in SINGLE_MODULE:  # e.g. six.py and a top-level __pycache__/six.cpython-311.pyc
        py = total * 45 // 100
        return [(f"{top}.py", py), (f"__pycache__/{top}.cpython-311.pyc", total - py)]
    for path, share in MAJOR.get(name, []):
        rows.append((path, int(total * share)))
    left = total - sum(s for _, s in rows)
    # one .py + one .pyc per module; about one module per 400 KB left, 3..150 modules
    nmod = max(3, min(150, left // (400 * 1024)))
    subs = SUBPACKAGES.get(name, [""])
    weights = [rnd.uniform(0.2, 3.0) for _ in range(nmod)]
    scale = left / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[-1] += left - sum(sizes)
    for i, size in enumerate(sizes):
        sub = subs[i % len(subs)]
        folder = f"{top}/{sub}".rstrip("/") if sub else top
        mod = "__init__" if i < len(subs) else f"_mod{i:03d}"
        if name == "botocore" and "data/" in folder:
            rows.append((f"{folder}/service-2.json.gz" if i < len(subs) else f"{folder}/paginators-{i}.json", size))
            continue
        if name == "tzdata":
            rows.append((f"tzdata/zoneinfo/Zone{i:03d}", size))
            continue
        py = size * 45 // 100          # source is a bit smaller than its bytecode
        rows.append((f"{folder}/{mod}.py", py))
        rows.append((f"{folder}/__pycache__/{mod}.cpython-311.pyc", size - py))
    return rows


def write_dist(out, name):
    version, total, _basis, _src, top_level, requires = catalog.DISTS[name]
    info = dist_dir_name(name, version)
    d = os.path.join(out, info)
    os.makedirs(d)
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
            "Requires-Python: >=3.9"] + [f"Requires-Dist: {r}" for r in requires]
    files = {
        "METADATA": ("\n".join(meta) + "\n").encode(),
        "top_level.txt": ("\n".join(top_level) + "\n").encode(),
        "INSTALLER": b"pip\n",
    }
    meta_rows = []
    for fname, data in files.items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)
        meta_rows.append((f"{info}/{fname}", b64hash(data), len(data)))
    payload_total = total - sum(r[2] for r in meta_rows)
    lines = []
    for path, size in payload_rows(name, payload_total):
        lines.append(f"{path},{b64hash(f'{path}:{size}'.encode())},{size}")
    for path, h, size in meta_rows:
        lines.append(f"{path},{h},{size}")
    lines.append(f"{info}/RECORD,,")
    with open(os.path.join(d, "RECORD"), "w", newline="") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(here), "site-packages")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    names = catalog.closure(catalog.TOP_LEVEL_REQUIREMENTS)
    rows = 0
    for n in names:
        rows += write_dist(out, n)
    total = catalog.installed_bytes(catalog.TOP_LEVEL_REQUIREMENTS)
    print(f"{len(names)} distributions, {rows} RECORD rows, {total:,} bytes installed -> {out}")


if __name__ == "__main__":
    main()
