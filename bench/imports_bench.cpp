// Driver for bench/bench_imports.py: the imports stage alone. Builds the import-name index from
// the top_level.txt files of SITE, then infers the imports of every handler under
// CODE/functions/*/handler.py with one resolver (the shared code tree is scanned once), and
// prints `ms=… functions=… dists=… files=…`.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cfnsplit/imports.hpp"

namespace fs = std::filesystem;
using namespace cfnsplit;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: imports_bench SITE CODE\n";
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  SourceManager sources;
  DiagnosticSink sink;
  imports::ImportRules rules = imports::LoadImportRules(sources, sink);
  imports::ModuleProviders providers;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    std::ifstream in(entry.path() / "top_level.txt");
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.push_back(line);
    std::string dist = entry.path().filename().string();
    providers.Add(dist.substr(0, dist.find('-')), names, {});
  }
  std::vector<std::string> handlers;
  for (const auto& entry : fs::directory_iterator(fs::path(argv[2]) / "functions"))
    handlers.push_back(entry.path().filename().string() + "/handler.py");
  std::sort(handlers.begin(), handlers.end());
  imports::ImportResolver resolver(rules, providers, sources, sink);
  std::size_t dists = 0, files = 0, ok = 0;
  for (const auto& h : handlers) {
    imports::HandlerRef ref{h, argv[2], "functions/" + h, "3.12", "python3.12"};
    imports::FunctionImports fi = resolver.Infer(ref);
    ok += fi.ok;
    dists += fi.dists.size();
    files += fi.local_files.size();
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "ms=" << ms << " functions=" << ok << " dists=" << dists << " files=" << files
            << "\n";
  return ok == handlers.size() ? 0 : 1;
}
