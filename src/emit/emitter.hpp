// Private to the emit stage: the state of one EmitStacks run and the value rewriter.
//
// A "wire" is one distinct value (Ref X, GetAtt X.A, or a stack pseudo parameter) that a stack
// other than its home needs. Each wire gets one name, used for the child parameter, the child
// output and the export alike, so one value is passed once however often it is read.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit::emit {

/// Metadata `cfnsplit:` of a placeholder resource (verify accepts exactly these).
inline constexpr const char* kPlaceholderNote =
    "placeholder: every other resource of this stack has a Condition, and CloudFormation rejects "
    "a stack left without resources";

/// Metadata key of a resource's ordering import (exports mode, cross-stack DependsOn).
inline constexpr const char* kOrderingKey = "cfnsplit:deploy-after";

struct WireKey {
  /// kOrdering: "the stack `target` is deployed" (its ordering export), for DependsOn.
  enum class Kind { kRef, kGetAtt, kPseudo, kOrdering };
  Kind kind = Kind::kRef;
  std::string target;
  std::string attribute;  ///< GetAtt attribute; JSON text when it is computed
  bool operator==(const WireKey& o) const {
    return kind == o.kind && target == o.target && attribute == o.attribute;
  }
  /// For the emitter's table of wires, asked at every read of another stack's value.
  struct Hash {
    std::size_t operator()(const WireKey& k) const {
      const std::hash<std::string> h;
      return (h(k.target) * 31 + h(k.attribute)) * 4 + static_cast<std::size_t>(k.kind);
    }
  };
};

struct Wire {
  WireKey key;
  int home = 0;
  std::string name;
  Value expr;             ///< the value as its home stack writes it
  std::string condition;  ///< the Condition of the producing resource
  bool is_list = false;   ///< a list attribute: passed joined with "||"
};

struct StackOut {
  std::string name;
  const StackPlan* plan = nullptr;
  std::string resource_id;  ///< nested: the AWS::CloudFormation::Stack logical ID
  std::string path;
  std::string stack_name;
  std::vector<std::string> resource_ids;  ///< in template order
  Value resources = Value::Map();
  Value outputs = Value::Map();
  std::map<std::string, Value> params;      ///< declared parameters (original or generated)
  std::map<std::string, Value> conditions;  ///< carried conditions
  std::set<std::string> mappings;           ///< carried mappings
  std::map<std::string, Value> passed;      ///< nested child: parameter → value in the parent
  std::set<std::string> stack_depends;      ///< nested: DependsOn of the stack resource
  std::string stack_condition;              ///< nested: Condition of the stack resource
  std::map<std::string, Value> generated_conditions;  ///< nested parent: guards of children
  std::set<int> after;                                ///< exports: stacks deployed before this one
  std::set<std::string> imported;                     ///< exports: wires this stack imports
  std::optional<Value> globals;                       ///< SAM Globals, when it has SAM resources
  std::set<std::string> notes;
  std::optional<ArtifactRef> artifact;   ///< its own code package, when it ships one
  std::vector<ImageRef> images;          ///< its container-image functions
  std::vector<LayerArtifactRef> layers;  ///< its LayerVersions built by `cfnsplit package`
};

class Emitter {
 public:
  Emitter(const TemplateModel& model, const SplitPlan& plan, const RuleSet& rules,
          const EmitOptions& options, DiagnosticSink& sink);
  std::optional<EmitResult> Run();

  // --- used by the Rewriter (wiring.cpp) ---
  /// Stack of a resource (SAM-generated names follow their SAM resource); -1 when not one.
  int HomeOf(const std::string& resource) const;
  bool IsParameter(const std::string& name) const;
  /// The expression that reads `key` from `stack`, recording every parameter, output, export
  /// and stack-name parameter that needs. `attr` is the computed GetAtt attribute, if any.
  Value Import(int stack, const WireKey& key, const Value* attr);
  /// `Ref name` as `stack` must write it (declares the parameter there when needed).
  Value UseParameter(int stack, const std::string& name);
  void UseCondition(int stack, const std::string& name);
  void UseMapping(int stack, const std::string& name);
  WiringMode mode() const { return options_.mode; }
  const RuleSet& rules() const { return rules_; }

