// The intermediate states of a migration: each one an emission of the deployed template under a
// partial plan (some stacks already moved out), verified equal to the deployed template.
#include "migrate/states.hpp"

#include "cfnsplit/verify.hpp"

namespace cfnsplit::migrate {

namespace {

// Replaces every AWS::StackName in `v` by the deployed stack's name, so that a resource keeps
// the very value it had and no longer reads a pseudo parameter stack refactoring refuses.
void MakeStackNameExplicit(Value& v, const std::string& stack) {
  std::string_view fn = v.IntrinsicName();
  if (fn == "Ref" && v.IntrinsicArg().is_string() && v.IntrinsicArg().text() == "AWS::StackName") {
    v = Value::String(stack, v.loc());
    return;
  }
  if (fn == "Fn::Sub") {
    Value& arg = v.items().front();
    Value* text = arg.is_string()
                      ? &arg
                      : (arg.is_list() && !arg.items().empty() ? &arg.items()[0] : nullptr);
    if (text && text->is_string()) {
      std::string s = text->text();
      const std::string needle = "${AWS::StackName}";
      for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at))
        s.replace(at, needle.size(), stack), at += stack.size();
      *text = Value::String(s, text->loc());
    }
  }
  for (Value& child : v.items()) MakeStackNameExplicit(child, stack);
}

void DropDependsOn(Value& def, const std::set<std::string>& gone) {
  Value* d = def.Find("DependsOn");
  if (!d) return;
  if (d->is_string() && gone.count(d->text())) {
    def.Erase("DependsOn");
    return;
  }
  if (!d->is_list()) return;
  Value kept = Value::List(d->loc());
  for (const Value& item : d->items())
    if (!(item.is_string() && gone.count(item.text()))) kept.Append(item);
  if (kept.items().empty())
    def.Erase("DependsOn");
  else
    *d = kept;
}

}  // namespace

// Consumers import `${<root>}-<Stack>-<Name>` (every stack but the root is `<root>-<Stack>`);
// a stack under another name (an un-nested child) exports under that name all the same.
void NameExportsAsImported(State& state, const std::string& root, const std::string& plan_name,
                           const std::string& stack_name) {
  auto it = state.templates.find(stack_name);
  Value* outputs = it == state.templates.end() ? nullptr : it->second.Find("Outputs");
  if (!outputs || !outputs->is_map()) return;
  const std::string own = "${AWS::StackName}-";
  for (Value& o : outputs->items()) {
    Value* name = o.is_map() && o.Find("Export") ? o.Find("Export")->Find("Name") : nullptr;
    if (!name || name->IntrinsicName() != "Fn::Sub" || !name->IntrinsicArg().is_string()) continue;
    const std::string& text = name->IntrinsicArg().text();
    if (text.rfind(own, 0) != 0) continue;
    *name = Value::String(root + "-" + plan_name + "-" + text.substr(own.size()), name->loc());
  }
}

Value PreparedTemplate(const TemplateModel& deployed, const std::vector<ResourceMove>& moves,
                       const std::string& stack) {
  Value root = deployed.root();
  Value* resources = root.Find("Resources");
  for (const ResourceMove& m : moves) {
    Value* def = resources ? resources->Find(m.id) : nullptr;
    if (!def || !def->is_map()) continue;
    if (m.route == MoveRoute::kImport) def->Set("DeletionPolicy", Value::String("Retain"));
    if (m.route == MoveRoute::kRefactor) MakeStackNameExplicit(*def, stack);
  }
  return root;
}

Value WithoutResources(const TemplateModel& model, const std::set<std::string>& gone) {
  Value root = model.root();
  if (Value* resources = root.Find("Resources")) {
    for (const std::string& id : gone) resources->Erase(id);
    for (Value& def : resources->items())
      if (def.is_map()) DropDependsOn(def, gone);
  }
  // An output that reads a resource which is away for a while is away with it.
  std::set<std::string> outputs;
  for (const Reference& ref : model.references)
    if (ref.site == SiteKind::kOutput && gone.count(ref.to)) outputs.insert(ref.from);
  if (Value* section = root.Find("Outputs"))
    for (const std::string& name : outputs) section->Erase(name);
  return root;
}

