// What durable output costs: WriteOutputDir (O_EXCL files, fsync of every file and directory,
// rename, fsync of the parent) against the same files written the way it was done before
// (ofstream, no fsync, then rename), on the same file system. Two shapes: the ML sample's split
// (40 templates of 60 KB) and a built split (the same plus 7 zips of 20 MB).
//
//   g++ -std=c++17 -O2 -Iinclude bench/outdir_bench.cpp src/emit/outdir.cpp \
//       src/common/diagnostics.cpp -o /tmp/outdir_bench && /tmp/outdir_bench [DIR] [RUNS]
//
// DIR defaults to /tmp (tmpfs on some machines: fsync is free there; pass a disk folder).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cfnsplit/emit.hpp"

namespace fs = std::filesystem;
using cfnsplit::EmittedFile;

namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The old way: plain writes into a temporary folder, renamed into place; nothing flushed.
void WritePlain(const fs::path& out, const std::vector<EmittedFile>& files) {
  fs::path tmp = out.string() + ".plain-tmp";
  for (const auto& f : files) {
    fs::create_directories((tmp / f.path).parent_path());
    std::ofstream(tmp / f.path, std::ios::binary) << f.contents;
  }
  fs::rename(tmp, out);
}

std::vector<EmittedFile> Shape(int templates, int zips) {
  std::vector<EmittedFile> files;
  for (int i = 0; i < templates; ++i)
    files.push_back({"stacks/Stack" + std::to_string(i) + ".json", std::string(60'000, 'x')});
  for (int i = 0; i < zips; ++i)
    files.push_back({"packages/Stack" + std::to_string(i) + ".zip", std::string(20 << 20, 'z')});
  files.push_back({"README.md", std::string(4000, 'r')});
  return files;
}

void Measure(const char* label, const std::vector<EmittedFile>& files, const fs::path& dir,
             int runs) {
  std::vector<double> durable, plain;
  for (int r = 0; r < runs; ++r) {
    fs::path out = dir / ("cfnsplit-outdir-bench-" + std::to_string(r));
    fs::remove_all(out);
    cfnsplit::DiagnosticSink sink;
    auto t0 = std::chrono::steady_clock::now();
    if (!cfnsplit::WriteOutputDir(out.string(), files, false, sink)) std::abort();
    durable.push_back(Ms(std::chrono::steady_clock::now() - t0));
    fs::remove_all(out);
    t0 = std::chrono::steady_clock::now();
    WritePlain(out, files);
    plain.push_back(Ms(std::chrono::steady_clock::now() - t0));
    fs::remove_all(out);
  }
  std::sort(durable.begin(), durable.end());
  std::sort(plain.begin(), plain.end());
  std::size_t mid = durable.size() / 2;
  std::printf("%-34s durable %8.1f ms (%.1f-%.1f)   plain %8.1f ms (%.1f-%.1f)   x%.2f\n", label,
              durable[mid], durable.front(), durable.back(), plain[mid], plain.front(),
              plain.back(), durable[mid] / std::max(plain[mid], 0.001));
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? argv[1] : "/tmp";
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  Measure("41 files, 2.4 MB (templates)", Shape(40, 0), dir, runs);
  Measure("48 files, 142 MB (templates + zips)", Shape(40, 7), dir, runs);
  return 0;
}
