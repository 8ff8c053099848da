// Private to verify: one verification run over a StackSet.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cfnsplit/verify.hpp"
#include "verify/flatten.hpp"

namespace cfnsplit::verify {

/// The property holding the package of a resource of `type`: "Code" for a Lambda function,
/// "Content" for a layer version, null for other types (no per-stack package rewrite).
const char* PackageProperty(const std::string& type);

/// A resource cfnsplit adds only so that a stack is never left without resources.
bool IsPlaceholder(const Value& def);

/// What the checks read of a reference in an emitted resource. Every emitted resource's
/// references are kept for the whole run, so this keeps what the checks use and no more: a
/// quarter of a Reference's bytes, and verify's peak memory on large services falls a tenth.
struct LocalRef {
  RefKind kind = RefKind::kRef;
  bool names_attribute = false;  ///< a GetAtt, or a Sub of `${X.Attr}`: X must be a resource
  /// The same-template rule (rules/wiring.yaml) the reference's position falls under, if any;
  /// `path` is kept only then (for that check's message).
  const SameTemplateRule* same_template = nullptr;
  std::string to, path;
};

class Checker {
 public:
  Checker(const TemplateModel& original, const StackSet& set, const RuleSet& rules,
          const VerifyOptions& options, DiagnosticSink& sink);
  VerifyReport Run();

 private:
  struct FlatDef {
    int stack = 0;
    const Value* def = nullptr;  ///< as emitted: flattened only where it must be (compare.cpp)
    std::vector<std::string> depends_on;  ///< as the emitted stack writes it (CheckDependsOn)
  };
  // compare.cpp
  void Flatten();
  void CompareResources();
  void CompareOutputs();
  void CompareDeclarations();
  void CheckDependsOn();
  bool DependencyImplied(int from_stack, const std::string& from, int to_stack,
                         const std::string& to);
  bool AcceptArtifactKey(const Resource& r, Value& flat) const;
  /// True when `flat_key` (flattened, normalized) is the documented per-stack rewrite of the
  /// original S3Key `key` of resource `r` (AcceptArtifactKey).
  bool IsStackArtifactKey(const Resource& r, const Value& key, const Value& flat_key) const;
  /// The Default of parameter `param` in each stack that declares one, in stack order.
  const std::vector<const Value*>& ParameterDefaults(const std::string& param) const;
  /// The function a Lambda version `r` names ("" when it names none by Ref or GetAtt).
  static std::string VersionTarget(const Resource& r);
  bool AcceptImage(const Resource& r, Value& original, Value& flat) const;
  void AcceptVersionHash(const Resource& r, Value& original, Value& flat) const;
  /// Local artifact paths of a resource definition (or of the SAM Globals section named
  /// `globals_section`) made absolute against `dir`.
  /// The local file or folder an artifact property names (rule.property's `key` in `holder`):
  /// "." for an absent one that means the template's folder, "" for none or a remote one.
  std::string LocalArtifactPath(const Value& holder, const std::string& key,
                                const ArtifactPath& rule) const;
  bool HasLocalArtifactPath(const Value& def, const std::string& type) const;
  void ResolveArtifactPaths(Value& def, const std::string& dir,
                            const std::string& globals_section = "") const;
  std::string StackDir(int stack) const;
  void Diff(const Value& a, const Value& b, const std::string& path, int stack, const char* code,
            int& budget);
  // same.cpp
  /// True when resource `r`, emitted as `emitted` in `stack`, is the original as it stands:
  /// the comparison CompareResources would make, without copying what needs no rewriting.
  /// False means "not shown equal": the full comparison decides and words the differences.
  bool SameAsOriginal(const Resource& r, const Value& emitted, int stack);
  /// `at`: where the pair stands among the own-stack contexts (RuleSet::ContextCursor).
  bool SameProperties(const Resource& r, const Value& original, const Value& emitted, int stack,
                      RuleSet::ContextCursor at);
  bool SameValue(const Value& original, const Value& emitted, int stack, RuleSet::ContextCursor at);
  bool SameRewritten(const Value& original, const Value& emitted, int stack,
                     RuleSet::ContextCursor at);
  // checks.cpp
  void CheckLocalReferences();
  void CheckTemplateReferences(int stack);
  void CheckPassedParameters(int stack);
  void CheckQuotas();
  /// What stack `s` as emitted uses of `measure` (and the name of the largest thing counted).
  std::optional<std::pair<std::uint64_t, std::string>> EmittedFigure(int s,
                                                                     QuotaMeasure measure) const;
  void CheckCycles();
  // shapes.cpp
  void CheckStackShapes();
  void CheckStackNames();
  bool IsStackGuard(const std::string& condition) const;
  // wiring.cpp
  void CheckSecrets();
  void CheckSameTemplate();
  std::vector<std::string> SecretsIn(const Value& flat) const;
  Value InOwnStackTerms(const Value& original_def, int stack) const;
  /// InOwnStackTerms of a value met at `at` inside a resource.
  Value InOwnStackTermsAt(const Value& v, int stack, RuleSet::ContextCursor at) const;
  /// False when InOwnStackTermsAt(v, stack, …) is v itself, wherever v stands.
  bool OwnStackTermsMayChange(const Value& v, int stack) const;
  std::map<std::string, std::set<std::string>> ResourceGraph(int stack) const;
  /// Stack `stack`'s resources by name: their index in its Resources section (built once).
  const std::unordered_map<std::string_view, std::uint32_t>& ResourceIndexes(int stack) const;
  /// `keep_original_cycles` keeps the edges of a cycle the original already has, which are
  /// otherwise left out: a graph without a cycle then needs no look at the original's.
  template <class AddEdge>
  void ForEachResourceEdge(int stack, AddEdge add, bool keep_original_cycles = false) const;
  /// The first dependency cycle among stack `stack`'s resources, as FindCycle(ResourceGraph)
  /// reports it; empty when there is none.
  std::vector<std::string> ResourceCycle(int stack) const;
  bool InOriginalCycle(const std::string& a, const std::string& b) const;
  bool OriginalDeclares(const char* section, const std::string& target) const;
  std::map<std::string, std::set<std::string>> StackGraph() const;
  /// Exports: whether stack `from` imports, directly or not, from stack `to`.
  bool ImportsReach(int from, int to) const;
  /// ReferencesIn of resource `i` of stack `stack`'s Resources section, walked once for the
  /// three checks that read them (local references, cycles, same-template rules).
  const std::vector<LocalRef>& ResourceReferences(int stack, std::size_t i) const;

