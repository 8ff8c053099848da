// Which route each deployed resource takes to its new stack (rules/refactor.yaml).
#include <sys/stat.h>

#include "cfnsplit/load.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/verify.hpp"
#include "migrate/internal.hpp"

namespace cfnsplit {

const char* MoveRouteName(MoveRoute r) {
  switch (r) {
    case MoveRoute::kStay:
      return "stay";
    case MoveRoute::kRefactor:
      return "refactor";
    case MoveRoute::kImport:
      return "import";
    case MoveRoute::kRecreate:
      return "recreate";
    case MoveRoute::kImpossible:
      return "impossible";
    case MoveRoute::kCreate:
      return "create";
    case MoveRoute::kDelete:
      return "delete";
  }
  return "stay";
}

std::optional<Value> ReadDeployedTemplate(const std::string& path, SourceManager& sources,
                                          DiagnosticSink& sink, DeployedLayout* layout) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    // A previous cfnsplit output directory: its stacks are a split of one template.
    auto split = ReassembleOutputDir(path, sources, sink);
    if (!split) return std::nullopt;
    if (layout) {
      layout->mode = split->mode;
      layout->base_stack = split->stacks.front().stack_name;
      for (const ReassembledSplit::Stack& s : split->stacks) {
        layout->stacks.push_back(s.name);
        for (const std::string& id : s.resources) layout->homes[id] = s.name;
        if (!s.resource_id.empty()) layout->child_resources[s.name] = s.resource_id;
        if (split->mode == WiringMode::kNested)
          layout->deployed_templates.emplace_back(s.path, s.deployed);
      }
    }
    return std::move(split->tmpl);
  }
  auto doc = LoadFile(path, sources, sink);
  if (!doc) return std::nullopt;
  const Value* body = doc->is_map() ? doc->Find("TemplateBody") : nullptr;
  if (!body) {
    if (doc->is_map() && doc->Find("Resources")) return doc;
    sink.Error("E1001", doc->loc(),
               "the deployed template has neither 'TemplateBody' (get-template output) nor "
               "'Resources'");
    return std::nullopt;
  }
  if (body->is_map()) return Value(*body);
  if (!body->is_string()) {
    sink.Error("E1001", body->loc(), "'TemplateBody' must be a template or a string holding one");
    return std::nullopt;
  }
  // get-template returns a YAML body as a string; parse it as its own source.
  std::uint32_t id = sources.Add(path + "#TemplateBody", body->text());
  return ParseDocument(id, sources, sink);
}

namespace migrate {

std::string DeployedStackOf(const std::string& id, const std::string& base,
                            const DeployedLayout& layout) {
  auto it = layout.homes.find(id);
  if (it == layout.homes.end() || layout.stacks.empty() || it->second == layout.stacks[0])
    return base;
  return StackNameIn(layout, base, it->second);
}

std::string StackNameIn(const DeployedLayout& layout, const std::string& base,
                        const std::string& plan_name) {
  auto named = layout.stack_names.find(plan_name);
  return named != layout.stack_names.end() ? named->second : base + "-" + plan_name;
}

bool IsNamed(const Resource& r, const RuleSet& rules) {
  const TypeFact* f = RefactorRules::Find(rules.refactor.name_properties, r.type);
  return f && r.properties && r.properties->is_map() && r.properties->Find(f->detail);
}

bool IsStateful(const Resource& r, const RuleSet& rules) {
  if (rules.ClassOf(r.type) == LifecycleClass::kStateful) return true;
  const LifecycleRule* rule = rules.RuleFor(r.type);
  bool keeps = r.deletion_policy == "Retain" || r.deletion_policy == "Snapshot";
  return keeps && !(rule && rule->retain_is_history);
}

// The own-stack pseudo parameter (AWS::StackId, AWS::NotificationARNs) `r` reads that the
// prepare step cannot make explicit, or "".
std::string BlockingPseudo(const TemplateModel& m, const Resource& r, const RuleSet& rules) {
  for (const Reference& ref : m.references) {
    if (ref.site != SiteKind::kResource || ref.from != r.id || ref.target != TargetKind::kPseudo)
      continue;
    const TypeFact* f = RefactorRules::Find(rules.refactor.own_stack_pseudo, ref.to);
    if (f && f->detail != "true") return ref.to;
  }
  return "";
}

// Why stack refactoring cannot move `r` ("" when it can).
std::string RefactorBlocker(const TemplateModel& m, const Resource& r, const RuleSet& rules) {
  if (const TypeFact* f = RefactorRules::Find(rules.refactor.deny, r.type))
    return r.type + " is on stack refactoring's deny-list (" + f->source + ")";
  if (const TypeFact* f = RefactorRules::Find(rules.refactor.not_fully_mutable, r.type))
    return r.type + " is " + f->detail + ", not FULLY_MUTABLE (" + f->source + ")";
  std::string pseudo = BlockingPseudo(m, r, rules);
  if (!pseudo.empty())
    return "it reads " + pseudo +
           ", whose value differs between stacks (stack refactoring "
           "refuses it)";
  return "";
}

// The route for a resource refactoring cannot move, with its reason.
MoveRoute FallbackRoute(const Resource& r, const RuleSet& rules, bool allow_recreate,
                        std::string& reason, bool& forced) {
  const RefactorRules& rr = rules.refactor;
  const TypeFact* safe = RefactorRules::Find(rr.recreate_safe, r.type);
  bool named = IsNamed(r, rules), stateful = IsStateful(r, rules);
  if (safe && !named && !stateful) {
    reason += "; recreated: " + safe->detail;
    return MoveRoute::kRecreate;
  }
  const TypeFact* importable = RefactorRules::Find(rr.importable, r.type);
  if (importable && !RefactorRules::Find(rr.not_importable, r.type)) {
    reason += "; imported (Retain, remove, IMPORT by " + importable->detail + ", " +
              importable->source + ")";
    return MoveRoute::kImport;
  }
  std::string why = stateful ? "it holds data"
                    : named  ? "its physical name is fixed"
                             : "it is not known to be stateless";
  if (allow_recreate) {
    forced = true;
    reason += "; recreated because --allow-recreate names it although " + why;
    return MoveRoute::kRecreate;
  }
  reason += "; " + why + " and " + r.type +
            (RefactorRules::Find(rr.not_importable, r.type) ? " cannot be imported"
                                                            : " is not known to be importable");
  return MoveRoute::kImpossible;
}

}  // namespace migrate

