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

void DropDependsOnChildren(Value& def, const std::map<std::string, std::string>& names) {
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
    std::string fresh = name;
    // A child is another stack than the plan's stack of the same name: it gets its own.
    for (int n = 1; planned.count(fresh) || (fresh != name && taken.count(fresh)); ++n)
      fresh = name + "Nested" + (n > 1 ? std::to_string(n) : "");
    taken.insert(fresh);
    auto resource = layout.child_resources.find(name);
    if (resource == layout.child_resources.end()) continue;
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
    for (const auto& [resource, stack] : names) res->Erase(resource);
    for (Value& def : res->items()) {
      DropDependsOnChildren(def, names);
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
  // Conditions may read a child's output too (they cannot: only parameters and other
  // conditions), so they stay as they are; an emitter's condition guarding only children is
  // unused once they are gone, which CloudFormation accepts.
  return out;
}

namespace migrate {

std::optional<std::vector<MigrationStep>> UnnestSteps(const DeployedLayout& layout,
                                                      const std::string& parent_stack,
                                                      std::vector<EmittedFile>& files,
                                                      DiagnosticSink& sink) {
  if (layout.deployed_templates.empty()) return std::vector<MigrationStep>{};
  std::map<std::string, std::string> names;  // stack resource → child stack name
  for (const auto& [child, resource] : layout.child_resources)
    names[resource] = StackNameIn(layout, parent_stack, child);
  const Value& parent = layout.deployed_templates.front().second;
  std::string problem;
  Value unnested = UnnestedParentTemplate(parent, names, problem);
  if (!problem.empty()) {
    sink.Error("E8006", parent.loc(),
               "the deployed nested split cannot be un-nested: " + problem +
                   ". Write that value into the parent as a parameter or an output of the "
                   "child read by GetAtt Child.Outputs.X (an ordinary update of the parent), "
                   "then migrate again");
    return std::nullopt;
  }
  std::vector<MigrationStep> steps(2);
  MigrationStep& retain = steps[0];
  retain.folder = "01-unnest-retain";
  retain.title = "Un-nest 1: retain the child stacks (ordinary update of the parent)";
  retain.what =
      "Sets DeletionPolicy and UpdateReplacePolicy Retain on every AWS::CloudFormation::Stack "
      "resource of the parent and changes nothing else: the children are re-deployed from "
      "their templates as deployed (migrate.sh uploads them with `aws cloudformation "
      "package`), so nothing in them changes. A refactor cannot take resources out of a "
      "nested child: the parent's stack resources (the parameters they pass, the outputs read "
      "from them) may not change in a refactor, and every later update of the parent would "
      "re-deploy the child from its TemplateURL, bringing moved resources back.";
  MigrationOp op;
  op.kind = MigrationOp::Kind::kUpdate;
  op.package_children = true;
  std::string file = retain.folder + "/" + parent_stack + ".json";
  files.push_back({file, WriteJson(RetainChildrenTemplate(parent))});
  for (std::size_t i = 1; i < layout.deployed_templates.size(); ++i) {
    const auto& [path, tmpl] = layout.deployed_templates[i];
    files.push_back({retain.folder + "/" + path, WriteJson(tmpl)});
  }
  op.stacks.push_back({parent_stack, file});
  retain.ops.push_back(op);
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
      "once empty.";
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
