#include "cfnsplit/ruleset.hpp"

#include <dirent.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "cfnsplit/load.hpp"
#include "cfnsplit/value.hpp"
#include "ruleset/refactor_rules.hpp"

namespace cfnsplit {

const char* LifecycleName(LifecycleClass c) {
  switch (c) {
    case LifecycleClass::kStateful:
      return "stateful";
    case LifecycleClass::kShared:
      return "shared";
    case LifecycleClass::kFunction:
      return "function";
    case LifecycleClass::kSatellite:
      return "satellite";
    case LifecycleClass::kOther:
      return "other";
  }
  return "other";
}

const LifecycleRule* RuleSet::RuleFor(const std::string& type) const {
  for (const auto& rule : lifecycle) {
    const std::string& p = rule.pattern;
    bool glob = !p.empty() && p.back() == '*';
    if (glob ? type.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0 : type == p) return &rule;
  }
  return nullptr;
}

namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return parts;
}

// The segment of the dotted `path` that starts at `at`; `next` is where the one after it starts
// (npos when it is the last). Segments are read in place: every resource is asked.
std::string_view SegmentAt(std::string_view path, std::size_t at, std::size_t& next) {
  const std::size_t dot = path.find('.', at);
  next = dot == std::string_view::npos ? std::string_view::npos : dot + 1;
  return path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
}

}  // namespace

bool PathMatches(const std::string& pattern, const std::string& path) {
  // Segment by segment without splitting into strings: the emitter and verify ask this for
  // every key near the top of every resource.
  std::string_view want = pattern, have = path;
  while (true) {
    std::size_t want_dot = want.find('.'), have_dot = have.find('.');
    std::string_view want_seg = want.substr(0, want_dot), have_seg = have.substr(0, have_dot);
    if (want_seg != "*" && want_seg != have_seg) return false;
    if (want_dot == std::string_view::npos) return true;  // a longer path matches its prefix
    if (have_dot == std::string_view::npos) return false;
    want.remove_prefix(want_dot + 1);
    have.remove_prefix(have_dot + 1);
  }
}

bool RuleSet::IsSecretAttribute(const std::string& type, const std::string& attribute) const {
  for (const auto& s : secret_attributes)
    if (s.type == type && (attribute == s.attribute || attribute.rfind(s.attribute + ".", 0) == 0))
      return true;
  return false;
}

bool RuleSet::HasSameTemplateRules(const std::string& type) const {
  return std::any_of(same_template.begin(), same_template.end(),
                     [&](const SameTemplateRule& r) { return !r.logical_id && r.type == type; });
}

const SameTemplateRule* RuleSet::SameTemplateRuleFor(const std::string& type,
                                                     const std::string& path,
                                                     const Value& resource_def) const {
  for (const auto& rule : same_template) {
    if (rule.logical_id || rule.type != type || !PathMatches(rule.path, path)) continue;
    if (rule.event.empty()) return &rule;
    // The event is the key after "Events" in the path.
    std::vector<std::string> parts = SplitPath(path);
    const Value* props = resource_def.is_map() ? resource_def.Find("Properties") : nullptr;
    const Value* events = props && props->is_map() ? props->Find("Events") : nullptr;
    const Value* event =
        events && events->is_map() && parts.size() > 2 ? events->Find(parts[2]) : nullptr;
    const Value* t = event && event->is_map() ? event->Find("Type") : nullptr;
    if (t && t->text() == rule.event) return &rule;
  }
  return nullptr;
}

namespace {

// The strings below v at the dotted `path` from offset `at` on (npos: every segment matched):
// `*` matches any key, a list is looked through.
void StringsAt(const Value& v, std::string_view path, std::size_t at,
               const std::function<void(const std::string&)>& visit) {
  if (v.is_list()) {
    for (const Value& item : v.items()) StringsAt(item, path, at, visit);
    return;
  }
  if (at == std::string_view::npos) {
    if (v.is_string()) visit(v.text());
    return;
  }
  if (!v.is_map() || !v.IntrinsicName().empty()) return;
  std::size_t next = 0;
  const std::string_view segment = SegmentAt(path, at, next);
  for (std::size_t k = 0; k < v.size(); ++k)
    if (segment == "*" || segment == v.keys()[k].name) StringsAt(v.items()[k], path, next, visit);
}

}  // namespace

