// A small Python tokenizer: just enough to find import statements without being fooled by
// strings, comments, continuations or brackets. It yields logical lines (what Python's own
// tokenizer ends with NEWLINE) with their indentation; it does not produce INDENT/DEDENT tokens,
// the scanner compares indents itself.
#include <array>

#include "cfnsplit/imports.hpp"

namespace cfnsplit::imports {
namespace {

bool IsIdentStart(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsQuote(char c) { return c == '\'' || c == '"'; }

/// Lower-cased string prefix letters when `word` is a valid prefix, else "".
std::string StringPrefix(std::string_view word) {
  if (word.size() > 2) return "";
  std::string lower;
  for (char c : word) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  static const std::array<const char*, 12> kPrefixes = {"r",  "u",  "b",  "f",  "br", "rb",
                                                        "fr", "rf", "ur", "ru", "bu", "ub"};
  for (const char* p : kPrefixes)
    if (lower == p) return lower;
  return "";
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Tokenized Run() {
    while (pos_ < text_.size() && out_.ok) Step();
    if (out_.ok && !brackets_.empty())
      Fail(std::string("'") + text_[brackets_.back()] + "' was never closed", brackets_.back());
    FlushLine();
    return std::move(out_);
  }

 private:
  void Step() {
    char c = text_[pos_];
    if (c == '\n') {
      if (brackets_.empty()) FlushLine();
      NewLine(pos_ + 1);
      ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else if (c == '\\') {
      Continuation();
    } else if (IsIdentStart(c)) {
      NameOrString();
    } else if ((c >= '0' && c <= '9') || (c == '.' && pos_ + 1 < text_.size() &&
                                          text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9')) {
      Number();
    } else if (IsQuote(c)) {
      String(pos_, "");
    } else {
      Operator();
    }
  }

  void Continuation() {
    std::size_t next = pos_ + 1;
    if (next < text_.size() && text_[next] == '\r') ++next;
    if (next >= text_.size() || text_[next] != '\n') {
      Fail("unexpected character after line continuation character", pos_);
      return;
    }
    NewLine(next + 1);
    pos_ = next + 1;
  }

  void NameOrString() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    std::string_view word = text_.substr(start, pos_ - start);
    if (pos_ < text_.size() && IsQuote(text_[pos_])) {
      std::string prefix = StringPrefix(word);
      if (!prefix.empty()) {
        String(start, prefix);
        return;
      }
    }
    Push(TokenKind::kName, start, pos_);
  }

  void Number() {
    std::size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      bool exponent_sign =
          (c == '+' || c == '-') && pos_ > start &&
          (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E') &&
          !(text_.size() > start + 1 && (text_[start + 1] == 'x' || text_[start + 1] == 'X'));
      if (IsIdentChar(c) || c == '.' || exponent_sign)
        ++pos_;
      else
        break;
    }
    Push(TokenKind::kNumber, start, pos_);
  }

  // A string literal starting at `start` (its prefix, if any, is text_[start, pos_)).
  void String(std::size_t start, const std::string& prefix) {
    std::size_t end = SkipString(pos_, prefix);
    if (end == std::string_view::npos) return;
    Token& t = Push(TokenKind::kString, start, end);
    bool formatted = prefix.find('f') != std::string::npos;
    bool bytes = prefix.find('b') != std::string::npos;
    if (!formatted && !bytes) {
      t.plain_string = true;
      t.value = Decode(pos_, end, prefix.find('r') != std::string::npos);
    }
    AdvanceTo(end);
  }

  // Returns the offset just past the literal whose opening quote is at `open`, or npos (and
  // records the error) when it never ends.
  std::size_t SkipString(std::size_t open, const std::string& prefix) {
    char quote = text_[open];
    bool triple = text_.compare(open, 3, std::string(3, quote)) == 0;
    bool formatted = prefix.find('f') != std::string::npos;
    std::size_t j = open + (triple ? 3 : 1);
    while (j < text_.size()) {
      char c = text_[j];
      if (c == '\\') {
        j += 2;
      } else if (c == '\n' && !triple) {
        break;
      } else if (formatted && c == '{') {
        if (j + 1 < text_.size() && text_[j + 1] == '{') {
          j += 2;
        } else {
          j = SkipFormatField(j + 1, triple);
          if (j == std::string_view::npos) return j;
        }
      } else if (c == quote && (!triple || text_.compare(j, 3, std::string(3, quote)) == 0)) {
        return j + (triple ? 3 : 1);
      } else {
        ++j;
      }
    }
    Fail(triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
         open);
    return std::string_view::npos;
  }

  // An f-string replacement field `{expr!r:spec}` starting after its `{`; returns the offset
  // past its `}`. Nested strings may reuse the outer quote (PEP 701, Python 3.12).
  std::size_t SkipFormatField(std::size_t j, bool triple) {
    int depth = 0;
    bool in_spec = false;
    while (j < text_.size()) {
      char c = text_[j];
      if (c == '\n' && !triple) return j;  // the enclosing literal reports it unterminated
      if (in_spec) {
        if (c == '{') {
          j = SkipFormatField(j + 1, triple);
          if (j == std::string_view::npos) return j;
          continue;
        }
        if (c == '}') return j + 1;
        ++j;
        continue;
      }
      if (IsIdentStart(c)) {
        std::size_t word = j;
        while (j < text_.size() && IsIdentChar(text_[j])) ++j;
        if (j < text_.size() && IsQuote(text_[j])) {
          std::string prefix = StringPrefix(text_.substr(word, j - word));
          if (!prefix.empty()) {
            j = SkipString(j, prefix);
            if (j == std::string_view::npos) return j;
          }
        }
        continue;
      }
      if (IsQuote(c)) {
        j = SkipString(j, "");
        if (j == std::string_view::npos) return j;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']') --depth;
      if (c == '}') {
        if (depth == 0) return j + 1;
        --depth;
      }
      if (c == ':' && depth == 0) in_spec = true;
      ++j;
    }
    return j;  // the enclosing SkipString reports the unterminated literal
  }

  // The value of a plain literal between its quotes; escapes decoded only as far as import
  // names can need (anything else is kept verbatim).
  std::string Decode(std::size_t open, std::size_t end, bool raw) {
    char quote = text_[open];
    std::size_t q = text_.compare(open, 3, std::string(3, quote)) == 0 ? 3 : 1;
    std::string_view body = text_.substr(open + q, end - open - 2 * q);
    if (raw) return std::string(body);
    std::string out;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] != '\\' || i + 1 >= body.size()) {
        out += body[i];
        continue;
      }
      char e = body[++i];
      if (e == 'n')
        out += '\n';
      else if (e == 't')
        out += '\t';
      else if (e == '\n')
        continue;
      else if (e == '\\' || e == '\'' || e == '"')
        out += e;
      else
        out += '\\', out += e;
    }
    return out;
  }

