// Ruleset: the knowledge cfnsplit applies, read from rules/*.yaml (compiled in; `--rules DIR`
// overrides). Input: YAML rule files. Output: a RuleSet of quotas, lifecycle classes and the
// ownership key. Invariant: every value comes from a file that names its source.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/quotas.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// A rules file compiled into the binary (see cmake/embed_rules.cmake).
struct EmbeddedRuleFile {
  const char* name;
  const char* text;
};
const std::vector<EmbeddedRuleFile>& EmbeddedRuleFiles();

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
  std::string type;  ///< resource type holding the reference
  std::string
      path;  ///< property path, `*` matches one key ("Properties.Events.*.Properties.Bucket")
  std::string event;  ///< SAM event Type the rule is limited to ("" = any)
  std::string why;
  std::string source;
  /// The value at `path` is a logical ID written as a plain string (a SAM connector's
  /// `Source.Id`), not a Ref: no reference walker sees it, LogicalIdsAt finds it.
  bool logical_id = false;
};

/// An attribute whose value is a secret (rules/wiring.yaml).
struct SecretAttribute {
  std::string type;
  std::string attribute;
  std::string source;
};

/// A property that names a local file or folder the packaging tools upload
/// (rules/artifact-paths.yaml).
struct ArtifactPath {
  std::string type;                ///< resource type, or "Globals.<Section>" for SAM Globals
  std::string property;            ///< dotted path under Properties (or under the Globals section)
  bool null_means_folder = false;  ///< absent: the tools package the template's own folder
};

/// True when `path` ("Properties.Events.E.Properties.Bucket.Ref") starts with the segments of
/// `pattern`, where a `*` segment matches any one key.
bool PathMatches(const std::string& pattern, const std::string& path);

/// One fact about a resource type in rules/refactor.yaml. `detail` is what the list says about
/// it: the import identifier property, the gap a re-creation leaves, the naming property, the
/// provisioning type, or "explicit" for a pseudo parameter migrate can make explicit.
struct TypeFact {
  std::string type;  ///< exact type or a glob with a trailing '*'; a pseudo parameter's name
  std::string detail;
  std::string source;
};

/// How a deployed resource may change stacks (rules/refactor.yaml, docs/migrate.md).
struct RefactorRules {
  std::map<std::string, std::uint64_t> limits;  ///< stacks_per_refactor, template_body_bytes, …
  std::vector<TypeFact> deny;                   ///< stack refactoring refuses these types
  std::vector<TypeFact> not_fully_mutable;
  std::vector<TypeFact> importable;  ///< detail: the identifier property
  std::vector<TypeFact> not_importable;
  std::vector<TypeFact> recreate_safe;     ///< detail: what the gap means
  std::vector<TypeFact> name_properties;   ///< detail: the property that fixes the name
  std::vector<TypeFact> own_stack_pseudo;  ///< type: AWS::StackName …; detail "explicit"

  /// The first fact of `list` whose type (or glob) matches `type`, or null.
  static const TypeFact* Find(const std::vector<TypeFact>& list, const std::string& type);
  std::uint64_t Limit(const std::string& key, std::uint64_t fallback) const;
};

struct RuleSet {
  QuotaTable quotas;                     ///< rules/limits.yaml, in file order
  std::vector<LifecycleRule> lifecycle;  ///< first match wins
  std::string owner_key = "owner";       ///< tag or Metadata key naming a resource's owner

  /// The quota value for `key`; throws std::out_of_range for an unknown key (a programming error).
  std::uint64_t Limit(const std::string& key) const { return quotas.Limit(key); }
  LifecycleClass ClassOf(const std::string& resource_type) const;
  /// The matching rule, or null when none matches (class kOther).
  const LifecycleRule* RuleFor(const std::string& resource_type) const;
  /// Adds a path of rules/artifact-paths.yaml (ForEachArtifactPath visits them in file order).
  void AddArtifactPath(ArtifactPath path);
  std::vector<SameTemplateRule> same_template;
  std::vector<SecretAttribute> secret_attributes;
  /// Property paths where AWS::StackName/StackId/Region name the resource's own stack.
  const std::vector<std::string>& own_stack_contexts() const { return own_stack_contexts_; }
  /// Replaces them; only the first kMaxOwnStackContexts are followed (LoadRuleSet refuses more).
  void SetOwnStackContexts(std::vector<std::string> paths);

  bool IsSecretAttribute(const std::string& type, const std::string& attribute) const;
  /// False when SameTemplateRuleFor(type, …) is null wherever a reference is written.
  bool HasSameTemplateRules(const std::string& type) const;
  /// The rule a reference at `path` inside a resource of `type` falls under, or null.
  const SameTemplateRule* SameTemplateRuleFor(const std::string& type, const std::string& path,
                                              const Value& resource_def) const;
  /// Where a walk down a resource definition stands among own_stack_contexts: the walker asks
  /// `EnterOwnStackContext` at every key of a plain map (not at list items or function names)
  /// and is in an own-stack context once `inside` is set. A bit set of the patterns still
  /// matching, so a step costs a few segment compares instead of joining and matching the path.
  struct ContextCursor {
    std::uint64_t live = 0;  ///< patterns whose first `depth` segments matched the keys so far
    std::uint32_t depth = 0;
    bool inside = false;  ///< a whole pattern matched: every key below is in the context
    /// False when no key below can change the answer: the walker may stop stepping.
    bool open() const { return live != 0 && !inside; }
  };
  /// At most this many own-stack contexts: the cursor's bit set (LoadRuleSet refuses more).
  static constexpr std::size_t kMaxOwnStackContexts = 64;
  ContextCursor OwnStackRoot() const;
  ContextCursor EnterOwnStackContext(ContextCursor at, std::string_view key) const;
  /// Calls `visit(logical_id, rule)` for every plain-string logical ID a `logical_id` rule finds
  /// in a resource of `type` (a list on the way is looked through: `Destination` may be a list).
  void ForEachNamedLogicalId(
      const std::string& type, const Value& resource_def,
      const std::function<void(const std::string&, const SameTemplateRule&)>& visit) const;
  /// Calls `visit(holder, key, rule)` for every artifact path of a resource of `type` (or of a
  /// SAM Globals section, with type "Globals.<Section>" and `def` the section's map): `holder` is
  /// the map that holds (or would hold) the property `key`, null when an enclosing map is absent.
  void ForEachArtifactPath(Value& def, const std::string& type,
                           const std::function<void(Value* holder, const std::string& key,
                                                    const ArtifactPath&)>& visit) const;
  void ForEachArtifactPath(const Value& def, const std::string& type,
                           const std::function<void(const Value* holder, const std::string& key,
                                                    const ArtifactPath&)>& visit) const;
  RefactorRules refactor;
  /// Files the rules were read from (name and text), for `cfnsplit rules --dump`.
  std::vector<std::pair<std::string, std::string>> files;

 private:
  std::vector<ArtifactPath> artifact_paths_;
  // Positions in artifact_paths_ by type: every resource of a template asks (emit, verify),
  // and most types have none.
  std::map<std::string, std::vector<std::size_t>, std::less<>> artifact_paths_by_type_;
  std::vector<std::string> own_stack_contexts_;
  // Each of them split at its dots, once: the walkers step a cursor at every key of every
  // resource, and finding a pattern's segment in its text each time was most of that.
  std::vector<std::vector<std::string>> own_stack_segments_;
};

/// Loads the embedded rules, or the *.yaml files in `dir` when it is not empty.
std::optional<RuleSet> LoadRuleSet(const std::string& dir, SourceManager& sources,
                                   DiagnosticSink& sink);

}  // namespace cfnsplit
