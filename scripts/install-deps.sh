#!/usr/bin/env bash
# Installs what cfnsplit needs to build and test, from Debian packages. Idempotent: packages that
# are already installed are left alone, and nothing is fetched when all of them are present.
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config libyaml-cpp-dev libboost-graph-dev nlohmann-json3-dev
          libcli11-dev catch2 python3 zlib1g-dev binutils libglpk-dev libmimalloc-dev)
# Optional: graphviz renders `graph --format svg`; nodejs/npm run cfn-lint in the tests;
# chromium checks the HTML report; zip is the baseline of bench/bench_package.py; clang with its
# sanitizer and libFuzzer runtimes (libclang-rt-dev) builds scripts/sanitize.sh's suite and the
# fuzz targets, llvm's llvm-symbolizer names the lines of a sanitizer report. Tests that need them
# skip cleanly when they are absent.
if [[ "${CFNSPLIT_FULL_DEPS:-0}" == 1 ]]; then
  # By command, not package: a machine may already have node and npm from elsewhere, and
  # Debian's npm package would conflict with them.
  command -v dot >/dev/null || packages+=(graphviz)
  command -v chromium >/dev/null || packages+=(chromium)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
  command -v zip >/dev/null || packages+=(zip)
  packages+=(clang libclang-rt-dev llvm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
