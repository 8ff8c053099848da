#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

#include "cfnsplit/report.hpp"

namespace cfnsplit {
namespace {

std::string Cell(std::uint64_t used, std::uint64_t limit) {
  std::ostringstream out;
  out << GroupDigits(used) << "/" << GroupDigits(limit);
  return out.str();
}

}  // namespace

std::pair<std::string, std::uint64_t> BindingLowerBound(const SplitPlan& plan) {
  std::pair<std::string, std::uint64_t> best{"", 0};
  for (const auto& [k, v] : plan.lower_bounds)
    if (best.first.empty() || v > best.second) best = {k, v};
  return best;
}

void PrintPlanText(const SplitPlan& plan, const PlanCheck& check, const RuleSet& rules,
                   std::ostream& out) {
  double h = plan.options.headroom;
  std::size_t functions = 0;
  for (const auto& s : plan.stacks) functions += s.role == StackRole::kFunctions;
  out << "Plan: " << plan.stacks.size() << " stacks (" << WiringModeName(plan.options.mode)
      << " mode, headroom " << static_cast<int>(h * 100) << "%), " << functions
      << " function stacks\n";
  auto [binding, bound] = BindingLowerBound(plan);
  if (!plan.lower_bounds.empty()) {
    out << "  function stacks / lower bound: " << functions << " / " << bound;
    if (bound)
      out << " (ratio " << std::fixed << std::setprecision(2)
          << static_cast<double>(functions) / static_cast<double>(bound) << std::defaultfloat
          << ")";
    out << ", binding: " << binding << "\n  lower bounds: (";
    bool first = true;
    for (const auto& [k, v] : plan.lower_bounds) {
      out << (first ? "" : ", ") << k << " " << v;
      first = false;
    }
    out << ")\n";
  }
  out << "  values passed between stacks: " << check.cross_stack_values << "\n\n";
  std::size_t width = 5;
  for (const auto& s : plan.stacks) width = std::max(width, s.name.size());
  out << "  " << std::left << std::setw(static_cast<int>(width)) << "stack"
      << "  " << std::setw(10) << "role" << std::right << std::setw(11) << "resources"
      << std::setw(11) << "params" << std::setw(11) << "outputs" << std::setw(22)
      << "template bytes" << std::setw(14) << "package"
      << "  owner\n";
  std::uint64_t pkg_budget = Budget(rules, QuotaMeasure::kPackageBytes, h);
  for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
    const StackPlan& s = plan.stacks[i];
    const StackFigures& f = i < check.figures.size() ? check.figures[i] : s.figures;
    out << "  " << std::left << std::setw(static_cast<int>(width)) << s.name << "  "
        << std::setw(10) << StackRoleName(s.role) << std::right << std::setw(11)
        << Cell(f.resources, Budget(rules, QuotaMeasure::kResources, h)) << std::setw(11)
        << Cell(f.parameters, Budget(rules, QuotaMeasure::kParameters, h)) << std::setw(11)
        << Cell(f.outputs, Budget(rules, QuotaMeasure::kOutputs, h)) << std::setw(22)
        << Cell(f.template_bytes, Budget(rules, QuotaMeasure::kTemplateBytes, h)) << std::setw(14)
        << (f.package_bytes ? HumanBytes(f.package_bytes) : "-") << "  " << s.owner << "\n";
  }
  if (pkg_budget) out << "  (package budget per stack: " << HumanBytes(pkg_budget) << ")\n";
  for (const auto& n : check.notes) out << "\nnote: " << n << "\n";
  if (check.violations.empty()) {
    out << "\nAll constraints hold.\n";
    return;
  }
  out << "\nViolations (" << check.violations.size() << ")\n";
  for (const auto& v : check.violations)
    out << "  [" << v.code << "] " << v.message << "\n      fix: " << v.fix << "\n";
}

nlohmann::json PlanJson(const SplitPlan& plan, const PlanCheck& check, const RuleSet& rules) {
  nlohmann::json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["mode"] = WiringModeName(plan.options.mode);
  j["headroom"] = plan.options.headroom;
  j["lower_bounds"] = plan.lower_bounds;
  std::size_t functions = 0;
  for (const auto& s : plan.stacks) functions += s.role == StackRole::kFunctions;
  j["function_stacks"] = functions;
  auto [binding, bound] = BindingLowerBound(plan);
  j["lower_bound"] = bound;
  j["binding_bound"] = binding;
  j["cross_stack_values"] = check.cross_stack_values;
  double h = plan.options.headroom;
  // The same budgets for every stack: one per budgeted measure of the quota table.
  nlohmann::json budgets = nlohmann::json::object();
  for (QuotaMeasure m : rules.quotas.BudgetedMeasures())
    budgets[QuotaMeasureName(m)] = Budget(rules, m, h);
  for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
    const StackPlan& s = plan.stacks[i];
    const StackFigures& f = i < check.figures.size() ? check.figures[i] : s.figures;
    j["stacks"].push_back(
        {{"name", s.name},
         {"role", StackRoleName(s.role)},
         {"owner", s.owner},
         {"resources", s.resources},
         {"distributions", s.distributions},
         {"figures",
          {{"resources", f.resources},
           {"parameters", f.parameters},
           {"outputs", f.outputs},
           {"mappings", f.mappings},
           {"template_bytes", f.template_bytes},
           {"package_bytes", f.package_bytes}}},
         {"budgets", budgets},
         {"imports", i < check.imports.size() ? check.imports[i] : std::vector<std::string>{}},
         {"exports", i < check.exports.size() ? check.exports[i] : std::vector<std::string>{}}});
  }
  j["violations"] = nlohmann::json::array();
  for (const auto& v : check.violations)
    j["violations"].push_back(
        {{"code", v.code}, {"message", v.message}, {"fix", v.fix}, {"stack", v.stack}});
  j["notes"] = check.notes;
  j["explanations"] = plan.explanations;
  return j;
}

