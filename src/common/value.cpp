#include "cfnsplit/value.hpp"

#include <algorithm>
#include <array>

namespace cfnsplit {

Value Value::Null(SourceLoc loc) {
  Value v;
  v.loc_ = loc;
  return v;
}
Value Value::Bool(bool b, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kBool;
  v.text_ = b ? "true" : "false";
  v.loc_ = loc;
  return v;
}
Value Value::Number(std::string text, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  v.loc_ = loc;
  return v;
}
Value Value::String(std::string text, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(text);
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
    items_[static_cast<std::size_t>(i)] = std::move(v);
    return;
  }
  AppendEntry(std::move(key), std::move(v), key_loc);
}

void Value::AppendEntry(std::string key, Value v, SourceLoc key_loc) {
  keys_.push_back(Key{std::move(key), key_loc});
  items_.push_back(std::move(v));
}

bool Value::Erase(std::string_view key) {
  long i = IndexOf(key);
  if (i < 0) return false;
  keys_.erase(keys_.begin() + i);
  items_.erase(items_.begin() + i);
  return true;
}

long Value::IndexOf(std::string_view key) const {
  if (kind_ != Kind::kMap) return -1;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i].name == key) return static_cast<long>(i);
  return -1;
}

const Value* Value::Find(std::string_view key) const {
  long i = IndexOf(key);
  return i < 0 ? nullptr : &items_[static_cast<std::size_t>(i)];
}
Value* Value::Find(std::string_view key) {
  long i = IndexOf(key);
  return i < 0 ? nullptr : &items_[static_cast<std::size_t>(i)];
}

std::string_view Value::IntrinsicName() const {
  if (kind_ != Kind::kMap || keys_.size() != 1) return {};
  const std::string& k = keys_.front().name;
  if (!IsIntrinsicName(k)) return {};
  // `Ref` and `Condition` take a name; a one-key map {Condition: {...}} is an IAM policy block.
  if ((k == "Ref" || k == "Condition") && !items_.front().is_string()) return {};
  return k;
}

bool Value::Equals(const Value& o, bool loose) const {
  if (kind_ != o.kind_) {
    if (!loose || !is_scalar() || !o.is_scalar()) return false;
    return text_ == o.text_ && !is_null() && !o.is_null();
  }
  if (text_ != o.text_ || items_.size() != o.items_.size()) return false;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i].name != o.keys_[i].name) return false;
  for (std::size_t i = 0; i < items_.size(); ++i)
    if (!items_[i].Equals(o.items_[i], loose)) return false;
  return true;
}

std::size_t Value::NodeCount() const {
  std::size_t n = 1;
  for (const auto& c : items_) n += c.NodeCount();
  return n;
}

bool IsIntrinsicName(std::string_view name) {
  // Most one-key maps of a template are not functions: rejected before the list is searched.
  if (name.substr(0, 4) != "Fn::") return name == "Ref" || name == "Condition";
  static constexpr std::array<std::string_view, 28> kNames = {
      "Ref", "Condition", "Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Equals", "Fn::FindInMap",
      "Fn::ForEach", "Fn::GetAtt", "Fn::GetAZs", "Fn::If", "Fn::ImportValue", "Fn::Join",
      "Fn::Length", "Fn::Not", "Fn::Or", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString",
      "Fn::Transform", "Fn::GetStackOutput", "Fn::Contains", "Fn::EachMemberEquals",
      // Rule functions, valid in the Rules section.
      "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"};
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) return true;
  // Fn::ForEach loops are named Fn::ForEach::LoopName.
  return name.rfind("Fn::ForEach::", 0) == 0;
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
