// Reader of rules/refactor.yaml (called by LoadRuleSet).
#pragma once

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// Fills `out` from the parsed refactor rules; unknown keys and entries without a source are
/// E0010 errors with their location.
void ReadRefactorRules(const Value& doc, RefactorRules& out, DiagnosticSink& sink);

}  // namespace cfnsplit