  void Report(const char* code, const std::string& text, SourceLoc loc = {});
  void Note(const char* code, const std::string& text);
  const std::string& PathOf(int stack) const;

  const TemplateModel& original_;
  mutable std::map<std::string, std::uint32_t> original_scc_;  // resource → cyclic component
  mutable bool original_scc_built_ = false;
  std::optional<std::map<std::string, std::set<std::string>>> parent_graph_;  // nested: built once
  std::map<int, std::string> child_resource_;          // child stack → its resource in the parent
  std::map<std::pair<int, int>, bool> stack_reaches_;  ///< exports: Reaches per pair of stacks
  const StackSet& set_;
  const RuleSet& rules_;
  const VerifyOptions& options_;
  DiagnosticSink& sink_;
  Flattener flat_;
  VerifyReport report_;
  /// Emitted resources by name (views of the emitted templates' keys): one per name unless a
  /// split lost or duplicated one. Looked up for every resource and DependsOn, never iterated
  /// for output in its own order.
  std::unordered_map<std::string_view, std::vector<FlatDef>> resources_;
  std::vector<std::map<std::string, Value>> outputs_;  ///< per stack, flattened
  std::set<std::string> new_code_;  ///< functions deployed from a new package or an image
  mutable std::vector<std::vector<std::vector<LocalRef>>> resource_refs_;  ///< per stack, lazily
  mutable std::vector<std::optional<std::unordered_map<std::string_view, std::uint32_t>>>
      resource_indexes_;  ///< per stack, lazily
  mutable bool parameter_defaults_built_ = false;
  mutable std::unordered_map<std::string_view, std::vector<const Value*>> parameter_defaults_;
};

}  // namespace cfnsplit::verify
