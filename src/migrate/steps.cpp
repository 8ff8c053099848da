// The numbered steps between the migration's states, with their files: prepare, detach, the
// refactor batches, import, finish.
#include <algorithm>
#include <cstdio>

#include "cfnsplit/writer.hpp"
#include "migrate/planner.hpp"

namespace cfnsplit::migrate {

std::string StepFolder(std::size_t number, const std::string& name) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02zu-", number);
  return buf + name;
}

bool MigrationPlanner::BuildSteps() {
  std::size_t n = 1 + unnest_steps_.size();
  for (MigrationStep& step : unnest_steps_) out_.steps.push_back(std::move(step));
  PrepareStep(n);
  DetachStep(n);
  RefactorSteps(n);
  ImportStep(n);
  FinishStep(n);
  if (nest_ && !NestSteps(n)) return false;
  out_.refactor_batches = batch_moves_.size();
  for (MigrationStep& step : out_.steps)
    for (MigrationOp& op : step.ops)
      if (op.kind != MigrationOp::Kind::kRefactor)
        for (const auto& [stack, file] : op.stacks)
          for (const std::string& p : user_parameters_[file]) op.user_parameters.push_back(p);
  for (const EmittedFile& f : split_files_) files_.push_back(f);
  auto more = RenderMigrationFiles(out_, options_.deployed_stack);
  files_.insert(files_.end(), more.begin(), more.end());
  return true;
}

void MigrationPlanner::PrepareStep(std::size_t& n) {
  MigrationStep step;
  step.folder = StepFolder(n++, "prepare");
  step.title = "Prepare (ordinary updates)";
  step.what =
      "Updates the deployed stack with everything a refactor may not do itself: DeletionPolicy "
      "Retain on resources the import route moves, AWS::StackName written out where a moved "
      "resource reads it (same value), and every parameter, condition and mapping the later "
      "states declare. Creates each new stack that receives resources by refactoring, holding "
      "only a placeholder (AWS::CloudFormation::WaitConditionHandle) and those declarations, "
      "with the deployed stack's parameter values.";
  const State& prep = states_.front();
  std::set<std::string> deployed = {options_.deployed_stack};
  for (std::size_t i = 1; i < options_.layout.stacks.size(); ++i)
    deployed.insert(
        StackNameIn(options_.layout, options_.deployed_stack, options_.layout.stacks[i]));
  for (const std::string& stack : prep.order) {
    if (!deployed.count(stack)) continue;
    MigrationOp update;
    update.kind = MigrationOp::Kind::kUpdate;
    update.stacks.push_back({stack, AddTemplate(step.folder, stack, prep.templates.at(stack))});
    step.ops.push_back(update);
  }
  created_.insert(deployed.begin(), deployed.end());
  // Stacks that receive a refactored resource exist before the first refactor.
  const State& last = batch_index_.empty() ? states_.front() : states_[batch_index_.back()];
  for (const std::string& stack : last.order) {
    if (created_.count(stack) || !shells_.count(stack)) continue;
    MigrationOp create;
    create.kind = MigrationOp::Kind::kCreate;
    create.stacks.push_back({stack, AddTemplate(step.folder, stack, shells_.at(stack))});
    step.ops.push_back(create);
    created_.insert(stack);
  }
  out_.steps.push_back(std::move(step));
}

