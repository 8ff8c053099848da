// Reference extraction and intrinsic-function arity checks: one walk over every value that
// CloudFormation evaluates (resource definitions, outputs, conditions).
#include <algorithm>

#include "cfnsplit/intrinsics.hpp"
#include "model/walk.hpp"

namespace cfnsplit {
namespace {

bool IsString(const Value& v) { return v.is_string(); }

// Returns an error message when an intrinsic's argument has the wrong shape; empty when fine.
// Only the shape CloudFormation checks before evaluating is checked here; values are not.
std::string ArityProblem(std::string_view fn, const Value& arg) {
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
    return IsString(arg)
               ? ""
               : std::string(fn) + " takes a name (string), got a " + KindName(arg.kind());
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
    return IsString(id) || !id.IntrinsicName().empty() ? ""
                                                       : "Fn::GetAtt's logical ID must be a string";
  }
  if (fn == "Fn::Sub") {
    if (arg.is_string()) return {};
    std::string p = list_of(1, 2, "a string or [String, {Var: Value}]");
    if (!p.empty()) return p;
    if (!IsString(arg.items()[0])) return "Fn::Sub's template must be a literal string";
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
    return IsString(arg.items()[0]) ? "" : "Fn::If's condition name must be a string";
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

}  // namespace

const char* RefKindName(RefKind k) {
  switch (k) {
    case RefKind::kRef:
      return "Ref";
    case RefKind::kGetAtt:
      return "GetAtt";
    case RefKind::kSub:
      return "Sub";
    case RefKind::kDependsOn:
      return "DependsOn";
    case RefKind::kCondition:
      return "Condition";
    case RefKind::kFindInMap:
      return "FindInMap";
    case RefKind::kImportValue:
      return "ImportValue";
  }
  return "Ref";
}

std::vector<std::string> SubVariables(const std::string& text) {
  std::vector<std::string> vars;
  for (auto& t : syntax::ScanSub(text))
    if (t.is_var) vars.push_back(std::move(t.text));
  return vars;
}

std::vector<Reference> ReferencesIn(const Value& v, const TemplateModel& context, SiteKind site,
                                    const std::string& from) {
  std::vector<Reference> out;
  DiagnosticSink ignored;
  ReferenceWalker walker(context, ignored, out);
  walker.WalkSite(site, from, v, "");
  return out;
}

ReferenceWalker::ReferenceWalker(const TemplateModel& model, DiagnosticSink& sink,
                                 std::vector<Reference>& out)
    : model_(model), sink_(sink), out_(out) {}

void ReferenceWalker::WalkSite(SiteKind site, const std::string& name, const Value& v,
                               const std::string& path_prefix) {
  site_ = site;
  site_name_ = &name;
  path_.clear();
  if (!path_prefix.empty()) path_.push_back(path_prefix);
  Walk(v, nullptr);
}

std::string ReferenceWalker::CurrentPath() const {
  std::string p;
  for (const auto& part : path_) {
    if (!p.empty() && part.front() != '[') p += '.';
    p += part;
  }
  return p;
}

void ReferenceWalker::Add(RefKind kind, const std::string& target, const std::string& attribute,
                          SourceLoc loc, const std::vector<std::string>* locals) {
  if (locals && std::find(locals->begin(), locals->end(), target) != locals->end()) return;
  Reference r;
  r.site = site_;
  r.from = *site_name_;
  r.kind = kind;
  r.to = target;
  r.attribute = attribute;
  r.path = CurrentPath();
  r.loc = loc;
  r.target = Classify(kind, target);
  out_.push_back(std::move(r));
}

TargetKind ReferenceWalker::Classify(RefKind kind, const std::string& target) const {
  switch (kind) {
    case RefKind::kCondition:
      return TargetKind::kCondition;
    case RefKind::kFindInMap:
      return TargetKind::kMapping;
    case RefKind::kImportValue:
      return TargetKind::kExport;
    default:
      break;
  }
  if (model_.FindResource(target)) return TargetKind::kResource;
  if (kind == RefKind::kGetAtt || kind == RefKind::kDependsOn) return TargetKind::kUnknown;
  if (model_.FindParameter(target)) return TargetKind::kParameter;
  if (IsPseudoParameter(target)) return TargetKind::kPseudo;
  return TargetKind::kUnknown;
}

void ReferenceWalker::Walk(const Value& v, const std::vector<std::string>* locals) {
  if (v.is_list()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      path_.push_back("[" + std::to_string(i) + "]");
      Walk(v.items()[i], locals);
      path_.pop_back();
    }
    return;
  }
  if (!v.is_map()) return;
  std::string_view fn = v.IntrinsicName();
  if (!fn.empty()) return WalkIntrinsic(fn, v, locals);
  // A map with an Fn:: key among others is a mistake CloudFormation rejects.
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& key = v.keys()[i].name;
    if (v.size() > 1 && key.rfind("Fn::", 0) == 0 && IsIntrinsicName(key))
      sink_.Error("E1003", v.keys()[i].loc,
                  "'" + key + "' must be the only key of its mapping to be a function call");
    path_.push_back(key);
    Walk(v.items()[i], locals);
    path_.pop_back();
  }
}

