// Value: the one in-memory form of a JSON or YAML document.
//
// Both loaders produce this positioned tree; every node and every map key remembers where it
// was written. YAML short-form tags are already expanded (`!Ref X` is the map {Ref: X}), so no
// later stage needs to know which format a template came in. Maps keep their keys in the order
// written, which keeps every output deterministic and close to the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

class Value {
 public:
  enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kList, kMap };

  /// A map key and where it was written.
  struct Key {
    std::string name;
    SourceLoc loc;
  };

  Value() = default;
  Value(const Value& o);
  Value(Value&& o) noexcept;
  Value& operator=(const Value& o);
  Value& operator=(Value&& o) noexcept;
  ~Value();
  static Value Null(SourceLoc loc = {});
  static Value Bool(bool b, SourceLoc loc = {});
  /// `text` is the number as written (kept verbatim so nothing is lost in a round trip).
  static Value Number(std::string text, SourceLoc loc = {});
  static Value String(std::string text, SourceLoc loc = {});
  static Value List(SourceLoc loc = {});
  static Value Map(SourceLoc loc = {});
  /// `{name: arg}`: the long form of an intrinsic function.
  static Value Intrinsic(std::string name, Value arg, SourceLoc loc = {});

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_scalar() const { return kind_ != Kind::kList && kind_ != Kind::kMap; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_map() const { return kind_ == Kind::kMap; }

  /// Scalar text: string contents, number as written, "true"/"false", or "" for null.
  const std::string& text() const { return has_children_ ? EmptyText() : payload_.text; }
  bool as_bool() const { return text() == "true"; }
  SourceLoc loc() const { return loc_; }
  void set_loc(SourceLoc loc) { loc_ = loc; }
  /// A string written as a plain (unquoted) YAML scalar. Readers that follow YAML 1.1, as
  /// CloudFormation does, take some of these for other types (`Default: No` is a boolean), so
  /// writers keep the style as written (see Yaml11Bool).
  bool plain() const { return plain_; }
  void set_plain(bool plain) { plain_ = plain; }

  /// List items or map values, in order.
  const std::vector<Value>& items() const {
    return has_children_ ? payload_.children.items : NoItems();
  }
  std::vector<Value>& items() { return has_children_ ? payload_.children.items : ScalarItems(); }
  /// Map keys, parallel to items(); empty for a list.
  const std::vector<Key>& keys() const { return has_children_ ? payload_.children.keys : NoKeys(); }
  std::size_t size() const { return has_children_ ? payload_.children.items.size() : 0; }

  void Append(Value v) { children().items.push_back(std::move(v)); }
  /// Room for `n` items (and keys, for a map): copies that know their size allocate once.
  void Reserve(std::size_t n) {
    children().items.reserve(n);
    if (kind_ == Kind::kMap) payload_.children.keys.reserve(n);
  }
  /// Adds or replaces `key` (replacing keeps its position).
  void Set(std::string key, Value v, SourceLoc key_loc = {});
  /// Appends `items` (and, for a map, the parallel `keys`) by moving them, in order, without
  /// checking keys: a reader that gathered a container's children appends them in one step.
  /// The sources are left empty-valued, for the caller to clear and reuse.
  void AppendMoved(std::vector<Key>& keys, std::vector<Value>& items);
  /// Appends without checking for an existing key (loaders check duplicates themselves).
  void AppendEntry(std::string key, Value v, SourceLoc key_loc = {});
  bool Erase(std::string_view key);

  /// The value under `key`, or nullptr (linear: maps in templates are small; index big ones).
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  /// Index of `key` in keys(), or -1.
  long IndexOf(std::string_view key) const;

  /// "Ref", "Fn::GetAtt", "Condition", … when this is a one-key map naming an intrinsic function
  /// (see IsIntrinsicName); otherwise empty. Every walker asks this of every map, so the answer
  /// is kept (call_) whenever the keys change rather than looked up in the list of names.
  std::string_view IntrinsicName() const {
    if (call_ == Call::kNone || kind_ != Kind::kMap || payload_.children.items.size() != 1)
      return {};
    if (call_ == Call::kFunction) return payload_.children.keys.front().name;
    // `Ref` and `Condition` take a name; a one-key map {Condition: {...}} is an IAM policy block.
    if (!payload_.children.items.front().is_string()) return {};
    return call_ == Call::kRef ? std::string_view("Ref") : std::string_view("Condition");
  }
  /// The argument of an intrinsic (only valid when IntrinsicName() is not empty).
  const Value& IntrinsicArg() const { return payload_.children.items.front(); }

  /// Structural equality: kinds, texts, order of list items, keys and values (not locations).
  /// Numbers compare by text; a bool compares equal to a string "true"/"false" only if `loose`.
  bool Equals(const Value& other, bool loose = false) const;
  /// Count of nodes in this subtree (for budgets and statistics).
  std::size_t NodeCount() const;

 private:
  struct Children {
    std::vector<Value> items;
    std::vector<Key> keys;
  };
  // A scalar holds text, a list or map its children, never both: they share storage, which
  // makes a node 64 bytes instead of 96 (a 10,000-function template has millions of nodes).
  union Payload {
    Payload() : text() {}
    ~Payload() {}
    std::string text;
    Children children;
  };

  /// The children, made (in place of the text) on first use.
  Children& children() {
    if (!has_children_) MakeChildren();
    return payload_.children;
  }
  void MakeChildren();
  /// Sets call_ from the keys: after every change to them.
  void NoteKeys();
  std::vector<Value>& ScalarItems();
  void DestroyPayload() noexcept;
  static const std::string& EmptyText();
  static const std::vector<Value>& NoItems();
  static const std::vector<Key>& NoKeys();

  /// What the keys name, for IntrinsicName: a one-key map's key when it is a function name
  /// (kFunction covers every Fn:: name), else kNone. A byte the node's padding had free.
  enum class Call : std::uint8_t { kNone, kRef, kCondition, kFunction };

  Kind kind_ = Kind::kNull;
  bool plain_ = false;
  bool has_children_ = false;  ///< which member of payload_ is live
  Call call_ = Call::kNone;
  SourceLoc loc_;
  Payload payload_;
};

/// The boolean a YAML 1.1 reader (CloudFormation's, SnakeYAML's, PyYAML's) makes of a plain
/// scalar `yes`/`no`/`on`/`off`/`true`/`false` (lower, Title or UPPER case); nullopt otherwise.
std::optional<bool> Yaml11Bool(const std::string& plain_text);

/// True for "Ref", "Condition" and every "Fn::…" name CloudFormation defines.
bool IsIntrinsicName(std::string_view name);

/// True for a ForEach loop's key (`Fn::ForEach::LoopName`, AWS::LanguageExtensions): a key of its
/// own in Resources, Conditions or Outputs, whose body names what it expands to.
inline bool IsForEachKey(std::string_view key) { return key.rfind("Fn::ForEach::", 0) == 0; }

/// The kind name for messages: "null", "boolean", "number", "string", "list", "mapping".
const char* KindName(Value::Kind kind);

}  // namespace cfnsplit
