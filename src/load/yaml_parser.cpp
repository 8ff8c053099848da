// YAML through yaml-cpp's event parser (not YAML::Load): events carry a Mark for every node, tell
// quoted from plain scalars, report each tag as written, and let this reader expand aliases under
// a node budget, so an alias bomb is refused instead of exhausting memory.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <regex>
#include <sstream>
#include <unordered_set>

#include "cfnsplit/load.hpp"

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
      {"!Contains", "Fn::Contains"},
      {"!EachMemberEquals", "Fn::EachMemberEquals"},
  };
  return tags;
}

bool IsJsonNumber(const std::string& s) {
  static const std::regex kNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  return !s.empty() && s.size() < 64 && std::regex_match(s, kNumber);
}

// Plain scalars resolve as in YAML 1.2's core schema, except that numbers which JSON cannot
// write (0x1F, .inf, 012) stay strings: an account id like 012345678901 must never become a
// number, and a template must round-trip to JSON unchanged.
Value ResolvePlain(const std::string& s, SourceLoc loc) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value::Null(loc);
  if (s == "true" || s == "True" || s == "TRUE") return Value::Bool(true, loc);
  if (s == "false" || s == "False" || s == "FALSE") return Value::Bool(false, loc);
  if (IsJsonNumber(s)) return Value::Number(s, loc);
  return Value::String(s, loc);
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
    Finish(Value::Null(Loc(mark)), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw InputError("E0002", Loc(mark), "alias to an unknown anchor");
    Count(it->second.NodeCount(), mark);
    Value copy = it->second;
    copy.set_loc(Loc(mark));
    Finish(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Count(1, mark);
    SourceLoc loc = Loc(mark);
    // yaml-cpp reports "?" for a plain scalar and "!" for a quoted one.
    if (tag == "?") return Finish(ResolvePlain(value, loc), anchor);
    if (tag == "!" || IsCoreTag(tag, "str")) return Finish(Value::String(value, loc), anchor);
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

 private:
  struct Frame {
    Value node;
    std::string intrinsic;  // long name when the collection carried a short-form tag
    YAML::anchor_t anchor = 0;
    bool expecting_key = true;  // maps alternate key, value
    std::string pending_key;
    SourceLoc pending_key_loc;
    std::unordered_set<std::string> keys;  // duplicate detection without a quadratic scan
  };

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
    std::vector<std::string> known;
    for (const auto& [t, _] : ShortTags()) known.push_back(t);
    std::string hint = SuggestClosest(tag, known);
    throw InputError("E0007", loc,
                     "unknown tag '" + tag + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
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
    if (tag != "?" && tag != "!" && !IsCoreTag(tag, "seq") && !IsCoreTag(tag, "map"))
      f.intrinsic = IntrinsicForTag(tag, Loc(mark));
    stack_.push_back(std::move(f));
  }

  void Close() {
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
    if (anchor != 0) anchors_[anchor] = v;
    if (stack_.empty()) {
      result_ = std::move(v);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.is_list()) {
      top.node.Append(std::move(v));
      return;
    }
    if (top.expecting_key) {
      if (!v.is_scalar())
        throw InputError("E0002", v.loc(), "a mapping key must be a scalar, not a " +
                                               std::string(KindName(v.kind())));
      top.pending_key = v.text();
      top.pending_key_loc = v.loc();
      top.expecting_key = false;
      return;
    }
    top.expecting_key = true;
    if (top.pending_key == "<<" && v.is_map()) return Merge(top, v);
    if (!top.keys.insert(top.pending_key).second)
      throw InputError("E0006", top.pending_key_loc,
                       "duplicate key '" + top.pending_key + "' in this mapping");
    top.node.AppendEntry(std::move(top.pending_key), std::move(v), top.pending_key_loc);
  }

  // YAML 1.1 merge key: entries of the merged map that the map does not set itself.
  static void Merge(Frame& top, const Value& from) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      const auto& key = from.keys()[i];
      if (top.keys.insert(key.name).second)
        top.node.AppendEntry(key.name, from.items()[i], key.loc);
    }
  }

  std::uint32_t file_;
  const LoadLimits& limits_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Value> anchors_;
  std::optional<Value> result_;
  std::uint64_t nodes_ = 0;
  int documents_ = 0;
};

}  // namespace

std::string LongFormOfTag(const std::string& tag) {
  auto it = ShortTags().find(tag);
  return it == ShortTags().end() ? std::string() : it->second;
}

std::optional<Value> ParseYaml(std::uint32_t file, const SourceManager& sources,
                               DiagnosticSink& sink, const LoadLimits& limits) {
  TreeBuilder builder(file, limits);
  try {
    std::istringstream in(sources.text(file));
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const InputError& e) {
    sink.Error(e.code(), e.loc(), e.what());
    return std::nullopt;
  } catch (const YAML::DeepRecursion& e) {
    sink.Error("E0004", SourceLoc{file, static_cast<std::uint32_t>(e.mark.line + 1),
                                  static_cast<std::uint32_t>(e.mark.column + 1)},
               "nesting too deep for YAML (" + std::to_string(e.depth()) + " levels)");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    SourceLoc loc{file, 0, 0};
    if (!e.mark.is_null())
      loc = SourceLoc{file, static_cast<std::uint32_t>(e.mark.line + 1),
                      static_cast<std::uint32_t>(e.mark.column + 1)};
    sink.Error("E0002", loc, "YAML syntax: " + e.msg);
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
