// Load: bytes of a JSON or YAML template into a positioned Value tree.
//
// Input: a path (or text already registered with the SourceManager). Output: one Value with every
// YAML short-form tag expanded to its long form, anchors and aliases resolved, and a SourceLoc on
// every node. Malformed, hostile or oversized input yields an `E00xx` diagnostic and no value;
// the loaders never recurse without a bound and never allocate without a budget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

enum class TemplateFormat { kJson, kYaml };

/// Bounds that keep hostile input from exhausting the machine.
struct LoadLimits {
  std::uint64_t max_bytes = 128ull << 20;  ///< larger files are refused before reading
  std::uint32_t max_depth = 256;           ///< nesting of lists and maps
  std::uint64_t max_nodes = 20'000'000;    ///< nodes after alias expansion
};

/// JSON when the path ends in .json or the first non-blank byte is `{` or `[`; YAML otherwise.
TemplateFormat DetectFormat(const std::string& path, const std::string& text);

/// Parses the registered file `file`. Errors go to `sink`; returns nullopt after any error.
std::optional<Value> ParseDocument(std::uint32_t file, const SourceManager& sources,
                                   DiagnosticSink& sink, const LoadLimits& limits = {});
std::optional<Value> ParseJson(std::uint32_t file, const SourceManager& sources,
                               DiagnosticSink& sink, const LoadLimits& limits = {});
std::optional<Value> ParseYaml(std::uint32_t file, const SourceManager& sources,
                               DiagnosticSink& sink, const LoadLimits& limits = {});

/// ParseDocument for a template: also refuses a top level that is not a mapping (E0008).
std::optional<Value> ParseTemplate(std::uint32_t file, const SourceManager& sources,
                                   DiagnosticSink& sink, const LoadLimits& limits = {});

/// Reads `path` (refusing missing, oversized, empty and binary files), registers it and parses
/// it. `*file_id` receives the id, also on a parse error, so callers can point into the file.
std::optional<Value> LoadFile(const std::string& path, SourceManager& sources, DiagnosticSink& sink,
                              const LoadLimits& limits = {}, std::uint32_t* file_id = nullptr);

/// Reads a whole file into `out`; false (and an E0001 diagnostic) when it cannot.
bool ReadFileText(const std::string& path, std::string& out, DiagnosticSink& sink,
                  std::uint64_t max_bytes = LoadLimits{}.max_bytes);

/// The long name of a YAML short-form tag (`!GetAtt` → `Fn::GetAtt`), or empty if unknown.
std::string LongFormOfTag(const std::string& tag);

}  // namespace cfnsplit