std::vector<ResourceMove> ClassifyMoves(const TemplateModel& deployed,
                                        const std::string& deployed_stack,
                                        const TemplateModel& target, const SplitPlan& plan,
                                        const RuleSet& rules,
                                        const std::set<std::string>& allow_recreate,
                                        const DeployedLayout& layout) {
  std::map<std::string, int> home = plan.StackIndex();
  auto stack_name = [&](int i) {
    return i == 0 ? deployed_stack
                  : deployed_stack + "-" + plan.stacks[static_cast<std::size_t>(i)].name;
  };
  std::vector<ResourceMove> out;
  for (const Resource& r : deployed.resources) {
    ResourceMove mv{r.id, r.type,           migrate::DeployedStackOf(r.id, deployed_stack, layout),
                    "",   MoveRoute::kStay, "",
                    false};
    auto it = home.find(r.id);
    if (!target.FindResource(r.id) || it == home.end() || it->second < 0) {
      mv.route = MoveRoute::kDelete;
      mv.reason = "no longer in the template: deleted by the finish step";
    } else if (stack_name(it->second) == mv.from_stack) {
      mv.to_stack = mv.from_stack;
    } else {
      mv.to_stack = stack_name(it->second);
      mv.reason = migrate::RefactorBlocker(deployed, r, rules);
      if (mv.reason.empty()) {
        mv.route = MoveRoute::kRefactor;
        mv.reason = "moved by stack refactoring";
      } else {
        mv.route =
            migrate::FallbackRoute(r, rules, allow_recreate.count(r.id) > 0, mv.reason, mv.forced);
      }
    }
    out.push_back(std::move(mv));
  }
  for (const Resource& r : target.resources) {
    auto it = home.find(r.id);
    if (deployed.FindResource(r.id) || it == home.end() || it->second < 0) continue;
    out.push_back({r.id, r.type, "", stack_name(it->second), MoveRoute::kCreate,
                   "not deployed yet: created by the finish step", false});
  }
  migrate::CloseOverGaps(deployed, rules, allow_recreate, out);
  return out;
}

std::string MoveRouteFor(const TemplateModel& model, const std::string& id, const RuleSet& rules) {
  const Resource* r = model.FindResource(id);
  if (!r) return "";
  std::string reason = migrate::RefactorBlocker(model, *r, rules);
  if (reason.empty()) return MoveRouteName(MoveRoute::kRefactor);
  bool forced = false;
  return MoveRouteName(migrate::FallbackRoute(*r, rules, false, reason, forced));
}

std::map<std::string, std::string> UnmovableResources(const TemplateModel& deployed,
                                                      const RuleSet& rules) {
  std::map<std::string, std::string> out;
  for (const Resource& r : deployed.resources) {
    std::string reason = migrate::RefactorBlocker(deployed, r, rules);
    if (reason.empty()) continue;
    bool forced = false;
    if (migrate::FallbackRoute(r, rules, false, reason, forced) == MoveRoute::kImpossible)
      out[r.id] = "deployed, and cannot move without replacement: " + reason;
  }
  return out;
}

}  // namespace cfnsplit

namespace cfnsplit::migrate {

bool IsDataReference(const Reference& ref) {
  return ref.site == SiteKind::kResource && ref.target == TargetKind::kResource &&
         (ref.kind == RefKind::kRef || ref.kind == RefKind::kGetAtt || ref.kind == RefKind::kSub);
}

void CloseOverGaps(const TemplateModel& deployed, const RuleSet& rules,
                   const std::set<std::string>& allow_recreate, std::vector<ResourceMove>& moves) {
  std::map<std::string, ResourceMove*> by_id;
  for (ResourceMove& m : moves)
    if (!m.from_stack.empty()) by_id[m.id] = &m;
  auto in_gap = [](const ResourceMove* m) {
    return m->route == MoveRoute::kImport || m->route == MoveRoute::kRecreate ||
           m->route == MoveRoute::kDelete;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const Reference& ref : deployed.references) {
      if (!IsDataReference(ref) || ref.from == ref.to) continue;
      auto target = by_id.find(ref.to);
      auto reader = by_id.find(ref.from);
      if (target == by_id.end() || reader == by_id.end() || !in_gap(target->second)) continue;
      ResourceMove& r = *reader->second;
      if (in_gap(&r) || r.route == MoveRoute::kImpossible || r.route == MoveRoute::kDelete)
        continue;
      const Resource* res = deployed.FindResource(r.id);
      std::string why = "it reads " + ref.to + ", which leaves its stack for a while (" +
                        MoveRouteName(target->second->route) + ")";
      bool forced = false;
      MoveRoute route = FallbackRoute(*res, rules, allow_recreate.count(r.id) > 0, why, forced);
      r.route = route == MoveRoute::kImport ? MoveRoute::kImpossible : route;
      r.forced = forced;
      r.reason = why;
      changed = true;
    }
  }
}

}  // namespace cfnsplit::migrate
