#include "cfnsplit/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "cfnsplit/timings.hpp"

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
    info.json_bytes = ApproxJsonBytes(*r.def, 2);
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
    long from = r.from_resource, to = r.to_resource;
    if (from < 0 || to < 0 || from == to) continue;
    const Resource& src = m.resources[static_cast<std::size_t>(from)];
    const Resource& dst = m.resources[static_cast<std::size_t>(to)];
    std::string why;
    if (const SameTemplateRule* rule = rules.SameTemplateRuleFor(src.type, r.path, *src.def))
      why = rule->why;
    else if (!r.attribute.empty() && rules.IsSecretAttribute(dst.type, r.attribute))
      why = dst.id + "." + r.attribute +
            " is a secret, and a secret never becomes an output or "
            "a parameter";
    if (!why.empty())
      a.bonds.push_back({static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to), why});
  }
  // Logical IDs written as plain strings (a SAM connector's Source.Id / Destination.Id).
  for (std::size_t i = 0; i < m.resources.size(); ++i) {
    const Resource& src = m.resources[i];
    if (!src.def || src.is_foreach()) continue;
    rules.ForEachNamedLogicalId(
        src.type, *src.def, [&](const std::string& id, const SameTemplateRule& rule) {
          long to = m.ResourceIndex(id);
          if (to >= 0 && static_cast<std::size_t>(to) != i)
            a.bonds.push_back(
                {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(to), rule.why});
        });
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

struct TemplateUse {
  std::uint64_t used = 0;
  std::string detail;  ///< the name of the largest thing measured, when there is one
};

// The longest key of the named sections (a logical ID, output, parameter or mapping name).
TemplateUse LongestName(const Value& root) {
  TemplateUse longest;
  for (const char* section : {"Resources", "Outputs", "Parameters", "Mappings", "Conditions"}) {
    const Value* s = root.Find(section);
    if (!s || !s->is_map()) continue;
    for (const auto& k : s->keys())
      if (k.name.size() > longest.used) longest = {k.name.size(), k.name};
  }
  return longest;
}

TemplateUse WidestMapping(const Value& root) {
  TemplateUse widest;
  if (const Value* maps = root.Find("Mappings"); maps && maps->is_map())
    for (std::size_t i = 0; i < maps->size(); ++i)
      if (maps->items()[i].size() > widest.used)
        widest = {maps->items()[i].size(), maps->keys()[i].name};
  return widest;
}

// What one template uses of `measure`; nullopt for measures the template alone does not fix
// (a package's bytes) or that only a whole nested tree has.
std::optional<TemplateUse> TemplateFigure(QuotaMeasure measure, const Value& root,
                                          std::uint64_t template_bytes,
                                          std::uint32_t expanded_resources) {
  switch (measure) {
    case QuotaMeasure::kResources:
      return TemplateUse{expanded_resources, ""};
    case QuotaMeasure::kOutputs:
      return TemplateUse{SectionSize(root, "Outputs"), ""};
    case QuotaMeasure::kParameters:
      return TemplateUse{SectionSize(root, "Parameters"), ""};
    case QuotaMeasure::kMappings:
      return TemplateUse{SectionSize(root, "Mappings"), ""};
    case QuotaMeasure::kTemplateBytes:
      return TemplateUse{template_bytes, ""};
    case QuotaMeasure::kNameLength:
      return LongestName(root);
    case QuotaMeasure::kMappingAttributes:
      return WidestMapping(root);
    case QuotaMeasure::kDynamicReferences:
      return TemplateUse{CountDynamicReferences(root), ""};
    case QuotaMeasure::kPackageBytes:
    case QuotaMeasure::kNone:
      break;
  }
  return std::nullopt;
}

// The section a count quota counts, so a finding points at it (the top of the file otherwise).
const char* SectionOf(QuotaMeasure measure) {
  switch (measure) {
    case QuotaMeasure::kResources:
      return "Resources";
    case QuotaMeasure::kOutputs:
      return "Outputs";
    case QuotaMeasure::kParameters:
      return "Parameters";
    case QuotaMeasure::kMappings:
      return "Mappings";
    default:
      return nullptr;
  }
}

void Finding(const QuotaUse& q, SourceLoc loc, DiagnosticSink& sink) {
  if (q.used > q.limit) {
    sink.Error("E3001", loc,
               q.what + ": " + std::to_string(q.used) + " of " + std::to_string(q.limit) +
                   " (over by " + std::to_string(q.used - q.limit) + ")" +
                   (q.detail.empty() ? "" : "; " + q.detail));
  } else if (q.near) {
    sink.Warning("W3002", loc,
                 q.what + ": " + std::to_string(q.used) + " of " + std::to_string(q.limit) + " (" +
                     std::to_string(static_cast<int>(std::floor(q.share() * 100))) + "%)");
  }
}

}  // namespace

std::uint64_t ApproxJsonBytes(const Value& v, int depth) {
  std::uint64_t indent = static_cast<std::uint64_t>(depth) * 2 + 2;  // indentation + ",\n"
  if (v.is_scalar()) return v.text().size() + 2 + indent;
  std::uint64_t n = 2 + indent;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.is_map()) n += v.keys()[i].name.size() + 4;
    n += ApproxJsonBytes(v.items()[i], depth + 1);
  }
  return n;
}

std::vector<QuotaUse> MeasureQuotas(const Value& root, std::uint64_t template_bytes,
                                    std::uint32_t expanded_resources, const RuleSet& rules) {
  std::vector<QuotaUse> uses;
  for (const Quota& quota : rules.quotas) {
    if (quota.scope != QuotaScope::kTemplate && quota.scope != QuotaScope::kStack) continue;
    auto figure = TemplateFigure(quota.measure, root, template_bytes, expanded_resources);
    if (!figure) continue;
    QuotaUse use{quota.key,     quota.label, figure->used, quota.value, std::move(figure->detail),
                 quota.measure, false};
    use.near = !use.over() && use.share() >= rules.quotas.NearShare();
    uses.push_back(std::move(use));
  }
  return uses;
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
    const char* section = SectionOf(q.measure);
    const Value* node = section ? model.Section(section) : nullptr;
    Finding(q, node ? node->loc() : top, sink);
  }
  std::uint64_t max_layers = rules.Limit(quota::kLambdaLayers);
  for (const auto& f : model.functions) {
    if (f.layers.size() > max_layers)
      sink.Error("E3003", model.FindResource(f.resource_id)->loc,
                 "function " + f.resource_id + " has " + std::to_string(f.layers.size()) +
                     " layers; Lambda allows " + std::to_string(max_layers));
  }
  return a;
}

}  // namespace cfnsplit
