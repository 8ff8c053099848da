// CloudFormation YAML writer. Every node is rendered as a Piece: either inline text (scalars,
// flow lists, `!Ref X`) or a block of lines with an optional header on the parent's line (a tag,
// a block-literal indicator). Quoting is conservative: anything a YAML 1.1 reader could take for
// a non-string is quoted, because CloudFormation reads `yes` as true and 0123 as a number.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

#include "cfnsplit/load.hpp"
#include "cfnsplit/writer.hpp"

namespace cfnsplit {
namespace {

constexpr std::size_t kFlowWidth = 80;
constexpr std::size_t kFlowItems = 8;

struct Piece {
  bool is_inline = true;
  std::string text;    // inline form
  std::string header;  // block form: written after "key:" or "- " on the same line
  std::string block;   // block form: whole lines, each already indented
};

std::string Pad(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

// "!Ref" for "Ref", "!Sub" for "Fn::Sub"; empty when the function has no short form.
std::string ShortTag(std::string_view name) {
  std::string tag =
      "!" +
      std::string(name.substr(name.rfind(':') == std::string_view::npos ? 0 : name.rfind(':') + 1));
  return LongFormOfTag(tag) == name ? tag : std::string();
}

// YAML line breaks besides \n (NEL, LS, PS) and the BOM: a reader folds or drops them.
bool HasUnicodeBreak(const std::string& s) {
  return s.find("\xC2\x85") != std::string::npos || s.find("\xE2\x80\xA8") != std::string::npos ||
         s.find("\xE2\x80\xA9") != std::string::npos || s.find("\xEF\xBB\xBF") != std::string::npos;
}

bool HasControl(const std::string& s, bool allow_newline_tab) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (allow_newline_tab && (c == '\n' || c == '\t')) continue;
    if (u < 0x20 || u == 0x7f) return true;
  }
  return HasUnicodeBreak(s);
}

// Words YAML 1.1 or 1.2 resolve to a boolean or null, in any case.
bool IsSpecialWord(const std::string& s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* kWords[] = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"};
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return lower == w; });
}

bool PlainOk(const std::string& s, bool flow) {
  if (s.empty() || IsSpecialWord(s) || s == "<<" || s == "=") return false;
  if (HasControl(s, false)) return false;
  // Anything that may start a number (012345678901, 1e3, .5, -1, +1, 1_000, 1:20) is quoted.
  if (std::string("0123456789+-.").find(s.front()) != std::string::npos) return false;
  if (std::string("?:,[]{}#&*!|>'\"%@` ").find(s.front()) != std::string::npos) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  if (flow && s.find_first_of(",[]{}") != std::string::npos) return false;
  return true;
}

std::string DoubleQuoted(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else if (s.compare(i, 2, "\xC2\x85") == 0) {
      out += "\\N";
      i += 1;
    } else if (s.compare(i, 3, "\xE2\x80\xA8") == 0) {
      out += "\\L";
      i += 2;
    } else if (s.compare(i, 3, "\xE2\x80\xA9") == 0) {
      out += "\\P";
      i += 2;
    } else if (s.compare(i, 3, "\xEF\xBB\xBF") == 0) {
      out += "\\uFEFF";
      i += 2;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Quoted(const std::string& s) {
  if (HasControl(s, false)) return DoubleQuoted(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string StringScalar(const std::string& s, bool flow) {
  return PlainOk(s, flow) ? s : Quoted(s);
}

// A string the input wrote plain keeps its style, so a YAML 1.1 reader resolves it as it did
// the input (`Default: No` stays a boolean, `Value: 012` what it was), as long as plain is
// valid where it is written now.
bool KeepPlain(const Value& v, bool flow) {
  const std::string& s = v.text();
  if (!v.plain() || s.empty() || HasControl(s, false) || s.back() == ' ' || s.back() == ':')
    return false;
  if (std::string("?:,[]{}#&*!|>'\"%@` -").find(s.front()) != std::string::npos &&
      !(s.size() > 1 && (s.front() == '-' || s.front() == '?' || s.front() == ':') && s[1] != ' '))
    return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  return !(flow && s.find_first_of(",[]{}") != std::string::npos);
}

std::string Scalar(const Value& v, bool flow) {
  if (v.is_string() && KeepPlain(v, flow)) return v.text();
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::kNumber:
      return v.text();
    default:
      return StringScalar(v.text(), flow);
  }
}

// A block literal reproduces `s` exactly only under these conditions; otherwise double quotes.
bool LiteralOk(const std::string& s, int indent) {
  if (indent == 0 || s.find('\n') == std::string::npos || s.find('\r') != std::string::npos)
    return false;
  if (HasControl(s, true)) return false;
  std::size_t body_end = s.find_last_not_of('\n');
  if (body_end == std::string::npos) return false;
  std::size_t start = 0;
  bool first_content = true;
  while (start <= body_end) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos || end > body_end) end = body_end + 1;
    std::string line = s.substr(start, end - start);
    if (!line.empty()) {
      if (line.find_first_not_of(" \t") == std::string::npos) return false;  // blank-with-spaces
      if (first_content && (line[0] == ' ' || line[0] == '\t')) return false;
      first_content = false;
    }
    start = end + 1;
  }
  return true;
}

Piece Literal(const std::string& s, int indent) {
  std::size_t body_end = s.find_last_not_of('\n');
  std::size_t trailing = s.size() - body_end - 1;
  Piece p;
  p.is_inline = false;
  p.header = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
  std::size_t start = 0;
  while (start <= body_end) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos || end > body_end) end = body_end + 1;
    if (end > start) p.block += Pad(indent) + s.substr(start, end - start);
    p.block += '\n';
    start = end + 1;
  }
  if (trailing > 1) p.block.append(trailing - 1, '\n');
  return p;
}

