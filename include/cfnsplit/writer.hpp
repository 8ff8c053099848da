// Writer: a Value tree back to template text, as JSON or as CloudFormation YAML.
//
// Input: any Value (usually a whole template built by the emitter). Output: text that the
// cfnsplit loaders read back into a tree that Equals() the input. Invariants: output is
// deterministic (same tree, same bytes); map keys keep their order; numbers are written exactly
// as they were read; YAML never puts two tags on one node, and quotes every string that a YAML
// 1.1 reader (CloudFormation's) would take for a boolean, number or null.
#pragma once

#include <string>

#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// JSON text with `indent` spaces per level (0 or less: one line), ending in a newline.
/// Strings are escaped as JSON requires; UTF-8 passes through unchanged.
std::string WriteJson(const Value& value, int indent = 2);

/// CloudFormation YAML: block style, short-form tags where legal (`!Ref X`, `!GetAtt A.B`,
/// `!Sub …`, `!If [...]`), the long form where a short form would stack two tags
/// (`Fn::Base64: !Sub …`), block literals for multi-line strings when that is exact.
std::string WriteYaml(const Value& value);

/// A string as a JSON string literal, quotes included (also a valid YAML double-quoted scalar).
std::string JsonQuote(const std::string& s);

}  // namespace cfnsplit
