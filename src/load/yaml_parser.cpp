// YAML through yaml-cpp's event parser (not YAML::Load): events carry a Mark for every node, tell
// quoted from plain scalars, report each tag as written, and let this reader expand aliases under
// a node budget, so an alias bomb is refused instead of exhausting memory.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string_view>

#include "cfnsplit/load.hpp"
#include "load/key_index.hpp"
#include "load/yaml_fast.hpp"

namespace cfnsplit {
namespace {

// Short-form tags CloudFormation accepts, and the language-extension functions.
const std::map<std::string, std::string>& ShortTags() {
  static const std::map<std::string, std::string> tags = {
      {"!Ref", "Ref"},
      {"!Condition", "Condition"},
      {"!And", "Fn::And"},
      {"!Base64", "Fn::Base64"},
      {"!Cidr", "Fn::Cidr"},
      {"!Equals", "Fn::Equals"},
      {"!FindInMap", "Fn::FindInMap"},
      {"!GetAtt", "Fn::GetAtt"},
      {"!GetAZs", "Fn::GetAZs"},
      {"!If", "Fn::If"},
      {"!ImportValue", "Fn::ImportValue"},
      {"!Join", "Fn::Join"},
      {"!Not", "Fn::Not"},
      {"!Or", "Fn::Or"},
      {"!Select", "Fn::Select"},
      {"!Split", "Fn::Split"},
      {"!Sub", "Fn::Sub"},
      {"!Transform", "Fn::Transform"},
      {"!Length", "Fn::Length"},
      {"!ToJsonString", "Fn::ToJsonString"},
      {"!GetStackOutput", "Fn::GetStackOutput"},
      // Rule functions (the Rules section).
      {"!Contains", "Fn::Contains"},
      {"!EachMemberEquals", "Fn::EachMemberEquals"},
      {"!EachMemberIn", "Fn::EachMemberIn"},
      {"!RefAll", "Fn::RefAll"},
      {"!ValueOf", "Fn::ValueOf"},
      {"!ValueOfAll", "Fn::ValueOfAll"},
  };
  return tags;
}

// The JSON number grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, by hand: it runs
// on every plain scalar, and std::regex would be a visible share of YAML load time.
bool IsJsonNumber(const std::string& s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (n == 0 || n >= 64) return false;
  if (s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (i >= n || s[i] < '1' || s[i] > '9' || !digits()) {
    return false;
  }
  if (i < n && s[i] == '.' && (++i, !digits())) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// Plain scalars resolve as in YAML 1.2's core schema, except that numbers which JSON cannot
// write (0x1F, .inf, 012) stay strings: an account id like 012345678901 must never become a
// number, and a template must round-trip to JSON unchanged.
Value ResolvePlain(const std::string& text, SourceLoc loc) {
  const std::string_view s = text;  // compared with literals without measuring them each time
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value::Null(loc);
  if (s == "true" || s == "True" || s == "TRUE") return Value::Bool(true, loc);
  if (s == "false" || s == "False" || s == "FALSE") return Value::Bool(false, loc);
  if (IsJsonNumber(text)) return Value::Number(text, loc);
  Value v = Value::String(text, loc);
  v.set_plain(true);
  return v;
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::uint32_t file, const LoadLimits& limits) : file_(file), limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      throw InputError("E0002", Loc(mark), "a template must be a single YAML document");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Count(1, mark);
    Finish(Value::Null(Loc(mark)), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    // yaml-cpp has already checked that the anchor was defined, so a miss means the alias sits
    // inside the very node its anchor names, which would be an infinite structure.
    if (it == anchors_.end())
      throw InputError("E0002", Loc(mark),
                       "recursive alias: it refers to a node that contains the alias itself");
    const Anchored& target = it->second;
    // Every copy counts against both budgets, so a billion-laughs document is refused after a
    // bounded amount of work, and a chain of aliases cannot build a tree deeper than max_depth
    // (later stages recurse over the tree).
    if (stack_.size() + target.depth > limits_.max_depth)
      throw InputError(
          "E0004", Loc(mark),
          "alias expands to nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    alias_nodes_ += target.nodes;
    if (alias_nodes_ > AliasBudget())
      throw InputError("E0005", Loc(mark),
                       "aliases expand to more than " + std::to_string(AliasBudget()) +
                           " values (an alias bomb?)");
    Count(target.nodes, mark);
    Value copy = target.value;
    copy.set_loc(Loc(mark));
    Finish(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Count(1, mark);
    last_scalar_ = mark;
    SourceLoc loc = Loc(mark);
    // yaml-cpp reports "?" for a plain scalar and "!" for a quoted one.
    const std::string_view written = tag;  // compared without measuring the literals
    if (written == "?") return Finish(ResolvePlain(value, loc), anchor);
    if (written == "!" || IsCoreTag(tag, "str")) return Finish(Value::String(value, loc), anchor);
    if (IsCoreTag(tag, "int") || IsCoreTag(tag, "float")) {
      return Finish(IsJsonNumber(value) ? Value::Number(value, loc) : Value::String(value, loc),
                    anchor);
    }
    if (IsCoreTag(tag, "bool")) return Finish(ResolvePlain(value, loc), anchor);
    if (IsCoreTag(tag, "null")) return Finish(Value::Null(loc), anchor);
    std::string fn = IntrinsicForTag(tag, loc);
    Value arg = Value::String(value, loc);
    if (fn == "Fn::GetAtt") arg = SplitGetAtt(value, loc);
    Finish(Value::Intrinsic(fn, std::move(arg), loc), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Value::List(Loc(mark)), mark, tag, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Value::Map(Loc(mark)), mark, tag, anchor);
  }
  void OnMapEnd() override { Close(); }

  std::optional<Value>& result() { return result_; }
  /// Where the last scalar of the document starts (null when there was none).
  const std::optional<YAML::Mark>& last_scalar() const { return last_scalar_; }

 private:
  struct Frame {
    Value node;  // the list or map, empty until it closes: its children gather in `scratch`
    std::string intrinsic;  // long name when the collection carried a short-form tag
    YAML::anchor_t anchor = 0;
    bool expecting_key = true;  // maps alternate key, value
    std::string pending_key;
    SourceLoc pending_key_loc;
    // Keys that came from `<<` (an explicit key overrides them): rare, and a set in every frame
    // cost its construction on each list and map.
    std::vector<std::string> merged_keys;
    bool Unmerge(const std::string& key) {
      auto it = std::find(merged_keys.begin(), merged_keys.end(), key);
      if (it == merged_keys.end()) return false;
      merged_keys.erase(it);
      return true;
    }
  };

  // A frame's children, gathered in a list per depth that later frames at that depth reuse, and
  // moved into the node's vectors at their final size once it closes: appending to the node
  // entry by entry was a quarter of reading a YAML template (each vector grew and moved twice).
  struct Scratch {
    std::vector<Value::Key> keys;
    std::vector<Value> items;
    long IndexOf(const std::string& key) const {
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i].name == key) return static_cast<long>(i);
      return -1;
    }
    // Whether the map already has `key`. Most maps have a handful of keys, compared in place; an
    // index of positions (KeyIndex, built once the map has kLinearKeys keys, then kept by Add)
    // keeps a big one from a quadratic scan.
    bool HasKey(const std::string& key) {
      if (keys.size() < kLinearKeys) return IndexOf(key) >= 0;
      if (index.empty()) index.Build(keys);
      return index.Contains(keys, key);
    }
    void Add(std::string key, Value v, SourceLoc loc) {
      keys.push_back(Value::Key{std::move(key), loc});
      items.push_back(std::move(v));
      if (!index.empty()) index.Add(keys, keys.size() - 1);
    }
    // Takes out the entry at `at`: the positions after it shift, so the index is built again
    // when next needed (only a key `<<` brought in is ever taken out).
    void Erase(std::size_t at) {
      keys.erase(keys.begin() + static_cast<long>(at));
      items.erase(items.begin() + static_cast<long>(at));
      index.Clear();
    }
    void Clear() {
      keys.clear();
      items.clear();
      index.Clear();
    }
    static constexpr std::size_t kLinearKeys = 24;
    KeyIndex index;
  };
  Scratch& Top() { return scratch_[stack_.size() - 1]; }

  struct Anchored {
    Value value;
    std::uint64_t nodes = 0;
    std::uint32_t depth = 0;  // levels of lists and maps, 0 for a scalar
  };

  // Aliases copy nodes; a real template shares a few small blocks, so a million copied nodes
  // (about 100 MB) is generous and still keeps an alias bomb far from exhausting memory.
  std::uint64_t AliasBudget() const {
    return std::min<std::uint64_t>(limits_.max_nodes, 1'000'000);
  }

  static std::uint32_t Depth(const Value& v) {
    std::uint32_t deepest = 0;
    for (const auto& child : v.items()) deepest = std::max(deepest, Depth(child) + 1);
    return v.is_scalar() ? 0 : std::max<std::uint32_t>(deepest, 1);
  }

  SourceLoc Loc(const YAML::Mark& m) const {
    return SourceLoc{file_, static_cast<std::uint32_t>(m.line + 1),
                     static_cast<std::uint32_t>(m.column + 1)};
  }

  static bool IsCoreTag(const std::string& tag, const char* name) {
    return tag == std::string("tag:yaml.org,2002:") + name || tag == std::string("!!") + name;
  }

  std::string IntrinsicForTag(const std::string& tag, SourceLoc loc) const {
    std::string fn = LongFormOfTag(tag);
    if (!fn.empty()) return fn;
    std::string written = TagAsWritten(tag);
    std::vector<std::string> known;
    for (const auto& [t, _] : ShortTags()) known.push_back(t);
    // `!!Ref` and `!ref` are common slips for `!Ref`; compare without the `!!` and case.
    std::string hint =
        SuggestClosest(written.rfind("!!", 0) == 0 ? written.substr(1) : written, known);
    if (hint.empty()) hint = CaseInsensitiveMatch(written, known);
    if (written.rfind("!Rain::", 0) == 0)
      throw InputError("E0007", loc,
                       "unknown tag '" + written +
                           "': a Rain directive, which `rain pkg` expands; "
                           "package the template with Rain first");
    throw InputError(
        "E0007", loc,
        "unknown tag '" + written + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }

  // yaml-cpp expands `!!x` to `tag:yaml.org,2002:x`; users wrote `!!x`.
  static std::string TagAsWritten(const std::string& tag) {
    static const std::string kCorePrefix = "tag:yaml.org,2002:";
    if (tag.rfind(kCorePrefix, 0) == 0) return "!!" + tag.substr(kCorePrefix.size());
    return tag;
  }

  static std::string CaseInsensitiveMatch(const std::string& tag,
                                          const std::vector<std::string>& known) {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    for (const auto& k : known)
      if (lower(k) == lower(tag)) return k;
    return {};
  }

  // `!GetAtt A.B.C` names attribute `B.C` of resource `A` (nested-stack outputs have dots).
  static Value SplitGetAtt(const std::string& s, SourceLoc loc) {
    auto dot = s.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
      throw InputError("E1003", loc, "!GetAtt needs 'Resource.Attribute', got '" + s + "'");
    Value list = Value::List(loc);
    list.Append(Value::String(s.substr(0, dot), loc));
    list.Append(Value::String(s.substr(dot + 1), loc));
    return list;
  }

  void Count(std::uint64_t n, const YAML::Mark& mark) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      throw InputError("E0005", Loc(mark),
                       "document expands to more than " + std::to_string(limits_.max_nodes) +
                           " values (an alias bomb?)");
  }

  void Open(Value node, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    Count(1, mark);
    if (stack_.size() >= limits_.max_depth)
      throw InputError("E0004", Loc(mark),
                       "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    Frame f;
    f.node = std::move(node);
    f.anchor = anchor;
    const std::string_view written = tag;
    if (written != "?" && written != "!" && !IsCoreTag(tag, "seq") && !IsCoreTag(tag, "map"))
      f.intrinsic = IntrinsicForTag(tag, Loc(mark));
    stack_.push_back(std::move(f));
    if (scratch_.size() < stack_.size()) scratch_.resize(stack_.size());
    Top().Clear();
  }

  void Close() {
    Scratch& children = Top();
    stack_.back().node.AppendMoved(children.keys, children.items);  // a list's keys are empty
    children.Clear();
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Value v = std::move(f.node);
    if (!f.intrinsic.empty()) {
      SourceLoc loc = v.loc();
      v = Value::Intrinsic(f.intrinsic, std::move(v), loc);
    }
    Finish(std::move(v), f.anchor);
  }

  void Finish(Value v, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = Anchored{v, v.NodeCount(), Depth(v)};
    if (stack_.empty()) {
      result_ = std::move(v);
      return;
    }
    Frame& top = stack_.back();
    Scratch& children = Top();
    if (top.node.is_list()) {
      children.items.push_back(std::move(v));
      return;
    }
    if (top.expecting_key) {
      if (!v.is_scalar())
        throw InputError(
            "E0002", v.loc(),
            "a mapping key must be a scalar, not a " + std::string(KindName(v.kind())));
      top.pending_key = v.text();
      top.pending_key_loc = v.loc();
      top.expecting_key = false;
      return;
    }
    top.expecting_key = true;
    if (std::string_view(top.pending_key) == "<<" && IsMergeSource(v))
      return Merge(top, children, v);
    if (children.HasKey(top.pending_key)) {
      // A key written in the map itself overrides one that `<<` brought in, wherever it stands.
      const auto at = static_cast<std::size_t>(children.IndexOf(top.pending_key));
      if (!top.Unmerge(top.pending_key)) {
        SourceLoc first = children.keys[at].loc;
        throw InputError("E0006", top.pending_key_loc,
                         "duplicate key '" + top.pending_key + "' in this mapping (first at line " +
                             std::to_string(first.line) + ", column " +
                             std::to_string(first.column) + ")");
      }
      children.Erase(at);
    }
    children.Add(std::move(top.pending_key), std::move(v), top.pending_key_loc);
  }

  // `<<: *base` or `<<: [*first, *second]` (YAML 1.1 merge keys).
  static bool IsMergeSource(const Value& v) {
    if (v.is_map()) return true;
    if (!v.is_list() || v.size() == 0) return false;
    for (const auto& item : v.items())
      if (!item.is_map()) return false;
    return true;
  }

  // Entries of the merged map(s) that the map does not set itself; in a list of maps the
  // earlier map wins, as YAML 1.1 specifies.
  static void Merge(Frame& top, Scratch& children, const Value& from) {
    if (from.is_list()) {
      for (const auto& item : from.items()) Merge(top, children, item);
      return;
    }
    for (std::size_t i = 0; i < from.size(); ++i) {
      const auto& key = from.keys()[i];
      if (children.HasKey(key.name)) continue;
      top.merged_keys.push_back(key.name);
      children.Add(key.name, from.items()[i], key.loc);
    }
  }

  std::uint32_t file_;
  const LoadLimits& limits_;
  std::vector<Frame> stack_;
  std::vector<Scratch> scratch_;  // children of stack_[i] in scratch_[i]
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::optional<Value> result_;
  std::uint64_t nodes_ = 0;
  std::uint64_t alias_nodes_ = 0;
  int documents_ = 0;
  std::optional<YAML::Mark> last_scalar_;
};

// Byte offset in `text` of a yaml-cpp mark (yaml-cpp skips a byte-order mark, so columns on the
// first line do not count it).
std::size_t OffsetOfMark(const SourceManager& sources, std::uint32_t file, const YAML::Mark& m) {
  const std::string& text = sources.text(file);
  std::string_view line = sources.LineText(file, static_cast<std::uint32_t>(m.line + 1));
  std::size_t offset = line.empty() && m.line > 0
                           ? text.size()
                           : static_cast<std::size_t>(line.data() - text.data());
  if (m.line == 0 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) offset += 3;
  return std::min(text.size(), offset + static_cast<std::size_t>(std::max(0, m.column)));
}

// The properties (`!Tag`, `&anchor`) written right before `offset`, or empty.
std::string PropertyBefore(const std::string& text, std::size_t offset) {
  std::size_t end = offset;
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::size_t begin = end;
  auto is_separator = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '[' || c == '{' || c == ',';
  };
  while (begin > 0 && !is_separator(text[begin - 1])) --begin;
  if (begin == end || (text[begin] != '!' && text[begin] != '&')) return {};
  return text.substr(begin, end - begin);
}

// yaml-cpp's messages name its parser states ("end of map not found"); where a common mistake is
// behind one, say what the user wrote and how CloudFormation wants it instead.
std::string ExplainYamlError(const YAML::Exception& e, const SourceManager& sources,
                             std::uint32_t file) {
  if (e.msg == YAML::ErrorMsg::MULTIPLE_TAGS)
    return "two tags on one node: a YAML short-form function cannot directly contain another "
           "(as in `!Base64 !Sub ...`); write the outer one in long form, e.g. "
           "`Fn::Base64: !Sub ...`";
  if (e.msg.rfind(YAML::ErrorMsg::INVALID_UNICODE, 0) == 0) {
    char buf[64];
    unsigned long cp =
        std::strtoul(e.msg.c_str() + std::strlen(YAML::ErrorMsg::INVALID_UNICODE), nullptr, 10);
    std::snprintf(buf, sizeof buf, "U+%04lX", cp);
    // yaml-cpp also refuses a surrogate *pair* (\ud83d\ude00), which JSON allows.
    return std::string("invalid escape: ") + buf +
           (cp >= 0xD800 && cp <= 0xDFFF
                ? " is a UTF-16 surrogate, not a character; in YAML write the character itself "
                  "or an 8-digit \\U escape"
                : " is not a Unicode character");
  }
  if (!e.mark.is_null()) {
    const std::string& text = sources.text(file);
    std::string_view line = sources.LineText(file, static_cast<std::uint32_t>(e.mark.line + 1));
    std::size_t indent_end = line.find_first_not_of(" \t");
    if (line.substr(0, indent_end).find('\t') != std::string_view::npos)
      return "YAML syntax: " + e.msg +
             " (this line is indented with a tab; YAML allows only spaces)";
    std::size_t offset = OffsetOfMark(sources, file, e.mark);
    if (offset < text.size() && text[offset] == '*') {
      std::string property = PropertyBefore(text, offset);
      if (!property.empty())
        return "an alias cannot carry a tag or anchor ('" + property +
               " *...'); write the function in long form, e.g. `Fn::Sub: *name`";
    }
  }
  return "YAML syntax: " + e.msg;
}

// yaml-cpp 0.7 accepts a quoted scalar that is still open at the end of the file when a line break
// comes before the end; PyYAML and CloudFormation refuse it. Only the document's last scalar can
// have run into the end of the file, so that is the one to check.
void CheckQuoteClosed(const SourceManager& sources, std::uint32_t file, const YAML::Mark& mark) {
  const std::string& text = sources.text(file);
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = OffsetOfMark(sources, file, mark);
  while (i < text.size() && (text[i] == '!' || text[i] == '&')) {  // a tag or anchor first
    while (i < text.size() && !is_space(text[i])) ++i;
    while (i < text.size() && is_space(text[i])) ++i;
  }
  if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) return;
  const char quote = text[i];
  for (std::size_t j = i + 1; j < text.size(); ++j) {
    if (quote == '"' && text[j] == '\\') {
      ++j;  // the escaped character cannot close the string
    } else if (text[j] == quote) {
      if (quote == '\'' && j + 1 < text.size() && text[j + 1] == '\'') {
        ++j;  // '' is a quote inside a single-quoted string
        continue;
      }
      return;
    }
  }
  throw InputError("E0002", sources.LocForOffset(file, i),
                   std::string("YAML syntax: the ") + (quote == '"' ? "double" : "single") +
                       "-quoted string starting here is never closed");
}

// YAML allows only printable characters (tab and line breaks aside); yaml-cpp lets C0 controls
// through inside scalars, where they would silently end up in the template. PyYAML refuses them.
void CheckPrintable(const SourceManager& sources, std::uint32_t file) {
  const std::string& text = sources.text(file);
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      throw InputError("E0002", sources.LocForOffset(file, i),
                       std::string("YAML syntax: control character ") + hex +
                           " is not allowed (write it as an escape in a double-quoted string)");
    }
  }
}

}  // namespace

