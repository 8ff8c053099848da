// Builds the TemplateModel: typed sections over the loaded Value, references, functions, owners.
#include "cfnsplit/model.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

#include "cfnsplit/timings.hpp"
#include "model/walk.hpp"

namespace cfnsplit {

// Four strings, the location, three one-byte kinds and the three resource indexes.
static_assert(sizeof(void*) != 8 || sizeof(Reference) <= 160,
              "see the order of Reference's fields");

bool Parameter::is_list() const {
  return type == "CommaDelimitedList" || type.rfind("List<", 0) == 0 ||
         type.rfind("AWS::SSM::Parameter::Value<List<", 0) == 0 ||
         type == "AWS::SSM::Parameter::Value<CommaDelimitedList>";
}

TemplateModel::TemplateModel(std::string path, std::uint32_t file, Value root)
    : path_(std::move(path)), file_(file), root_(std::move(root)) {}

void TemplateModel::Reindex() {
  resource_index_.clear();
  parameter_index_.clear();
  for (std::size_t i = 0; i < resources.size(); ++i) resource_index_.emplace(resources[i].id, i);
  for (std::size_t i = 0; i < parameters.size(); ++i)
    parameter_index_.emplace(parameters[i].name, i);
}

bool TemplateModel::is_sam() const {
  return std::find(transforms.begin(), transforms.end(), "AWS::Serverless-2016-10-31") !=
         transforms.end();
}
bool TemplateModel::has_language_extensions() const {
  return DeclaresLanguageExtensions(transforms);
}

const Resource* TemplateModel::FindResource(const std::string& id) const {
  auto it = resource_index_.find(id);
  return it == resource_index_.end() ? nullptr : &resources[it->second];
}
long TemplateModel::ResourceIndex(const std::string& id) const {
  auto it = resource_index_.find(id);
  return it == resource_index_.end() ? -1 : static_cast<long>(it->second);
}
const Parameter* TemplateModel::FindParameter(const std::string& name) const {
  auto it = parameter_index_.find(name);
  return it == parameter_index_.end() ? nullptr : &parameters[it->second];
}
const Value* TemplateModel::FindCondition(const std::string& name) const {
  const Value* c = root_.Find("Conditions");
  return c && c->is_map() ? c->Find(name) : nullptr;
}
const Value* TemplateModel::FindMapping(const std::string& name) const {
  const Value* m = root_.Find("Mappings");
  return m && m->is_map() ? m->Find(name) : nullptr;
}

bool IsPseudoParameter(const std::string& name) {
  static constexpr std::array<std::string_view, 8> kPseudo = {
      "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",   "AWS::Partition",
      "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};
  // Most names asked about are resources and parameters: one compare settles them.
  if (std::string_view(name).substr(0, 5) != "AWS::") return false;
  return std::find(kPseudo.begin(), kPseudo.end(), name) != kPseudo.end();
}

bool IsAlphanumericName(std::string_view name) {
  // Folding case with | 0x20 maps A-Z onto a-z (and no other byte onto them): two compares a
  // character, for the tens of thousands of names a large template declares.
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return static_cast<unsigned char>((u | 0x20) - 'a') < 26 ||
           static_cast<unsigned char>(u - '0') < 10;
  });
}

bool IsDeclarableKey(std::string_view section, std::string_view key, bool language_extensions) {
  if (IsAlphanumericName(key)) return true;
  return language_extensions && IsForEachKey(key) &&
         (section == "Resources" || section == "Conditions" || section == "Outputs");
}

bool DeclaresLanguageExtensions(const std::vector<std::string>& transforms) {
  return std::find(transforms.begin(), transforms.end(), "AWS::LanguageExtensions") !=
         transforms.end();
}

