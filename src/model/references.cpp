// Reference extraction and intrinsic-function arity checks: one walk over every value that
// CloudFormation evaluates (resource definitions, outputs, conditions).
#include <algorithm>
#include <charconv>

#include "cfnsplit/intrinsics.hpp"
#include "model/walk.hpp"

namespace cfnsplit {
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
  ReferencesInto(v, context, out, site, from);
  return out;
}

void ReferencesInto(const Value& v, const TemplateModel& context, std::vector<Reference>& out,
                    SiteKind site, const std::string& from, ReferenceDetail detail) {
  out.clear();
  DiagnosticSink ignored;
  ReferenceWalker walker(context, ignored, out, detail);
  walker.WalkSite(site, from, v, "");
}

ReferenceWalker::ReferenceWalker(const TemplateModel& model, DiagnosticSink& sink,
                                 std::vector<Reference>& out, ReferenceDetail detail)
    : model_(model), sink_(sink), out_(out), detail_(detail) {}

void ReferenceWalker::WalkSite(SiteKind site, const std::string& name, const Value& v,
                               std::string_view path_prefix) {
  site_ = site;
  site_name_ = &name;
  path_.clear();
  path_marks_.clear();
  if (!path_prefix.empty()) PushPath(path_prefix);
  Walk(v, nullptr);
}

void ReferenceWalker::PushPath(std::string_view part) {
  if (!detail_.paths) return;
  path_marks_.push_back(path_.size());
  if (!path_.empty() && (part.empty() || part.front() != '[')) path_ += '.';
  path_ += part;
}

void ReferenceWalker::PushIndex(std::size_t i) {
  if (!detail_.paths) return;
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, i).ptr;
  path_marks_.push_back(path_.size());
  path_ += '[';
  path_.append(digits, end);
  path_ += ']';
}

void ReferenceWalker::PopPath() {
  if (!detail_.paths) return;
  path_.resize(path_marks_.back());
  path_marks_.pop_back();
}

void ReferenceWalker::Add(RefKind kind, std::string_view target, std::string_view attribute,
                          SourceLoc loc, const std::vector<std::string>* locals) {
  if (locals && std::find(locals->begin(), locals->end(), target) != locals->end()) return;
  // Filled where it lies: a reference built aside and moved in cost five string moves and a
  // destruction each (a tenth of a model's and of verify's reference walks).
  Reference& r = out_.emplace_back();
  r.site = site_;
  r.from = *site_name_;
  r.kind = kind;
  r.to = target;
  r.attribute = attribute;
  r.path = path_;
  r.loc = loc;
  r.target = detail_.classify ? Classify(kind, r.to) : TargetKind::kUnknown;
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
      PushIndex(i);
      Walk(v.items()[i], locals);
      PopPath();
    }
    return;
  }
  if (!v.is_map()) return;
  std::string_view fn = v.IntrinsicName();
  if (!fn.empty()) return WalkIntrinsic(fn, v, locals);
  // A map with an Fn:: key among others is a mistake CloudFormation rejects.
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& key = v.keys()[i].name;
    if (v.size() > 1 && std::string_view(key).substr(0, 4) == "Fn::" && IsIntrinsicName(key))
      sink_.Error("E1003", v.keys()[i].loc,
                  "'" + key + "' must be the only key of its mapping to be a function call");
    PushPath(key);
    Walk(v.items()[i], locals);
    PopPath();
  }
}

namespace {

RefKind KindOf(syntax::RefForm form) {
  switch (form) {
    case syntax::RefForm::kRef:
      return RefKind::kRef;
    case syntax::RefForm::kGetAtt:
      return RefKind::kGetAtt;
    case syntax::RefForm::kSub:
      return RefKind::kSub;
    case syntax::RefForm::kCondition:
      return RefKind::kCondition;
    case syntax::RefForm::kFindInMap:
      return RefKind::kFindInMap;
    case syntax::RefForm::kImportValue:
      return RefKind::kImportValue;
  }
  return RefKind::kRef;
}

}  // namespace

// The syntax layer says what the call writes; the model adds where (path, site) and what the
// name means (Classify).
void ReferenceWalker::WalkIntrinsic(std::string_view fn, const Value& v,
                                    const std::vector<std::string>* locals) {
  const Value& arg = v.IntrinsicArg();
  std::string problem = syntax::CallShapeProblem(fn, arg);
  if (!problem.empty()) {
    sink_.Error("E1003", v.loc(), problem);
    return;
  }
  PushPath(fn);
  for (const syntax::CallPart& part : syntax::ParseCall(fn, arg)) {
    if (part.operand) {
      if (!part.path.empty()) PushPath(part.path);
      Walk(*part.operand, locals);
      if (!part.path.empty()) PopPath();
      continue;
    }
    // Local names (language-extension loops) shadow template names; conditions, mappings and
    // exports have their own namespaces.
    RefKind kind = KindOf(part.ref.form);
    bool value_name = kind == RefKind::kRef || kind == RefKind::kGetAtt || kind == RefKind::kSub;
    Add(kind, part.ref.target, part.ref.attribute, v.loc(), value_name ? locals : nullptr);
  }
  PopPath();
}

}  // namespace cfnsplit
