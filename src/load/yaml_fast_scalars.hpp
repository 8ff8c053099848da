// The scalar readers of the fast YAML scanner (yaml_fast.hpp): each reproduces exactly what
// yaml-cpp 0.7's ScanScalar returns for the shapes it accepts, and throws Unsupported for any
// other shape, so that the caller falls back to yaml-cpp itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cfnsplit::yaml_fast {

/// The input leaves the subset the fast scanner reproduces exactly; yaml-cpp must read it.
struct Unsupported {};

[[noreturn]] inline void Bail() { throw Unsupported{}; }

/// A quoted scalar that closes on its own line, `open` being its opening quote. Returns the
/// position after the closing quote. Sets `escaped` and fills `out` with the value when escapes
/// ('' or \x) changed it; otherwise the value is the text between the quotes.
std::size_t ReadQuotedScalar(std::string_view text, std::size_t open, std::size_t line_end,
                             std::string& out, bool& escaped);

/// Where a block scalar (`|` or `>`) ended, and how many line breaks it went past.
struct BlockScalarEnd {
  std::size_t resume = 0;       // start of the line the next token is on, or the text's size
  std::size_t line_breaks = 0;  // from the header's line to `resume`'s line
};

/// A block scalar whose indicator is at `indicator`, inside a block collection indented by
/// `top_indent` columns; appends its value to `out`. A port of ScanBlockScalar and the block
/// branches of ScanScalar, limited to headers without an indentation digit.
BlockScalarEnd ReadBlockScalar(std::string_view text, std::size_t indicator, int top_indent,
                               std::string& out);

}  // namespace cfnsplit::yaml_fast
