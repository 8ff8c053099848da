#include "cfnsplit/intrinsics.hpp"

#include <algorithm>

namespace cfnsplit::syntax {

namespace {

// The pieces of a Sub template string in order, as views into it: visit(false, literal text)
// and visit(true, variable name, trimmed of spaces). `${!Literal}` and `${}` are literal text.
template <class Visit>
void ScanSubPieces(std::string_view s, Visit visit) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t open = s.find("${", i);
    if (open == std::string_view::npos) break;
    const std::size_t close = s.find('}', open + 2);
    if (close == std::string_view::npos) break;
    visit(false, s.substr(i, open - i));
    const std::string_view name = s.substr(open + 2, close - open - 2);
    const std::size_t b = name.find_first_not_of(" \t");
    if (b == std::string_view::npos || name[b] == '!')
      visit(false, s.substr(open, close - open + 1));
    else
      visit(true, name.substr(b, name.find_last_not_of(" \t") - b + 1));
    i = close + 1;
  }
  visit(false, s.substr(i));
}

// SubParts, as a view into `arg`.
bool SubViews(const Value& arg, std::string_view& text, const Value** vars) {
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

// GetAttParts, as views into `arg` (or "?").
bool GetAttViews(const Value& arg, std::string_view& resource, std::string_view& attribute) {
  resource = {};
  attribute = {};
  if (arg.is_string()) {
    const std::string_view text = arg.text();
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return false;
    resource = text.substr(0, dot);
    attribute = text.substr(dot + 1);
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

// SplitSubVariable, as views into `var`.
std::pair<std::string_view, std::string_view> SplitSubVariableView(std::string_view var) {
  const std::size_t dot = var.find('.');
  if (dot == std::string_view::npos || var.substr(0, 5) == "AWS::") return {var, {}};
  return {var.substr(0, dot), var.substr(dot + 1)};
}

}  // namespace

std::vector<SubToken> ScanSub(const std::string& s) {
  std::vector<SubToken> out;
  ScanSubPieces(s, [&](bool is_var, std::string_view text) {
    if (is_var)
      out.push_back({true, std::string(text)});
    else if (text.empty())
      return;
    else if (!out.empty() && !out.back().is_var)
      out.back().text += text;
    else
      out.push_back({false, std::string(text)});
  });
  return out;
}

std::string JoinSub(const std::vector<SubToken>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += t.is_var ? "${" + t.text + "}" : t.text;
  return out;
}

bool SubParts(const Value& arg, std::string& text, const Value** vars) {
  std::string_view view;
  const bool ok = SubViews(arg, view, vars);
  text = view;
  return ok;
}

bool GetAttParts(const Value& arg, std::string& resource, std::string& attribute) {
  std::string_view r, a;
  const bool ok = GetAttViews(arg, r, a);
  resource = r;
  attribute = a;
  return ok;
}

std::pair<std::string, std::string> SplitSubVariable(const std::string& var) {
  auto [resource, attribute] = SplitSubVariableView(var);
  return {std::string(resource), std::string(attribute)};
}

std::string CallShapeProblem(std::string_view fn, const Value& arg) {
  auto list_of = [&](std::size_t lo, std::size_t hi, const char* what) -> std::string {
    if (!arg.is_list() || arg.size() < lo || arg.size() > hi)
      return std::string(fn) + " takes " + what + ", got " +
             (arg.is_list() ? "a list of " + std::to_string(arg.size())
                            : std::string("a ") + KindName(arg.kind()));
    return {};
  };
  // A macro computes the argument at deploy time; its shape cannot be known before.
  if (arg.IntrinsicName() == "Fn::Transform") return {};
  if (fn == "Ref" || fn == "Condition") {
    if (!arg.is_string())
      return std::string(fn) + " takes a name (string), got a " + KindName(arg.kind());
    // `!Ref` with nothing after it: say so, rather than look up a name no one wrote.
    return arg.text().empty() ? std::string(fn) + " takes a name, got an empty value" : "";
  }
  if (fn == "Fn::GetAtt") {
    if (arg.is_string())
      return arg.text().find('.') == std::string::npos
                 ? "Fn::GetAtt takes 'Resource.Attribute' or [Resource, Attribute]"
                 : "";
    std::string p = list_of(2, 2, "[LogicalId, AttributeName]");
    if (!p.empty()) return p;
    // AWS::LanguageExtensions lets the logical ID be computed (e.g. !Sub inside Fn::ForEach).
    const Value& id = arg.items()[0];
    return id.is_string() || !id.IntrinsicName().empty()
               ? ""
               : "Fn::GetAtt's logical ID must be a string";
  }
  if (fn == "Fn::Sub") {
    if (arg.is_string()) return {};
    std::string p = list_of(1, 2, "a string or [String, {Var: Value}]");
    if (!p.empty()) return p;
    if (!arg.items()[0].is_string()) return "Fn::Sub's template must be a literal string";
    if (arg.size() == 2 && !arg.items()[1].is_map()) return "Fn::Sub's variables must be a mapping";
    return {};
  }
  if (fn == "Fn::Join") {
    std::string p = list_of(2, 2, "[Delimiter, [Values]]");
    if (!p.empty()) return p;
    if (!arg.items()[0].is_scalar()) return "Fn::Join's delimiter must be a literal string";
    const Value& values = arg.items()[1];
    return values.is_list() || !values.IntrinsicName().empty()
               ? ""
               : "Fn::Join's second argument must be a list or a function returning one";
  }
  if (fn == "Fn::Select") return list_of(2, 2, "[Index, List]");
  if (fn == "Fn::Split") return list_of(2, 2, "[Delimiter, String]");
  if (fn == "Fn::If") {
    std::string p = list_of(3, 3, "[ConditionName, ValueIfTrue, ValueIfFalse]");
    if (!p.empty()) return p;
    return arg.items()[0].is_string() ? "" : "Fn::If's condition name must be a string";
  }
  if (fn == "Fn::Equals") return list_of(2, 2, "[Value1, Value2]");
  if (fn == "Fn::And" || fn == "Fn::Or") return list_of(2, 10, "a list of 2 to 10 conditions");
  if (fn == "Fn::Not") return list_of(1, 1, "a list of one condition");
  if (fn == "Fn::FindInMap") return list_of(3, 4, "[MapName, TopLevelKey, SecondLevelKey]");
  if (fn == "Fn::Cidr") return list_of(3, 3, "[IpBlock, Count, CidrBits]");
  if (fn == "Fn::Transform") {
    auto named = [](const Value& v) { return v.is_map() && v.Find("Name"); };
    bool ok = named(arg) || (arg.is_list() && arg.size() > 0 &&
                             std::all_of(arg.items().begin(), arg.items().end(), named));
    return ok ? "" : "Fn::Transform takes {Name: …, Parameters: …} or a list of them";
  }
  if (fn == "Fn::Base64" || fn == "Fn::ImportValue" || fn == "Fn::GetAZs") {
    return arg.is_list() ? std::string(fn) + " takes one value, not a list" : "";
  }
  return {};
}

namespace {

CallPart RefPart(RefForm form, std::string_view target, std::string_view attribute = {}) {
  return {nullptr, {}, {form, target, attribute}};
}
CallPart OperandPart(const Value& v, std::string_view path = {}) { return {&v, path, {}}; }

void ParseGetAtt(const Value& arg, std::vector<CallPart>& out) {
  if (!arg.is_string() && !arg.items()[0].is_string()) {
    out.push_back(OperandPart(arg));  // a computed logical ID: no static target
    return;
  }
  std::string_view resource, attribute;
  GetAttViews(arg, resource, attribute);
  if (attribute == "?") out.push_back(OperandPart(arg.items()[1]));
  out.push_back(RefPart(RefForm::kGetAtt, resource, attribute));
}

void ParseSub(const Value& arg, std::vector<CallPart>& out) {
  std::string_view text;
  const Value* vars = nullptr;
  SubViews(arg, text, &vars);
  // Variable values are evaluated in the enclosing scope, before the string.
  if (vars) out.push_back(OperandPart(*vars, "[1]"));
  ScanSubPieces(text, [&](bool is_var, std::string_view variable) {
    if (!is_var || (vars && vars->Find(variable))) return;
    auto [target, attribute] = SplitSubVariableView(variable);
    out.push_back(RefPart(RefForm::kSub, target, attribute));
  });
}

}  // namespace

std::vector<CallPart> ParseCall(std::string_view fn, const Value& arg) {
  std::vector<CallPart> out;
  out.reserve(3);  // Fn::If's three parts, one allocation; most calls have one or two
  if (fn == "Ref") {
    out.push_back(RefPart(RefForm::kRef, arg.text()));
  } else if (fn == "Condition") {
    out.push_back(RefPart(RefForm::kCondition, arg.text()));
  } else if (fn == "Fn::GetAtt") {
    ParseGetAtt(arg, out);
  } else if (fn == "Fn::Sub") {
    ParseSub(arg, out);
  } else if (fn == "Fn::If") {
    out.push_back(RefPart(RefForm::kCondition, arg.items()[0].text()));
    out.push_back(OperandPart(arg.items()[1], "[1]"));
    out.push_back(OperandPart(arg.items()[2], "[2]"));
  } else if (fn == "Fn::FindInMap") {
    if (arg.items()[0].is_string())
      out.push_back(RefPart(RefForm::kFindInMap, arg.items()[0].text()));
    out.push_back(OperandPart(arg));
  } else if (fn == "Fn::ImportValue") {
    // Both arms views: a std::string temporary here would leave the view dangling.
    out.push_back(RefPart(RefForm::kImportValue,
                          arg.is_string() ? std::string_view(arg.text()) : std::string_view("?")));
    out.push_back(OperandPart(arg));
  } else {
    out.push_back(OperandPart(arg));
  }
  return out;
}

void ForEachReference(const Value& v, const std::function<void(const WrittenRef&)>& visit) {
  if (v.is_list()) {
    for (const auto& item : v.items()) ForEachReference(item, visit);
    return;
  }
  if (!v.is_map()) return;
  std::string_view fn = v.IntrinsicName();
  if (fn.empty()) {
    for (const auto& item : v.items()) ForEachReference(item, visit);
    return;
  }
  if (!CallShapeProblem(fn, v.IntrinsicArg()).empty()) return;
  for (const CallPart& part : ParseCall(fn, v.IntrinsicArg())) {
    if (part.operand)
      ForEachReference(*part.operand, visit);
    else
      visit(part.ref);
  }
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

Value Join(const std::string& delim, Value v) {
  return DelimitedCall("Fn::Join", delim, std::move(v));
}
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
