#include "cfnsplit/analysis.hpp"
#include "cfnsplit/timings.hpp"

#include <algorithm>
#include <cmath>

namespace cfnsplit {
namespace {

// Why the user said this resource's data must outlive it ("DeletionPolicy Retain",
// "UpdateReplacePolicy Snapshot" …), or empty. Either policy marks data worth keeping: a
// resource kept on replacement holds data as much as one kept on deletion.
std::string RetainReason(const Resource& r) {
  const std::string& deletion = r.deletion_policy;
  if (deletion == "Retain" || deletion == "Snapshot" || deletion == "RetainExceptOnCreate")
    return "DeletionPolicy " + deletion;
  const std::string& replace = r.update_replace_policy;
  if (replace == "Retain" || replace == "Snapshot") return "UpdateReplacePolicy " + replace;
  return "";
}

// A satellite belongs to the one function it is tied to (in either direction); tied to none
// or several, it is placed like shared infrastructure, or kept as data if its rule says so.
void TieSatellite(std::uint32_t i, const Analysis& a, const LifecycleRule* rule,
                  ResourceInfo& info) {
  std::vector<std::uint32_t> functions;
  auto consider = [&](std::uint32_t n) {
    if (a.info[n].cls == LifecycleClass::kFunction &&
        std::find(functions.begin(), functions.end(), n) == functions.end())
      functions.push_back(n);
  };
  for (std::uint32_t d : a.graph.dependencies(i)) consider(d);
  for (std::uint32_t d : a.graph.dependents(i)) consider(d);
  const auto& model = *a.model;
  if (functions.size() == 1) {
    info.function = static_cast<std::int32_t>(functions.front());
    info.reason = "satellite of " + model.resources[functions.front()].id;
    return;
  }
  bool stateful = rule && rule->stateful_when_shared;
  info.cls = stateful ? LifecycleClass::kStateful : LifecycleClass::kShared;
  info.reason =
      std::string(functions.empty() ? "tied to no function" : "tied to several functions") +
      (stateful ? ": kept as data" : ": shared");
}

void Classify(Analysis& a, const RuleSet& rules) {
  const auto& model = *a.model;
  a.info.assign(model.resources.size(), {});
  std::vector<const LifecycleRule*> matched(model.resources.size());
  for (std::uint32_t i = 0; i < model.resources.size(); ++i) {
    const Resource& r = model.resources[i];
    ResourceInfo& info = a.info[i];
    matched[i] = rules.RuleFor(r.type);
    info.cls = matched[i] ? matched[i]->cls : LifecycleClass::kOther;
    info.reason = matched[i] ? "rules: " + matched[i]->pattern : "no lifecycle rule";
    bool history = matched[i] && matched[i]->retain_is_history;
    std::string retain = RetainReason(r);
    if (!retain.empty() && info.cls != LifecycleClass::kStateful && !history) {
      info.cls = LifecycleClass::kStateful;
      info.reason = retain;
    }
    if (info.cls == LifecycleClass::kFunction) info.function = static_cast<std::int32_t>(i);
    info.owner = r.owner;
    info.expanded = EstimatedExpansion(r, model);
  }
  for (std::uint32_t i = 0; i < model.resources.size(); ++i)
    if (a.info[i].cls == LifecycleClass::kSatellite) TieSatellite(i, a, matched[i], a.info[i]);
  for (auto& info : a.info)
    if (info.owner.empty() && info.function >= 0) info.owner = model.resources[info.function].owner;
}

// Pairs that cannot be wired across stacks at all: the SAM transform needs the target in the
// same template, or the value is a secret that must not become an output or a parameter.
void FindBonds(Analysis& a, const RuleSet& rules) {
  const TemplateModel& m = *a.model;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kResource || r.target != TargetKind::kResource ||
        r.kind == RefKind::kDependsOn)
      continue;
    long from = m.ResourceIndex(r.from), to = m.ResourceIndex(r.to);
    if (from < 0 || to < 0 || from == to) continue;
    const Resource& src = m.resources[static_cast<std::size_t>(from)];
    const Resource& dst = m.resources[static_cast<std::size_t>(to)];
    std::string why;
    if (const SameTemplateRule* rule = rules.SameTemplateRuleFor(src.type, r.path, *src.def))
      why = rule->why;
    else if (!r.attribute.empty() && rules.IsSecretAttribute(dst.type, r.attribute))
      why = dst.id + "." + r.attribute + " is a secret, and a secret never becomes an output or "
            "a parameter";
    if (!why.empty())
      a.bonds.push_back({static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to), why});
  }
  for (const char* kind : {"Api", "HttpApi"}) {
    long first = -1;
    for (std::size_t i = 0; i < m.resources.size(); ++i) {
      if (!m.resources[i].is_sam() || !UsesImplicitSamApi(*m.resources[i].def, kind)) continue;
      if (first < 0)
        first = static_cast<long>(i);
      else
        a.bonds.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(first),
                           std::string("SAM creates one implicit ") + kind +
                               " per template: the functions whose events use it share a stack"});
    }
  }
}

