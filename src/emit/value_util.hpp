// Private to emit: name sanitising, the per-stack artifact key, and what a value reads.
#pragma once

#include <string>
#include <vector>

#include "cfnsplit/intrinsics.hpp"
#include "cfnsplit/model.hpp"

namespace cfnsplit::util {

/// Letters and digits of `s` only; at most `max` characters (longer names keep a hash suffix).
std::string Alnum(const std::string& s, std::size_t max = 120);

/// The S3 key of a stack's own code package: `stack` (and, once the package is built, its
/// SHA-256) inserted before ".zip" ("a/app.zip" → "a/app-Functions.zip" or
/// "a/app-Functions-<sha256>.zip"), or appended after a hyphen when the key has no ".zip".
std::string ArtifactKeyFor(const std::string& key, const std::string& stack,
                           const std::string& sha256 = "");

/// Names `v` reads a value of: Ref, GetAtt and Fn::Sub variables (not conditions, mappings or
/// DependsOn), as the syntax layer reads them.
std::vector<std::string> ValuesRead(const Value& v);

}  // namespace cfnsplit::util
