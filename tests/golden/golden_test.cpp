// Golden tests: run the real cfnsplit binary on each case under tests/golden/cases/ and compare
// its exit code, stdout and stderr with the case's expected.txt. A case is a folder with `args`
// (one line: the arguments, relative to the source tree) and `expected.txt`.
// A case that writes files into {scratch} and has a `keep-output` file also compares every file
// it wrote with the case's expected-out/ tree.
// CFNSPLIT_UPDATE_GOLDEN=1 rewrites expected.txt from the current output (review the diff!).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/plan.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"

namespace {

using cfnsplit::testing::ReadAll;

std::vector<std::string> Cases(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Relative paths of every file below `root`, sorted.
std::vector<std::string> FilesUnder(const std::string& root, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& name : Cases(root + "/" + prefix)) {
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    struct stat st {};
    if (stat((root + "/" + rel).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      auto sub = FilesUnder(root, rel);
      out.insert(out.end(), sub.begin(), sub.end());
    } else {
      out.push_back(rel);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs a command from the source dir; returns "exit: N\n--- stdout\n…\n--- stderr\n…".
std::string Run(const std::string& args, const std::string& scratch) {
  auto run = cfnsplit::testing::RunCfnsplit(args, scratch);
  return "exit: " + std::to_string(run.code) + "\n--- stdout\n" + run.out + "--- stderr\n" +
         run.err;
}

// The invariant every plan a case writes must keep, whatever its text says: each resource of
// the template is in exactly one stack, and no stack names a resource the template lacks (so
// the stacks' resource counts add up to the template's). Empty when it holds.
std::string PlanInvariantProblem(const std::string& plan_path) {
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  auto plan = cfnsplit::PlanFromYaml(sources.Add(plan_path, ReadAll(plan_path)), sources, sink);
  if (!plan) return "the plan does not read back";
  const cfnsplit::PlanInput* input = plan->Input("template");
  if (!input) return "the plan names no template";
  std::string path = input->path;
  if (access(path.c_str(), F_OK) != 0)  // stored relative to the plan file
    path = plan_path.substr(0, plan_path.rfind('/') + 1) + path;
  cfnsplit::PipelineInputs inputs;
  inputs.template_path = path;
  cfnsplit::PipelineRun run{sources, sink};
  auto loaded = cfnsplit::RunPipeline(inputs, cfnsplit::Stage::kModel, run);
  if (!loaded.ok) return "its template '" + path + "' does not load";
  std::map<std::string, int> placed;
  std::size_t total = 0;
  for (const auto& stack : plan->stacks)
    for (const auto& id : stack.resources) {
      ++placed[id];
      ++total;
      if (!loaded.model->FindResource(id)) return "stack " + stack.name + " names unknown " + id;
    }
  for (const auto& r : loaded.model->resources)
    if (placed[r.id] != 1)
      return "resource " + r.id + " is in " + std::to_string(placed[r.id]) + " stacks";
  if (total != loaded.model->resources.size()) return "the stacks' resources do not add up";
  return {};
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("golden: whole command runs match their expected output", "[golden]") {
  std::string root = std::string(CFNSPLIT_SOURCE_DIR) + "/tests/golden/cases";
  std::vector<std::string> cases = Cases(root);
  REQUIRE(cases.size() >= 5);
  bool update = std::getenv("CFNSPLIT_UPDATE_GOLDEN") != nullptr;
  // Inside the source tree, so that paths an output stores relative to itself (its README's
  // source, deploy.sh's artifact folder) are the same on every machine.
  std::string scratch_template = std::string(CFNSPLIT_SOURCE_DIR) + "/tests/golden/.scratch-XXXXXX";
  std::string scratch = mkdtemp(scratch_template.data());
  int plans_checked = 0;
  for (const auto& name : cases) {
    std::string dir = root + "/" + name;
    std::string args = Trim(ReadAll(dir + "/args"));
    // {scratch} lets a case write output files outside the source tree.
    for (auto at = args.find("{scratch}"); at != std::string::npos; at = args.find("{scratch}"))
      args.replace(at, 9, scratch + "/" + name);
    std::string actual = Run(args, scratch);
    for (auto at = actual.find(scratch); at != std::string::npos; at = actual.find(scratch))
      actual.replace(at, scratch.size(), "{scratch}");
    bool keep_output = access((dir + "/keep-output").c_str(), F_OK) == 0;
    std::string written = scratch + "/" + name;
    if (update) {
      std::ofstream(dir + "/expected.txt", std::ios::binary) << actual;
      if (keep_output)
        std::system(("rm -rf '" + dir + "/expected-out' && cp -r '" + written + "' '" + dir +
                     "/expected-out'")
                        .c_str());
      continue;
    }
    INFO("case " << name << ": cfnsplit " << args);
    CHECK(Trim(actual) == Trim(ReadAll(dir + "/expected.txt")));
    for (const std::string& plan : {written + "/plan.yaml", written + ".yaml"})
      if (access(plan.c_str(), F_OK) == 0) {
        ++plans_checked;
        INFO("plan " << plan);
        CHECK(PlanInvariantProblem(plan) == "");
      }
    if (!keep_output) continue;
    std::vector<std::string> expected_files = FilesUnder(dir + "/expected-out", "");
    CHECK(expected_files == FilesUnder(written, ""));
    for (const auto& rel : expected_files) {
      INFO("output file " << rel);
      CHECK(ReadAll(written + "/" + rel) == ReadAll(dir + "/expected-out/" + rel));
    }
  }
  std::system(("rm -rf " + scratch).c_str());
  if (!update) CHECK(plans_checked >= 5);  // the invariant ran on the split cases' plans
}