std::uint64_t CountDynamicReferences(const Value& v) {
  if (v.is_string()) {
    std::uint64_t n = 0;
    for (std::size_t at = v.text().find("{{resolve:"); at != std::string::npos;
         at = v.text().find("{{resolve:", at + 1))
      ++n;
    return n;
  }
  std::uint64_t n = 0;
  for (const auto& c : v.items()) n += CountDynamicReferences(c);
  return n;
}

std::size_t SectionSize(const Value& root, const char* name) {
  const Value* s = root.Find(name);
  return s && s->is_map() ? s->size() : 0;
}

void Finding(const QuotaUse& q, double approaching, SourceLoc loc, DiagnosticSink& sink) {
  if (q.used > q.limit) {
    sink.Error("E3001", loc,
               q.what + ": " + std::to_string(q.used) + " of " + std::to_string(q.limit) +
                   " (over by " + std::to_string(q.used - q.limit) + ")" +
                   (q.detail.empty() ? "" : "; " + q.detail));
  } else if (q.share() >= approaching) {
    sink.Warning("W3002", loc,
                 q.what + ": " + std::to_string(q.used) + " of " + std::to_string(q.limit) + " (" +
                     std::to_string(static_cast<int>(std::floor(q.share() * 100))) + "%)");
  }
}

}  // namespace

std::vector<QuotaUse> MeasureQuotas(const Value& root, std::uint64_t template_bytes,
                                    std::uint32_t expanded_resources, const RuleSet& rules) {
  std::vector<QuotaUse> q;
  auto add = [&](const char* key, const char* what, std::uint64_t used, std::string detail = "") {
    auto it = rules.quotas.find(key);
    if (it != rules.quotas.end())
      q.push_back({key, what, used, it->second.value, std::move(detail)});
  };
  add("resources_per_stack", "resources", expanded_resources);
  add("outputs_per_stack", "outputs", SectionSize(root, "Outputs"));
  add("parameters_per_stack", "parameters", SectionSize(root, "Parameters"));
  add("mappings_per_stack", "mappings", SectionSize(root, "Mappings"));
  add("template_bytes_s3", "template bytes (S3 upload)", template_bytes);
  std::size_t longest = 0;
  std::string longest_name;
  for (const char* section : {"Resources", "Outputs", "Parameters", "Mappings", "Conditions"}) {
    const Value* s = root.Find(section);
    if (!s || !s->is_map()) continue;
    for (const auto& k : s->keys())
      if (k.name.size() > longest) {
        longest = k.name.size();
        longest_name = k.name;
      }
  }
  add("name_length", "longest logical name", longest, longest_name.empty() ? "" : longest_name);
  std::size_t widest = 0;
  std::string widest_name;
  if (const Value* maps = root.Find("Mappings"); maps && maps->is_map())
    for (std::size_t i = 0; i < maps->size(); ++i)
      if (maps->items()[i].size() > widest) {
        widest = maps->items()[i].size();
        widest_name = maps->keys()[i].name;
      }
  add("mapping_attributes", "attributes in one mapping", widest, widest_name);
  add("dynamic_references", "dynamic references", CountDynamicReferences(root));
  return q;
}

Analysis Analyze(const TemplateModel& model, const RuleSet& rules, std::uint64_t template_bytes,
                 DiagnosticSink& sink) {
  timings::Scope timing("analyze");
  Analysis a;
  a.model = &model;
  a.graph = BuildResourceGraph(model);
  a.template_bytes = template_bytes;
  Classify(a, rules);
  for (const auto& info : a.info) a.expanded_resources += info.expanded;
  FindBonds(a, rules);
  a.cycles = a.graph.FindCycles();
  for (const auto& cycle : a.cycles)
    sink.Error("E2001", model.resources[cycle.front()].loc,
               "circular dependency: " + FormatCycle(model, cycle));
  a.quotas = MeasureQuotas(model.root(), template_bytes, a.expanded_resources, rules);
  SourceLoc top{model.file(), 1, 1};
  for (const auto& q : a.quotas) {
    SourceLoc loc = top;
    if (q.key == "outputs_per_stack" && model.Section("Outputs"))
      loc = model.Section("Outputs")->loc();
    if (q.key == "parameters_per_stack" && model.Section("Parameters"))
      loc = model.Section("Parameters")->loc();
    if (q.key == "resources_per_stack") loc = model.Section("Resources")->loc();
    Finding(q, rules.approaching, loc, sink);
  }
  std::uint64_t max_layers = rules.quotas.count("lambda_layers") ? rules.Limit("lambda_layers") : 5;
  for (const auto& f : model.functions) {
    if (f.layers.size() > max_layers)
      sink.Error("E3003", model.FindResource(f.resource_id)->loc,
                 "function " + f.resource_id + " has " + std::to_string(f.layers.size()) +
                     " layers; Lambda allows " + std::to_string(max_layers));
  }
  return a;
}

}  // namespace cfnsplit
