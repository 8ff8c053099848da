// A nested plan as the migration's target. Stack refactoring may not change a parent's
// AWS::CloudFormation::Stack resources, so resources cannot be refactored into nested children.
// The route: migrate to the plan's exports-mode twin (same placements; the children are stacks
// of their own named <base>-<Child>), then nest the children into the parent by resource import
// (UserGuide resource-import-nested-stacks.html: an IMPORT change set on the parent whose
// template adds AWS::CloudFormation::Stack resources with a DeletionPolicy, identified by
// StackId; one level of nesting; the stack resource's template and tags must match the stack),
// then switch the wiring from Export/ImportValue to the parent's parameters and GetAtt
// Child.Outputs in one update of the parent that keeps every old export (an export in use
// cannot go), and remove the exports in a last update.
#include <algorithm>

#include "cfnsplit/verify.hpp"
#include "cfnsplit/writer.hpp"
#include "migrate/planner.hpp"

namespace cfnsplit::migrate {
namespace {

// A resource reading another so that, in different stacks, the reader's stack depends on the
// other's: Ref, GetAtt, Sub, and DependsOn (exports mode orders stacks by an import for it).
bool OrdersStacks(const Reference& ref) {
  return ref.site == SiteKind::kResource && ref.target == TargetKind::kResource &&
         (ref.kind == RefKind::kRef || ref.kind == RefKind::kGetAtt || ref.kind == RefKind::kSub ||
          ref.kind == RefKind::kDependsOn);
}

// Resources of the parent that read a child which reads the parent (directly or through other
// children), and every resource that reads one of those: while the children are stacks of
// their own (exports mode) the two stacks would depend on each other, which no deploy order
// allows, so no exports-mode state holds them (→ reason per resource). A nested parent may
// hold them: CloudFormation orders the parent's resources and its stack resources one by one.
std::map<std::string, std::string> NestGapResources(const TemplateModel& target,
                                                    const SplitPlan& plan) {
  std::map<std::string, std::string> home;
  for (const StackPlan& sp : plan.stacks)
    for (const std::string& id : sp.resources) home[id] = sp.name;
  const std::string& parent = plan.stacks.front().name;
  auto stack_of = [&](const std::string& id) {
    auto it = home.find(id);
    return it == home.end() ? parent : it->second;
  };
  std::map<std::string, std::set<std::string>> reads;  // stack → stacks it depends on
  for (const Reference& ref : target.references)
    if (OrdersStacks(ref) && stack_of(ref.from) != stack_of(ref.to))
      reads[stack_of(ref.from)].insert(stack_of(ref.to));
  auto reaches_parent = [&](const std::string& from) { return ReadsReach(reads, from, parent); };
  std::map<std::string, std::string> out;
  for (const Reference& ref : target.references) {
    if (!OrdersStacks(ref) || stack_of(ref.from) != parent || stack_of(ref.to) == parent ||
        out.count(ref.from) || !reaches_parent(stack_of(ref.to)))
      continue;
    out[ref.from] = "it reads " + ref.to + " of the child " + stack_of(ref.to) +
                    ", which reads the parent: while the children are stacks of their own "
                    "(exports mode, before they are nested) the two would depend on each other";
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const Reference& ref : target.references)
      if (OrdersStacks(ref) && out.count(ref.to) && !out.count(ref.from) &&
          target.FindResource(ref.from)) {
        out[ref.from] = "it reads " + ref.to + ", which is away until the parent is nested";
        grew = true;
      }
  }
  return out;
}

// A name as CloudFormation will see it in stack `stack` of template `tmpl`: a literal, or a Sub
// whose variables are AWS::StackName and parameters with a default (cfnsplit's BaseStackName);
// else its JSON (compared as is).
std::string NameIn(const Value& name, const Value& tmpl, const std::string& stack) {
  if (name.is_string()) return name.text();
  const Value* sub = name.is_map() ? name.Find("Fn::Sub") : nullptr;
  if (!sub || !sub->is_string()) return WriteJson(name);
  std::string text = sub->text(), out;
  const Value* params = tmpl.Find("Parameters");
  for (std::size_t at = 0; at < text.size();) {
    std::size_t open = text.find("${", at);
    if (open == std::string::npos) {
      out += text.substr(at);
      break;
    }
    std::size_t close = text.find('}', open);
    if (close == std::string::npos) return WriteJson(name);
    out += text.substr(at, open - at);
    std::string var = text.substr(open + 2, close - open - 2);
    const Value* p = params ? params->Find(var) : nullptr;
    const Value* def = p && p->is_map() ? p->Find("Default") : nullptr;
    if (var == "AWS::StackName")
      out += stack;
    else if (def && def->is_string())
      out += def->text();
    else
      return WriteJson(name);
    at = close + 1;
  }
  return out;
}

std::string ExportName(const Value& output, const Value& tmpl, const std::string& stack) {
  const Value* exp = output.Find("Export");
  const Value* name = exp && exp->is_map() ? exp->Find("Name") : nullptr;
  return name ? NameIn(*name, tmpl, stack) : "";
}

// Every export name a template imports (Fn::ImportValue), as NameIn gives it.
void ImportedNames(const Value& v, const Value& tmpl, const std::string& stack,
                   std::set<std::string>& out) {
  if (v.is_map()) {
    if (const Value* arg = v.Find("Fn::ImportValue")) out.insert(NameIn(*arg, tmpl, stack));
    for (const Value& item : v.items()) ImportedNames(item, tmpl, stack, out);
  } else if (v.is_list()) {
    for (const Value& item : v.items()) ImportedNames(item, tmpl, stack, out);
  }
}

// `tmpl`'s outputs gain every exported output of `before` that another stack imports
// (`in_use`) and `tmpl` lacks, when its value still resolves in it (same resources): the export
// stays for one more update while its readers switch to parameters. The names of the exports
// kept go to `kept`.
void KeepOldExports(const Value& before, Value& tmpl, const std::string& stack,
                    const std::set<std::string>& in_use, const TemplateModel& like,
                    DiagnosticSink& sink, std::set<std::string>& kept) {
  const Value* old_outputs = before.Find("Outputs");
  if (!old_outputs || !old_outputs->is_map()) return;
  auto model = Remodel(before, like, sink);
  const Value* resources = tmpl.Find("Resources");
  for (std::size_t i = 0; i < old_outputs->size(); ++i) {
    const std::string& name = old_outputs->keys()[i].name;
    const Value& o = old_outputs->items()[i];
    if (!o.is_map() || !o.Find("Export") || !in_use.count(ExportName(o, before, stack))) continue;
    if (tmpl.Find("Outputs") && tmpl.Find("Outputs")->Find(name)) continue;
    bool resolvable = model != nullptr;
    for (const Reference& ref : model ? model->references : std::vector<Reference>{})
      if (ref.site == SiteKind::kOutput && ref.from == name &&
          ((ref.target == TargetKind::kResource && !(resources && resources->Find(ref.to))) ||
           (ref.target == TargetKind::kParameter &&
            !(tmpl.Find("Parameters") && tmpl.Find("Parameters")->Find(ref.to)))))
        resolvable = false;
    if (!resolvable) continue;
    if (!tmpl.Find("Outputs")) tmpl.Set("Outputs", Value::Map());
    tmpl.Find("Outputs")->Set(name, o);
    kept.insert(ExportName(o, before, stack));
  }
}

// An export the nested split moves to another stack (a root output the exports split had in
// the child holding its resource) stays where it was during the rewire: two stacks may not
// export one name. `own` holds the names this template keeps itself.
void DeferMovedExports(Value& tmpl, const std::string& stack, const std::set<std::string>& kept,
                       const std::set<std::string>& own) {
  Value* outputs = tmpl.Find("Outputs");
  if (!outputs || !outputs->is_map()) return;
  for (Value& o : outputs->items()) {
    if (!o.is_map() || !o.Find("Export")) continue;
    std::string name = ExportName(o, tmpl, stack);
    if (kept.count(name) && !own.count(name)) o.Erase("Export");
  }
}

// The parent during the rewire holds the kept exports beside the nested split's outputs; over
// the outputs quota, outputs the parent did not have before wait for the finish-nested step
// (only the root's own outputs: no stack reads them).
void TrimRewiredOutputs(Value& tmpl, const Value& before, const std::set<std::string>& own,
                        std::size_t limit) {
  Value* outputs = tmpl.Find("Outputs");
  const Value* had = before.Find("Outputs");
  if (!outputs || !outputs->is_map()) return;
  std::vector<std::string> late;
  for (std::size_t i = outputs->size(); i-- > 0;) {
    const std::string& name = outputs->keys()[i].name;
    if (!(had && had->Find(name)) && !own.count(ExportName(outputs->items()[i], tmpl, "")))
      late.push_back(name);
  }
  for (const std::string& name : late) {
    if (outputs->size() <= limit) break;
    outputs->Erase(name);
  }
}

Value RefTo(const std::string& name) {
  Value v = Value::Map();
  v.Set("Ref", Value::String(name));
  return v;
}

}  // namespace

