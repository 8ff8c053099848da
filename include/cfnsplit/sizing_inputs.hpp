// The sizing stage's inputs as the user gives them: one row per input, binding its flag to its
// SizingOptions field (sizing.hpp). The command line (AddPackageOptions), `AnySizingSource` (does
// sizing run at all?) and the inputs a plan records all read this table, so an input added here
// cannot be forgotten by them; an input not added here has no flag. docs/architecture.md, "A
// sizing input".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cfnsplit/sizing.hpp"

namespace cfnsplit {

struct SizingInput {
  std::string flag;  ///< "--manifest"
  std::string help;
  /// A source: given alone, sizing runs. Otherwise a modifier: it changes how sizing runs.
  bool source = false;
  bool repeatable = false;
  std::vector<std::string> choices;  ///< the values allowed; empty: any
  std::string default_value;         ///< applied before the command line is read; "": none
  /// Set: a plan records each file given under this role, and a command that reads the plan
  /// uses them unless the flag is given again ("manifest", "requirements", ...).
  std::string plan_role;
  /// Adds one value as given on the command line (assigns, or appends when repeatable).
  std::function<void(SizingOptions&, const std::string&)> add;
  /// The values given, as on the command line; empty when not given.
  std::function<std::vector<std::string>(const SizingOptions&)> values;
};

/// Every sizing input, in the order of the help text.
const std::vector<SizingInput>& SizingInputs();

/// True when a source input is given: sizing has something to measure.
bool AnySizingSource(const SizingOptions& options);

/// SizingOptions with every row's default applied (the command line's defaults).
SizingOptions SizingDefaults();

}  // namespace cfnsplit
