#include "cfnsplit/intrinsics.hpp"

namespace cfnsplit::syntax {

std::vector<SubToken> ScanSub(const std::string& s) {
  std::vector<SubToken> out;
  auto literal = [&](const std::string& text) {
    if (text.empty()) return;
    if (!out.empty() && !out.back().is_var)
      out.back().text += text;
    else
      out.push_back({false, text});
  };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t open = s.find("${", i);
    if (open == std::string::npos) break;
    std::size_t close = s.find('}', open + 2);
    if (close == std::string::npos) break;
    literal(s.substr(i, open - i));
    std::string name = s.substr(open + 2, close - open - 2);
    std::size_t b = name.find_first_not_of(" \t");
    std::size_t e = name.find_last_not_of(" \t");
    if (b == std::string::npos || name[b] == '!')
      literal(s.substr(open, close - open + 1));  // ${!Literal} and ${} stay text
    else
      out.push_back({true, name.substr(b, e - b + 1)});
    i = close + 1;
  }
  literal(s.substr(i));
  return out;
}

std::string JoinSub(const std::vector<SubToken>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += t.is_var ? "${" + t.text + "}" : t.text;
  return out;
}

bool SubParts(const Value& arg, std::string& text, const Value** vars) {
  *vars = nullptr;
  if (arg.is_string()) {
    text = arg.text();
    return true;
  }
  if (!arg.is_list() || arg.size() < 1 || arg.size() > 2 || !arg.items()[0].is_string())
    return false;
  text = arg.items()[0].text();
  if (arg.size() == 2) {
    if (!arg.items()[1].is_map()) return false;
    *vars = &arg.items()[1];
  }
  return true;
}

bool GetAttParts(const Value& arg, std::string& resource, std::string& attribute) {
  resource.clear();
  attribute.clear();
  if (arg.is_string()) {
    auto dot = arg.text().find('.');
    if (dot == std::string::npos) return false;
    resource = arg.text().substr(0, dot);
    attribute = arg.text().substr(dot + 1);
    return true;
  }
  if (!arg.is_list() || arg.size() != 2 || !arg.items()[0].is_string()) return false;
  resource = arg.items()[0].text();
  if (!arg.items()[1].is_scalar()) {
    attribute = "?";
    return false;
  }
  attribute = arg.items()[1].text();
  return true;
}

std::vector<std::string> DependsOnList(const Value& def) {
  std::vector<std::string> out;
  const Value* d = def.is_map() ? def.Find("DependsOn") : nullptr;
  if (!d) return out;
  if (d->is_string()) out.push_back(d->text());
  if (d->is_list())
    for (const auto& item : d->items())
      if (item.is_string()) out.push_back(item.text());
  return out;
}

Value Ref(const std::string& name) { return Value::Intrinsic("Ref", Value::String(name)); }

Value GetAtt(const std::string& resource, const std::string& attribute) {
  Value l = Value::List();
  l.Append(Value::String(resource));
  l.Append(Value::String(attribute));
  return Value::Intrinsic("Fn::GetAtt", std::move(l));
}

Value Str(const std::string& s) { return Value::String(s); }

namespace {
Value DelimitedCall(const char* fn, const std::string& delim, Value v) {
  Value l = Value::List();
  l.Append(Value::String(delim));
  l.Append(std::move(v));
  return Value::Intrinsic(fn, std::move(l));
}
}  // namespace

Value Join(const std::string& delim, Value v) { return DelimitedCall("Fn::Join", delim, std::move(v)); }
Value Split(const std::string& delim, Value v) {
  return DelimitedCall("Fn::Split", delim, std::move(v));
}

Value If(const std::string& condition, Value then, Value otherwise) {
  Value l = Value::List();
  l.Append(Value::String(condition));
  l.Append(std::move(then));
  l.Append(std::move(otherwise));
  return Value::Intrinsic("Fn::If", std::move(l));
}

}  // namespace cfnsplit::syntax
