// Private formatting helpers shared by the report writers.
#pragma once

#include <string>

namespace cfnsplit::report {

/// Escapes text for HTML and SVG (XML) content and attribute values.
inline std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace cfnsplit::report
