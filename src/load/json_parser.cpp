// A position-keeping JSON reader. nlohmann/json 3.11 cannot report where a value was written,
// and every diagnostic must point into the file, so templates are read here directly. It is also
// the fast path: a 9 MB Serverless template never goes through the YAML parser.
#include <cstdint>
#include <cstring>

#include "cfnsplit/load.hpp"
#include "common/json_bytes.hpp"
#include "load/key_index.hpp"

namespace cfnsplit {
namespace {

class JsonReader {
 public:
  JsonReader(std::uint32_t file, const std::string& text, const LoadLimits& limits)
      : file_(file), text_(text), limits_(limits) {}

  Value ReadDocument() {
    // A UTF-8 byte-order mark is invisible in editors, so columns on line 1 start after it.
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = line_start_ = 3;
    SkipSpace();
    if (AtEnd()) Fail("E0003", "empty document: expected a JSON object");
    Value root = ReadValue(0);
    SkipSpace();
    if (!AtEnd()) Fail("E0003", "unexpected content after the end of the JSON document");
    return root;
  }

 private:
  [[noreturn]] void Fail(const char* code, const std::string& message) const {
    throw InputError(code, Here(), message);
  }
  // Points at `offset` on the current line (strings never span lines, so this is exact there).
  [[noreturn]] void FailAt(std::size_t offset, const char* code, const std::string& message) const {
    throw InputError(code,
                     SourceLoc{file_, line_, static_cast<std::uint32_t>(offset - line_start_ + 1)},
                     message);
  }
  SourceLoc Here() const {
    return SourceLoc{file_, line_, static_cast<std::uint32_t>(pos_ - line_start_ + 1)};
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else if (c == ' ') {
        // Indentation, most of a pretty-printed template's bytes: eight spaces at a time.
        constexpr std::uint64_t kEightSpaces = 0x2020202020202020ULL;
        std::uint64_t word;
        while (pos_ + 8 <= text_.size() &&
               (std::memcpy(&word, text_.data() + pos_, 8), word == kEightSpaces))
          pos_ += 8;
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
      } else if (c == '\t' || c == '\r') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  void CountNode() {
    if (++nodes_ > limits_.max_nodes)
      Fail("E0005", "document has more than " + std::to_string(limits_.max_nodes) + " values");
  }

  // `depth` counts the lists and maps around the value; like the YAML reader, only a list or map
  // opened at max_depth is too deep (a scalar adds no level).
  Value ReadValue(std::uint32_t depth) {
    CountNode();
    SourceLoc loc = Here();
    if ((Peek() == '{' || Peek() == '[') && depth >= limits_.max_depth)
      Fail("E0004", "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    switch (Peek()) {
      case '{':
        return ReadObject(depth, loc);
      case '[':
        return ReadArray(depth, loc);
      case '"':
        return Value::String(ReadString(), loc);
      case 't':
        ExpectWord("true");
        return Value::Bool(true, loc);
      case 'f':
        ExpectWord("false");
        return Value::Bool(false, loc);
      case 'n':
        ExpectWord("null");
        return Value::Null(loc);
      default:
        break;
    }
    char c = Peek();
    if (c == '-' || (c >= '0' && c <= '9')) return Value::Number(ReadNumber(), loc);
    if (AtEnd()) Fail("E0003", "unexpected end of file: expected a value");
    Fail("E0003", std::string("unexpected character '") + Printable(c) + "': expected a value");
  }

  static std::string Printable(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string(1, c);
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    return buf;
  }

  void ExpectWord(const char* word) {
    std::size_t n = std::strlen(word);
    if (text_.compare(pos_, n, word) != 0)
      Fail("E0003", "invalid literal: expected " + std::string(word));
    pos_ += n;
  }

  // Children are gathered in a scratch list per depth and moved into a vector of the exact size
  // once the container closes: growing each map's vectors entry by entry reallocated (and moved)
  // every node of the template about twice.
  struct Scratch {
    std::vector<Value::Key> keys;
    std::vector<Value> items;
    KeyIndex index;  // the keys, once there are kLinearKeys of them
  };
  Scratch& ScratchAt(std::uint32_t depth) {
    if (scratch_.size() <= depth) scratch_.resize(depth + 1);
    Scratch& s = scratch_[depth];
    s.keys.clear();
    s.items.clear();
    s.index.Clear();
    return s;
  }

  Value ReadObject(std::uint32_t depth, SourceLoc loc) {
    Value map = Value::Map(loc);
    ++pos_;  // '{'
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      return map;
    }
    // Duplicate keys: most mappings have a handful of keys, compared in place; an index of
    // positions (KeyIndex) pays only for the big ones.
    constexpr std::size_t kLinearKeys = 24;
    auto index_of = [&](const std::string& key) -> long {
      const auto& keys = scratch_[depth].keys;
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i].name == key) return static_cast<long>(i);
      return -1;
    };
    auto is_duplicate = [&](const std::string& key) {
      Scratch& s = scratch_[depth];
      if (s.keys.size() < kLinearKeys) return index_of(key) >= 0;
      if (s.index.empty()) s.index.Build(s.keys);
      return s.index.Contains(s.keys, key);
    };
    ScratchAt(depth);
    while (true) {
      SkipSpace();
      if (Peek() != '"') Fail("E0003", "expected a string key in double quotes");
      SourceLoc key_loc = Here();
      std::string key = ReadString();
      if (is_duplicate(key)) {
        SourceLoc first = scratch_[depth].keys[static_cast<std::size_t>(index_of(key))].loc;
        throw InputError("E0006", key_loc,
                         "duplicate key '" + key + "' in this mapping (first at line " +
                             std::to_string(first.line) + ", column " +
                             std::to_string(first.column) + ")");
      }
      SkipSpace();
      if (Peek() != ':') Fail("E0003", "expected ':' after key '" + key + "'");
      ++pos_;
      SkipSpace();
      Value v = ReadValue(depth + 1);
      // Index again after the read: reading deeper values may have grown scratch_.
      Scratch& entries = scratch_[depth];
      entries.keys.push_back(Value::Key{std::move(key), key_loc});
      entries.items.push_back(std::move(v));
      if (!entries.index.empty()) entries.index.Add(entries.keys, entries.keys.size() - 1);
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        Scratch& s = scratch_[depth];
        map.AppendMoved(s.keys, s.items);
        return map;
      }
      Fail("E0003", AtEnd() ? "unexpected end of file: object is not closed"
                            : "expected ',' or '}' in object");
    }
  }

  Value ReadArray(std::uint32_t depth, SourceLoc loc) {
    Value list = Value::List(loc);
    ++pos_;  // '['
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      return list;
    }
    ScratchAt(depth);
    while (true) {
      SkipSpace();
      Value item = ReadValue(depth + 1);
      scratch_[depth].items.push_back(std::move(item));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        Scratch& s = scratch_[depth];
        list.AppendMoved(s.keys, s.items);  // a list's scratch keys are empty
        return list;
      }
      Fail("E0003", AtEnd() ? "unexpected end of file: array is not closed"
                            : "expected ',' or ']' in array");
    }
  }

  std::string ReadNumber() {
    std::size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
      if (isdigit(static_cast<unsigned char>(Peek())))
        FailAt(start, "E0003",
               "invalid number: leading zeros are not allowed (quote it if it is an id)");
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    } else {
      Fail("E0003", "invalid number");
    }
    if (Peek() == '.') {
      ++pos_;
      if (!isdigit(static_cast<unsigned char>(Peek())))
        Fail("E0003", "invalid number: digit expected after '.'");
      while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!isdigit(static_cast<unsigned char>(Peek())))
        Fail("E0003", "invalid number: digit expected in exponent");
      while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  unsigned ReadHex4(std::size_t escape_start) {
    if (pos_ + 4 > text_.size()) FailAt(escape_start, "E0003", "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        FailAt(escape_start, "E0003", "invalid hex digit in \\u escape");
    }
    return v;
  }

  static void AppendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string ReadString() {
    ++pos_;  // opening quote
    // Most strings have no escape: made from their bytes in one step, not appended run by run.
    if (const std::size_t end = json_bytes::NextSpecial(text_, pos_);
        end < text_.size() && text_[end] == '"') {
      std::string out(text_.data() + pos_, end - pos_);
      pos_ = end + 1;
      return out;
    }
    std::string out;
    while (true) {
      // Copy runs of ordinary characters at once: strings dominate template bytes.
      std::size_t run = json_bytes::NextSpecial(text_, pos_);
      out.append(text_, pos_, run - pos_);
      pos_ = run;
      if (AtEnd()) Fail("E0003", "unexpected end of file inside a string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c != '\\') Fail("E0003", "control character in string (escape it)");
      std::size_t escape_start = pos_;
      ++pos_;
      char e = Peek();
      ++pos_;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = ReadHex4(escape_start);
          // A lone surrogate is not a character and cannot be written as UTF-8.
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.compare(pos_, 2, "\\u") != 0)
              FailAt(escape_start, "E0003", "unpaired high surrogate in \\u escape");
            pos_ += 2;
            unsigned lo = ReadHex4(escape_start);
            if (lo < 0xDC00 || lo > 0xDFFF)
              FailAt(escape_start, "E0003", "high surrogate not followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            FailAt(escape_start, "E0003", "unpaired low surrogate in \\u escape");
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          Fail("E0003", "invalid escape sequence in string");
      }
    }
  }

  std::uint32_t file_;
  const std::string& text_;
  const LoadLimits& limits_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::uint64_t nodes_ = 0;
  std::vector<Scratch> scratch_;  // one per depth, reused
};

}  // namespace

std::optional<Value> ParseJson(std::uint32_t file, const SourceManager& sources,
                               DiagnosticSink& sink, const LoadLimits& limits) {
  try {
    JsonReader reader(file, sources.text(file), limits);
    return reader.ReadDocument();
  } catch (const InputError& e) {
    sink.Error(e.code(), e.loc(), e.what());
  } catch (const std::bad_alloc&) {
    sink.Error("E0005", SourceLoc{file, 0, 0}, "out of memory while reading JSON");
  }
  return std::nullopt;
}

}  // namespace cfnsplit