std::optional<NestTarget> PrepareNestTarget(const TemplateModel& deployed,
                                            const TemplateModel& target, const SplitPlan& plan,
                                            const RuleSet& rules, const MigrateOptions& options,
                                            DiagnosticSink& sink) {
  NestTarget nest;
  nest.model = &target;
  nest.plan = &plan;
  nest.gap = NestGapResources(target, plan);
  bool ok = true;
  for (auto& [id, why] : nest.gap) {
    const Resource* r = deployed.FindResource(id);
    if (!r) continue;  // not deployed yet: created by the rewire step
    std::string reason = why;
    bool forced = false;
    if (FallbackRoute(*r, rules, options.allow_recreate.count(id) > 0, reason, forced) ==
        MoveRoute::kRecreate) {
      why = reason;
      continue;
    }
    std::string child = "Child";  // the stack of what it reads, for the --pin in the fix
    for (const Reference& ref : target.references)
      for (const StackPlan& sp : plan.stacks)
        if (&sp != &plan.stacks.front() && ref.from == id && OrdersStacks(ref) &&
            std::find(sp.resources.begin(), sp.resources.end(), ref.to) != sp.resources.end())
          child = sp.name;
    sink.Error("E8006", r->loc,
               "'" + id + "' (" + r->type + ") cannot reach the nested plan's parent: " + reason +
                   ". The route to a nested plan passes through an exports-mode split (the "
                   "children are nested by resource import only once they are stacks of their "
                   "own), where such a resource must be deleted and created again. Accept its "
                   "re-creation with --allow-recreate " +
                   id + ", or re-plan with it in the child it reads (e.g. --pin " + id + "=" +
                   child + ")");
    ok = false;
  }
  if (!ok) return std::nullopt;
  std::set<std::string> gone;
  for (const auto& [id, why] : nest.gap) gone.insert(id);
  nest.exports_model = Remodel(WithoutResources(target, gone), target, sink);
  if (!nest.exports_model) return std::nullopt;
  nest.exports_plan = plan;
  nest.exports_plan.options.mode = WiringMode::kExports;
  for (StackPlan& sp : nest.exports_plan.stacks)
    sp.resources.erase(std::remove_if(sp.resources.begin(), sp.resources.end(),
                                      [&](const std::string& id) { return gone.count(id) > 0; }),
                       sp.resources.end());
  return nest;
}