 private:
  // emit.cpp
  bool AssignStacks();
  void RewriteResources();
  void RewriteOutputs();
  std::vector<int> StackOfResources() const;
  std::vector<int> DeployOrderIndexes() const;
  void LiftDependsOn();
  void OrderAcrossStacks(int consumer, int producer, const std::vector<std::string>& ids,
                         std::map<std::string, Value>& imports);
  bool HasDataEdge(const Value& v, const std::string& node) const;
  // wiring.cpp
  Wire& GetWire(const WireKey& key, const Value* attr);
  std::string UniqueName(const std::string& base);
  void EnsureOutput(int stack, const Wire& w, bool exported);
  Value NestedImport(int stack, const Wire& w);
  Value ExportsImport(int stack, const Wire& w);
  Value NewExportsImport(int stack, const Wire& w);
  std::string RootNameParameter(int consumer);
  // paths.cpp
  void RebaseArtifactPaths();
  void RebaseGlobals(Value& globals, const std::string& dir) const;
  std::string RebasePath(const std::string& path, const std::string& to_dir) const;
  std::string StackDir(const StackOut& s) const;
  // assemble.cpp
  bool ApplyImages();
  void FixVersionHashes();
  void ApplyArtifacts();
  void ApplyLayerArtifacts();
  Value BuildTemplate(int stack);
  Value StackResource(int child) const;
  void GuardConditionalStacks();
  Value GeneratedConditions(Value conditions, const StackOut& s) const;
  bool CheckCycles();

  const TemplateModel& model_;
  const SplitPlan& plan_;
  const RuleSet& rules_;
  const EmitOptions& options_;
  DiagnosticSink& sink_;
  std::vector<StackOut> stacks_;
  /// Resource → stack, asked for every reference; keyed by views of the plan's names.
  std::unordered_map<std::string_view, int> home_;
  std::unordered_map<WireKey, Wire, WireKey::Hash> wires_;        ///< nodes: a Wire never moves
  std::map<std::pair<int, const Wire*>, Value> exports_imports_;  ///< (consumer, wire) → import
  /// Every name in use or reserved: views of the template's names and of made_names_ (a deque:
  /// its strings never move), so the template's thousands of names are not copied.
  std::unordered_set<std::string_view> taken_;
  std::deque<std::string> made_names_;
  std::string root_name_param_;  ///< exports: "<Base>StackName", the root stack's name
  std::vector<std::string> moved_outputs_;
  /// Functions whose code changes (own package or image) → SHA-256 of the new package ("" unknown).
  std::map<std::string, std::string> code_changed_;
  std::vector<std::string> notes_;
};

/// Deep copy of a value as stack `stack` must write it: references to values of other stacks
/// are replaced by what Emitter::Import returns; parameters, conditions and mappings used are
/// carried. Never mutates its input.
class Rewriter {
 public:
  Rewriter(Emitter& emitter, int stack) : e_(emitter), stack_(stack) {}
  /// Copies a value; `CopyResource` also knows where inside a resource definition it is, so
  /// AWS::StackName in an own-stack context (UserData, cfn-init metadata) keeps naming the stack
  /// that holds the resource.
  Value Copy(const Value& v);
  Value CopyResource(const Value& def);

 private:
  Value CopyIntrinsic(std::string_view fn, const Value& v);
  std::optional<Value> ReadName(const std::string& name);
  std::optional<Value> ReadAtt(const std::string& resource, const std::string& attribute,
                               const Value* computed);
  Value CopySub(const Value& v);

  Emitter& e_;
  int stack_;
  /// Where CopyResource stands among the own-stack contexts (never inside for other copies).
  RuleSet::ContextCursor context_;
};

}  // namespace cfnsplit::emit
