// Scalar readers of the fast YAML scanner; see yaml_fast_scalars.hpp. The fast scanner has
// already refused tabs, carriage returns and control characters, so a blank here is a space and
// a line break is '\n'.
#include "load/yaml_fast_scalars.hpp"

#include <algorithm>

namespace cfnsplit::yaml_fast {
namespace {

// yaml-cpp's Exp::Escape for the escapes that stand for fixed bytes (\x, \u and \U, which encode
// code points and can fail, are left to yaml-cpp). \N and \_ are single bytes there, not UTF-8.
const char* SimpleEscape(char c) {
  switch (c) {
    case '0':
      return "\0";  // length 1: handled by the caller
    case 'a':
      return "\x07";
    case 'b':
      return "\x08";
    case 't':
      return "\x09";
    case 'n':
      return "\x0A";
    case 'v':
      return "\x0B";
    case 'f':
      return "\x0C";
    case 'r':
      return "\x0D";
    case 'e':
      return "\x1B";
    case ' ':
      return " ";
    case '"':
      return "\"";
    case '\'':
      return "'";
    case '\\':
      return "\\";
    case '/':
      return "/";
    case 'N':
      return "\x85";
    case '_':
      return "\xA0";
    case 'L':
      return "\xE2\x80\xA8";
    case 'P':
      return "\xE2\x80\xA9";
    default:
      return nullptr;
  }
}

// Copies the text read so far into `out` the first time an escape changes the value.
void StartEscaped(std::string_view text, std::size_t from, std::size_t to, std::string& out,
                  bool& escaped) {
  if (escaped) return;
  escaped = true;
  out.assign(text.data() + from, to - from);
}

enum class Chomp { kClip, kStrip, kKeep };

// The block scalar header after the indicator: a chomping sign, blanks and a comment. Returns
// the position of the line break that ends the header.
std::size_t ReadBlockHeader(std::string_view text, std::size_t p, Chomp& chomp) {
  chomp = Chomp::kClip;
  if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
    chomp = text[p] == '+' ? Chomp::kKeep : Chomp::kStrip;
    ++p;
  }
  // An indentation digit changes how the body is measured; rare enough to leave to yaml-cpp.
  if (p < text.size() && text[p] >= '0' && text[p] <= '9') Bail();
  std::size_t blanks = p;
  while (p < text.size() && text[p] == ' ') ++p;
  if (p < text.size() && text[p] == '#' && p > blanks) p = text.find('\n', p);
  // A header at the very end of the input has no body line: yaml-cpp's stream state decides.
  if (p >= text.size() || text[p] != '\n') Bail();
  return p;
}

void ApplyChomp(Chomp chomp, std::string& scalar) {
  if (chomp == Chomp::kKeep) return;
  std::size_t last = scalar.find_last_not_of('\n');
  if (last == std::string::npos) {
    scalar.clear();
  } else if (chomp == Chomp::kStrip) {
    scalar.erase(last + 1);
  } else if (last + 1 < scalar.size()) {
    scalar.erase(last + 2);
  }
}

}  // namespace

std::size_t ReadQuotedScalar(std::string_view text, std::size_t open, std::size_t line_end,
                             std::string& out, bool& escaped) {
  const char quote = text[open];
  escaped = false;
  std::size_t p = open + 1;
  for (;;) {
    if (p >= line_end) Bail();  // runs onto the next line: yaml-cpp folds it
    char c = text[p];
    if (quote == '\'' && c == '\'') {
      if (p + 1 < line_end && text[p + 1] == '\'') {
        StartEscaped(text, open + 1, p, out, escaped);
        out += '\'';
        p += 2;
        continue;
      }
      return p + 1;
    }
    if (quote == '"' && c == '"') return p + 1;
    if (quote == '"' && c == '\\') {
      if (p + 1 >= line_end) Bail();  // an escaped line break
      const char* bytes = SimpleEscape(text[p + 1]);
      if (!bytes) Bail();
      StartEscaped(text, open + 1, p, out, escaped);
      if (text[p + 1] == '0') {
        out += '\0';
      } else {
        out += bytes;
      }
      p += 2;
      continue;
    }
    if (escaped) out += c;
    ++p;
  }
}

// The block branches of yaml-cpp's ScanScalar, statement for statement, with its stream reduced
// to a position: `column` is the distance from the current line's start.
BlockScalarEnd ReadBlockScalar(std::string_view text, std::size_t indicator, int top_indent,
                               std::string& out) {
  const bool fold = text[indicator] == '>';
  Chomp chomp;
  std::size_t p = ReadBlockHeader(text, indicator + 1, chomp);
  const std::size_t n = text.size();
  BlockScalarEnd end;
  std::size_t line_start = p;
  auto column = [&] { return static_cast<int>(p - line_start); };
  int indent = 1 + top_indent;
  bool found_non_empty_line = false, past_opening_break = false;
  bool empty_line = false, more_indented = false;
  int folded_newlines = 0;
  bool folded_newlines_started_more_indented = false;
  std::string scalar;
  while (p < n) {
    // Phase 1: the rest of the line.
    std::size_t line_end = std::min(n, text.find('\n', p));
    if (p < line_end) {
      found_non_empty_line = past_opening_break = true;
      scalar.append(text.data() + p, line_end - p);
      p = line_end;
    }
    if (p >= n) break;
    // Phase 2: the line break.
    line_start = ++p;
    ++end.line_breaks;
    // Phase 3: the indentation (detected from the first non-empty line).
    while (p < n && text[p] == ' ' && (column() < indent || !found_non_empty_line)) ++p;
    if (!found_non_empty_line) indent = std::max(indent, column());
    const bool next_empty_line = p < n && text[p] == '\n';
    const bool next_more_indented = p < n && text[p] == ' ';
    if (fold && folded_newlines == 0 && next_empty_line)
      folded_newlines_started_more_indented = more_indented;
    if (past_opening_break && !fold) scalar += '\n';
    if (past_opening_break && fold) {
      if (!empty_line && !next_empty_line && !more_indented && !next_more_indented &&
          column() >= indent) {
        scalar += ' ';
      } else if (next_empty_line) {
        ++folded_newlines;
      } else {
        scalar += '\n';
      }
      if (!next_empty_line && folded_newlines > 0) {
        scalar.append(static_cast<std::size_t>(folded_newlines - 1), '\n');
        if (folded_newlines_started_more_indented || next_more_indented || !found_non_empty_line)
          scalar += '\n';
        folded_newlines = 0;
      }
    }
    empty_line = next_empty_line;
    more_indented = next_more_indented;
    past_opening_break = true;
    if (!empty_line && column() < indent) break;
  }
  ApplyChomp(chomp, scalar);
  out += scalar;
  // At the end of the input the last line may hold the scalar's own text: resume past it.
  end.resume = p >= n ? n : line_start;
  return end;
}

}  // namespace cfnsplit::yaml_fast