void PrintExplanations(const SplitPlan& plan, std::ostream& out) {
  for (const auto& s : plan.stacks)
    for (const auto& id : s.resources) {
      auto it = plan.explanations.find(id);
      out << id << " -> " << s.name << ": "
          << (it == plan.explanations.end() ? "placed by hand" : it->second) << "\n";
    }
}

namespace {

// Properties that give a resource a fixed physical name: moving it to another stack means the
// new stack tries to create a name the old stack still holds.
bool HasExplicitName(const Resource& r) {
  if (!r.properties) return false;
  for (const auto& k : r.properties->keys()) {
    const std::string& key = k.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, "Name") == 0 && key != "KeyName" &&
        key != "DisplayName")
      return true;
  }
  return false;
}

}  // namespace

std::vector<PlanMove> DiffPlans(const Analysis& a, const SplitPlan& before,
                                const SplitPlan& after) {
  const TemplateModel& m = *a.model;
  auto old_index = before.StackIndex();
  auto new_index = after.StackIndex();
  std::vector<PlanMove> moves;
  auto stack_name = [](const SplitPlan& p, const std::map<std::string, int>& idx,
                       const std::string& id) {
    auto it = idx.find(id);
    return it == idx.end() ? std::string() : p.stacks[it->second].name;
  };
  std::set<std::string> ids;
  for (const auto& [id, _] : old_index) ids.insert(id);
  for (const auto& [id, _] : new_index) ids.insert(id);
  for (const auto& id : ids) {
    PlanMove mv;
    mv.resource = id;
    mv.from = stack_name(before, old_index, id);
    mv.to = stack_name(after, new_index, id);
    if (mv.from == mv.to) continue;
    long i = m.ResourceIndex(id);
    if (i >= 0) {
      const Resource& r = m.resources[static_cast<std::size_t>(i)];
      mv.type = r.type;
      if (!mv.from.empty() && !mv.to.empty()) {
        if (a.info[static_cast<std::size_t>(i)].cls == LifecycleClass::kStateful) {
          mv.risk = "data loss";
          mv.detail = "deleted from " + mv.from + " and created empty in " + mv.to +
                      "; keep it, or set DeletionPolicy: Retain and import it into the new stack";
        } else if (HasExplicitName(r)) {
          mv.risk = "name clash";
          mv.detail = "has a fixed name: creating it in " + mv.to + " fails while " + mv.from +
                      " still holds it; deploy the removal first, or use stack refactoring";
        } else {
          mv.risk = "replacement";
          mv.detail = "recreated with a new physical ID";
        }
      }
    }
    moves.push_back(std::move(mv));
  }
  auto rank = [](const PlanMove& mv) {
    return mv.risk == "data loss"     ? 0
           : mv.risk == "name clash"  ? 1
           : mv.risk == "replacement" ? 2
                                      : 3;
  };
  std::stable_sort(moves.begin(), moves.end(),
                   [&](const PlanMove& x, const PlanMove& y) { return rank(x) < rank(y); });
  return moves;
}

void PrintMoves(const std::vector<PlanMove>& moves, std::ostream& out) {
  out << "Moves between the plans: " << moves.size() << "\n";
  for (const auto& mv : moves) {
    out << "  " << mv.resource << " (" << (mv.type.empty() ? "not in template" : mv.type)
        << "): " << (mv.from.empty() ? "(new)" : mv.from) << " -> "
        << (mv.to.empty() ? "(removed)" : mv.to);
    if (!mv.risk.empty()) out << "  [" << mv.risk << "] " << mv.detail;
    if (!mv.route.empty()) out << "; deployed: " << mv.route << " (cfnsplit migrate)";
    out << "\n";
  }
}

nlohmann::json MovesJson(const std::vector<PlanMove>& moves) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& mv : moves)
    j.push_back({{"resource", mv.resource},
                 {"type", mv.type},
                 {"from", mv.from},
                 {"to", mv.to},
                 {"risk", mv.risk},
                 {"detail", mv.detail},
                 {"route", mv.route}});
  return j;
}

}  // namespace cfnsplit