// Gap resources: deployed ones are deleted by the detach step (the exports-mode route does not
// have them) and created again by the rewire step; new ones are created there.
void MigrationPlanner::RouteNestGaps() {
  for (ResourceMove& m : out_.moves) {
    auto it = nest_->gap.find(m.id);
    if (it == nest_->gap.end() || m.route != MoveRoute::kDelete) continue;
    m.route = MoveRoute::kRecreate;
    m.to_stack = options_.deployed_stack;
    m.forced = it->second.find("because --allow-recreate") != std::string::npos;
    m.reason = it->second + "; deleted by the detach step, created again by the nest-rewire step";
  }
  for (const auto& [id, why] : nest_->gap)
    if (!deployed_.FindResource(id))
      if (const Resource* r = nest_->model->FindResource(id))
        out_.moves.push_back({id, r->type, "", options_.deployed_stack, MoveRoute::kCreate,
                              "not deployed yet: created by the nest-rewire step (" + why + ")",
                              false});
}

bool MigrationPlanner::NestedFinalState() {
  EmitOptions options = FinalEmitOptions(WiringMode::kNested);
  auto result = EmitStacks(*nest_->model, *nest_->plan, rules_, options, sink_);
  if (!result) return false;
  VerifyReport report = VerifyEmitted(*nest_->model, *result, rules_, VerifyOptions{}, sink_);
  if (!report.ok) {
    sink_.Error("E8004", {}, "the final nested split does not verify against the template");
    return false;
  }
  for (EmittedFile& f : RenderFiles(*result, options)) {
    f.path = "split/" + f.path;
    split_files_.push_back(std::move(f));
  }
  split_files_.push_back(
      {"split/README.md", DeploySummary(*nest_->model, *nest_->plan, *result, options)});
  nested_ = std::move(result);
  return true;
}