void RuleSet::ForEachNamedLogicalId(
    const std::string& type, const Value& resource_def,
    const std::function<void(const std::string&, const SameTemplateRule&)>& visit) const {
  for (const auto& rule : same_template) {
    if (!rule.logical_id || (rule.type != std::string_view("*") && rule.type != type)) continue;
    StringsAt(resource_def, rule.path, 0, [&](const std::string& id) { visit(id, rule); });
  }
}

void RuleSet::SetOwnStackContexts(std::vector<std::string> paths) {
  own_stack_contexts_ = std::move(paths);
  own_stack_segments_.clear();
  for (const std::string& path : own_stack_contexts_)
    own_stack_segments_.push_back(SplitPath(path));  // "a..b" keeps its empty segment
}

RuleSet::ContextCursor RuleSet::OwnStackRoot() const {
  ContextCursor root;
  std::size_t n = std::min(own_stack_contexts_.size(), kMaxOwnStackContexts);
  root.live = n == kMaxOwnStackContexts ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  return root;
}

// PathMatches one segment at a time: a pattern stays live while its segments match the keys,
// and a pattern whose last segment matched puts everything below inside the context.
RuleSet::ContextCursor RuleSet::EnterOwnStackContext(ContextCursor at, std::string_view key) const {
  if (!at.open()) return at;
  ContextCursor next;
  next.depth = at.depth + 1;
  for (std::uint64_t live = at.live; live != 0; live &= live - 1) {
    const auto i = static_cast<std::size_t>(__builtin_ctzll(live));
    // A live pattern has a segment at `at.depth`: it would have put the walk inside otherwise.
    const std::vector<std::string>& segments = own_stack_segments_[i];
    const std::string_view segment = segments[at.depth];
    if (segment != std::string_view("*") && segment != key) continue;
    if (next.depth == segments.size())
      next.inside = true;
    else
      next.live |= std::uint64_t{1} << i;
  }
  return next;
}

void RuleSet::AddArtifactPath(ArtifactPath path) {
  artifact_paths_by_type_[path.type].push_back(artifact_paths_.size());
  artifact_paths_.push_back(std::move(path));
}

void RuleSet::ForEachArtifactPath(
    const Value& def, const std::string& type,
    const std::function<void(const Value*, const std::string&, const ArtifactPath&)>& visit) const {
  const auto of_type = artifact_paths_by_type_.find(type);
  if (of_type == artifact_paths_by_type_.end()) return;
  bool globals = type.rfind("Globals.", 0) == 0;
  for (std::size_t at : of_type->second) {
    const ArtifactPath& rule = artifact_paths_[at];
    const Value* holder = globals ? &def : (def.is_map() ? def.Find("Properties") : nullptr);
    // The segments before the last lead to the holder; they are read in place (every resource
    // asks, and splitting the path into strings each time was most of this).
    const std::string_view property = rule.property;
    const std::size_t last_dot = property.rfind('.');
    for (std::size_t start = 0;
         holder && last_dot != std::string_view::npos && start <= last_dot;) {
      const std::size_t dot = property.find('.', start);
      holder = holder->is_map() ? holder->Find(property.substr(start, dot - start)) : nullptr;
      start = dot + 1;
    }
    if (holder && !holder->is_map()) holder = nullptr;
    const std::string key(last_dot == std::string_view::npos ? property
                                                             : property.substr(last_dot + 1));
    visit(holder, key, rule);
  }
}

void RuleSet::ForEachArtifactPath(
    Value& def, const std::string& type,
    const std::function<void(Value*, const std::string&, const ArtifactPath&)>& visit) const {
  // `holder` lies inside `def`, which the caller may edit.
  ForEachArtifactPath(static_cast<const Value&>(def), type,
                      [&](const Value* holder, const std::string& key, const ArtifactPath& rule) {
                        visit(const_cast<Value*>(holder), key, rule);
                      });
}

LifecycleClass RuleSet::ClassOf(const std::string& type) const {
  const LifecycleRule* rule = RuleFor(type);
  return rule ? rule->cls : LifecycleClass::kOther;
}

