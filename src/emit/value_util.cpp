#include "emit/value_util.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace cfnsplit::util {

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
    if (b == std::string::npos || name[b] == '!') {
      literal(s.substr(open, close - open + 1));  // ${!Literal} and ${} stay text
    } else {
      out.push_back({true, name.substr(b, e - b + 1)});
    }
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

bool GetAttParts(const Value& arg, std::string& resource, std::string& attribute) {
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

namespace {

void CollectSub(const Value& arg, std::vector<Use>& out) {
  std::string text;
  const Value* vars = nullptr;
  if (!SubParts(arg, text, &vars)) {
    for (const auto& item : arg.items()) CollectUses(item, out);
    return;
  }
  if (vars) CollectUses(*vars, out);
  for (const auto& t : ScanSub(text)) {
    if (!t.is_var || (vars && vars->Find(t.text))) continue;
    auto dot = t.text.find('.');
    if (dot != std::string::npos && t.text.rfind("AWS::", 0) != 0)
      out.push_back({Use::Kind::kGetAtt, t.text.substr(0, dot), t.text.substr(dot + 1)});
    else
      out.push_back({Use::Kind::kRef, t.text, ""});
  }
}

}  // namespace

void CollectUses(const Value& v, std::vector<Use>& out) {
  if (v.is_scalar()) return;
  std::string_view fn = v.IntrinsicName();
  if (fn.empty()) {
    for (const auto& item : v.items()) CollectUses(item, out);
    return;
  }
  const Value& arg = v.IntrinsicArg();
  if (fn == "Ref") {
    out.push_back({Use::Kind::kRef, arg.text(), ""});
  } else if (fn == "Condition") {
    out.push_back({Use::Kind::kCondition, arg.text(), ""});
  } else if (fn == "Fn::GetAtt") {
    std::string res, attr;
    GetAttParts(arg, res, attr);
    if (!res.empty()) out.push_back({Use::Kind::kGetAtt, res, attr});
    if (arg.is_list() && arg.size() == 2) CollectUses(arg.items()[1], out);
  } else if (fn == "Fn::Sub") {
    CollectSub(arg, out);
  } else {
    if (fn == "Fn::If" && arg.is_list() && arg.size() > 0 && arg.items()[0].is_string())
      out.push_back({Use::Kind::kCondition, arg.items()[0].text(), ""});
    if (fn == "Fn::FindInMap" && arg.is_list() && arg.size() > 0 && arg.items()[0].is_string())
      out.push_back({Use::Kind::kMapping, arg.items()[0].text(), ""});
    CollectUses(arg, out);
  }
}

std::string Alnum(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  if (out.size() <= max) return out;
  // FNV-1a keeps truncated names distinct and stable.
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", h);
  return out.substr(0, max - 8) + buf;
}

std::vector<std::string> FindCycle(const std::map<std::string, std::set<std::string>>& graph) {
  enum class Mark { kNew, kActive, kDone };
  std::map<std::string, Mark> mark;
  std::vector<std::string> path;
  std::vector<std::string> cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    Mark& m = mark[n];
    if (m == Mark::kDone) return false;
    if (m == Mark::kActive) {
      auto from = std::find(path.begin(), path.end(), n);
      cycle.assign(from, path.end());
      cycle.push_back(n);
      return true;
    }
    m = Mark::kActive;
    path.push_back(n);
    auto it = graph.find(n);
    if (it != graph.end())
      for (const auto& next : it->second)
        if (visit(next)) return true;
    path.pop_back();
    mark[n] = Mark::kDone;
    return false;
  };
  for (const auto& [n, _] : graph)
    if (visit(n)) return cycle;
  return {};
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

std::string ArtifactKeyFor(const std::string& key, const std::string& stack,
                           const std::string& sha256) {
  const std::string zip = ".zip";
  const std::string tag = "-" + stack + (sha256.empty() ? "" : "-" + sha256);
  if (key.size() >= zip.size() && key.compare(key.size() - zip.size(), zip.size(), zip) == 0)
    return key.substr(0, key.size() - zip.size()) + tag + zip;
  return key + tag;
}

Value Ref(const std::string& name) { return Value::Intrinsic("Ref", Value::String(name)); }

Value GetAtt(const std::string& resource, const std::string& attribute) {
  Value l = Value::List();
  l.Append(Value::String(resource));
  l.Append(Value::String(attribute));
  return Value::Intrinsic("Fn::GetAtt", std::move(l));
}

Value Str(const std::string& s) { return Value::String(s); }

Value Join(const std::string& delim, Value v) {
  Value l = Value::List();
  l.Append(Value::String(delim));
  l.Append(std::move(v));
  return Value::Intrinsic("Fn::Join", std::move(l));
}

Value Split(const std::string& delim, Value v) {
  Value l = Value::List();
  l.Append(Value::String(delim));
  l.Append(std::move(v));
  return Value::Intrinsic("Fn::Split", std::move(l));
}

}  // namespace cfnsplit::util
