// Looking for codes among what a sink collected.
#pragma once

#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit::testing {

/// The first diagnostic with `code`, or null.
inline const Diagnostic* FindCode(const DiagnosticSink& sink, const std::string& code) {
  for (const auto& d : sink.diagnostics())
    if (d.code == code) return &d;
  return nullptr;
}

inline bool HasCode(const DiagnosticSink& sink, const std::string& code) {
  return FindCode(sink, code) != nullptr;
}

/// Codes of the diagnostics reported, in order.
inline std::vector<std::string> Codes(const DiagnosticSink& sink) {
  std::vector<std::string> out;
  for (const auto& d : sink.diagnostics()) out.push_back(d.code);
  return out;
}

}  // namespace cfnsplit::testing