std::string LongFormOfTag(const std::string& tag) {
  auto it = ShortTags().find(tag);
  return it == ShortTags().end() ? std::string() : it->second;
}

std::optional<Value> ParseYaml(std::uint32_t file, const SourceManager& sources,
                               DiagnosticSink& sink, const LoadLimits& limits) {
  TreeBuilder builder(file, limits);
  try {
    CheckPrintable(sources, file);
    // The fast scanner declines without calling the builder, so yaml-cpp then starts afresh.
    if (!ReadYamlFast(sources.text(file), builder)) {
      std::istringstream in(sources.text(file));
      YAML::Parser parser(in);
      while (parser.HandleNextDocument(builder)) {
      }
    }
    if (builder.last_scalar()) CheckQuoteClosed(sources, file, *builder.last_scalar());
  } catch (const InputError& e) {
    sink.Error(e.code(), e.loc(), e.what());
    return std::nullopt;
  } catch (const YAML::DeepRecursion& e) {
    sink.Error("E0004",
               SourceLoc{file, static_cast<std::uint32_t>(e.mark.line + 1),
                         static_cast<std::uint32_t>(e.mark.column + 1)},
               "nesting too deep for YAML (" + std::to_string(e.depth()) + " levels)");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    SourceLoc loc{file, 0, 0};
    if (!e.mark.is_null())
      loc = SourceLoc{file, static_cast<std::uint32_t>(e.mark.line + 1),
                      static_cast<std::uint32_t>(e.mark.column + 1)};
    sink.Error("E0002", loc, ExplainYamlError(e, sources, file));
    return std::nullopt;
  } catch (const std::bad_alloc&) {
    sink.Error("E0005", SourceLoc{file, 0, 0}, "out of memory while reading YAML");
    return std::nullopt;
  }
  if (!builder.result()) {
    sink.Error("E0008", SourceLoc{file, 1, 1}, "empty document: expected a template mapping");
    return std::nullopt;
  }
  return std::move(builder.result());
}

}  // namespace cfnsplit