namespace {

const std::array<std::string_view, 12> kTopLevelKeys = {"AWSTemplateFormatVersion",
                                                        "Description",
                                                        "Metadata",
                                                        "Parameters",
                                                        "Rules",
                                                        "Mappings",
                                                        "Conditions",
                                                        "Transform",
                                                        "Resources",
                                                        "Outputs",
                                                        "Hooks",
                                                        "Globals"};

// A view for the fallback: a default std::string was built from "" for every absent key (three
// a resource), out of line once the compiler stopped inlining it.
std::string ScalarOr(const Value* v, std::string_view fallback = {}) {
  return v && v->is_scalar() && !v->is_null() ? v->text() : std::string(fallback);
}

// A short, readable rendering of a value for reports ("!Ref Bucket", "s3://…").
std::string Describe(const Value& v) {
  if (v.is_scalar()) return v.text();
  std::string_view fn = v.IntrinsicName();
  if (fn == "Ref") return "!Ref " + v.IntrinsicArg().text();
  if (fn == "Fn::GetAtt") {
    const Value& a = v.IntrinsicArg();
    if (a.is_string()) return "!GetAtt " + a.text();
    return "!GetAtt " + a.items()[0].text() + "." + Describe(a.items()[1]);
  }
  if (fn == "Fn::Sub") {
    const Value& a = v.IntrinsicArg();
    return a.is_string() ? a.text() : Describe(a.items()[0]);
  }
  if (!fn.empty()) return "!" + std::string(fn.substr(fn.rfind(':') + 1)) + " …";
  return v.is_list() ? "[…]" : "{…}";
}

bool CheckSectionIsMap(const Value& root, const char* name, DiagnosticSink& sink) {
  const Value* s = root.Find(name);
  if (!s || s->is_map()) return true;
  if (s->is_null()) return true;  // `Outputs:` with nothing under it
  sink.Error("E1002", s->loc(),
             std::string("section '") + name + "' must be a mapping, not a " + KindName(s->kind()));
  return false;
}

// CloudFormation rejects a template whose logical IDs are not alphanumeric ("Template format
// error: Resource name SNS_TOPIC is non alphanumeric."), and SAM its own resources' IDs, so a
// split of it could never deploy. The length limit is a quota (E3001), not checked here.
void CheckLogicalIds(const Value& root, bool language_extensions, DiagnosticSink& sink) {
  const std::pair<std::string_view, const char*> sections[] = {{"Resources", "resource"},
                                                               {"Parameters", "parameter"},
                                                               {"Mappings", "mapping"},
                                                               {"Conditions", "condition"},
                                                               {"Outputs", "output"}};
  for (const auto& [section, what] : sections) {
    const Value* s = root.Find(section);
    if (!s || !s->is_map()) continue;
    for (const auto& key : s->keys()) {
      if (IsDeclarableKey(section, key.name, language_extensions)) continue;
      if (IsForEachKey(key.name) && IsDeclarableKey(section, key.name, true)) {
        sink.Error("E1004", key.loc,
                   "'" + key.name +
                       "' is a loop of the AWS::LanguageExtensions transform, which the "
                       "template does not declare: CloudFormation takes it for a logical ID, "
                       "which is not alphanumeric, and rejects the template",
                   {"declare the transform: Transform: AWS::LanguageExtensions"});
        continue;
      }
      std::vector<std::string> notes;
      if (section == "Resources" && !key.name.empty())
        notes.push_back("CloudFormation says \"Template format error: Resource name " + key.name +
                        " is non alphanumeric.\"");
      notes.push_back(
          "rename it, and every Ref, GetAtt, Sub, DependsOn or FindInMap that names it");
      sink.Error("E1004", key.loc,
                 std::string(what) + " name '" + key.name +
                     "' is not alphanumeric: CloudFormation takes only A-Z, a-z and 0-9 in a "
                     "logical ID and rejects the template",
                 std::move(notes));
    }
  }
}

// What is wrong with a loop's value, or nothing.
std::string ForEachShapeProblem(const Value& loop) {
  if (!loop.is_list()) return std::string("not a ") + KindName(loop.kind());
  if (loop.size() != 3) return "not a list of " + std::to_string(loop.size());
  if (!loop.items()[0].is_string()) return "its identifier must be a string";
  if (!loop.items()[2].is_map()) return "its third element must be a mapping";
  return {};
}

// The loops among `map`'s keys and, in turn, the loops in their bodies.
bool CheckForEachLoopsIn(const Value& map, DiagnosticSink& sink) {
  bool ok = true;
  for (std::size_t i = 0; i < map.size(); ++i) {
    const Value::Key& key = map.keys()[i];
    if (!IsForEachKey(key.name)) continue;
    const Value& loop = map.items()[i];
    if (std::string problem = ForEachShapeProblem(loop); !problem.empty()) {
      sink.Error("E1002", key.loc,
                 "'" + key.name + "' must be a list of three, [Identifier, Collection, " +
                     "{OutputKey: OutputValue}]: " + problem,
                 {"AWS::LanguageExtensions says \"Fn::ForEach values must be a list of 3 "
                  "elements\""});
      ok = false;
      continue;
    }
    ok = CheckForEachLoopsIn(loop.items()[2], sink) && ok;
  }
  return ok;
}

// A ForEach loop is `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`;
// AWS::LanguageExtensions refuses any other shape ("Fn::ForEach values must be a list of 3
// elements"), and cfnsplit, which keeps a loop whole and reads only the references in it, could
// not split one: a loop written as a resource (a mapping with a Type) would be emitted as
// itself but judged as nothing by verify. Loops nest in a loop's body. False on an error.
bool CheckForEachLoops(const Value& root, DiagnosticSink& sink) {
  bool ok = true;
  for (const char* section : {"Resources", "Conditions", "Outputs"})
    if (const Value* s = root.Find(section); s && s->is_map())
      ok = CheckForEachLoopsIn(*s, sink) && ok;
  return ok;
}

// A parameter and a resource of the same name make `Ref Name` ambiguous, and CloudFormation
// rejects the template ("Template error: all resources and parameters must have unique names.
// Common name(s):[Name]"; cfn-lint E3007).
void CheckParameterResourceClash(const Value& root, DiagnosticSink& sink) {
  const Value* params = root.Find("Parameters");
  const Value* resources = root.Find("Resources");
  if (!params || !params->is_map() || !resources || !resources->is_map()) return;
  std::unordered_map<std::string_view, SourceLoc> parameters;
  for (const auto& key : params->keys()) parameters.emplace(key.name, key.loc);
  for (const auto& key : resources->keys()) {
    auto it = parameters.find(key.name);
    if (it == parameters.end()) continue;
    sink.Error("E1005", key.loc,
               "'" + key.name + "' names both a resource and the parameter at line " +
                   std::to_string(it->second.line) + ": CloudFormation rejects the template",
               {"CloudFormation says \"Template error: all resources and parameters must have "
                "unique names. Common name(s):[" +
                    key.name + "]\"",
                "rename one of them, and every Ref, GetAtt and Sub that means it"});
  }
}

void ReadParameters(const Value& root, TemplateModel& m, DiagnosticSink& sink) {
  const Value* ps = root.Find("Parameters");
  if (!ps || !ps->is_map()) return;
  for (std::size_t i = 0; i < ps->size(); ++i) {
    const Value& def = ps->items()[i];
    Parameter p;
    p.name = ps->keys()[i].name;
    p.loc = ps->keys()[i].loc;
    p.def = &def;
    if (!def.is_map()) {
      sink.Error("E1002", def.loc(), "parameter '" + p.name + "' must be a mapping");
      continue;
    }
    p.type = ScalarOr(def.Find("Type"));
    if (p.type.empty()) sink.Error("E1002", p.loc, "parameter '" + p.name + "' has no Type");
    const Value* no_echo = def.Find("NoEcho");
    p.no_echo = no_echo && (no_echo->text() == "true" || no_echo->text() == "True");
    p.default_value = def.Find("Default");
    m.parameters.push_back(std::move(p));
  }
}

std::vector<std::string> Names(const Value* section) {
  std::vector<std::string> out;
  if (section && section->is_map())
    for (const auto& k : section->keys()) out.push_back(k.name);
  return out;
}

std::string OwnerOf(const Value& def, const Value* props, const std::string& key) {
  const Value* meta = def.Find("Metadata");
  if (meta && meta->is_map())
    if (const Value* o = meta->Find(key); o && o->is_string()) return o->text();
  const Value* tags = props ? props->Find("Tags") : nullptr;
  if (!tags) return {};
  if (tags->is_map()) return ScalarOr(tags->Find(key));  // SAM and Serverless write a map
  if (tags->is_list())
    for (const auto& t : tags->items())
      if (t.is_map() && ScalarOr(t.Find("Key")) == key) return ScalarOr(t.Find("Value"));
  return {};
}

void ReadResource(const std::string& id, SourceLoc loc, const Value& def, TemplateModel& m,
                  DiagnosticSink& sink, const ModelOptions& options) {
  Resource r;
  r.id = id;
  r.loc = loc;
  r.def = &def;
  if (r.is_foreach()) {
    r.type = "Fn::ForEach";
    m.resources.push_back(std::move(r));
    return;
  }
  if (!def.is_map()) {
    sink.Error("E1002", def.loc(), "resource '" + id + "' must be a mapping");
    return;
  }
  r.type = ScalarOr(def.Find("Type"));
  if (r.type.empty()) {
    sink.Error("E1002", loc, "resource '" + id + "' has no Type");
    return;
  }
  r.properties = def.Find("Properties");
  if (r.properties && !r.properties->is_map()) r.properties = nullptr;
  if (const Value* d = def.Find("DependsOn")) {
    if (d->is_string()) r.depends_on.push_back(d->text());
    if (d->is_list())
      for (const auto& item : d->items())
        if (item.is_string()) r.depends_on.push_back(item.text());
  }
  if (const Value* c = def.Find("Condition"); c && !c->is_string())
    sink.Error("E1002", c->loc(),
               "resource '" + id + "': Condition must name a condition (a string), not a " +
                   KindName(c->kind()));
  r.condition = ScalarOr(def.Find("Condition"));
  r.deletion_policy = ScalarOr(def.Find("DeletionPolicy"));
  r.update_replace_policy = ScalarOr(def.Find("UpdateReplacePolicy"));
  r.owner = OwnerOf(def, r.properties, options.owner_key);
  m.resources.push_back(std::move(r));
}

void ReadResourcesAndOutputs(const Value& root, TemplateModel& m, DiagnosticSink& sink,
                             const ModelOptions& options) {
  const Value* rs = root.Find("Resources");
  m.resources.reserve(rs->size());  // a Resource is large: growing moved each about twice
  for (std::size_t i = 0; i < rs->size(); ++i)
    ReadResource(rs->keys()[i].name, rs->keys()[i].loc, rs->items()[i], m, sink, options);
  const Value* os = root.Find("Outputs");
  if (!os || !os->is_map()) return;
  for (std::size_t i = 0; i < os->size(); ++i) {
    const Value& def = os->items()[i];
    Output o;
    o.name = os->keys()[i].name;
    o.loc = os->keys()[i].loc;
    o.def = &def;
    if (def.is_map()) {
      o.value = def.Find("Value");
      if (const Value* e = def.Find("Export"); e && e->is_map()) o.export_name = e->Find("Name");
      o.condition = ScalarOr(def.Find("Condition"));
    }
    if (!o.value && !IsForEachKey(o.name))
      sink.Error("E1002", o.loc, "output '" + o.name + "' has no Value");
    m.outputs.push_back(std::move(o));
  }
}

void ExtractReferences(TemplateModel& m, DiagnosticSink& sink) {
  // Room for what a big template has (Serverless: about seven references a resource, one or two
  // an output) before the walk: growing by doubling moved every reference once more and left
  // the pages of the buffers it outgrew behind. Pages of room never filled are never touched;
  // the cap (a million references, 10,000 functions have 400,000) keeps a hostile template of
  // millions of tiny resources from asking for gigabytes up front.
  m.references.reserve(
      std::min<std::size_t>(8 * m.resources.size() + 2 * m.outputs.size(), 1'000'000));
  ReferenceWalker walker(m, sink, m.references);
  for (const Resource& r : m.resources) {
    if (r.is_foreach()) {
      walker.WalkSite(SiteKind::kResource, r.id, *r.def, "");
      continue;
    }
    for (std::size_t i = 0; i < r.def->size(); ++i) {
      const std::string_view key = r.def->keys()[i].name;
      if (key == "Type" || key == "DependsOn" || key == "Condition") continue;
      walker.WalkSite(SiteKind::kResource, r.id, r.def->items()[i], key);
    }
    for (const std::string& dep : r.depends_on) {
      Reference ref;
      ref.from = r.id;
      ref.kind = RefKind::kDependsOn;
      ref.to = dep;
      ref.path = "DependsOn";
      ref.loc = r.def->Find("DependsOn")->loc();
      ref.target = m.FindResource(dep) ? TargetKind::kResource : TargetKind::kUnknown;
      m.references.push_back(std::move(ref));
    }
    if (!r.condition.empty()) {
      Reference ref;
      ref.from = r.id;
      ref.kind = RefKind::kCondition;
      ref.target = TargetKind::kCondition;
      ref.to = r.condition;
      ref.path = "Condition";
      ref.loc = r.def->Find("Condition")->loc();
      m.references.push_back(std::move(ref));
    }
  }
  for (const Output& o : m.outputs) {
    walker.WalkSite(SiteKind::kOutput, o.name, *o.def, "");
  }
  if (const Value* cs = m.Section("Conditions"); cs && cs->is_map())
    for (std::size_t i = 0; i < cs->size(); ++i)
      walker.WalkSite(SiteKind::kCondition, cs->keys()[i].name, cs->items()[i], "");
}

void CheckTargets(TemplateModel& m, DiagnosticSink& sink) {
  std::vector<std::string> resource_ids, names, conditions = m.condition_names;
  for (const auto& r : m.resources) resource_ids.push_back(r.id);
  names = resource_ids;
  for (const auto& p : m.parameters) names.push_back(p.name);
  for (Reference& ref : m.references) {
    std::string what;
    const std::vector<std::string>* candidates = &names;
    switch (ref.kind) {
      case RefKind::kCondition:
        if (m.FindCondition(ref.to)) continue;
        what = "condition";
        candidates = &conditions;
        break;
      case RefKind::kFindInMap:
        if (m.FindMapping(ref.to)) continue;
        what = "mapping";
        candidates = &m.mapping_names;
        break;
      case RefKind::kImportValue:
        continue;
      case RefKind::kGetAtt:
      case RefKind::kDependsOn:
        if (ref.target == TargetKind::kResource) continue;
        what = "resource";
        candidates = &resource_ids;
        break;
      default:
        if (ref.target != TargetKind::kUnknown) continue;
        what = "resource or parameter";
    }
    std::string hint = SuggestClosest(ref.to, *candidates);
    std::string msg = std::string(RefKindName(ref.kind)) + " to unknown " + what + " '" + ref.to +
                      "' in " + ref.from + (ref.path.empty() ? "" : " (" + ref.path + ")");
    if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
    // A name the SAM transform creates (Function → FunctionRole, implicit APIs …) or a ForEach
    // loop may expand to is only a warning before the transform runs; SAM's names belong to the
    // resource they are made for, which the reference then depends on.
    const std::string owner = m.is_sam() ? GeneratedOwner(m, ref.to) : "";
    if (!owner.empty() || m.has_language_extensions()) {
      if (!owner.empty())
        ref.generated_by_resource = static_cast<std::int32_t>(m.ResourceIndex(owner));
      sink.Warning("W1102", ref.loc, msg, {"the name may be created by a transform"});
    } else
      sink.Error("E1101", ref.loc, msg);
  }
}

void IndexReferences(TemplateModel& m) {
  auto index = [&](const std::string& name) {
    return static_cast<std::int32_t>(m.ResourceIndex(name));
  };
  // The walk lists a site's references together: the last site's index is kept rather than
  // hashed again for every reference.
  const std::string* last_from = nullptr;
  std::int32_t last_from_index = -1;
  for (Reference& ref : m.references) {
    if (!last_from || ref.from != *last_from) {
      last_from = &ref.from;
      last_from_index = index(ref.from);
    }
    ref.from_resource = last_from_index;
    ref.to_resource = index(ref.to);
  }
}

}  // namespace