void ReferenceWalker::WalkIntrinsic(std::string_view fn, const Value& v,
                                    const std::vector<std::string>* locals) {
  const Value& arg = v.IntrinsicArg();
  std::string problem = ArityProblem(fn, arg);
  if (!problem.empty()) {
    sink_.Error("E1003", v.loc(), problem);
    return;
  }
  path_.push_back(std::string(fn));
  if (fn == "Ref") {
    Add(RefKind::kRef, arg.text(), "", v.loc(), locals);
  } else if (fn == "Condition") {
    Add(RefKind::kCondition, arg.text(), "", v.loc(), nullptr);
  } else if (fn == "Fn::GetAtt") {
    WalkGetAtt(arg, v.loc(), locals);
  } else if (fn == "Fn::Sub") {
    WalkSub(arg, v.loc(), locals);
  } else if (fn == "Fn::If") {
    Add(RefKind::kCondition, arg.items()[0].text(), "", v.loc(), nullptr);
    for (std::size_t i = 1; i < 3; ++i) {
      path_.push_back("[" + std::to_string(i) + "]");
      Walk(arg.items()[i], locals);
      path_.pop_back();
    }
  } else if (fn == "Fn::FindInMap") {
    if (arg.items()[0].is_string())
      Add(RefKind::kFindInMap, arg.items()[0].text(), "", v.loc(), nullptr);
    Walk(arg, locals);
  } else if (fn == "Fn::ImportValue") {
    Add(RefKind::kImportValue, arg.is_string() ? arg.text() : "?", "", v.loc(), nullptr);
    Walk(arg, locals);
  } else {
    Walk(arg, locals);
  }
  path_.pop_back();
}

void ReferenceWalker::WalkGetAtt(const Value& arg, SourceLoc loc,
                                 const std::vector<std::string>* locals) {
  std::string target, attribute;
  if (arg.is_string()) {
    auto dot = arg.text().find('.');
    target = arg.text().substr(0, dot);
    attribute = arg.text().substr(dot + 1);
  } else if (!arg.items()[0].is_string()) {
    Walk(arg, locals);  // a computed logical ID (language extensions): no static target
    return;
  } else {
    target = arg.items()[0].text();
    const Value& attr = arg.items()[1];
    attribute = attr.is_scalar() ? attr.text() : "?";
    if (!attr.is_scalar()) Walk(attr, locals);
  }
  Add(RefKind::kGetAtt, target, attribute, loc, locals);
}

void ReferenceWalker::WalkSub(const Value& arg, SourceLoc loc,
                              const std::vector<std::string>* locals) {
  const std::string& text = arg.is_string() ? arg.text() : arg.items()[0].text();
  std::vector<std::string> names;
  if (arg.is_list() && arg.size() == 2) {
    const Value& vars = arg.items()[1];
    path_.push_back("[1]");
    Walk(vars, locals);  // variable values are evaluated in the enclosing scope
    path_.pop_back();
    for (const auto& k : vars.keys()) names.push_back(k.name);
  }
  if (locals) names.insert(names.end(), locals->begin(), locals->end());
  for (const std::string& var : SubVariables(text)) {
    if (std::find(names.begin(), names.end(), var) != names.end()) continue;
    auto dot = var.find('.');
    if (dot != std::string::npos && var.rfind("AWS::", 0) != 0) {
      Add(RefKind::kSub, var.substr(0, dot), var.substr(dot + 1), loc, nullptr);
    } else {
      Add(RefKind::kSub, var, "", loc, nullptr);
    }
  }
}

}  // namespace cfnsplit
