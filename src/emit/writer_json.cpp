// JSON writer: the emitter's default output format; byte-for-byte deterministic.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "cfnsplit/writer.hpp"
#include "common/json_bytes.hpp"

namespace cfnsplit {
namespace {

// Runs of characters that need no escape are appended whole (json_bytes::NextSpecial).
void AppendEscaped(const std::string& s, std::string& out) {
  out += '"';
  std::size_t run = 0;  // where the pending run of characters written as they are starts
  for (std::size_t i = json_bytes::NextSpecial(s, 0); i < s.size();
       i = json_bytes::NextSpecial(s, run)) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      }
    }
  }
  out.append(s, run, s.size() - run);
  out += '"';
}

class JsonWriter {
 public:
  explicit JsonWriter(int indent) : indent_(indent > 0 ? indent : 0) {}

  void Write(const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        out_ += "null";
        return;
      case Value::Kind::kBool:
        out_ += v.as_bool() ? "true" : "false";
        return;
      case Value::Kind::kNumber:
        out_ += v.text();
        return;
      case Value::Kind::kString:
        // A plain YAML `yes`/`off`… is a boolean to CloudFormation: JSON says so explicitly.
        if (auto b = v.plain() ? Yaml11Bool(v.text()) : std::nullopt) {
          out_ += *b ? "true" : "false";
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

  std::string Take() { return std::move(out_); }

 private:
  // A line break and its indent in one append from a ready-made run of spaces: a fill of
  // `depth * indent` spaces was the writer's costliest call (a fifth of rendering).
  void NewLine(int depth) {
    if (indent_ == 0) return;
    static const std::string kBreak = "\n" + std::string(256, ' ');
    const auto width = static_cast<std::size_t>(depth * indent_);
    if (width < kBreak.size()) {
      out_.append(kBreak.data(), width + 1);
      return;
    }
    out_ += '\n';
    out_.append(width, ' ');
  }

  void WriteCollection(const Value& v, int depth, char open, char close) {
    out_ += open;
    if (v.size() == 0) {
      out_ += close;
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out_ += ',';
      NewLine(depth + 1);
      if (v.is_map()) {
        AppendEscaped(v.keys()[i].name, out_);
        out_ += indent_ == 0 ? ":" : ": ";
      }
      Write(v.items()[i], depth + 1);
    }
    NewLine(depth);
    out_ += close;
  }

  int indent_;
  std::string out_;
};

}  // namespace

std::string WriteJson(const Value& value, int indent) {
  JsonWriter w(indent);
  w.Write(value, 0);
  std::string out = w.Take();
  out += '\n';
  return out;
}

std::string JsonQuote(const std::string& s) {
  std::string out;
  AppendEscaped(s, out);
  return out;
}

}  // namespace cfnsplit
