// JSON writer: the emitter's default output format; byte-for-byte deterministic.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "cfnsplit/writer.hpp"
#include "common/json_bytes.hpp"

namespace cfnsplit {
namespace {

// The text being written: a buffer grown by doubling and a cursor. std::string's append is an
// out-of-line call with its own capacity check per piece (a template renders in about half a
// million pieces), and its resize fills what it adds with zeros first.
class Out {
 public:
  void Put(char c) { *Room(1) = c; }
  void Put(const char* s, std::size_t n) {
    if (n > 0) std::memcpy(Room(n), s, n);
  }
  void Put(std::string_view s) { Put(s.data(), s.size()); }
  std::string Take() const { return std::string(data_.get(), used_); }

 private:
  char* Room(std::size_t n) {
    if (capacity_ - used_ < n) Grow(n);
    char* at = data_.get() + used_;
    used_ += n;
    return at;
  }
  void Grow(std::size_t n) {
    capacity_ = std::max(2 * capacity_, used_ + n + 4096);
    // new char[] leaves the bytes unset (make_unique would zero them): each is written before
    // it is read.
    std::unique_ptr<char[]> bigger(new char[capacity_]);
    if (used_ > 0) std::memcpy(bigger.get(), data_.get(), used_);
    data_ = std::move(bigger);
  }
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0, used_ = 0;
};

// Runs of characters that need no escape are appended whole (json_bytes::NextSpecial).
void AppendEscaped(std::string_view s, Out& out) {
  out.Put('"');
  std::size_t run = 0;  // where the pending run of characters written as they are starts
  for (std::size_t i = json_bytes::NextSpecial(s, 0); i < s.size();
       i = json_bytes::NextSpecial(s, run)) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.Put(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.Put("\\\"");
        break;
      case '\\':
        out.Put("\\\\");
        break;
      case '\b':
        out.Put("\\b");
        break;
      case '\f':
        out.Put("\\f");
        break;
      case '\n':
        out.Put("\\n");
        break;
      case '\r':
        out.Put("\\r");
        break;
      case '\t':
        out.Put("\\t");
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out.Put(buf);
      }
    }
  }
  out.Put(s.data() + run, s.size() - run);
  out.Put('"');
}

class JsonWriter {
 public:
  explicit JsonWriter(int indent) : indent_(indent > 0 ? indent : 0) {}

  void Write(const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        out_.Put("null");
        return;
      case Value::Kind::kBool:
        out_.Put(v.as_bool() ? "true" : "false");
        return;
      case Value::Kind::kNumber:
        out_.Put(v.text());
        return;
      case Value::Kind::kString:
        // A plain YAML `yes`/`off`… is a boolean to CloudFormation: JSON says so explicitly.
        if (auto b = v.plain() ? Yaml11Bool(v.text()) : std::nullopt) {
          out_.Put(*b ? "true" : "false");
          return;
        }
        AppendEscaped(v.text(), out_);
        return;
      case Value::Kind::kList:
        return WriteCollection(v, depth, '[', ']');
      case Value::Kind::kMap:
        return WriteCollection(v, depth, '{', '}');
    }
  }

  void EndLine() { out_.Put('\n'); }
  std::string Take() const { return out_.Take(); }

 private:
  // A line break and its indent in one append from a ready-made run of spaces: a fill of
  // `depth * indent` spaces was the writer's costliest call (a fifth of rendering).
  void NewLine(int depth) {
    if (indent_ == 0) return;
    static const std::string kBreak = "\n" + std::string(256, ' ');
    std::size_t width = static_cast<std::size_t>(depth * indent_);
    const std::size_t first = std::min(width, kBreak.size() - 1);
    out_.Put(kBreak.data(), first + 1);
    for (width -= first; width > 0; width -= std::min(width, kBreak.size() - 1))
      out_.Put(kBreak.data() + 1, std::min(width, kBreak.size() - 1));
  }

  void WriteCollection(const Value& v, int depth, char open, char close) {
    out_.Put(open);
    if (v.size() == 0) {
      out_.Put(close);
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out_.Put(',');
      NewLine(depth + 1);
      if (v.is_map()) {
        AppendEscaped(v.keys()[i].name, out_);
        out_.Put(indent_ == 0 ? std::string_view(":") : std::string_view(": "));
      }
      Write(v.items()[i], depth + 1);
    }
    NewLine(depth);
    out_.Put(close);
  }

  int indent_;
  Out out_;
};

}  // namespace

std::string WriteJson(const Value& value, int indent) {
  JsonWriter w(indent);
  w.Write(value, 0);
  // The final newline goes in before the text is taken: added after, it made the string grow
  // to twice its size (a 2,000-function split's rendered stacks held 17 MB for 8 MB of text).
  w.EndLine();
  return w.Take();
}

std::string JsonQuote(const std::string& s) {
  Out out;
  AppendEscaped(s, out);
  return out.Take();
}

}  // namespace cfnsplit
