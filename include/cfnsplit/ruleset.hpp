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
#include "cfnsplit/value.hpp"

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

/// A reference that must name a resource of the same template (rules/wiring.yaml).
struct SameTemplateRule {
  std::string type;   ///< resource type holding the reference
  std::string path;   ///< property path, `*` matches one key ("Properties.Events.*.Properties.Bucket")
  std::string event;  ///< SAM event Type the rule is limited to ("" = any)
  std::string why;
  std::string source;
};

/// An attribute whose value is a secret (rules/wiring.yaml).
struct SecretAttribute {
  std::string type;
  std::string attribute;
  std::string source;
};

/// True when `path` ("Properties.Events.E.Properties.Bucket.Ref") starts with the segments of
/// `pattern`, where a `*` segment matches any one key.
bool PathMatches(const std::string& pattern, const std::string& path);

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
  std::vector<SameTemplateRule> same_template;
  std::vector<SecretAttribute> secret_attributes;
  /// Property paths where AWS::StackName/StackId/Region name the resource's own stack.
  std::vector<std::string> own_stack_contexts;

  bool IsSecretAttribute(const std::string& type, const std::string& attribute) const;
  /// The rule a reference at `path` inside a resource of `type` falls under, or null.
  const SameTemplateRule* SameTemplateRuleFor(const std::string& type, const std::string& path,
                                              const Value& resource_def) const;
  bool InOwnStackContext(const std::string& path) const;
  /// Files the rules were read from (name and text), for `cfnsplit rules --dump`.
  std::vector<std::pair<std::string, std::string>> files;
};

/// Loads the embedded rules, or the *.yaml files in `dir` when it is not empty.
std::optional<RuleSet> LoadRuleSet(const std::string& dir, SourceManager& sources,
                                   DiagnosticSink& sink);

}  // namespace cfnsplit