std::vector<std::string> TransformNames(const Value& root) {
  std::vector<std::string> names;
  const Value* t = root.Find("Transform");
  if (!t) return names;
  if (t->is_string()) names.push_back(t->text());
  if (t->is_list())
    for (const auto& item : t->items())
      names.push_back(item.is_string() ? item.text() : Describe(item));
  if (t->is_map()) names.push_back(ScalarOr(t->Find("Name"), "?"));
  return names;
}

bool NamesAsWritten(const std::vector<std::string>& transforms) {
  for (const auto& t : transforms)
    if (t != "AWS::Serverless-2016-10-31" && t != "AWS::LanguageExtensions") return false;
  return true;
}

void ReadFunctions(TemplateModel& m);  // functions.cpp

std::unique_ptr<TemplateModel> BuildModel(Value root, std::string path, std::uint32_t file,
                                          DiagnosticSink& sink, const ModelOptions& options) {
  timings::Scope timing("model");
  for (std::size_t i = 0; i < root.size(); ++i) {
    const auto& key = root.keys()[i];
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key.name) == kTopLevelKeys.end()) {
      std::vector<std::string> known(kTopLevelKeys.begin(), kTopLevelKeys.end());
      std::string hint = SuggestClosest(key.name, known);
      sink.Warning("W1001", key.loc,
                   "unknown top-level section '" + key.name + "'" +
                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  const Value* resources = root.Find("Resources");
  if (!resources || !resources->is_map()) {
    sink.Error("E1001", resources ? resources->loc() : root.loc(),
               resources ? "'Resources' must be a mapping of logical IDs to resources"
                         : "template has no 'Resources' section");
    return nullptr;
  }
  if (resources->size() == 0) {
    sink.Error("E1001", resources->loc(),
               "the 'Resources' section is empty: CloudFormation requires at least one resource",
               {"CloudFormation says \"Template format error: At least one Resources member must "
                "be defined.\""});
    return nullptr;
  }
  bool sections_ok = true;
  for (const char* s : {"Parameters", "Mappings", "Conditions", "Outputs"})
    sections_ok = CheckSectionIsMap(root, s, sink) && sections_ok;
  if (!sections_ok) return nullptr;

  auto m = std::make_unique<TemplateModel>(std::move(path), file, std::move(root));
  const Value& r = m->root();
  m->transforms = TransformNames(r);
  if (!CheckForEachLoops(r, sink)) return nullptr;
  if (NamesAsWritten(m->transforms)) {
    CheckLogicalIds(r, m->has_language_extensions(), sink);
    CheckParameterResourceClash(r, sink);
  }
  ReadParameters(r, *m, sink);
  m->mapping_names = Names(r.Find("Mappings"));
  m->condition_names = Names(r.Find("Conditions"));
  ReadResourcesAndOutputs(r, *m, sink, options);
  m->Reindex();
  ExtractReferences(*m, sink);
  CheckTargets(*m, sink);
  IndexReferences(*m);
  ReadFunctions(*m);
  return m;
}

std::unique_ptr<TemplateModel> LoadModel(const std::string& path, SourceManager& sources,
                                         DiagnosticSink& sink, const ModelOptions& options,
                                         const LoadLimits& limits) {
  std::uint32_t file = 0;
  auto value = LoadFile(path, sources, sink, limits, &file);
  if (!value) return nullptr;
  TemplateFormat format = DetectFormat(path, sources.text(file));
  auto m = BuildModel(std::move(*value), path, file, sink, options);
  if (m) m->format = format;
  return m;
}

}  // namespace cfnsplit
