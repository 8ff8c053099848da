// Private helpers shared by emit and verify: Fn::Sub string scanning, reference collection and
// name sanitising. Nothing here knows about stacks.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/value.hpp"

namespace cfnsplit::util {

/// One piece of a Fn::Sub template string: literal text, or a `${Name}` variable (`name` is
/// trimmed; `${!Literal}` is literal text and never a variable).
struct SubToken {
  bool is_var = false;
  std::string text;  ///< literal text as written, or the variable name
};
std::vector<SubToken> ScanSub(const std::string& s);
std::string JoinSub(const std::vector<SubToken>& tokens);

/// What a template value refers to.
struct Use {
  enum class Kind { kRef, kGetAtt, kCondition, kMapping } kind = Kind::kRef;
  std::string target;
  std::string attribute;  ///< GetAtt attribute ("?" when computed)
};
/// Every Ref, GetAtt, Sub variable (not bound by its variable map), condition name (Fn::If,
/// Condition) and FindInMap mapping in `v`. Bare strings are never uses.
void CollectUses(const Value& v, std::vector<Use>& out);

/// Letters and digits of `s` only; at most `max` characters (longer names keep a hash suffix).
std::string Alnum(const std::string& s, std::size_t max = 120);

/// The `Fn::GetAtt` argument as (resource, attribute text), for both the list and "A.B" forms;
/// false when the attribute is computed.
bool GetAttParts(const Value& arg, std::string& resource, std::string& attribute);

/// `{Fn::Sub: text}` or `{Fn::Sub: [text, vars]}` as its parts; false when malformed.
bool SubParts(const Value& arg, std::string& text, const Value** vars);

/// A cycle in `graph` (node → nodes it depends on) as its nodes in order, first node repeated
/// at the end; empty when the graph is acyclic. Deterministic: nodes are visited in order.
std::vector<std::string> FindCycle(const std::map<std::string, std::set<std::string>>& graph);

/// Logical IDs a resource's DependsOn names (string or list form).
std::vector<std::string> DependsOnList(const Value& resource_def);

/// The S3 key of a stack's own code package: `stack` (and, once the package is built, its
/// SHA-256) inserted before ".zip" ("a/app.zip" → "a/app-Functions.zip" or
/// "a/app-Functions-<sha256>.zip"), or appended after a hyphen when the key has no ".zip".
std::string ArtifactKeyFor(const std::string& key, const std::string& stack,
                           const std::string& sha256 = "");

Value Ref(const std::string& name);
Value GetAtt(const std::string& resource, const std::string& attribute);
Value Str(const std::string& s);
/// `{Fn::Join: [delim, [v]]}` / `{Fn::Split: [delim, v]}`
Value Join(const std::string& delim, Value v);
Value Split(const std::string& delim, Value v);

}  // namespace cfnsplit::util
