// Un-nesting a deployed nested split: its children become stacks of their own, so that the
// exports-mode migration (prepare, refactor, import, finish) can take resources out of them.
// A nested child cannot simply be moved out of by refactoring: its parent passes its parameters
// and reads its outputs through AWS::CloudFormation::Stack resources, which a refactor may not
// change, and every later update of the parent re-deploys the child from its TemplateURL, which
// would bring moved resources back. Retaining and removing the stack resources (DeletionPolicy
// Retain on a nested stack keeps it, UserGuide aws-attribute-deletionpolicy.html) ends that.
#include <set>

#include "cfnsplit/migrate.hpp"
#include "cfnsplit/writer.hpp"
#include "migrate/internal.hpp"

namespace cfnsplit {

namespace {

bool IsStackResource(const Value& def) {
  const Value* type = def.is_map() ? def.Find("Type") : nullptr;
  return type && type->is_string() && type->text() == "AWS::CloudFormation::Stack";
}

// "Child.Outputs.X" → {"Child", "X"} when Child is a child stack resource.
bool SplitOutputName(const std::string& dotted, const std::map<std::string, std::string>& names,
                     std::string& child, std::string& output) {
  const std::string mid = ".Outputs.";
  auto at = dotted.find(mid);
  if (at == std::string::npos || !names.count(dotted.substr(0, at))) return false;
  child = dotted.substr(0, at);
  output = dotted.substr(at + mid.size());
  return true;
}

std::string OutputPlaceholder(const std::map<std::string, std::string>& names,
                              const std::string& child, const std::string& output) {
  return "@OUTPUT:" + names.at(child) + ":" + output + "@";
}

class ChildReadRewriter {
 public:
  ChildReadRewriter(const std::map<std::string, std::string>& names, std::string& problem)
      : names_(names), problem_(problem) {}

  void Rewrite(Value& v) {
    std::string_view fn = v.IntrinsicName();
    if (fn == "Fn::GetAtt") {
      RewriteGetAtt(v);
      return;
    }
    if (fn == "Ref" && v.IntrinsicArg().is_string() && names_.count(v.IntrinsicArg().text())) {
      Problem("Ref " + v.IntrinsicArg().text() + " (the child stack's ID)");
      return;
    }
    if (fn == "Fn::Sub") RewriteSub(v.items().front());
    for (Value& child : v.items()) Rewrite(child);
  }

 private:
  void Problem(const std::string& what) {
    if (problem_.empty())
      problem_ = "the parent reads " + what +
                 ", which no literal value can stand for once the child is a stack of its own";
  }

  void RewriteGetAtt(Value& v) {
    const Value& arg = v.IntrinsicArg();
    std::string dotted;
    if (arg.is_string()) dotted = arg.text();
    if (arg.is_list() && arg.size() == 2 && arg.items()[0].is_string() &&
        arg.items()[1].is_string())
      dotted = arg.items()[0].text() + "." + arg.items()[1].text();
    std::string child, output;
    if (SplitOutputName(dotted, names_, child, output)) {
      v = Value::String(OutputPlaceholder(names_, child, output), v.loc());
      return;
    }
    std::string target = dotted.substr(0, dotted.find('.'));
    if (names_.count(target)) Problem("GetAtt " + dotted);
  }

  // ${Child.Outputs.X} in a Sub text becomes the placeholder itself.
  void RewriteSub(Value& arg) {
    Value* text =
        arg.is_string() ? &arg : (arg.is_list() && arg.size() > 0 ? &arg.items()[0] : nullptr);
    if (!text || !text->is_string()) return;
    std::string s = text->text(), out;
    std::size_t i = 0;
    while (true) {
      std::size_t open = s.find("${", i);
      std::size_t close = open == std::string::npos ? open : s.find('}', open);
      if (close == std::string::npos) break;
      std::string child, output;
      if (SplitOutputName(s.substr(open + 2, close - open - 2), names_, child, output)) {
        out += s.substr(i, open - i) + OutputPlaceholder(names_, child, output);
      } else {
        out += s.substr(i, close + 1 - i);
      }
      i = close + 1;
    }
    *text = Value::String(out + s.substr(i), text->loc());
  }

