// Private to verify: the emitted stacks as read for checking, and the flattener that turns any
// value of any stack back into the terms of the original template.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cfnsplit/plan.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit::verify {

struct StackDoc {
  std::string name;
  std::string path;
  std::string stack_name;
  std::uint64_t bytes = 0;  ///< template size as written

  const Value& tmpl() const { return borrowed_ ? *borrowed_ : owned_; }
  /// A template read from disk: the document keeps it.
  void Own(Value tmpl) {
    owned_ = std::move(tmpl);
    borrowed_ = nullptr;
  }
  /// A template emitted in this run: read in place (the emit result outlives the check), so a
  /// 10,000-resource split is not copied once more just to be verified.
  void Borrow(const Value& tmpl) { borrowed_ = &tmpl; }

 private:
  Value owned_;
  const Value* borrowed_ = nullptr;
};

struct StackSet {
  WiringMode mode = WiringMode::kNested;
  std::vector<StackDoc> stacks;  ///< [0] = parent (nested) or base (exports)
  std::vector<std::string> deploy_order;
  /// The original template's parameter names: such a parameter means itself, even when its
  /// Default happens to equal a stack's name.
  std::set<std::string> original_parameters;
};

/// AWS::StackName or AWS::StackId: the pseudo parameters that name the stack they are read in,
/// which the flattener (and the own-stack rewrite of the original) write as "<name>@<stack path>".
bool IsStackPseudo(std::string_view name);

/// The file a child's TemplateURL names: the URL itself when it is a string (emit writes the
/// child's path), or the literal last element of an `Fn::Join` (the deployment-bucket URL the
/// Serverless plugin writes: [endpoint, bucket, artifact directory, file name]); "" otherwise.
std::string TemplateUrlFile(const Value* url);

/// Resolves the wiring of a StackSet. Flat() returns a value as the original template would
/// write it: child parameters replaced by what the parent passes, GetAtt Child.Outputs.X and
/// imports of our own exports by the producing output's value, `${<Base>StackName}` by
/// `${AWS::StackName}`. A pseudo StackName/StackId written directly in a child becomes
/// "AWS::StackName@<path>", which matches nothing in the original.
/// The Description the emitter gives the parameter that carries stack `stack`'s deployed name
/// (exports mode). The verifier recognizes these parameters by it, never by their names: a
/// generated name yields to the template's (`BaseStackName2` when `BaseStackName` is taken).
std::string StackNameDescription(const std::string& stack);

/// True when parameter `param` (declared as `decl`) carries stack `stack`'s name: by its
/// description, or, for directories written before descriptions were relied on, by the name
/// "<Stack>StackName".
bool CarriesStackName(const std::string& param, const Value& decl, const std::string& stack);

class Flattener {
 public:
  explicit Flattener(const StackSet& set);

  Value Flat(const Value& v, int stack);
  /// True when Flat(v, stack) is a plain copy of `v`: nothing in it is resolved (no name the
  /// stack is passed, no output read through the parent, no import, no Sub, which Flat always
  /// rebuilds). Asks what Flat would resolve without resolving it (no wiring is recorded).
  bool CopiesAsIs(const Value& v, int stack) const;
  /// What Flat(v, stack) returns for `v` an import of one of our exports, without the copy: the
  /// memoized value (every function of a stack imports the same few). Null when `v` is no such
  /// import, or it does not resolve without a problem.
  const Value* ImportedValue(const Value& v, int stack);
  /// What Flat(v, stack) learns about the wiring (plumbing, imports, problems), without
  /// building the flattened copy: only the intrinsic functions in `v` are resolved.
  void Resolve(const Value& v, int stack);
  /// Child stack index of a parent resource, or -1 (nested only).
  int ChildOf(const std::string& resource_id) const;
  /// Stack index for a parameter carrying a stack's deployed name, or -1 (exports only).
  int ProducerOfParameter(int consumer, const std::string& param) const;
  /// The Parameters map a child's stack resource passes (nested), or null.
  const Value* Passed(int stack) const { return passed_[static_cast<std::size_t>(stack)]; }
  /// Outputs that carry values between stacks (read by the parent or imported).
  bool IsPlumbing(int stack, const std::string& output) const;
  /// Stacks each stack imports from (exports mode), as met while flattening.
  const std::map<int, std::set<int>>& imports() const { return imports_; }
  /// Unresolvable wiring found while flattening ("stacks/A.json: …" texts).
  const std::vector<std::string>& problems() const { return problems_; }
  const StackSet& set() const { return set_; }

 private:
  Value FlatAt(const Value& v, int stack, int depth);
  /// Whether ResolveName(name, stack, …) resolves `name` (or reports a problem), asked without
  /// resolving it; ResolveName itself starts with it.
  bool ResolvesName(const std::string& name, int stack) const;
  Value FlatIntrinsic(std::string_view fn, const Value& v, int stack, int depth);
  std::optional<Value> ResolveName(const std::string& name, int stack, int depth);
  std::optional<Value> ResolveOutput(int stack, const std::string& output, int depth);
  std::optional<Value> ResolveImport(const Value& arg, int stack, int depth);
  /// ResolveImport of `Fn::ImportValue: !Sub text`, every time.
  std::optional<Value> ResolveSubImport(const std::string& text, int stack, int depth);
  std::string DeployedName(int stack) const;
  const std::map<std::string, std::pair<int, std::string>>& ExportsByName();
  Value FlatSub(const Value& v, int stack, int depth);
  void Problem(std::string text);

  const StackSet& set_;
  std::map<std::string, int> child_by_resource_;
  std::unordered_map<std::string, int> stack_by_deployed_name_;  ///< the first stack of each name
  std::vector<int> stacks_without_deployed_name_;                ///< in set order
  std::vector<const Value*> passed_;  ///< per stack: the Parameters its stack resource passes
  std::set<std::pair<int, std::string>> plumbing_;
  std::map<int, std::set<int>> imports_;
  bool resolving_ = false;  ///< inside Resolve: walk and resolve, build nothing
  bool exports_indexed_ = false;
  std::map<std::string, std::pair<int, std::string>> exports_by_name_;  ///< deployed name → output
  std::set<std::string> problem_set_;
  std::vector<std::string> problems_;
  std::size_t problem_calls_ = 0;  ///< Problem() calls, repeats included
  /// Imports resolved at depth 0 without a problem, by (stack, Sub text); the value is kept once
  /// it has been built outside Resolve.
  std::map<std::pair<int, std::string>, std::optional<Value>> top_imports_;
};

/// Both sides are normalised before comparing: Sub variables bound to Ref/GetAtt are written
/// back into the string, an empty variable map becomes the string form, Split of a Join with
/// the same delimiter is its argument, "A.B" GetAtt strings become lists.
Value Normalize(const Value& v);
/// Normalize without a copy, for a value the caller owns.
void NormalizeInPlace(Value& v);
/// True when `v` holds none of the forms Normalize rewrites, so Normalize(v) equals v: a
/// caller may compare v itself instead of a normalized copy. (False may also mean "maybe".)
bool IsNormalized(const Value& v);

}  // namespace cfnsplit::verify
