// A self-contained HTML page for a plan: the stack graph, a size bar per stack, per-stack tables.
#include <algorithm>
#include <sstream>

#include "cfnsplit/report.hpp"
#include "report/format.hpp"

namespace cfnsplit {
namespace {

using report::XmlEscape;
std::string Html(const std::string& s) { return XmlEscape(s); }

// One bar per quota: width is the share of the budget, red past it, "near" from `near_share`
// (QuotaTable::NearShare).
std::string Bar(const char* what, std::uint64_t used, std::uint64_t budget, bool bytes,
                double near_share) {
  double share = budget ? static_cast<double>(used) / static_cast<double>(budget) : 0;
  int width = static_cast<int>(std::min(share, 1.0) * 100 + 0.5);
  std::ostringstream out;
  out << "<div class=\"bar\"><span class=\"label\">" << what
      << "</span><span class=\"track\"><span class=\"fill"
      << (share > 1             ? " over"
          : share >= near_share ? " near"
                                : "")
      << "\" style=\"width:" << width << "%\"></span></span><span class=\"value\">"
      << (bytes ? HumanBytes(used) + " / " + HumanBytes(budget)
                : GroupDigits(used) + " / " + GroupDigits(budget))
      << "</span></div>";
  return out.str();
}

const char* kStyle = R"(body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}
.stack{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:12px 0}
.bar{display:flex;align-items:center;font-size:12px;margin:2px 0}.label{width:120px}
.track{display:inline-block;width:320px;height:10px;background:#eee;margin:0 8px;border-radius:4px}
.fill{display:block;height:10px;background:#6aa84f;border-radius:4px}.fill.near{background:#f1c232}
.fill.over{background:#cc0000}.violation{color:#a00}.graph{overflow:auto;border:1px solid #eee}
details{margin:6px 0}code{font-size:12px})";

}  // namespace

std::string PlanHtml(const Analysis& a, const SplitPlan& plan, const PlanCheck& check,
                     const RuleSet& rules, const std::vector<PlanMove>* moves) {
  double h = plan.options.headroom;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cfnsplit plan: "
      << Html(a.model->path()) << "</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>cfnsplit plan for <code>" << Html(a.model->path())
      << "</code></h1>\n<p id=\"summary\">" << plan.stacks.size() << " stacks, "
      << WiringModeName(plan.options.mode) << " mode, " << GroupDigits(a.model->resources.size())
      << " resources, " << check.cross_stack_values << " values passed between stacks. "
      << (check.ok() ? "All constraints hold."
                     : std::to_string(check.violations.size()) + " violation(s).")
      << "</p>\n";
  out << "<h2>Stack graph</h2>\n<div class=\"graph\" id=\"stack-graph\">" << StackGraphSvg(a, plan)
      << "</div>\n";
  if (!check.violations.empty()) {
    out << "<h2>Violations</h2><ul>";
    for (const auto& v : check.violations)
      out << "<li class=\"violation\"><b>" << v.code << "</b> " << Html(v.message)
          << "<br>fix: " << Html(v.fix) << "</li>";
    out << "</ul>\n";
  }
  out << "<h2>Stacks</h2>\n";
  const double near = rules.quotas.NearShare();
  for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
    const auto& s = plan.stacks[i];
    const StackFigures& f = i < check.figures.size() ? check.figures[i] : s.figures;
    out << "<div class=\"stack\" data-stack=\"" << Html(s.name) << "\"><h3>" << Html(s.name)
        << " <small>(" << StackRoleName(s.role)
        << (s.owner.empty() ? "" : ", owner " + Html(s.owner)) << ")</small></h3>\n";
    out << Bar("resources", f.resources, Budget(rules, QuotaMeasure::kResources, h), false, near)
        << Bar("parameters", f.parameters, Budget(rules, QuotaMeasure::kParameters, h), false, near)
        << Bar("outputs", f.outputs, Budget(rules, QuotaMeasure::kOutputs, h), false, near)
        << Bar("template", f.template_bytes, Budget(rules, QuotaMeasure::kTemplateBytes, h), true,
               near);
    if (f.package_bytes)
      out << Bar("package", f.package_bytes, Budget(rules, QuotaMeasure::kPackageBytes, h), true,
                 near);
    out << "\n<details><summary>" << s.resources.size()
        << " resources</summary><table class=\"resources\">"
        << "<tr><th>resource</th><th>type</th><th>why here</th></tr>";
    for (const auto& id : s.resources) {
      const Resource* r = a.model->FindResource(id);
      auto why = plan.explanations.find(id);
      out << "<tr><td>" << Html(id) << "</td><td>" << (r ? Html(r->type) : "?") << "</td><td>"
          << (why == plan.explanations.end() ? "" : Html(why->second)) << "</td></tr>";
    }
    out << "</table></details>";
    if (!s.distributions.empty()) {
      out << "<p>Package ships: ";
      for (std::size_t d = 0; d < s.distributions.size(); ++d)
        out << (d ? ", " : "") << Html(s.distributions[d]);
      out << "</p>";
    }
    out << "</div>\n";
  }
  if (moves) {
    out << "<h2>What "
           "moves</h2><table><tr><th>resource</th><th>from</th><th>to</th><th>risk</th></tr>";
    for (const auto& mv : *moves)
      out << "<tr><td>" << Html(mv.resource) << "</td><td>" << Html(mv.from) << "</td><td>"
          << Html(mv.to) << "</td><td>"
          << Html(mv.risk + (mv.detail.empty() ? "" : ": " + mv.detail)) << "</td></tr>";
    out << "</table>\n";
  }
  for (const auto& n : check.notes) out << "<p class=\"note\">Note: " << Html(n) << "</p>\n";
  out << "</body></html>\n";
  return out.str();
}

}  // namespace cfnsplit
