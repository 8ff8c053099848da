#include "cfnsplit/value.hpp"

#include <array>
#include <iterator>

namespace cfnsplit {

static_assert(sizeof(void*) != 8 || sizeof(Value) == 64, "a node is meant to fit 64 bytes");

Value::Value(const Value& o) : kind_(o.kind_), plain_(o.plain_), call_(o.call_), loc_(o.loc_) {
  if (o.has_children_) {
    payload_.text.~basic_string();
    new (&payload_.children) Children(o.payload_.children);
    has_children_ = true;
  } else {
    payload_.text = o.payload_.text;
  }
}

Value::Value(Value&& o) noexcept : kind_(o.kind_), plain_(o.plain_), call_(o.call_), loc_(o.loc_) {
  if (o.has_children_) {
    payload_.text.~basic_string();
    new (&payload_.children) Children(std::move(o.payload_.children));
    has_children_ = true;
  } else {
    payload_.text = std::move(o.payload_.text);
  }
}

// Through a temporary: the source may be a node inside this one (`v = v.items()[0]`).
Value& Value::operator=(const Value& o) {
  if (this != &o) *this = Value(o);
  return *this;
}

Value& Value::operator=(Value&& o) noexcept {
  if (this == &o) return *this;
  Value taken(std::move(o));
  DestroyPayload();
  kind_ = taken.kind_;
  plain_ = taken.plain_;
  call_ = taken.call_;
  loc_ = taken.loc_;
  if (taken.has_children_)
    new (&payload_.children) Children(std::move(taken.payload_.children));
  else
    new (&payload_.text) std::string(std::move(taken.payload_.text));
  has_children_ = taken.has_children_;
  return *this;
}

Value::~Value() { DestroyPayload(); }

void Value::DestroyPayload() noexcept {
  if (has_children_)
    payload_.children.~Children();
  else
    payload_.text.~basic_string();
}

void Value::MakeChildren() {
  payload_.text.~basic_string();
  new (&payload_.children) Children();
  has_children_ = true;
}

// Walkers ask every node for its items: a scalar's text must survive that. A node without text
// (a new list, map or null) becomes a container; one with text gets an empty list of its own.
std::vector<Value>& Value::ScalarItems() {
  if (payload_.text.empty()) {
    MakeChildren();
    return payload_.children.items;
  }
  static thread_local std::vector<Value> none;
  none.clear();
  return none;
}

const std::string& Value::EmptyText() {
  static const std::string empty;
  return empty;
}
const std::vector<Value>& Value::NoItems() {
  static const std::vector<Value> none;
  return none;
}
const std::vector<Value::Key>& Value::NoKeys() {
  static const std::vector<Key> none;
  return none;
}

Value Value::Null(SourceLoc loc) {
  Value v;
  v.loc_ = loc;
  return v;
}
Value Value::Bool(bool b, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kBool;
  v.payload_.text = b ? "true" : "false";
  v.loc_ = loc;
  return v;
}
Value Value::Number(std::string text, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.payload_.text = std::move(text);
  v.loc_ = loc;
  return v;
}
Value Value::String(std::string text, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kString;
  v.payload_.text = std::move(text);
  v.loc_ = loc;
  return v;
}
Value Value::List(SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kList;
  v.loc_ = loc;
  return v;
}
Value Value::Map(SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kMap;
  v.loc_ = loc;
  return v;
}
Value Value::Intrinsic(std::string name, Value arg, SourceLoc loc) {
  Value v = Map(loc);
  v.AppendEntry(std::move(name), std::move(arg), loc);
  return v;
}

void Value::Set(std::string key, Value v, SourceLoc key_loc) {
  long i = IndexOf(key);
  if (i >= 0) {
    payload_.children.items[static_cast<std::size_t>(i)] = std::move(v);
    return;
  }
  AppendEntry(std::move(key), std::move(v), key_loc);
}

void Value::AppendEntry(std::string key, Value v, SourceLoc key_loc) {
  Children& c = children();
  c.keys.push_back(Key{std::move(key), key_loc});
  c.items.push_back(std::move(v));
  NoteKeys();
}

void Value::AppendMoved(std::vector<Key>& keys, std::vector<Value>& items) {
  Children& c = children();
  c.items.insert(c.items.end(), std::make_move_iterator(items.begin()),
                 std::make_move_iterator(items.end()));
  if (kind_ != Kind::kMap) return;
  c.keys.insert(c.keys.end(), std::make_move_iterator(keys.begin()),
                std::make_move_iterator(keys.end()));
  NoteKeys();
}

bool Value::Erase(std::string_view key) {
  long i = IndexOf(key);
  if (i < 0) return false;
  payload_.children.keys.erase(payload_.children.keys.begin() + i);
  payload_.children.items.erase(payload_.children.items.begin() + i);
  NoteKeys();
  return true;
}

void Value::NoteKeys() {
  const std::vector<Key>& keys = payload_.children.keys;
  call_ = Call::kNone;
  if (keys.size() != 1 || !IsIntrinsicName(keys.front().name)) return;
  const std::string_view k = keys.front().name;
  call_ = k == "Ref" ? Call::kRef : k == "Condition" ? Call::kCondition : Call::kFunction;
}

long Value::IndexOf(std::string_view key) const {
  if (kind_ != Kind::kMap || !has_children_) return -1;
  const std::vector<Key>& keys = payload_.children.keys;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].name == key) return static_cast<long>(i);
  return -1;
}