bool MigrationPlanner::NestSteps(std::size_t& n) {
  const std::string& base = options_.deployed_stack;
  const Value& parent_now = final_.templates.at(base);
  const Value* parent_params = parent_now.Find("Parameters");
  // 1. IMPORT change set on the parent: its template as the finish step left it plus one
  // stack resource per child, naming the child's template as deployed and passing the
  // parameter values the child has.
  MigrationStep nest;
  nest.folder = StepFolder(n++, "nest");
  nest.title = "Nest the children into the parent (IMPORT change set)";
  nest.what =
      "Adds to the parent, with an IMPORT change set, one AWS::CloudFormation::Stack resource "
      "(DeletionPolicy Retain) per child stack, identified by its StackId, whose TemplateURL "
      "names the child's template as deployed (uploaded by `aws cloudformation package`) and "
      "whose Parameters pass the values the child has; nothing else changes. Resource import "
      "nests an existing stack one level deep; the stack resource's template must match the "
      "stack's (UserGuide resource-import-nested-stacks.html). The children still export "
      "what the others import.";
  Value import_tmpl = parent_now;
  Value* resources = import_tmpl.Find("Resources");
  Value to_import = Value::List();
  for (std::size_t i = 1; i < nested_->stacks.size(); ++i) {
    const EmittedStack& child = nested_->stacks[i];
    const std::string stack = StackNameIn(options_.layout, base, child.name);
    auto now = final_.templates.find(stack);
    if (now == final_.templates.end()) {
      sink_.Error("E8006", {},
                  "the nested plan's child " + child.name +
                      " has no stack of its own in the exports-mode split it is reached "
                      "through, so there is nothing to nest; re-plan with fewer stacks");
      return false;
    }
    AddTemplate(nest.folder, stack, now->second);
    Value passed = Value::Map();
    if (const Value* params = now->second.Find("Parameters"); params && params->is_map())
      for (std::size_t k = 0; k < params->size(); ++k) {
        const std::string& name = params->keys()[k].name;
        const Value& def = params->items()[k];
        if (parent_params && parent_params->Find(name)) {
          passed.Set(name, RefTo(name));
        } else if (def.is_map() && def.Find("Default")) {
          passed.Set(name, *def.Find("Default"));
        } else {
          sink_.Error("E8006", {},
                      "the child stack " + stack + " has the parameter " + name +
                          " without a default, which its parent " + base +
                          " does not declare: the stack resource that nests it cannot pass "
                          "the value the stack has. Give " +
                          name + " a default in the template, then migrate again");
          return false;
        }
      }
    Value props = Value::Map();
    props.Set("TemplateURL", Value::String(stack + ".json"));
    if (passed.size() > 0) props.Set("Parameters", std::move(passed));
    Value def = Value::Map();
    def.Set("Type", Value::String("AWS::CloudFormation::Stack"));
    def.Set("DeletionPolicy", Value::String("Retain"));
    def.Set("Properties", std::move(props));
    resources->Set(child.resource_id, std::move(def));
    Value entry = Value::Map();
    entry.Set("ResourceType", Value::String("AWS::CloudFormation::Stack"));
    entry.Set("LogicalResourceId", Value::String(child.resource_id));
    Value ident = Value::Map();
    ident.Set("StackId", Value::String("@STACKID:" + stack + "@"));
    entry.Set("ResourceIdentifier", std::move(ident));
    to_import.Append(std::move(entry));
  }
  MigrationOp op;
  op.kind = MigrationOp::Kind::kImport;
  op.stacks.push_back({base, AddTemplate(nest.folder, base, import_tmpl)});
  op.resources_to_import = nest.folder + "/" + base + ".resources-to-import.json";
  files_.push_back({op.resources_to_import, WriteJson(to_import)});
  if (parent_params && parent_params->is_map())
    for (const auto& k : parent_params->keys()) op.parameters.push_back(k.name);
  op.package_children = true;
  nest.ops.push_back(std::move(op));
  out_.steps.push_back(std::move(nest));

  // 2. The nested wiring with every old export kept, 3. the nested split exactly.
  const EmittedStack& parent = nested_->stacks.front();
  std::vector<Value> rewired = {parent.tmpl};
  std::vector<std::string> names = {base};
  std::vector<std::set<std::string>> own(1);
  std::set<std::string> in_use;
  for (const auto& [stack, tmpl] : final_.templates) ImportedNames(tmpl, tmpl, stack, in_use);
  KeepOldExports(parent_now, rewired[0], base, in_use, *nest_->model, sink_, own[0]);
  for (std::size_t i = 1; i < nested_->stacks.size(); ++i) {
    rewired.push_back(nested_->stacks[i].tmpl);
    names.push_back(StackNameIn(options_.layout, base, nested_->stacks[i].name));
    own.emplace_back();
    KeepOldExports(final_.templates.at(names[i]), rewired[i], names[i], in_use, *nest_->model,
                   sink_, own[i]);
  }
  std::set<std::string> all_kept;
  for (const auto& k : own) all_kept.insert(k.begin(), k.end());
  const bool kept = !all_kept.empty();
  for (std::size_t i = 0; i < rewired.size(); ++i)
    DeferMovedExports(rewired[i], names[i], all_kept, own[i]);
  TrimRewiredOutputs(rewired[0], parent_now, own[0],
                     rules_.quotas.StackLimit(QuotaMeasure::kOutputs));
  auto update = [&](const std::string& folder, const Value& root,
                    const std::function<const Value&(std::size_t)>& child) {
    for (std::size_t i = 1; i < nested_->stacks.size(); ++i)
      files_.push_back({folder + "/" + nested_->stacks[i].path, WriteJson(child(i))});
    MigrationOp u;
    u.kind = MigrationOp::Kind::kUpdate;
    u.stacks.push_back({base, AddTemplate(folder, base, root)});
    u.package_children = true;
    return u;
  };
  if (kept) {
    MigrationStep rewire;
    rewire.folder = StepFolder(n++, "nest-rewire");
    rewire.title = "Rewire: the children read the parent's parameters (ordinary update)";
    rewire.what =
        "Updates the parent to the nested split (split/) with every export the stacks had "
        "kept: the children now take what they imported as parameters the parent passes, and "
        "the parent reads them by GetAtt Child.Outputs. No export goes while a stack still "
        "imports it (an export in use cannot be removed). Resources the exports-mode route "
        "could not hold are created here.";
    rewire.ops.push_back(update(rewire.folder, rewired[0],
                                [&](std::size_t i) -> const Value& { return rewired[i]; }));
    out_.steps.push_back(std::move(rewire));
  }
  MigrationStep finish;
  finish.folder = StepFolder(n++, "finish-nested");
  finish.title = "Finish: the nested split (ordinary update of the parent)";
  finish.what =
      "Updates the parent to cfnsplit's verified nested split (split/): the exports nobody "
      "imports any more go, the stack resources take their final DeletionPolicy.";
  finish.ops.push_back(update(finish.folder, parent.tmpl, [&](std::size_t i) -> const Value& {
    return nested_->stacks[i].tmpl;
  }));
  out_.steps.push_back(std::move(finish));
  return true;
}

}  // namespace cfnsplit::migrate