void MigrationPlanner::RefactorSteps(std::size_t& n) {
  for (std::size_t b = 0; b < batch_moves_.size(); ++b) {
    const State& before = states_[batch_index_[b] - 1];
    const State& after = states_[batch_index_[b]];
    MigrationStep step;
    step.folder = StepFolder(n++, "refactor-" + std::to_string(b + 1));
    step.title =
        "Refactor batch " + std::to_string(b + 1) + " of " + std::to_string(batch_moves_.size());
    MigrationOp op;
    op.kind = MigrationOp::Kind::kRefactor;
    Value definitions = Value::List();
    Value mappings = Value::List();
    for (const std::string& stack : ChangedStacks(before, after)) {
      std::string file = AddTemplate(step.folder, stack, after.templates.at(stack));
      op.stacks.push_back({stack, file});
      Value def = Value::Map();
      def.Set("StackName", Value::String(stack));
      if (TooBigForBody(file)) {
        def.Set("TemplateURL", Value::String("@TEMPLATE_URL_PREFIX@/" + file));
        op.template_urls.push_back(stack);
      } else {
        def.Set("TemplateBody", Value::String(WriteJson(after.templates.at(stack))));
      }
      definitions.Append(std::move(def));
    }
    std::size_t moved = 0;
    for (const auto& [id, home] : refactor_home_) {
      bool now = batch_moves_[b].count(MoveUnit(id)) > 0;
      bool earlier = b > 0 && batch_moves_[b - 1].count(MoveUnit(id)) > 0;
      if (!now || earlier) continue;
      std::string to = StackNameOf(home);
      Value m = Value::Map();
      Value src = Value::Map(), dst = Value::Map();
      src.Set("StackName", Value::String(refactor_from_.at(id)));
      src.Set("LogicalResourceId", Value::String(id));
      dst.Set("StackName", Value::String(to));
      dst.Set("LogicalResourceId", Value::String(id));
      m.Set("Source", std::move(src));
      m.Set("Destination", std::move(dst));
      mappings.Append(std::move(m));
      ++moved;
      const std::string& type = prepared_->FindResource(id)->type;
      if (std::find(op.moved_types.begin(), op.moved_types.end(), type) == op.moved_types.end())
        op.moved_types.push_back(type);
    }
    op.stack_definitions = step.folder + "/stack-definitions.json";
    op.resource_mappings = step.folder + "/resource-mappings.json";
    files_.push_back({op.stack_definitions, WriteJson(definitions)});
    files_.push_back({op.resource_mappings, WriteJson(mappings)});
    step.what = "Moves " + std::to_string(moved) + " resource(s) across " +
                std::to_string(op.stacks.size()) +
                " stacks with one stack refactor (create-stack-refactor, check the actions, "
                "execute); every resource keeps its physical ID and configuration.";
    step.ops.push_back(std::move(op));
    out_.steps.push_back(std::move(step));
  }
}

void MigrationPlanner::DetachStep(std::size_t& n) {
  if (!gap_index_) return;
  const State& before = states_[gap_index_ - 1];
  const State& gap = states_[gap_index_];
  auto changed = ChangedStacks(before, gap);
  if (changed.empty()) return;  // what leaves left the parent with the children
  MigrationStep step;
  step.folder = StepFolder(n++, "detach");
  step.title = "Detach (ordinary update; the gap starts)";
  step.what =
      "Removes from the deployed stack, before any refactor, the resources that are "
      "re-created (" +
      std::to_string(recreate_.size()) +
      ": deleted now, created again by the finish step), imported (" +
      std::to_string(import_.size()) +
      ": DeletionPolicy Retain keeps them) or no "
      "longer in the template (" +
      std::to_string(delete_.size()) + "). migrate.sh records every physical ID first.";
  for (const std::string& stack : ReverseOrder(gap)) {
    if (std::find(changed.begin(), changed.end(), stack) == changed.end()) continue;
    MigrationOp op;
    op.kind = MigrationOp::Kind::kUpdate;
    op.stacks.push_back({stack, AddTemplate(step.folder, stack, gap.templates.at(stack))});
    step.ops.push_back(std::move(op));
  }
  out_.steps.push_back(std::move(step));
}

void MigrationPlanner::ImportStep(std::size_t& n) {
  if (!import_index_) return;
  const State& before = states_[import_index_ - 1];
  const State& imp = states_[import_index_];
  MigrationStep istep;
  istep.folder = StepFolder(n++, "import");
  istep.title = "Import (IMPORT change sets)";
  istep.what =
      "Takes each retained resource into its new stack with an IMPORT change set "
      "(resources-to-import; identifiers filled in from the recorded physical IDs). "
      "Stacks that only gain exports for them are updated first.";
  std::map<std::string, std::vector<std::string>> by_stack;
  for (const ResourceMove& m : out_.moves)
    if (m.route == MoveRoute::kImport) by_stack[m.to_stack].push_back(m.id);
  auto changed = ChangedStacks(before, imp);
  for (const std::string& stack : imp.order) {
    if (std::find(changed.begin(), changed.end(), stack) == changed.end()) continue;
    MigrationOp op;
    op.stacks.push_back({stack, AddTemplate(istep.folder, stack, imp.templates.at(stack))});
    if (!by_stack.count(stack)) {
      op.kind = MigrationOp::Kind::kUpdate;
    } else {
      op.kind = MigrationOp::Kind::kImport;
      Value list = Value::List();
      for (const std::string& id : by_stack[stack]) {
        const Resource* r = deployed_.FindResource(id);
        const TypeFact* f = RefactorRules::Find(rules_.refactor.importable, r->type);
        Value e = Value::Map();
        e.Set("ResourceType", Value::String(r->type));
        e.Set("LogicalResourceId", Value::String(id));
        Value ident = Value::Map();
        ident.Set(f->detail,
                  Value::String(
                      "@PHYSICAL:" + DeployedStackOf(id, options_.deployed_stack, options_.layout) +
                      ":" + id + "@"));
        e.Set("ResourceIdentifier", std::move(ident));
        list.Append(std::move(e));
      }
      if (const Value* params = imp.templates.at(stack).Find("Parameters"))
        for (const auto& k : params->keys()) op.parameters.push_back(k.name);
      op.stack_exists = created_.count(stack) > 0;
      op.resources_to_import = istep.folder + "/" + stack + ".resources-to-import.json";
      files_.push_back({op.resources_to_import, WriteJson(list)});
      created_.insert(stack);
    }
    istep.ops.push_back(std::move(op));
  }
  out_.steps.push_back(std::move(istep));
}