std::unique_ptr<TemplateModel> Remodel(Value root, const TemplateModel& like,
                                       DiagnosticSink& sink) {
  DiagnosticSink local;
  auto model = BuildModel(std::move(root), like.path(), like.file(), local);
  if (!model || local.error_count() > 0) {
    for (const Diagnostic& d : local.diagnostics())
      if (d.severity == Severity::kError) sink.Report(d);
    return nullptr;
  }
  return model;
}

SplitPlan PartialPlan(const TemplateModel& model, const SplitPlan& plan,
                      const std::function<int(const std::string&)>& home) {
  SplitPlan out;
  out.options = plan.options;
  out.options.mode = WiringMode::kExports;
  out.options.pins.clear();
  for (const StackPlan& sp : plan.stacks) {
    StackPlan s;
    s.name = sp.name;
    s.role = sp.role;
    s.owner = sp.owner;
    out.stacks.push_back(std::move(s));
  }
  for (const Resource& r : model.resources) {
    int i = home(r.id);
    if (i < 0 || i >= static_cast<int>(out.stacks.size())) i = 0;
    out.stacks[static_cast<std::size_t>(i)].resources.push_back(r.id);
  }
  return out;
}

std::optional<State> EmitState(const TemplateModel& model, const SplitPlan& plan,
                               const RuleSet& rules, const std::string& stack, bool verify,
                               const std::string& what, DiagnosticSink& sink,
                               const std::map<std::string, std::string>& stack_names) {
  EmitOptions options;
  options.mode = WiringMode::kExports;
  options.format = TemplateFormat::kJson;
  options.stack_name = stack;
  options.max_root_outputs = rules.quotas.StackLimit(QuotaMeasure::kOutputs);
  options.max_root_parameters = rules.quotas.StackLimit(QuotaMeasure::kParameters);
  DiagnosticSink local;
  auto result = EmitStacks(model, plan, rules, options, local);
  bool ok = result.has_value() && local.error_count() == 0;
  if (ok && verify) {
    VerifyReport report = VerifyEmitted(model, *result, rules, VerifyOptions{}, local);
    ok = report.ok;
  }
  if (!ok) {
    for (const Diagnostic& d : local.diagnostics())
      if (d.severity == Severity::kError) sink.Report(d);
    sink.Error("E8004", {},
               "the migration state '" + what +
                   "' cannot be emitted as a verified split of the deployed "
                   "template (see the errors above)");
    return std::nullopt;
  }
  State state;
  std::map<std::string, std::string> by_plan_name;
  for (EmittedStack& es : result->stacks) {
    by_plan_name[es.name] = es.stack_name;
    state.templates[es.stack_name] = std::move(es.tmpl);
    state.plan_names[es.stack_name] = es.name;
  }
  for (const std::string& name : result->deploy_order) state.order.push_back(by_plan_name[name]);
  // The stacks of `stack_names` are emitted as `<stack>-<Name>` (so the split verifies as any
  // other) and then given their real names, their exports named as the others import them.
  for (const auto& [plan_name, real] : stack_names) {
    auto it = state.templates.find(stack + "-" + plan_name);
    if (it == state.templates.end()) continue;
    state.templates[real] = std::move(it->second);
    state.templates.erase(stack + "-" + plan_name);
    state.plan_names.erase(stack + "-" + plan_name);
    state.plan_names[real] = plan_name;
    for (std::string& name : state.order)
      if (name == stack + "-" + plan_name) name = real;
    NameExportsAsImported(state, stack, plan_name, real);
  }
  return state;
}

std::vector<std::string> ChangedStacks(const State& before, const State& after) {
  std::vector<std::string> out;
  for (const std::string& name : after.order) {
    auto it = before.templates.find(name);
    if (it == before.templates.end() || !it->second.Equals(after.templates.at(name)))
      out.push_back(name);
  }
  for (const std::string& name : before.order)
    if (!after.templates.count(name)) out.push_back(name);
  return out;
}

}  // namespace cfnsplit::migrate
