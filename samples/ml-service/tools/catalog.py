"""Distribution catalog for samples/ml-service (Python 3.11, manylinux x86_64).

One entry per distribution in the closure of the service-wide requirements.txt:
pinned version, real Requires-Dist lines (as published for that version, extras
and platform-only markers trimmed to what matters on Linux), top-level import
names, the installed size in bytes (what `pip install -t` leaves on disk, .pyc
included), and where that size comes from. See ../README.md for the table.

Sizes marked "cited" come from /work/shared/reference/aws-facts.md section 6.5
(the issue or page is named in `source`); "derived" combine cited figures;
"estimate" are documented guesses (no cited installed figure was found and the
wheels could not be downloaded here: no PyPI access on this machine).
"""

MB = 1024 * 1024
KB = 1024

# name: (version, installed_bytes, basis, source, top_level, requires_dist)
DISTS = {
    # --- numeric / data stack -------------------------------------------------
    "numpy": ("1.26.4", 57 * MB, "cited",
              "aws/aws-sdk-pandas#528: numpy 24 MB + numpy.libs 33 MB installed (2021)",
              ["numpy"], []),
    "pandas": ("2.2.3", 70 * MB, "cited",
               "haivq/blog pandas-numpy-scipy-into-one.md (2024): pandas alone ~70 MB",
               ["pandas"],
               ["numpy>=1.23.2; python_version == \"3.11\"", "python-dateutil>=2.8.2",
                "pytz>=2020.1", "tzdata>=2022.7"]),
    "scipy": ("1.14.1", 126 * MB, "cited",
              "aws/sagemaker-python-sdk#1471: scipy 126 MB with pip install --target, du -s (2020)",
              ["scipy"], ["numpy<2.3,>=1.23.5"]),
    "scikit-learn": ("1.5.2", 42 * MB, "estimate",
                     "no cited installed figure; ~13 MB manylinux wheel x ~3.2 (Cython .so + .pyc)",
                     ["sklearn"],
                     ["numpy>=1.19.5", "scipy>=1.6.0", "joblib>=1.2.0", "threadpoolctl>=3.1.0"]),
    "joblib": ("1.4.2", 2 * MB + 310 * KB, "estimate", "pure Python, ~300 KB wheel plus .pyc",
               ["joblib"], []),
    "threadpoolctl": ("3.5.0", 96 * KB, "estimate", "single module plus .pyc",
                      ["threadpoolctl"], []),
    "pyarrow": ("17.0.0", 160 * MB, "derived",
                "pandas-dev/pandas PR #58623: pandas + pyarrow ~295 MB in a fresh venv (2024); "
                "minus pandas 70, numpy 57 and pandas' small deps ~8 MB",
                ["pyarrow"], ["numpy>=1.16.6"]),
    "python-dateutil": ("2.9.0.post0", 820 * KB, "estimate", "pure Python plus zoneinfo tarball",
                        ["dateutil"], ["six>=1.5"]),
    "pytz": ("2024.2", 2 * MB + 900 * KB, "estimate", "tz database files plus .py",
             ["pytz"], []),
    "tzdata": ("2024.2", 1 * MB + 950 * KB, "estimate", "IANA zone files, ~600 small files",
               ["tzdata"], []),
    "six": ("1.16.0", 72 * KB, "estimate", "single module plus .pyc", ["six"], []),
    # --- image / document processing ----------------------------------------
    "opencv-python-headless": ("4.10.0.84", 100 * MB, "estimate",
                               "no cited installed figure; ~50 MB manylinux wheel, cv2 .so plus "
                               "bundled opencv_python_headless.libs (ffmpeg, openblas)",
                               ["cv2"], ["numpy>=1.21.2; python_version >= \"3.10\""]),
    "pillow": ("11.0.0", 14 * MB, "derived",
               "python-pillow/Pillow PR #7848: 7.1 MB manylinux wheel (2024), x2 installed",
               ["PIL"], []),
    "lxml": ("5.3.0", 12 * MB, "cited", "aws/aws-sdk-pandas#528: lxml 12 MB installed (2021)",
             ["lxml"], []),
    # --- AWS SDK and HTTP ----------------------------------------------------
    "boto3": ("1.35.54", 1 * MB + 400 * KB, "cited",
              "aws4embeddedlinux/meta-aws#1495: boto3 1.4 MB in site-packages (2022)",
              ["boto3"],
              ["botocore<1.36.0,>=1.35.54", "jmespath<2.0.0,>=0.7.1", "s3transfer<0.11.0,>=0.10.0"]),
    "botocore": ("1.35.54", 24 * MB, "cited",
                 "boto/botocore#2365: 24 MB installed from 1.32.1 on (compressed JSON models)",
                 ["botocore"],
                 ["jmespath<2.0.0,>=0.7.1", "python-dateutil<3.0.0,>=2.1",
                  "urllib3!=2.2.0,<3,>=1.25.4; python_version >= \"3.10\""]),
    "s3transfer": ("0.10.3", 560 * KB, "estimate", "pure Python plus .pyc", ["s3transfer"],
                   ["botocore<2.0a.0,>=1.33.2"]),
    "jmespath": ("1.0.1", 150 * KB, "estimate", "pure Python plus .pyc", ["jmespath"], []),
    "urllib3": ("2.2.3", 880 * KB, "estimate", "pure Python plus .pyc", ["urllib3"], []),
    "requests": ("2.32.3", 460 * KB, "estimate", "pure Python plus .pyc", ["requests"],
                 ["charset-normalizer<4,>=2", "idna<4,>=2.5", "urllib3<3,>=1.21.1",
                  "certifi>=2017.4.17"]),
    "certifi": ("2024.8.30", 310 * KB, "estimate", "cacert.pem plus module", ["certifi"], []),
    "charset-normalizer": ("3.4.0", 1 * MB + 100 * KB, "estimate", "mypyc .so plus .py",
                           ["charset_normalizer"], []),
    "idna": ("3.10", 700 * KB, "estimate", "pure Python with large tables", ["idna"], []),
    # --- validation / serialisation ------------------------------------------
    "pydantic": ("2.9.2", 4 * MB + 200 * KB, "estimate", "pure Python plus .pyc", ["pydantic"],
                 ["annotated-types>=0.6.0", "pydantic-core==2.23.4",
                  "typing-extensions>=4.6.1; python_version < \"3.13\""]),
    "pydantic-core": ("2.23.4", 5 * MB + 300 * KB, "estimate", "one Rust extension .so",
                      ["pydantic_core"], ["typing-extensions!=4.7.0,>=4.6.0"]),
    "annotated-types": ("0.7.0", 60 * KB, "estimate", "pure Python", ["annotated_types"], []),
    "typing-extensions": ("4.12.2", 170 * KB, "estimate", "single module plus .pyc",
                          ["typing_extensions"], []),
    "orjson": ("3.10.10", 420 * KB, "estimate", "one Rust extension .so", ["orjson"], []),
}

# What each team's functions import, as requirement names (closure added by pip).
# The service-wide requirements.txt is the union of these top-level names.
TOP_LEVEL_REQUIREMENTS = [
    "boto3", "numpy", "pandas", "scipy", "scikit-learn", "pyarrow",
    "opencv-python-headless", "pillow", "lxml", "requests", "pydantic", "orjson",
]


def closure(names):
    """Names plus every distribution they require (by name, markers ignored)."""
    import re
    seen, todo = set(), list(names)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for req in DISTS[n][5]:
            dep = re.split(r"[<>=!;\[ ]", req, 1)[0].strip()
            todo.append(dep)
    return sorted(seen)


def installed_bytes(names):
    return sum(DISTS[n][1] for n in closure(names))