  void Operator() {
    // Longest first: `...` is one token (relative imports count its dots), `<>` is Python 2.
    static const std::array<const char*, 25> kOps = {
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<>", "<=", ">=", "**",
        "//",  "<<",  ">>",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "@="};
    for (const char* op : kOps) {
      std::string_view o(op);
      if (text_.compare(pos_, o.size(), o) == 0) {
        Push(TokenKind::kOp, pos_, pos_ + o.size());
        pos_ += o.size();
        return;
      }
    }
    char c = text_[pos_];
    static const std::string_view kSingle = "()[]{}:;,.+-*/%@&|^~<>=!";
    if (kSingle.find(c) == std::string_view::npos) {
      Fail(c == '`' ? "backquotes are Python 2 syntax"
                    : std::string("invalid character '") + c + "'",
           pos_);
      return;
    }
    if (c == '(' || c == '[' || c == '{') brackets_.push_back(pos_);
    if (c == ')' || c == ']' || c == '}') {
      static const std::string_view kOpen = "([{", kClose = ")]}";
      if (brackets_.empty() || kOpen.find(text_[brackets_.back()]) != kClose.find(c)) {
        Fail(std::string("unmatched '") + c + "'", pos_);
        return;
      }
      brackets_.pop_back();
    }
    Push(TokenKind::kOp, pos_, pos_ + 1);
    ++pos_;
  }

  Token& Push(TokenKind kind, std::size_t start, std::size_t end) {
    if (line_.tokens.empty()) line_.indent = VisualColumn(start);
    Token t;
    t.kind = kind;
    t.text = text_.substr(start, end - start);
    t.line = line_no_;
    t.column = static_cast<std::uint32_t>(start - line_start_ + 1);
    line_.tokens.push_back(std::move(t));
    return line_.tokens.back();
  }

  std::uint32_t VisualColumn(std::size_t at) const {
    std::uint32_t col = 0;
    for (std::size_t i = line_start_; i < at; ++i) {
      if (text_[i] == '\t')
        col = (col / 8 + 1) * 8;
      else if (text_[i] == '\f')
        col = 0;
      else
        ++col;
    }
    return col;
  }

  // Moves past a multi-line token, keeping line numbers right.
  void AdvanceTo(std::size_t end) {
    for (std::size_t i = pos_; i < end; ++i)
      if (text_[i] == '\n') NewLine(i + 1);
    pos_ = end;
  }

  void NewLine(std::size_t start) {
    ++line_no_;
    line_start_ = start;
  }

  void FlushLine() {
    if (!line_.tokens.empty()) out_.lines.push_back(std::move(line_));
    line_ = LogicalLine{};
  }

  void Fail(std::string message, std::size_t at) {
    if (!out_.ok) return;
    out_.ok = false;
    out_.error = std::move(message);
    std::uint32_t line = 1;
    std::size_t start = 0;
    for (std::size_t i = 0; i < at && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line, start = i + 1;
    out_.error_line = line;
    out_.error_column = static_cast<std::uint32_t>(at - start + 1);
    pos_ = text_.size();
  }

  std::string_view text_;
  std::size_t pos_ = 0, line_start_ = 0;
  std::uint32_t line_no_ = 1;
  std::vector<std::size_t> brackets_;  ///< offsets of the open brackets
  LogicalLine line_;
  Tokenized out_;
};

}  // namespace

Tokenized Tokenize(std::string_view text) { return Lexer(text).Run(); }

}  // namespace cfnsplit::imports