  const std::map<std::string, std::string>& names_;
  std::string& problem_;
};

void DropDependsOn(Value& def, const std::set<std::string>& names) {
  Value* d = def.is_map() ? def.Find("DependsOn") : nullptr;
  if (!d) return;
  Value kept = Value::List(d->loc());
  for (const Value& item : d->is_list() ? d->items() : std::vector<Value>{*d})
    if (!(item.is_string() && names.count(item.text()))) kept.Append(item);
  if (kept.items().empty())
    def.Erase("DependsOn");
  else
    *d = kept;
}

}  // namespace

std::vector<std::string> NameNestedChildren(DeployedLayout& layout,
                                            const std::map<std::string, std::string>& names,
                                            const SplitPlan& plan) {
  std::vector<std::string> missing;
  for (const auto& [child, resource] : layout.child_resources)
    if (!names.count(resource)) missing.push_back(resource);
  if (!missing.empty()) return missing;
  std::set<std::string> planned, taken(layout.stacks.begin(), layout.stacks.end());
  for (const StackPlan& sp : plan.stacks) planned.insert(sp.name);
  taken.insert(planned.begin(), planned.end());
  std::map<std::string, std::string> renamed;  // child plan name → its name in the migration
  for (std::size_t i = 1; i < layout.stacks.size(); ++i) {
    std::string& name = layout.stacks[i];
    auto resource = layout.child_resources.find(name);
    if (resource == layout.child_resources.end()) continue;
    // Named after its stack resource (a logical ID, so a valid stack name, where a child read
    // from a directory is named after its file); a child is another stack than the plan's
    // stack of the same name: it gets its own.
    const std::string& stem = resource->second;
    std::string fresh = stem;
    for (int n = 1; planned.count(fresh) || (fresh != name && taken.count(fresh)); ++n)
      fresh = stem + "Nested" + (n > 1 ? std::to_string(n) : "");
    taken.insert(fresh);
    layout.stack_names[fresh] = names.at(resource->second);
    renamed[name] = fresh;
    name = fresh;
  }
  for (auto& [id, home] : layout.homes)
    if (renamed.count(home)) home = renamed.at(home);
  std::map<std::string, std::string> children;
  for (const auto& [child, resource] : layout.child_resources)
    children[renamed.count(child) ? renamed.at(child) : child] = resource;
  layout.child_resources = std::move(children);
  return missing;
}

Value RetainChildrenTemplate(const Value& parent) {
  Value out = parent;
  if (Value* res = out.Find("Resources"); res && res->is_map())
    for (Value& def : res->items())
      if (IsStackResource(def)) {
        def.Set("DeletionPolicy", Value::String("Retain"));
        def.Set("UpdateReplacePolicy", Value::String("Retain"));
      }
  return out;
}

Value UnnestedParentTemplate(const Value& parent, const std::map<std::string, std::string>& names,
                             std::string& problem) {
  Value out = parent;
  ChildReadRewriter rewriter(names, problem);
  if (Value* res = out.Find("Resources"); res && res->is_map()) {
    std::set<std::string> children;
    for (const auto& [resource, stack] : names) children.insert(resource);
    for (const std::string& resource : children) res->Erase(resource);
    for (Value& def : res->items()) {
      DropDependsOn(def, children);
      rewriter.Rewrite(def);
    }
    // A parent that held only its children keeps a placeholder: no stack may be empty.
    if (res->size() == 0) {
      Value placeholder = Value::Map();
      placeholder.Set("Type", Value::String("AWS::CloudFormation::WaitConditionHandle"));
      res->Set(migrate::kPlaceholderId, std::move(placeholder));
    }
  }
  if (Value* outputs = out.Find("Outputs"); outputs && outputs->is_map())
    for (Value& o : outputs->items()) rewriter.Rewrite(o);
  // Conditions cannot read a child's output (only parameters and other conditions): they stay;
  // an emitter's condition guarding only children is unused once they are gone, which
  // CloudFormation accepts.
  return out;
}

namespace migrate {

namespace {

// True when `v` reads one of `ids` (Ref, GetAtt, or a Sub variable).
bool ReadsAny(const Value& v, const std::set<std::string>& ids) {
  std::string_view fn = v.IntrinsicName();
  if ((fn == "Ref" || fn == "Fn::GetAtt") && !v.IntrinsicArg().is_map()) {
    const Value& arg = v.IntrinsicArg();
    std::string name = arg.is_string() ? arg.text()
                       : arg.is_list() && arg.size() > 0 && arg.items()[0].is_string()
                           ? arg.items()[0].text()
                           : "";
    if (ids.count(name.substr(0, fn == "Ref" ? std::string::npos : name.find('.')))) return true;
  }
  if (fn == "Fn::Sub") {
    const Value& arg = v.IntrinsicArg();
    const Value* text =
        arg.is_string() ? &arg : (arg.is_list() && arg.size() ? &arg.items()[0] : nullptr);
    for (const std::string& id : ids)
      if (text && text->is_string() &&
          (text->text().find("${" + id + "}") != std::string::npos ||
           text->text().find("${" + id + ".") != std::string::npos))
        return true;
  }
  for (const Value& child : v.items())
    if (ReadsAny(child, ids)) return true;
  return false;
}

// The parent's resources in `gone` leave with the children; so do the outputs reading them.
void RemoveFromParent(Value& parent, const std::set<std::string>& gone) {
  if (gone.empty()) return;
  if (Value* res = parent.Find("Resources"); res && res->is_map()) {
    for (const std::string& id : gone) res->Erase(id);
    for (Value& def : res->items()) DropDependsOn(def, gone);
  }
  if (Value* outputs = parent.Find("Outputs"); outputs && outputs->is_map()) {
    std::vector<std::string> reading;
    for (std::size_t i = 0; i < outputs->size(); ++i)
      if (ReadsAny(outputs->items()[i], gone)) reading.push_back(outputs->keys()[i].name);
    for (const std::string& name : reading) outputs->Erase(name);
  }
}

}  // namespace

bool ReadsReach(const std::map<std::string, std::set<std::string>>& reads, const std::string& from,
                const std::string& target) {
  std::set<std::string> seen;
  std::vector<std::string> todo = {from};
  while (!todo.empty()) {
    std::string s = todo.back();
    todo.pop_back();
    if (!seen.insert(s).second) continue;
    auto it = reads.find(s);
    if (it == reads.end()) continue;
    for (const std::string& next : it->second) {
      if (next == target) return true;
      todo.push_back(next);
    }
  }
  return false;
}

std::set<std::string> CyclicParentReaders(const TemplateModel& deployed,
                                          const DeployedLayout& layout,
                                          std::map<std::string, std::string>& why) {
  std::set<std::string> out;
  if (layout.stacks.empty()) return out;
  const std::string& parent = layout.stacks.front();
  auto home = [&](const std::string& id) {
    auto it = layout.homes.find(id);
    return it == layout.homes.end() ? parent : it->second;
  };
  std::map<std::string, std::set<std::string>> reads;  // stack → stacks it reads
  for (const Reference& ref : deployed.references)
    if (IsDataReference(ref) && home(ref.from) != home(ref.to))
      reads[home(ref.from)].insert(home(ref.to));
  auto reaches_parent = [&](const std::string& from) { return ReadsReach(reads, from, parent); };
  for (const Reference& ref : deployed.references) {
    if (!IsDataReference(ref) || home(ref.from) != parent || home(ref.to) == parent) continue;
    if (out.count(ref.from) || !reaches_parent(home(ref.to))) continue;
    out.insert(ref.from);
    auto child = layout.child_resources.find(home(ref.to));
    why[ref.from] = "it reads " + ref.to + " of the nested child " +
                    (child == layout.child_resources.end() ? home(ref.to) : child->second) +
                    ", which reads the parent: as stacks of their own they would import from "
                    "each other, so it leaves the parent while the children are un-nested";
  }
  return out;
}

std::set<std::string> LeaveParentWithChildren(const TemplateModel& deployed,
                                              const DeployedLayout& layout, const RuleSet& rules,
                                              const std::set<std::string>& allow_recreate,
                                              std::vector<ResourceMove>& moves) {
  std::map<std::string, std::string> why;
  std::set<std::string> cyclic = CyclicParentReaders(deployed, layout, why), gone;
  if (cyclic.empty()) return gone;
  for (ResourceMove& m : moves) {
    if (!cyclic.count(m.id) || (m.route != MoveRoute::kRefactor && m.route != MoveRoute::kStay))
      continue;
    std::string reason = why[m.id];
    m.route = FallbackRoute(*deployed.FindResource(m.id), rules, allow_recreate.count(m.id) > 0,
                            reason, m.forced);
    m.reason = reason;
  }
  CloseOverGaps(deployed, rules, allow_recreate, moves);
  auto in_parent = [&](const std::string& id) {
    auto it = layout.homes.find(id);
    return it == layout.homes.end() || it->second == layout.stacks.front();
  };
  for (const ResourceMove& m : moves)
    if ((m.route == MoveRoute::kImport || m.route == MoveRoute::kRecreate ||
         m.route == MoveRoute::kDelete) &&
        !m.from_stack.empty() && in_parent(m.id))
      gone.insert(m.id);
  return gone;
}

std::optional<std::vector<MigrationStep>> UnnestSteps(const DeployedLayout& layout,
                                                      const std::string& parent_stack,
                                                      const std::set<std::string>& retain,
                                                      const std::set<std::string>& gone,
                                                      std::vector<EmittedFile>& files,
                                                      DiagnosticSink& sink) {
  if (layout.deployed_templates.empty()) return std::vector<MigrationStep>{};
  std::map<std::string, std::string> names;  // stack resource → child stack name
  for (const auto& [child, resource] : layout.child_resources)
    names[resource] = StackNameIn(layout, parent_stack, child);
  const Value& parent = layout.deployed_templates.front().second;
  std::string problem;
  Value unnested = UnnestedParentTemplate(parent, names, problem);
  RemoveFromParent(unnested, gone);
  if (!problem.empty()) {
    sink.Error("E8006", parent.loc(),
               "the deployed nested split cannot be un-nested: " + problem +
                   ". Write that value into the parent as a parameter or an output of the "
                   "child read by GetAtt Child.Outputs.X (an ordinary update of the parent), "
                   "then migrate again");
    return std::nullopt;
  }
  std::vector<MigrationStep> steps(2);
  MigrationStep& retain_step = steps[0];
  retain_step.folder = "01-unnest-retain";
  retain_step.title = "Un-nest 1: retain the child stacks (ordinary update of the parent)";
  retain_step.what =
      "Sets DeletionPolicy and UpdateReplacePolicy Retain on every AWS::CloudFormation::Stack "
      "resource of the parent and changes nothing else: the children are re-deployed from "
      "their templates as deployed (migrate.sh uploads them with `aws cloudformation "
      "package`), so nothing in them changes. A refactor cannot take resources out of a "
      "nested child: the parent's stack resources (the parameters they pass, the outputs read "
      "from them) may not change in a refactor, and every later update of the parent would "
      "re-deploy the child from its TemplateURL, bringing moved resources back. Resources of "
      "the parent that leave it in the next step to be imported get DeletionPolicy Retain "
      "here too (" +
      std::to_string(retain.size()) + ").";
  MigrationOp op;
  op.kind = MigrationOp::Kind::kUpdate;
  op.package_children = true;
  std::string file = retain_step.folder + "/" + parent_stack + ".json";
  Value retained = RetainChildrenTemplate(parent);
  if (Value* res = retained.Find("Resources"); res && res->is_map())
    for (const std::string& id : retain)
      if (Value* def = res->Find(id); def && def->is_map())
        def->Set("DeletionPolicy", Value::String("Retain"));
  files.push_back({file, WriteJson(retained)});
  for (std::size_t i = 1; i < layout.deployed_templates.size(); ++i) {
    const auto& [path, tmpl] = layout.deployed_templates[i];
    files.push_back({retain_step.folder + "/" + path, WriteJson(tmpl)});
  }
  op.stacks.push_back({parent_stack, file});
  retain_step.ops.push_back(op);
  MigrationStep& detach = steps[1];
  detach.folder = "02-unnest";
  detach.title = "Un-nest 2: remove the child stack resources (ordinary update of the parent)";
  detach.what =
      "Removes the " + std::to_string(names.size()) +
      " AWS::CloudFormation::Stack resources from the parent; being retained, each child "
      "stays as a stack of its own under its name, its resources untouched, its parameter "
      "values kept. Where the parent read a child's output (GetAtt Child.Outputs.X) "
      "migrate.sh writes the value describe-stacks gives, so no resource of the parent "
      "changes. From here on the deployment is a set of stacks like an exports split, and the "
      "steps that follow take the resources out of the former children, which are deleted "
      "once empty. Resources of the parent that read a child which reads the parent leave with "
      "the children (" +
      std::to_string(gone.size()) +
      ": imported or re-created later; migrate.sh records every physical ID first).";
  file = detach.folder + "/" + parent_stack + ".json";
  files.push_back({file, WriteJson(unnested)});
  MigrationOp remove;
  remove.kind = MigrationOp::Kind::kUpdate;
  remove.resolve_outputs = true;
  remove.stacks.push_back({parent_stack, file});
  detach.ops.push_back(remove);
  return steps;
}

}  // namespace migrate

}  // namespace cfnsplit
