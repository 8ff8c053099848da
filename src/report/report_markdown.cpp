// Markdown reports for pull-request comments.
#include <algorithm>
#include <map>
#include <sstream>

#include "cfnsplit/report.hpp"

namespace cfnsplit {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

std::string Status(std::uint64_t used, std::uint64_t limit) {
  if (used > limit) return "🔴 over";
  if (limit && used * 10 >= limit * 9) return "🟡 near";
  return "🟢 ok";
}

std::string Pct(std::uint64_t used, std::uint64_t limit) {
  return limit ? std::to_string(used * 100 / limit) + "%" : "-";
}

}  // namespace

std::string AnalysisMarkdown(const Analysis& a, const DiagnosticSink& sink) {
  const TemplateModel& m = *a.model;
  std::ostringstream md;
  std::size_t over = 0;
  for (const auto& q : a.quotas) over += q.used > q.limit;
  md << "## cfnsplit analyze: `" << Escape(m.path()) << "`\n\n";
  md << "**" << (over ? std::to_string(over) + " quota(s) exceeded" : "Within every quota")
     << "** · " << GroupDigits(m.resources.size()) << " resources · " << m.functions.size()
     << " functions · " << sink.error_count() << " error(s), " << sink.warning_count()
     << " warning(s)\n\n";
  md << "| quota | used | limit | use | status |\n|---|---:|---:|---:|---|\n";
  for (const auto& q : a.quotas)
    md << "| " << q.what << " | " << GroupDigits(q.used) << " | " << GroupDigits(q.limit) << " | "
       << Pct(q.used, q.limit) << " | " << Status(q.used, q.limit) << " |\n";
  std::map<std::string, int> classes;
  for (const auto& info : a.info) ++classes[LifecycleName(info.cls)];
  md << "\n**Lifecycle classes:** ";
  bool first = true;
  for (const auto& [c, n] : classes) {
    md << (first ? "" : " · ") << c << " " << n;
    first = false;
  }
  md << "\n";
  if (!sink.diagnostics().empty()) {
    md << "\n<details><summary>Findings (" << sink.diagnostics().size() << ")</summary>\n\n";
    for (const auto& d : sink.diagnostics())
      md << "- `" << d.code << "` " << Escape(d.message)
         << (d.loc.line ? " (line " + std::to_string(d.loc.line) + ")" : "") << "\n";
    md << "\n</details>\n";
  }
  return md.str();
}

std::string PlanMarkdown(const Analysis& a, const SplitPlan& plan, const PlanCheck& check,
                         const RuleSet& rules, const std::vector<PlanMove>* moves) {
  double h = plan.options.headroom;
  std::ostringstream md;
  md << "## cfnsplit plan: " << plan.stacks.size() << " stacks ("
     << WiringModeName(plan.options.mode) << ")\n\n";
  md << (check.ok() ? "**All constraints hold.**"
                    : "**" + std::to_string(check.violations.size()) + " violation(s).**")
     << " " << GroupDigits(a.model->resources.size()) << " resources, " << check.cross_stack_values
     << " values passed between stacks.";
  auto [binding, bound] = BindingLowerBound(plan);
  if (!plan.lower_bounds.empty())
    md << " Lower bound for function stacks: " << bound << " (" << binding << ").";
  md << "\n\n| stack | role | owner | resources | params | outputs | template bytes | package |\n"
        "|---|---|---|---:|---:|---:|---:|---:|\n";
  std::uint64_t pkg = Budget(rules, QuotaMeasure::kPackageBytes, h);
  for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
    const auto& s = plan.stacks[i];
    const StackFigures& f = i < check.figures.size() ? check.figures[i] : s.figures;
    md << "| " << s.name << " | " << StackRoleName(s.role) << " | " << Escape(s.owner) << " | "
       << f.resources << " (" << Pct(f.resources, Budget(rules, QuotaMeasure::kResources, h))
       << ") | " << f.parameters << " | " << f.outputs << " | " << GroupDigits(f.template_bytes)
       << " | "
       << (f.package_bytes ? HumanBytes(f.package_bytes) + " (" + Pct(f.package_bytes, pkg) + ")"
                           : "-")
       << " |\n";
  }
  if (!check.violations.empty()) {
    md << "\n### Violations\n\n";
    for (const auto& v : check.violations)
      md << "- `" << v.code << "` " << Escape(v.message) << "  \n  **fix:** " << Escape(v.fix)
         << "\n";
  }
  if (moves) {
    md << "\n### What moves (" << moves->size() << ")\n\n";
    if (!moves->empty()) md << "| resource | type | from | to | risk |\n|---|---|---|---|---|\n";
    for (const auto& mv : *moves)
      md << "| " << mv.resource << " | " << mv.type << " | "
         << (mv.from.empty() ? "(new)" : mv.from) << " | " << (mv.to.empty() ? "(removed)" : mv.to)
         << " | " << (mv.risk.empty() ? "" : "**" + mv.risk + "**: " + Escape(mv.detail)) << " |\n";
  }
  md << "\n### What to watch during migration\n\n";
  std::size_t stateful = 0;
  for (const auto& info : a.info) stateful += info.cls == LifecycleClass::kStateful;
  md << "- " << stateful << " stateful resource(s) stay in `" << plan.stacks[0].name
     << "`; moving one later means delete and recreate (or Retain + import).\n";
  if (plan.options.mode == WiringMode::kExports)
    md << "- Exports are locked while imported: change or remove one in two deploys (consumer "
          "first).\n";
  for (const auto& n : check.notes) md << "- " << Escape(n) << "\n";
  md << "- Resources with fixed names (FunctionName, LogGroupName, …) that change stack fail with "
        "\"already exists\" unless the old stack releases them first.\n";
  return md.str();
}

}  // namespace cfnsplit
