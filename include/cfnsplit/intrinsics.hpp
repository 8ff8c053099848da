// Intrinsics: the syntax of CloudFormation's intrinsic functions, shared by every stage.
//
// Only form, never meaning: the shape each function's argument must have, which argument of
// each function names a resource, parameter, condition, mapping or export, how a `Fn::Sub`
// string splits into text and `${…}` variables (and `${A.B}` into resource and attribute), the
// two spellings of `Fn::GetAtt`, the string and list forms of `DependsOn`, and builders for the
// long forms. The model (ReferencesIn), the emitter's rewriter and verify's flattener all read
// references through ParseCall, so a new reference kind is taught here once. What a name means
// (resource or parameter) is the model's business; how a value is rewritten for another stack
// is the emitter's; the semantic checks of a split are verify's.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cfnsplit/value.hpp"

namespace cfnsplit::syntax {

/// One piece of a Fn::Sub template string: literal text, or a `${Name}` variable (`text` is the
/// name, trimmed of spaces). `${!Literal}` and `${}` are literal text, never variables.
struct SubToken {
  bool is_var = false;
  std::string text;
};
std::vector<SubToken> ScanSub(const std::string& s);
/// The inverse of ScanSub: JoinSub(ScanSub(s)) == s up to spaces inside `${ … }`.
std::string JoinSub(const std::vector<SubToken>& tokens);

/// `Fn::Sub`'s argument as its template string and variable map (null when none); false when the
/// argument has neither the string nor the [String, {Var: Value}] form.
bool SubParts(const Value& arg, std::string& text, const Value** vars);

/// `Fn::GetAtt`'s argument, "A.B.C" (split at the first dot, as the AWS CLIs do) or [A, "B.C"],
/// as resource and attribute. False when the attribute is computed (`attribute` is then "?") or
/// the argument is malformed (`resource` is then empty).
bool GetAttParts(const Value& arg, std::string& resource, std::string& attribute);

/// `${Res.Attr}` as {Res, Attr}; `${Name}` and `${AWS::Region}` as {Name, ""} (a pseudo
/// parameter's `::` is no attribute).
std::pair<std::string, std::string> SplitSubVariable(const std::string& var);

/// The syntactic kinds of reference a template can write.
enum class RefForm {
  kRef,          ///< {Ref: Name}
  kGetAtt,       ///< {Fn::GetAtt: …}, both spellings
  kSub,          ///< a `${Name}` or `${Res.Attr}` variable of a Fn::Sub string
  kCondition,    ///< {Condition: Name}, and Fn::If's condition name
  kFindInMap,    ///< Fn::FindInMap's mapping name
  kImportValue,  ///< Fn::ImportValue's export name ("?" when computed)
};

/// One reference as written: `target` and, for GetAtt and `${A.B}`, `attribute` ("?" when the
/// attribute is computed). Views into the call's argument (or into static text), valid while
/// that value lives and is not changed: the walkers read millions of these, and a copy of
/// each name was a fifth of what a reference walk cost.
struct WrittenRef {
  RefForm form = RefForm::kRef;
  std::string_view target;
  std::string_view attribute;
};

/// One step of a call, in document order: a reference the call writes itself, or an operand the
/// call evaluates in the enclosing scope (which may hold more calls). `path` places the operand
/// under the call ("[1]" for Fn::If's first branch; "" when the operand is the argument itself).
struct CallPart {
  const Value* operand = nullptr;  ///< null: this part is `ref`
  std::string_view path;           ///< static text
  WrittenRef ref;
};

/// Why `fn`'s argument has the wrong shape (CloudFormation rejects it before evaluating), or
/// empty when the shape is fine. A Fn::Transform argument is computed at deploy time: fine.
std::string CallShapeProblem(std::string_view fn, const Value& arg);

/// The references a call to `fn` writes and the operands that may hold more, in document order.
/// `arg` must have a fine shape (CallShapeProblem). Fn::Sub variables its own map binds are no
/// references; the map's values are an operand.
std::vector<CallPart> ParseCall(std::string_view fn, const Value& arg);

/// Every reference written in `v`, in document order; malformed calls are skipped whole.
void ForEachReference(const Value& v, const std::function<void(const WrittenRef&)>& visit);

/// Logical IDs a resource definition's DependsOn names (string or list form).
std::vector<std::string> DependsOnList(const Value& resource_def);

Value Ref(const std::string& name);
Value GetAtt(const std::string& resource, const std::string& attribute);
Value Str(const std::string& s);
/// `{Fn::Join: [delim, v]}` and `{Fn::Split: [delim, v]}`.
Value Join(const std::string& delim, Value v);
Value Split(const std::string& delim, Value v);
/// `{Fn::If: [condition, then, else]}`.
Value If(const std::string& condition, Value then, Value otherwise);

}  // namespace cfnsplit::syntax