namespace {

// Rules files are strict: an unknown key is an error with its location, so a typo never
// silently disables a rule.
bool CheckKeys(const Value& map, const std::set<std::string>& allowed, DiagnosticSink& sink) {
  bool ok = true;
  for (const auto& k : map.keys()) {
    if (allowed.count(k.name)) continue;
    std::vector<std::string> cands(allowed.begin(), allowed.end());
    std::string hint = SuggestClosest(k.name, cands);
    sink.Error("E0010", k.loc,
               "unknown key '" + k.name + "' in rules file" +
                   (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    ok = false;
  }
  return ok;
}

bool ReadUnsigned(const Value* v, std::uint64_t& out, DiagnosticSink& sink, SourceLoc where) {
  if (!v || !v->is_number() || v->text().find_first_not_of("0123456789") != std::string::npos) {
    sink.Error("E0010", v ? v->loc() : where, "expected a whole number");
    return false;
  }
  out = std::stoull(v->text());
  return true;
}

// One entry of limits.yaml. A missing or malformed field is an E0010 at the entry (or the field).
bool ReadQuota(const Value& q, Quota& quota, DiagnosticSink& sink) {
  if (!q.is_map()) {
    sink.Error("E0010", q.loc(), "a quota is a map with key, value, scope and source");
    return false;
  }
  if (!CheckKeys(q,
                 {"key", "label", "value", "scope", "measure", "budgeted", "description", "source"},
                 sink))
    return false;
  for (const char* field : {"key", "scope", "source"}) {
    const Value* v = q.Find(field);
    if (!v || !v->is_string() || v->text().empty()) {
      sink.Error("E0010", v ? v->loc() : q.loc(),
                 std::string("every quota needs a '") + field + "' string");
      return false;
    }
  }
  quota.key = q.Find("key")->text();
  quota.source = q.Find("source")->text();
  quota.loc = q.loc();
  if (!ReadUnsigned(q.Find("value"), quota.value, sink, q.loc())) return false;
  const Value* scope = q.Find("scope");
  auto parsed_scope = ParseQuotaScope(scope->text());
  if (!parsed_scope) {
    sink.Error("E0010", scope->loc(),
               "quota scope '" + scope->text() +
                   "' is not template, stack, function or "
                   "nested_operation");
    return false;
  }
  quota.scope = *parsed_scope;
  if (const Value* m = q.Find("measure")) {
    auto parsed = ParseQuotaMeasure(m->text());
    if (!parsed) {
      sink.Error("E0010", m->loc(),
                 "quota '" + quota.key + "' has an unknown measure '" + m->text() +
                     "' (the head of limits.yaml lists them)");
      return false;
    }
    quota.measure = *parsed;
  }
  if (const Value* b = q.Find("budgeted")) quota.budgeted = b->text() == "true";
  if (const Value* d = q.Find("description")) quota.description = d->text();
  const Value* label = q.Find("label");
  quota.label = label ? label->text() : quota.key;
  return true;
}

void ReadLimits(const Value& doc, RuleSet& rules, DiagnosticSink& sink) {
  CheckKeys(doc, {"schema", "checked", "approaching", "quotas"}, sink);
  if (const Value* a = doc.Find("approaching"); a && a->is_number())
    rules.quotas.SetNearShare(std::stod(a->text()));
  const Value* quotas = doc.Find("quotas");
  if (!quotas || !quotas->is_list()) {
    sink.Error("E0010", doc.loc(), "limits file needs a 'quotas' list");
    return;
  }
  for (const Value& q : quotas->items()) {
    Quota quota;
    if (ReadQuota(q, quota, sink)) rules.quotas.Put(std::move(quota));
  }
  for (const char* required : quota::kRequired)
    if (!rules.quotas.Find(required))
      sink.Error("E0010", quotas->loc(), std::string("rules define no quota '") + required + "'");
}

void ReadLifecycle(const Value& doc, RuleSet& rules, DiagnosticSink& sink) {
  CheckKeys(doc, {"schema", "checked", "source", "owner_key", "rules"}, sink);
  if (const Value* o = doc.Find("owner_key"); o && o->is_string()) rules.owner_key = o->text();
  std::string source = doc.Find("source") ? doc.Find("source")->text() : "";
  const Value* list = doc.Find("rules");
  if (!list || !list->is_list()) {
    sink.Error("E0010", doc.loc(), "lifecycle file needs a 'rules' list");
    return;
  }
  static const std::map<std::string, LifecycleClass> kClasses = {
      {"stateful", LifecycleClass::kStateful},
      {"shared", LifecycleClass::kShared},
      {"function", LifecycleClass::kFunction},
      {"satellite", LifecycleClass::kSatellite},
      {"other", LifecycleClass::kOther}};
  for (const Value& r : list->items()) {
    if (!r.is_map() ||
        !CheckKeys(r, {"type", "class", "stateful_when_shared", "retain_is_history", "source"},
                   sink))
      continue;
    const Value* type = r.Find("type");
    const Value* cls = r.Find("class");
    auto it = cls ? kClasses.find(cls->text()) : kClasses.end();
    if (!type || !type->is_string() || it == kClasses.end()) {
      sink.Error("E0010", r.loc(),
                 "a lifecycle rule needs 'type' and a 'class' of stateful, "
                 "shared, function, satellite or other");
      continue;
    }
    LifecycleRule rule;
    rule.pattern = type->text();
    rule.cls = it->second;
    const Value* sws = r.Find("stateful_when_shared");
    rule.stateful_when_shared = sws && sws->as_bool();
    const Value* rih = r.Find("retain_is_history");
    rule.retain_is_history = rih && rih->as_bool();
    rule.source = r.Find("source") ? r.Find("source")->text() : source;
    rules.lifecycle.push_back(std::move(rule));
  }
}

std::string Text(const Value& map, const char* key) {
  const Value* v = map.Find(key);
  return v && v->is_scalar() ? v->text() : "";
}

void ReadWiring(const Value& doc, RuleSet& rules, DiagnosticSink& sink) {
  CheckKeys(doc, {"schema", "checked", "same_template", "secret_attributes", "own_stack_contexts"},
            sink);
  auto list = [&](const char* key) -> const Value* {
    const Value* l = doc.Find(key);
    if (l && l->is_list()) return l;
    sink.Error("E0010", doc.loc(), std::string("wiring rules need a '") + key + "' list");
    return nullptr;
  };
  if (const Value* l = list("same_template"))
    for (const Value& r : l->items()) {
      if (!r.is_map() ||
          !CheckKeys(r, {"type", "path", "event", "why", "source", "logical_id"}, sink))
        continue;
      SameTemplateRule rule{Text(r, "type"), Text(r, "path"), Text(r, "event"), Text(r, "why"),
                            Text(r, "source")};
      const Value* named = r.Find("logical_id");
      rule.logical_id = named && named->as_bool();
      if (rule.type.empty() || rule.path.empty() || rule.source.empty())
        sink.Error("E0010", r.loc(), "a same_template rule needs 'type', 'path' and 'source'");
      else
        rules.same_template.push_back(std::move(rule));
    }
  if (const Value* l = list("secret_attributes"))
    for (const Value& r : l->items()) {
      if (!r.is_map() || !CheckKeys(r, {"type", "attribute", "source"}, sink)) continue;
      SecretAttribute secret{Text(r, "type"), Text(r, "attribute"), Text(r, "source")};
      if (secret.type.empty() || secret.attribute.empty() || secret.source.empty())
        sink.Error("E0010", r.loc(), "a secret attribute needs 'type', 'attribute' and 'source'");
      else
        rules.secret_attributes.push_back(std::move(secret));
    }
  std::vector<std::string> contexts = rules.own_stack_contexts();
  if (const Value* l = list("own_stack_contexts"))
    for (const Value& r : l->items()) {
      if (!r.is_map() || !CheckKeys(r, {"path", "source"}, sink)) continue;
      if (Text(r, "path").empty() || Text(r, "source").empty())
        sink.Error("E0010", r.loc(), "an own-stack context needs 'path' and 'source'");
      else if (contexts.size() == RuleSet::kMaxOwnStackContexts)
        sink.Error("E0010", r.loc(),
                   "more than " + std::to_string(RuleSet::kMaxOwnStackContexts) +
                       " own-stack contexts; merge some with '*' segments");
      else
        contexts.push_back(Text(r, "path"));
    }
  rules.SetOwnStackContexts(std::move(contexts));
}

void ReadArtifactPaths(const Value& doc, RuleSet& rules, DiagnosticSink& sink) {
  CheckKeys(doc, {"schema", "checked", "source", "paths", "globals"}, sink);
  for (const char* section : {"paths", "globals"}) {
    const Value* list = doc.Find(section);
    if (!list || !list->is_list()) {
      sink.Error("E0010", doc.loc(), std::string("artifact paths need a '") + section + "' list");
      continue;
    }
    bool globals = std::string_view(section) == "globals";
    for (const Value& r : list->items()) {
      if (!r.is_map() ||
          !CheckKeys(r, {globals ? "section" : "type", "property", "null_means_folder"}, sink))
        continue;
      ArtifactPath path{globals ? "Globals." + Text(r, "section") : Text(r, "type"),
                        Text(r, "property"), Text(r, "null_means_folder") == "true"};
      if (path.type.empty() || path.type == "Globals." || path.property.empty())
        sink.Error("E0010", r.loc(), "an artifact path needs a type (or section) and a property");
      else
        rules.AddArtifactPath(std::move(path));
    }
  }
}

bool ApplyFile(const std::string& name, const std::string& path, std::string text, RuleSet& rules,
               SourceManager& sources, DiagnosticSink& sink) {
  rules.files.emplace_back(name, text);
  std::uint32_t id = sources.Add(path, std::move(text));
  auto doc = ParseYaml(id, sources, sink);
  if (!doc) return false;
  if (!doc->is_map()) {
    sink.Error("E0010", doc->loc(), "a rules file must be a mapping");
    return false;
  }
  if (name == "limits.yaml") ReadLimits(*doc, rules, sink);
  if (name == "lifecycle.yaml") ReadLifecycle(*doc, rules, sink);
  if (name == "wiring.yaml") ReadWiring(*doc, rules, sink);
  if (name == "artifact-paths.yaml") ReadArtifactPaths(*doc, rules, sink);
  if (name == "refactor.yaml") ReadRefactorRules(*doc, rules.refactor, sink);
  // Other files (package sizes, runtime packages) are read by the stages that use them.
  return true;
}

}  // namespace

std::optional<RuleSet> LoadRuleSet(const std::string& dir, SourceManager& sources,
                                   DiagnosticSink& sink) {
  RuleSet rules;
  std::size_t errors_before = sink.error_count();
  if (dir.empty()) {
    for (const auto& f : EmbeddedRuleFiles())
      ApplyFile(f.name, std::string("<built-in>/rules/") + f.name, f.text, rules, sources, sink);
  } else {
    DIR* d = opendir(dir.c_str());
    if (!d) {
      sink.Error("E0001", {}, "cannot open rules directory '" + dir + "'");
      return std::nullopt;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.compare(n.size() - 5, 5, ".yaml") == 0) names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string text;
      if (ReadFileText(dir + "/" + n, text, sink))
        ApplyFile(n, dir + "/" + n, text, rules, sources, sink);
    }
  }
  if (!rules.quotas.Find(quota::kRequired[0]) && sink.error_count() == errors_before)
    sink.Error("E0010", {}, "rules define no quotas (limits.yaml is missing)");
  if (sink.error_count() > errors_before) return std::nullopt;
  return rules;
}

}  // namespace cfnsplit

namespace cfnsplit {

const LambdaLimits& LambdaLimits::BuiltIn() {
  // Read once from the embedded limits.yaml alone (every command's defaults ask, before the
  // rules are loaded; reading all the rules twice was 2 % of a large split). A build whose own
  // limits do not load is broken, so it fails loudly here rather than sizing against invented
  // figures.
  static const LambdaLimits limits = [] {
    SourceManager sources;
    DiagnosticSink sink;
    RuleSet rules;
    for (const auto& f : EmbeddedRuleFiles())
      if (std::string_view(f.name) == "limits.yaml")
        ApplyFile(f.name, std::string("<built-in>/rules/") + f.name, f.text, rules, sources, sink);
    if (sink.error_count() > 0 || !rules.quotas.Find(quota::kRequired[0]))
      throw std::logic_error("the built-in limits.yaml does not load");
    return From(rules.quotas);
  }();
  return limits;
}

}  // namespace cfnsplit