// Producers first with the final templates, keeping any export the previous state had that the
// final one drops (an export in use cannot go); then the exports nobody imports any more go.
void MigrationPlanner::FinishStep(std::size_t& n) {
  const State& last = states_.back();
  MigrationStep step;
  step.folder = StepFolder(n++, "finish");
  step.title = "Finish (ordinary updates to the split)";
  step.what =
      "Brings every stack to cfnsplit's verified split (split/): placeholders removed, "
      "re-created and new resources created, changed definitions applied, DeletionPolicy "
      "restored. Stale exports are kept for one update and removed after their readers.";
  std::vector<MigrationOp> cleanup;
  for (const std::string& stack : final_.order) {
    Value tmpl = final_.templates.at(stack);
    bool kept = false;
    auto prev = last.templates.find(stack);
    if (prev != last.templates.end()) {
      const Value* old_outputs = prev->second.Find("Outputs");
      const Value* resources = tmpl.Find("Resources");
      for (std::size_t i = 0; old_outputs && i < old_outputs->size(); ++i) {
        const Value& o = old_outputs->items()[i];
        const std::string& name = old_outputs->keys()[i].name;
        if (!o.Find("Export")) continue;
        const Value* now = tmpl.Find("Outputs") ? tmpl.Find("Outputs")->Find(name) : nullptr;
        if (now) continue;
        auto model = Remodel(prev->second, deployed_, sink_);
        bool resolvable = model != nullptr;
        for (const Reference& ref : model ? model->references : std::vector<Reference>{})
          if (ref.site == SiteKind::kOutput && ref.from == name &&
              ref.target == TargetKind::kResource && !(resources && resources->Find(ref.to)))
            resolvable = false;
        if (!resolvable) continue;
        if (!tmpl.Find("Outputs")) tmpl.Set("Outputs", Value::Map());
        tmpl.Find("Outputs")->Set(name, o);
        kept = true;
      }
    }
    MigrationOp op;
    op.kind = created_.count(stack) ? MigrationOp::Kind::kUpdate : MigrationOp::Kind::kCreate;
    std::string file = kept ? AddTemplate(step.folder + "/keep-exports", stack, tmpl)
                            : AddTemplate(step.folder, stack, final_.templates.at(stack));
    op.stacks.push_back({stack, file});
    step.ops.push_back(std::move(op));
    if (kept) {
      MigrationOp again;
      again.kind = MigrationOp::Kind::kUpdate;
      again.stacks.push_back({stack, AddTemplate(step.folder, stack, final_.templates.at(stack))});
      cleanup.push_back(std::move(again));
    }
  }
  std::reverse(cleanup.begin(), cleanup.end());
  for (MigrationOp& op : cleanup) step.ops.push_back(std::move(op));
  // A deployed stack the split lacks holds only its placeholder by now, and nothing imports
  // from it any more (its readers have their final templates): it is deleted last.
  for (const std::string& stack : last.order)
    if (!final_.templates.count(stack)) {
      MigrationOp del;
      del.kind = MigrationOp::Kind::kDelete;
      del.stacks.push_back({stack, ""});
      step.ops.push_back(std::move(del));
    }
  out_.steps.push_back(std::move(step));
}

}  // namespace cfnsplit::migrate
