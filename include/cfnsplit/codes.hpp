// The diagnostics registry: every code any stage reports, with its severity, stage, whether it
// is an input error, and a one-line summary (the rows are in codes.def).
//
// Input: nothing (a constant table). Output: look-ups for the CLI's policy (exit codes, codes
// dropped or demoted while planning) and docs/codes.md. Invariant, held by the registry test:
// every code used in src/ has exactly one row, every row is used, docs/codes.md is generated
// from this table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// What the CLI does with a code besides printing it (see codes.def for each flag's meaning).
enum CodeFlag : unsigned {
  kNone = 0,
  kInput = 1u << 0,                ///< an input or usage error: the run stops, exit 2
  kPackageLimit = 1u << 1,         ///< a package over (or near) Lambda's size limit
  kDemotedWhenPlanning = 1u << 2,  ///< planning reports it as the W code of the same number
};

struct CodeInfo {
  std::string_view code;  ///< e.g. "E0002"
  Severity severity;
  std::string_view stage;  ///< load, rules, cli, model, analysis, plan, emit, verify, ...
  unsigned flags;
  std::string_view summary;
  bool has(CodeFlag flag) const { return (flags & flag) != 0; }
};

/// Every registered code, in codes.def order (grouped by stage, ascending within a group).
const std::vector<CodeInfo>& AllCodes();
/// The registry row of `code`; null when it is not registered.
const CodeInfo* FindCode(std::string_view code);
/// True when `code` is registered with `flag` (false for an unregistered code).
bool CodeHas(std::string_view code, CodeFlag flag);
/// An error whose code is an input error: the run stops with exit 2.
bool IsInputError(const Diagnostic& d);
/// The warning planning reports instead of a kDemotedWhenPlanning error (E2001 -> W2001).
std::string DemotedCode(std::string_view code);

/// A code that changed number, kept for docs/codes.md so old scripts can be updated.
struct RenumberedCode {
  std::string_view old_code;
  std::string_view new_code;
  std::string_view meaning;
};
const std::vector<RenumberedCode>& RenumberedCodes();

/// docs/codes.md: the registry as a Markdown page (`cfnsplit codes --format markdown`).
std::string CodesMarkdown();
/// One line per code: code, severity, stage, exit, summary (`cfnsplit codes`).
std::string CodesText();

}  // namespace cfnsplit