const Value* Value::Find(std::string_view key) const {
  long i = IndexOf(key);
  return i < 0 ? nullptr : &payload_.children.items[static_cast<std::size_t>(i)];
}
Value* Value::Find(std::string_view key) {
  long i = IndexOf(key);
  return i < 0 ? nullptr : &payload_.children.items[static_cast<std::size_t>(i)];
}

bool Value::Equals(const Value& o, bool loose) const {
  if (kind_ != o.kind_) {
    if (!loose || !is_scalar() || !o.is_scalar()) return false;
    return text() == o.text() && !is_null() && !o.is_null();
  }
  // Straight to the payloads (verify compares tens of thousands of small values): two texts, or
  // two lists of children; a text against children only when both are empty.
  if (!has_children_ && !o.has_children_) return payload_.text == o.payload_.text;
  if (!has_children_ || !o.has_children_)
    return text() == o.text() && size() == o.size() && keys().size() == o.keys().size();
  const Children& a = payload_.children;
  const Children& b = o.payload_.children;
  if (a.items.size() != b.items.size() || a.keys.size() != b.keys.size()) return false;
  for (std::size_t i = 0; i < a.keys.size(); ++i)
    if (a.keys[i].name != b.keys[i].name) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (!a.items[i].Equals(b.items[i], loose)) return false;
  return true;
}

std::size_t Value::NodeCount() const {
  std::size_t n = 1;
  for (const auto& c : items()) n += c.NodeCount();
  return n;
}

namespace {

constexpr std::array<std::string_view, 26> kFunctionNames = {
    "Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Equals", "Fn::FindInMap", "Fn::ForEach", "Fn::GetAtt",
    "Fn::GetAZs", "Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Not", "Fn::Or",
    "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString", "Fn::Transform", "Fn::GetStackOutput",
    "Fn::Contains", "Fn::EachMemberEquals",
    // Rule functions, valid in the Rules section.
    "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"};

// The Fn:: names by the letter after "Fn::": a lookup tests at most three of them.
using NameBuckets = std::array<std::vector<std::string_view>, 26>;
NameBuckets BucketFunctionNames() {
  NameBuckets buckets;
  for (std::string_view name : kFunctionNames)
    buckets[static_cast<std::size_t>(name[4] - 'A')].push_back(name);
  return buckets;
}

}  // namespace

bool IsIntrinsicName(std::string_view name) {
  // Most one-key maps of a template are not functions: rejected before any list is searched.
  if (name.size() < 5 || name.substr(0, 4) != "Fn::")
    return name == std::string_view("Ref") || name == std::string_view("Condition");
  if (name[4] < 'A' || name[4] > 'Z') return false;
  static const NameBuckets buckets = BucketFunctionNames();
  for (std::string_view known : buckets[static_cast<std::size_t>(name[4] - 'A')])
    if (known == name) return true;
  // Fn::ForEach loops are named Fn::ForEach::LoopName.
  return IsForEachKey(name);
}

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "boolean";
    case Value::Kind::kNumber:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kMap:
      return "mapping";
  }
  return "value";
}

std::optional<bool> Yaml11Bool(const std::string& s) {
  static const char* kTrue[] = {"yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"};
  static const char* kFalse[] = {"no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"};
  for (const char* w : kTrue)
    if (s == w) return true;
  for (const char* w : kFalse)
    if (s == w) return false;
  return std::nullopt;
}

}  // namespace cfnsplit
