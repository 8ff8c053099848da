// Benchmark driver for the sizing stage (not built by CMake; see docs/sizing.md).
//
//   sizing_bench site   DIR   # BuildPackageModel over an installed tree (DIR/site, DIR/requirements.txt)
//   sizing_bench manifest DIR N  # N functions, each with a manifest entry (DIR/deps.yaml)
// Prints the wall time of one BuildPackageModel call in milliseconds and a digest of the result,
// so that bench_sizing.py can take the median of several processes and their peak RSS.
#include <chrono>
#include <iostream>
#include <string>

#include "cfnsplit/sizing.hpp"

int main(int argc, char** argv) {
  using namespace cfnsplit;
  if (argc < 3) {
    std::cerr << "usage: sizing_bench site|manifest DIR [FUNCTIONS]\n";
    return 2;
  }
  std::string mode = argv[1], dir = argv[2];
  std::vector<FunctionInfo> functions;
  SizingOptions options;
  options.template_dir = dir;
  if (mode == "site") {
    FunctionInfo f;
    f.resource_id = "AllFunction";
    f.runtime = "python3.12";
    functions.push_back(f);
    options.site_packages = dir + "/site";
    options.requirements = {dir + "/requirements.txt"};
  } else {
    int n = argc > 3 ? std::stoi(argv[3]) : 2000;
    for (int i = 0; i < n; ++i) {
      FunctionInfo f;
      f.resource_id = "Fn" + std::to_string(i);
      f.runtime = i % 3 == 0 ? "python3.11" : "python3.12";
      f.architecture = i % 2 == 0 ? "x86_64" : "arm64";
      functions.push_back(f);
    }
    options.manifest = dir + "/deps.yaml";
  }
  SourceManager sources;
  DiagnosticSink sink;
  auto start = std::chrono::steady_clock::now();
  auto model = BuildPackageModel(functions, options, sources, sink);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!model) {
    for (const auto& d : sink.diagnostics()) std::cerr << FormatDiagnostic(d, sources);
    return 1;
  }
  std::vector<std::uint32_t> all(model->functions.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  auto union_start = std::chrono::steady_clock::now();
  std::uint64_t union_bytes = 0;
  for (int k = 0; k < 1000; ++k) union_bytes = UnionUnzippedBytes(*model, all);
  double union_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - union_start).count() / 1000;
  std::cout << "ms=" << ms << " dists=" << model->dists.size() << " functions=" << model->functions.size()
            << " union_bytes=" << union_bytes << " union_us=" << union_us
            << " diagnostics=" << sink.diagnostics().size() << "\n";
  return 0;
}
