// The stack-level graph: DOT for Graphviz, and a built-in SVG so reports never need a tool.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cfnsplit/report.hpp"
#include "report/format.hpp"

namespace cfnsplit {
namespace {

struct StackEdges {
  // (consumer, producer) → values passed, sorted
  std::map<std::pair<int, int>, std::set<std::string>> values;
  std::map<std::pair<int, int>, int> order_only;  // DependsOn without a data edge
};

StackEdges CollectEdges(const Analysis& a, const SplitPlan& plan) {
  const TemplateModel& m = *a.model;
  auto index = plan.StackIndex();
  StackEdges e;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kResource || r.target != TargetKind::kResource) continue;
    auto from = index.find(r.from), to = index.find(r.to);
    if (from == index.end() || to == index.end() || from->second == to->second) continue;
    auto key = std::make_pair(from->second, to->second);
    if (r.kind == RefKind::kDependsOn)
      ++e.order_only[key];
    else
      e.values[key].insert(r.attribute.empty() ? r.to : r.to + "." + r.attribute);
  }
  return e;
}

std::string Label(const std::set<std::string>& values) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& v : values) {
    if (shown == 3) {
      out += "\\n+" + std::to_string(values.size() - 3) + " more";
      break;
    }
    out += (shown++ ? "\\n" : "") + v;
  }
  return out;
}

using report::XmlEscape;

}  // namespace

std::string StackGraphDot(const Analysis& a, const SplitPlan& plan) {
  StackEdges edges = CollectEdges(a, plan);
  std::ostringstream dot;
  dot << "digraph stacks {\n  rankdir=BT;\n  compound=true;\n  node [shape=box, style=filled, "
         "fontname=Helvetica, fillcolor=\"#ffffff\"];\n  edge [fontname=Helvetica, fontsize=10];\n";
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    const auto& st = plan.stacks[s];
    dot << "  subgraph cluster_" << s << " {\n    label=\"" << st.name << " ("
        << StackRoleName(st.role) << (st.owner.empty() ? "" : ", " + st.owner)
        << ")\";\n    style=filled; fillcolor=\""
        << (st.role == StackRole::kBase   ? "#f4cccc"
            : st.role == StackRole::kPost ? "#cfe2f3"
                                          : "#d9ead3")
        << "\";\n    s" << s << " [label=\"" << st.resources.size() << " resources\\n"
        << HumanBytes(st.figures.package_bytes) << " package\"];\n  }\n";
  }
  for (const auto& [key, values] : edges.values)
    dot << "  s" << key.first << " -> s" << key.second << " [label=\"" << Label(values)
        << "\", ltail=cluster_" << key.first << ", lhead=cluster_" << key.second << "];\n";
  for (const auto& [key, count] : edges.order_only)
    if (!edges.values.count(key))
      dot << "  s" << key.first << " -> s" << key.second << " [style=dashed, label=\"DependsOn ×"
          << count << "\"];\n";
  dot << "}\n";
  return dot.str();
}

std::string StackGraphSvg(const Analysis& a, const SplitPlan& plan) {
  // Layered layout: the base at the bottom, function stacks above, post stacks on top; a layer
  // wraps after eight boxes. Deterministic and dependency-free.
  StackEdges edges = CollectEdges(a, plan);
  std::vector<std::vector<std::size_t>> layers(3);
  for (std::size_t s = 0; s < plan.stacks.size(); ++s)
    layers[plan.stacks[s].role == StackRole::kBase        ? 0
           : plan.stacks[s].role == StackRole::kFunctions ? 1
                                                          : 2]
        .push_back(s);
  const int box_w = 170, box_h = 54, gap = 24, per_row = 8;
  std::vector<std::pair<int, int>> pos(plan.stacks.size());
  int y = 20, width = 0;
  std::vector<int> rows;
  for (int l = 2; l >= 0; --l) {
    const auto& layer = layers[static_cast<std::size_t>(l)];
    for (std::size_t i = 0; i < layer.size(); ++i) {
      int col = static_cast<int>(i % per_row);
      if (i && col == 0) y += box_h + gap;
      pos[layer[i]] = {20 + col * (box_w + gap), y};
      width = std::max(width, 40 + (col + 1) * (box_w + gap));
    }
    if (!layer.empty()) y += box_h + 2 * gap;
  }
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << y
      << "\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n"
      << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"7\" "
         "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
         "fill=\"#555\"/></marker></defs>\n";
  for (const auto& [key, values] : edges.values) {
    auto [x1, y1] = pos[static_cast<std::size_t>(key.first)];
    auto [x2, y2] = pos[static_cast<std::size_t>(key.second)];
    svg << "<line x1=\"" << x1 + box_w / 2 << "\" y1=\"" << y1 + box_h << "\" x2=\""
        << x2 + box_w / 2 << "\" y2=\"" << y2
        << "\" stroke=\"#555\" stroke-width=\"1\" marker-end=\"url(#arrow)\">"
        << "<title>"
        << XmlEscape(plan.stacks[key.first].name + " uses " + std::to_string(values.size()) +
                     " value(s) of " + plan.stacks[key.second].name)
        << "</title></line>\n";
  }
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    const auto& st = plan.stacks[s];
    auto [x, by] = pos[s];
    const char* fill = st.role == StackRole::kBase   ? "#f4cccc"
                       : st.role == StackRole::kPost ? "#cfe2f3"
                                                     : "#d9ead3";
    svg << "<g class=\"stack\"><rect x=\"" << x << "\" y=\"" << by << "\" width=\"" << box_w
        << "\" height=\"" << box_h << "\" rx=\"6\" fill=\"" << fill << "\" stroke=\"#333\"/>"
        << "<text x=\"" << x + 8 << "\" y=\"" << by + 20 << "\" font-weight=\"bold\">"
        << XmlEscape(st.name) << "</text><text x=\"" << x + 8 << "\" y=\"" << by + 40 << "\">"
        << st.resources.size() << " resources"
        << (st.owner.empty() ? "" : ", " + XmlEscape(st.owner)) << "</text></g>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string RenderWithGraphviz(const std::string& dot, std::string* error) {
  if (access("/usr/bin/dot", X_OK) != 0 && system("command -v dot >/dev/null 2>&1") != 0) {
    *error = "Graphviz `dot` is not installed (apt-get install graphviz)";
    return "";
  }
  char in_path[] = "/tmp/cfnsplit-dot-XXXXXX";
  int fd = mkstemp(in_path);
  if (fd < 0) {
    *error = "cannot create a temporary file";
    return "";
  }
  std::string out_path = std::string(in_path) + ".svg";
  {
    std::ofstream(in_path) << dot;
    close(fd);
  }
  std::string cmd = "dot -Tsvg -o '" + out_path + "' '" + in_path + "' 2>/dev/null";
  int status = system(cmd.c_str());
  std::string svg;
  if (status == 0) {
    std::ifstream in(out_path);
    std::stringstream ss;
    ss << in.rdbuf();
    svg = ss.str();
  } else {
    *error = "Graphviz dot failed";
  }
  unlink(in_path);
  unlink(out_path.c_str());
  return svg;
}

}  // namespace cfnsplit
