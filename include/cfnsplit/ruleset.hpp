// Ruleset: the knowledge cfnsplit applies, read from rules/*.yaml (compiled in; `--rules DIR`
// overrides). Input: YAML rule files. Output: a RuleSet of quotas, lifecycle classes and the
// ownership key. Invariant: every value comes from a file that names its source.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// A rules file compiled into the binary (see cmake/embed_rules.cmake).
struct EmbeddedRuleFile {
  const char* name;
  const char* text;
};
const std::vector<EmbeddedRuleFile>& EmbeddedRuleFiles();

/// One quota: its value and where the figure comes from.
struct Quota {
  std::string key;  ///< e.g. "resources_per_stack"
  std::uint64_t value = 0;
  std::string scope;  ///< "stack", "function", "nested_operation", "account"
  std::string description;
  std::string source;  ///< URL
};

/// Where a resource type sits in the lifecycle of an application.
enum class LifecycleClass { kStateful, kShared, kFunction, kSatellite, kOther };
const char* LifecycleName(LifecycleClass c);

struct LifecycleRule {
  std::string pattern;  ///< exact type, or a glob with a trailing '*' (e.g. "Custom::*")
  LifecycleClass cls = LifecycleClass::kOther;
  /// For satellites (log groups): stateful when not tied to exactly one function.
  bool stateful_when_shared = false;
  /// DeletionPolicy Retain keeps history here (old Lambda versions), not data: still movable.
  bool retain_is_history = false;
  std::string source;
};

struct RuleSet {
  std::map<std::string, Quota> quotas;   ///< by key
  std::vector<LifecycleRule> lifecycle;  ///< first match wins
  std::string owner_key = "owner";       ///< tag or Metadata key naming a resource's owner
  double approaching = 0.9;              ///< a quota use at or above this share is flagged

  /// The quota value for `key`; throws std::out_of_range for an unknown key (a programming error).
  std::uint64_t Limit(const std::string& key) const;
  LifecycleClass ClassOf(const std::string& resource_type) const;
  /// The matching rule, or null when none matches (class kOther).
  const LifecycleRule* RuleFor(const std::string& resource_type) const;
  /// Files the rules were read from (name and text), for `cfnsplit rules --dump`.
  std::vector<std::pair<std::string, std::string>> files;
};

/// Loads the embedded rules, or the *.yaml files in `dir` when it is not empty.
std::optional<RuleSet> LoadRuleSet(const std::string& dir, SourceManager& sources,
                                   DiagnosticSink& sink);

}  // namespace cfnsplit
