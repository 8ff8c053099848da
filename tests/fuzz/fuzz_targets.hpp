// The parsers of untrusted input besides the template loader (fuzz_entry.hpp): zip central
// directories, requirements files, RECORD/METADATA texts and plan files. Each Run…Once checks
// one input against its parser's contract and returns what broke (empty when nothing did). The
// libFuzzer targets (fuzz_<name>.cpp, -DCFNSPLIT_FUZZ=ON) and the replay test
// (replay_targets.cpp, every ordinary test run) share these functions, so a crasher kept in
// tests/fuzz/seeds/<name>/ is re-checked exactly as the fuzzer ran it.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/plan.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::fuzz {

inline std::string AsText(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// A problem when a diagnostic has no code or points outside the registered files.
inline std::string CheckDiagnostics(const DiagnosticSink& sink, const SourceManager& sources) {
  for (const auto& d : sink.diagnostics()) {
    if (d.code.empty()) return "diagnostic without a code: " + d.message;
    std::string rendered = FormatDiagnostic(d, sources);
    if (rendered.find(d.message) == std::string::npos) return "rendering lost the message";
  }
  return {};
}

/// Zip: entries xor an error; every entry's header and data lie inside the archive and before
/// the directory; members read back (inflated) never exceed what was asked for.
inline std::string RunZipOnce(const std::uint8_t* data, std::size_t size) {
  std::string bytes = AsText(data, size);
  SourceManager sources;
  DiagnosticSink sink;
  sizing::ZipLimits limits;
  limits.max_entries = 10'000;
  limits.max_directory_bytes = 1 << 20;
  auto entries = sizing::ReadZipDirectory(bytes, "fuzz.zip", 0, sink, limits);
  if (entries && sink.has_errors()) return "entries and an error";
  if (!entries && !sink.has_errors()) return "no entries and no error";
  if (!entries) return CheckDiagnostics(sink, sources);
  for (const auto& e : *entries) {
    if (e.local_offset > size || size - e.local_offset < 30 || e.compressed > size)
      return "entry '" + e.name + "' outside the archive";
    constexpr std::uint64_t kMax = 1 << 20;
    auto member = sizing::ReadZipMember(bytes, e, kMax);
    if (member && member->size() > kMax) return "member larger than asked for";
  }
  return {};
}

/// A private scratch folder, removed when the process ends normally (the replay test; libFuzzer
/// may end with _Exit, leaving one small folder per fuzzing run).
struct PrivateDir {
  std::string path = "/tmp/cfnsplit-fuzz-req-XXXXXX";
  bool made = mkdtemp(path.data()) != nullptr;
  PrivateDir() = default;
  ~PrivateDir() {
    if (!made) return;
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
};

/// Requirement lines, markers and versions, then the same bytes as a requirements file: every
/// line parses or fails with a message and a column inside the line; version order is
/// antisymmetric; the file reader reports only located, coded diagnostics.
inline std::string RunRequirementsOnce(const std::uint8_t* data, std::size_t size) {
  std::string text = AsText(data, size);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    sizing::Requirement req;
    std::string error;
    std::size_t column = 0;
    if (sizing::ParseRequirement(line, req, &error, &column)) {
      if (req.name.empty()) return "a requirement without a name";
    } else if (error.empty() || column > line.size()) {
      return "a failed requirement without a message or with a column past the line";
    }
    std::string marker_error;
    if (!sizing::EvaluateMarker(line, sizing::MarkerEnv{}, "", &marker_error) &&
        marker_error.empty())
      return "a marker failed without a message";
    std::size_t half = line.size() / 2;
    std::string_view a = line.substr(0, half), b = line.substr(half);
    if (sizing::CompareVersions(a, b) != -sizing::CompareVersions(b, a))
      return "version order is not antisymmetric";
    (void)sizing::SpecifierAllows(a, b);
    if (end == text.size()) break;
    start = end + 1;
  }
  // The file reader, on a private file (includes may name anything; they are only read).
  static const PrivateDir dir;
  const std::string path = dir.path + "/requirements.txt";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  SourceManager sources;
  DiagnosticSink sink;
  sizing::RequirementsReader reader(sources, sink);
  auto reqs = reader.Read(path, {});
  for (const auto& r : reqs)
    if (!r.editable && r.url.empty() && r.name.empty()) return "a read requirement without a name";
  return CheckDiagnostics(sink, sources);
}

/// RECORD (CSV) and METADATA/requires.txt texts: RECORD paths never normalize to anything that
/// leaves the root; Requires-Dist values go through the requirement parser without harm.
inline std::string RunRecordOnce(const std::uint8_t* data, std::size_t size) {
  std::string text = AsText(data, size);
  for (const auto& row : sizing::ParseCsv(text)) {
    if (row.empty()) continue;
    std::string path = sizing::NormalizeRelative(row[0], "/site");
    if (!path.empty() && (path.front() == '/' || path == ".." || path.rfind("../", 0) == 0 ||
                          path.find("/../") != std::string::npos ||
                          (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0)))
      return "RECORD path '" + row[0] + "' normalizes outside the root: '" + path + "'";
  }
  sizing::CoreMetadata meta = sizing::ParseCoreMetadata(text);
  std::vector<std::string> values = meta.requires_dist;
  for (auto& v : sizing::EggRequiresToRequiresDist(text)) values.push_back(std::move(v));
  for (const auto& value : values) {
    sizing::Requirement req;
    std::string error;
    sizing::ParseRequirement(value, req, &error, nullptr);
  }
  return {};
}

/// Plan files: a plan xor an error; a plan read back from its own YAML has the same stacks.
inline std::string RunPlanOnce(const std::uint8_t* data, std::size_t size) {
  SourceManager sources;
  DiagnosticSink sink;
  std::uint32_t file = sources.Add("fuzz-plan.yaml", AsText(data, size));
  auto plan = PlanFromYaml(file, sources, sink);
  if (plan && sink.has_errors()) return "a plan and an error";
  if (!plan && !sink.has_errors()) return "no plan and no error";
  if (std::string problem = CheckDiagnostics(sink, sources); !problem.empty()) return problem;
  if (!plan) return {};
  DiagnosticSink again_sink;
  std::uint32_t again_file = sources.Add("again.yaml", PlanToYaml(*plan));
  auto again = PlanFromYaml(again_file, sources, again_sink);
  if (!again)
    return "the plan's own YAML does not read back: " + (again_sink.diagnostics().empty()
                                                             ? std::string("?")
                                                             : again_sink.diagnostics()[0].message);
  if (again->stacks.size() != plan->stacks.size()) return "stacks lost in the round trip";
  for (std::size_t i = 0; i < plan->stacks.size(); ++i)
    if (again->stacks[i].name != plan->stacks[i].name ||
        again->stacks[i].resources != plan->stacks[i].resources)
      return "stack '" + plan->stacks[i].name + "' changed in the round trip";
  return {};
}

}  // namespace cfnsplit::fuzz
