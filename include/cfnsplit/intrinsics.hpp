// Intrinsics: the syntax of CloudFormation's intrinsic functions, shared by every stage.
//
// Only form, never meaning: how a `Fn::Sub` string splits into text and `${…}` variables, the
// two spellings of `Fn::GetAtt`, the string and list forms of `DependsOn`, and builders for the
// long forms. What a value refers to is the model's business (model.hpp ReferencesIn); how a
// value is rewritten for another stack is the emitter's; how it is read back is verify's.
#pragma once

#include <string>
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