class YamlWriter {
 public:
  Piece Render(const Value& v, int indent) {
    if (v.is_string() && LiteralOk(v.text(), indent)) return Literal(v.text(), indent);
    if (v.is_scalar()) return Inline(Scalar(v, false));
    if (v.size() == 0) return Inline(v.is_list() ? "[]" : "{}");
    std::string tag = TagOf(v);
    if (!tag.empty()) return RenderTagged(tag, v, indent);
    if (v.is_list()) {
      if (auto flow = FlowList(v)) return Inline(*flow);
      return RenderList(v, indent);
    }
    return RenderMap(v, indent);
  }

 private:
  static Piece Inline(std::string text) {
    Piece p;
    p.text = std::move(text);
    return p;
  }

  // The tag `v` is written with, or empty for the long form. The long form is used where a short
  // form is impossible (`!Base64 !Sub x` would put two tags on one node) or would not read back
  // the same (a scalar under a tag always reads as a string; `!GetAtt A.B` reads as a list).
  static std::string TagOf(const Value& v) {
    std::string_view name = v.IntrinsicName();
    if (name.empty()) return {};
    std::string tag = ShortTag(name);
    if (tag.empty()) return {};
    const Value& arg = v.IntrinsicArg();
    if (arg.is_string()) return name == "Fn::GetAtt" ? std::string() : tag;
    if (arg.is_scalar()) return {};
    return TagOf(arg).empty() ? tag : std::string();
  }

  // `A.B` when a GetAtt can be written in its dotted scalar form.
  static std::optional<std::string> DottedGetAtt(const Value& v) {
    if (v.IntrinsicName() != "Fn::GetAtt") return std::nullopt;
    const Value& arg = v.IntrinsicArg();
    if (!arg.is_list() || arg.size() != 2 || !arg.items()[0].is_string() ||
        !arg.items()[1].is_string())
      return std::nullopt;
    const std::string& res = arg.items()[0].text();
    const std::string& att = arg.items()[1].text();
    if (res.empty() || att.empty() || res.find('.') != std::string::npos) return std::nullopt;
    return res + "." + att;
  }

  // Inline text of a scalar or a tagged scalar inside a flow list; nullopt when not that simple.
  static std::optional<std::string> FlowItem(const Value& v) {
    if (v.is_scalar()) return Scalar(v, true);
    if (auto dotted = DottedGetAtt(v)) return "!GetAtt " + StringScalar(*dotted, true);
    std::string tag = TagOf(v);
    if (!tag.empty() && v.IntrinsicArg().is_string())
      return tag + " " + StringScalar(v.IntrinsicArg().text(), true);
    return std::nullopt;
  }

  static std::optional<std::string> FlowList(const Value& v) {
    if (v.size() > kFlowItems) return std::nullopt;
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto item = FlowItem(v.items()[i]);
      if (!item) return std::nullopt;
      out += (i ? ", " : "") + *item;
      if (out.size() > kFlowWidth) return std::nullopt;
    }
    return out + "]";
  }

  Piece RenderTagged(const std::string& tag, const Value& v, int indent) {
    if (auto dotted = DottedGetAtt(v)) return Inline("!GetAtt " + StringScalar(*dotted, false));
    const Value& arg = v.IntrinsicArg();
    Piece inner = Render(arg, indent);
    if (inner.is_inline) return Inline(tag + " " + inner.text);
    inner.header = inner.header.empty() ? tag : tag + " " + inner.header;
    return inner;
  }

  Piece RenderList(const Value& v, int indent) {
    Piece p;
    p.is_inline = false;
    for (const Value& item : v.items()) {
      Piece c = Render(item, indent + 2);
      if (c.is_inline) {
        p.block += Pad(indent) + "- " + c.text + "\n";
      } else if (!c.header.empty()) {
        p.block += Pad(indent) + "- " + c.header + "\n" + c.block;
      } else {
        // A nested map or list starts on the dash's line: "- Key: value".
        p.block += Pad(indent) + "- " + c.block.substr(static_cast<std::size_t>(indent + 2));
      }
    }
    return p;
  }

  Piece RenderMap(const Value& v, int indent) {
    Piece p;
    p.is_inline = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::string key = StringScalar(v.keys()[i].name, false);
      Piece c = Render(v.items()[i], indent + 2);
      if (c.is_inline) {
        p.block += Pad(indent) + key + ": " + c.text + "\n";
      } else {
        p.block += Pad(indent) + key + ":" + (c.header.empty() ? "" : " " + c.header) + "\n";
        p.block += c.block;
      }
    }
    return p;
  }
};

}  // namespace

std::string WriteYaml(const Value& value) {
  YamlWriter w;
  Piece p = w.Render(value, 0);
  if (p.is_inline) return p.text + "\n";
  return p.header.empty() ? p.block : p.header + "\n" + p.block;
}

}  // namespace cfnsplit
