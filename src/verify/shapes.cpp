// Stacks CloudFormation would refuse for their shape: a template without resources, a stack
// whose every resource is conditional (empty when the conditions are false), a nested child
// whose stack resource carries a condition that can drop a resource the original creates, and
// names CloudFormation refuses (not alphanumeric; a parameter and a resource of one name).
#include <algorithm>
#include <functional>

#include "verify/checker.hpp"

namespace cfnsplit::verify {
namespace {

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

std::string ConditionOf(const Value& def) {
  const Value* c = def.is_map() ? def.Find("Condition") : nullptr;
  return c && c->is_string() ? c->text() : "";
}

// True when `cond` holding makes condition `guard` hold: the same name, or `guard` is an Fn::Or
// tree (as declared in `conditions`) with `cond` among its leaves.
bool Implies(const std::string& cond, const std::string& guard, const Value* conditions,
             int depth = 0) {
  if (cond == guard) return true;
  const Value* def = conditions ? conditions->Find(guard) : nullptr;
  if (!def || depth > 16) return false;
  std::function<bool(const Value&)> has_leaf = [&](const Value& v) {
    if (v.IntrinsicName() == "Condition")
      return Implies(cond, v.IntrinsicArg().text(), conditions, depth + 1);
    if (v.IntrinsicName() != "Fn::Or" || !v.IntrinsicArg().is_list()) return false;
    const auto& items = v.IntrinsicArg().items();
    return std::any_of(items.begin(), items.end(), has_leaf);
  };
  return has_leaf(*def);
}

}  // namespace

bool IsPlaceholder(const Value& def) {
  const Value* type = def.is_map() ? def.Find("Type") : nullptr;
  const Value* meta = def.is_map() ? def.Find("Metadata") : nullptr;
  const Value* note = meta && meta->is_map() ? meta->Find("cfnsplit") : nullptr;
  return type && type->text() == "AWS::CloudFormation::WaitConditionHandle" && note &&
         note->is_string() && note->text().rfind("placeholder", 0) == 0 &&
         !def.Find("Properties") && !def.Find("Condition");
}

// A condition of the nested parent that the original lacks is acceptable only as the guard of
// child stacks: an Or of conditions, used by nothing but stack resources.
bool Checker::IsStackGuard(const std::string& condition) const {
  if (set_.mode != WiringMode::kNested) return false;
  const Value& parent = set_.stacks[0].tmpl();
  const Value* res = Section(parent, "Resources");
  bool guards_a_child = false;
  for (std::size_t i = 0; res && i < res->size(); ++i) {
    bool uses = ConditionOf(res->items()[i]) == condition;
    if (uses && flat_.ChildOf(res->keys()[i].name) < 0) return false;
    guards_a_child = guards_a_child || uses;
  }
  const Value* def =
      Section(parent, "Conditions") ? Section(parent, "Conditions")->Find(condition) : nullptr;
  std::function<bool(const Value&)> or_of_conditions = [&](const Value& v) {
    if (v.IntrinsicName() == "Condition") return v.IntrinsicArg().is_string();
    if (v.IntrinsicName() != "Fn::Or" || !v.IntrinsicArg().is_list()) return false;
    const auto& items = v.IntrinsicArg().items();
    return std::all_of(items.begin(), items.end(), or_of_conditions);
  };
  return guards_a_child && def && or_of_conditions(*def);
}

void Checker::CheckStackShapes() {
  bool original_unconditional = std::any_of(original_.resources.begin(), original_.resources.end(),
                                            [](const Resource& r) { return r.condition.empty(); });
  const Value* parent_conditions =
      set_.mode == WiringMode::kNested ? Section(set_.stacks[0].tmpl(), "Conditions") : nullptr;
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    const Value* res = Section(set_.stacks[s].tmpl(), "Resources");
    if (!res || res->size() == 0) {
      if (original_.resources.empty()) continue;  // the original has none either
      Report("E5112", PathOf(static_cast<int>(s)) +
                          " declares no resources; CloudFormation rejects such a template");
      continue;
    }
    std::string guard;
    bool child = set_.mode == WiringMode::kNested && s > 0;
    if (child) {
      const Value* parent_res = Section(set_.stacks[0].tmpl(), "Resources");
      for (std::size_t i = 0; parent_res && i < parent_res->size(); ++i)
        if (flat_.ChildOf(parent_res->keys()[i].name) == static_cast<int>(s))
          guard = ConditionOf(parent_res->items()[i]);
    }
    bool unconditional = false;
    for (std::size_t i = 0; i < res->size(); ++i) {
      std::string cond = ConditionOf(res->items()[i]);
      unconditional = unconditional || cond.empty();
      if (!child || guard.empty() || (!cond.empty() && Implies(cond, guard, parent_conditions)))
        continue;
      Report("E5101", PathOf(static_cast<int>(s)) + ": Resources." + res->keys()[i].name +
                          (cond.empty() ? " has no condition" : " has condition " + cond) +
                          " but its stack is created only when " + guard +
                          " holds: the original creates it without that guard");
    }
    if (unconditional || !original_unconditional || (child && !guard.empty())) continue;
    Report("E5112", PathOf(static_cast<int>(s)) +
                        ": every resource has a Condition, so the stack can be left without "
                        "resources, which CloudFormation rejects (the original always has one)");
  }
}

// Every name an emitted stack declares, the emitter's own (wiring parameters and outputs, child
// stacks, guards) and the original's: CloudFormation refuses a logical ID that is not
// alphanumeric (IsDeclarableKey) and a name both a parameter and a resource use.
void Checker::CheckStackNames() {
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    const Value& tmpl = set_.stacks[s].tmpl();
    const std::vector<std::string> transforms = TransformNames(tmpl);
    if (!NamesAsWritten(transforms)) continue;  // a macro may rename them first
    const bool language_extensions = DeclaresLanguageExtensions(transforms);
    const std::string where = PathOf(static_cast<int>(s));
    for (const char* section : {"Resources", "Parameters", "Mappings", "Conditions", "Outputs"})
      if (const Value* sec = Section(tmpl, section))
        for (const auto& key : sec->keys())
          if (!IsDeclarableKey(section, key.name, language_extensions))
            Report("E5113", where + ": " + section + "." + key.name +
                                " is not alphanumeric; CloudFormation rejects the template");
    const Value* params = Section(tmpl, "Parameters");
    const auto& resources = ResourceIndexes(static_cast<int>(s));
    for (std::size_t i = 0; params && i < params->size(); ++i)
      if (resources.count(params->keys()[i].name))
        Report("E5113", where + ": " + params->keys()[i].name +
                            " is both a parameter and a resource; CloudFormation rejects the "
                            "template");
  }
}

}  // namespace cfnsplit::verify
