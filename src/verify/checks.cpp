// Structural checks of the emitted stacks: references resolve inside their own template,
// DependsOn is kept or implied, quotas hold, no cycles, no NoEcho value in an Output.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cfnsplit/graph.hpp"
#include "cfnsplit/intrinsics.hpp"
#include "verify/checker.hpp"

namespace cfnsplit::verify {
namespace {

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

bool Declares(const Value& tmpl, const char* section, const std::string& name) {
  const Value* s = Section(tmpl, section);
  return s && s->Find(name);
}

bool Reaches(const std::map<std::string, std::set<std::string>>& g, const std::string& from,
             const std::string& to) {
  std::set<std::string> seen;
  std::vector<std::string> todo{from};
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    auto it = g.find(n);
    if (it == g.end()) continue;
    for (const auto& next : it->second) {
      if (next == to) return true;
      if (seen.insert(next).second) todo.push_back(next);
    }
  }
  return false;
}

// A name the SAM transform creates from a SAM resource of the template (<Function>Role …).
bool SamGenerated(const Value& tmpl, const std::string& name) {
  const Value* res = Section(tmpl, "Resources");
  return res && !Declares(tmpl, "Parameters", name) && !SamGeneratedOwner(*res, name).empty();
}

// The names one template declares, section by section, hashed once: every reference of the
// template asks, and a linear Find per reference made checking a stack quadratic. Its resources
// are the checker's index of them (Checker::ResourceIndexes), not hashed a second time.
struct DeclaredNames {
  DeclaredNames(const Value& tmpl,
                const std::unordered_map<std::string_view, std::uint32_t>& resources)
      : tmpl_(tmpl), resources_(resources) {
    for (const char* name : {"Parameters", "Conditions", "Mappings"})
      if (const Value* section = Section(tmpl, name))
        for (const Value::Key& k : section->keys()) sections_[Slot(name) - 1].insert(k.name);
    if (const Value* res = Section(tmpl, "Resources"))
      for (const Value& def : res->items()) {
        const Value* type = def.is_map() ? def.Find("Type") : nullptr;
        if (type && type->text().rfind("AWS::Serverless::", 0) == 0) has_sam_ = true;
      }
  }
  bool Declares(const char* section, const std::string& name) const {
    const std::size_t slot = Slot(section);
    return slot == 0 ? resources_.count(name) > 0 : sections_[slot - 1].count(name) > 0;
  }
  /// SamGenerated: only a template with a SAM resource has names the transform creates.
  bool SamGenerated(const std::string& name) const {
    return has_sam_ && verify::SamGenerated(tmpl_, name);
  }

 private:
  static std::size_t Slot(std::string_view section) {
    return section == "Resources"    ? 0
           : section == "Parameters" ? 1
           : section == "Conditions" ? 2
                                     : 3;
  }
  const Value& tmpl_;
  const std::unordered_map<std::string_view, std::uint32_t>& resources_;
  std::unordered_set<std::string_view> sections_[3];  // Slot(name) - 1
  bool has_sam_ = false;
};

}  // namespace

namespace {
// What a reference of `kind` names, for a finding.
const char* TargetDescription(RefKind kind, bool attribute) {
  if (kind == RefKind::kCondition) return "condition";
  if (kind == RefKind::kFindInMap) return "mapping";
  return attribute ? "resource" : "resource or parameter";
}

bool NamesAttribute(const Reference& r) {
  return r.kind == RefKind::kGetAtt || (r.kind == RefKind::kSub && !r.attribute.empty());
}
bool NamesAttribute(const LocalRef& r) { return r.names_attribute; }
}  // namespace

const std::vector<LocalRef>& Checker::ResourceReferences(int stack, std::size_t i) const {
  const auto s = static_cast<std::size_t>(stack);
  if (resource_refs_.size() != set_.stacks.size()) resource_refs_.resize(set_.stacks.size());
  auto& refs = resource_refs_[s];
  if (refs.empty())
    if (const Value* res = Section(set_.stacks[s].tmpl(), "Resources")) {
      refs.reserve(res->size());
      std::vector<Reference> all;
      for (const Value& def : res->items()) {
        const Value* type = def.is_map() ? def.Find("Type") : nullptr;
        // The checks read no classification, and a path only where a same-template rule of
        // the resource's type may apply: the walk records neither otherwise.
        const bool paths = type && type->is_string() && rules_.HasSameTemplateRules(type->text());
        ReferencesInto(def, original_, all, SiteKind::kResource, "", {false, paths});
        std::vector<LocalRef>& local = refs.emplace_back();
        local.reserve(all.size());
        for (Reference& r : all) {
          LocalRef& l = local.emplace_back();
          l.kind = r.kind;
          l.names_attribute = NamesAttribute(r);
          l.to = std::move(r.to);
          if (paths) l.same_template = rules_.SameTemplateRuleFor(type->text(), r.path, def);
          if (l.same_template) l.path = std::move(r.path);
        }
      }
    }
  return refs[i];
}

const std::unordered_map<std::string_view, std::uint32_t>& Checker::ResourceIndexes(
    int stack) const {
  const auto s = static_cast<std::size_t>(stack);
  if (resource_indexes_.size() != set_.stacks.size()) resource_indexes_.resize(set_.stacks.size());
  auto& index = resource_indexes_[s];
  if (!index)
    if (const Value* res = Section(set_.stacks[s].tmpl(), "Resources")) {
      index.emplace();
      index->reserve(res->size());
      for (std::uint32_t i = 0; i < res->size(); ++i) index->emplace(res->keys()[i].name, i);
    }
  static const std::unordered_map<std::string_view, std::uint32_t> kNone;
  return index ? *index : kNone;
}

// Calls add(i, j) for every edge of stack `stack`'s resource graph: resource i of its Resources
// section reads or DependsOn resource j of the same section (edges of a cycle the original
// already has left out, unless `keep_original_cycles`).
template <class AddEdge>
void Checker::ForEachResourceEdge(int stack, AddEdge add, bool keep_original_cycles) const {
  const Value* res = Section(set_.stacks[static_cast<std::size_t>(stack)].tmpl(), "Resources");
  const auto& index = ResourceIndexes(stack);
  auto edge = [&](std::size_t i, std::string_view to) {
    auto it = index.find(to);
    if (it == index.end()) return;
    const std::string& id = res->keys()[i].name;
    if (keep_original_cycles || !InOriginalCycle(id, std::string(to))) add(i, it->second);
  };
  for (std::size_t i = 0; res && i < res->size(); ++i) {
    for (const LocalRef& r : ResourceReferences(stack, i))
      if (r.kind == RefKind::kRef || r.kind == RefKind::kGetAtt || r.kind == RefKind::kSub)
        edge(i, r.to);
    for (const auto& d : syntax::DependsOnList(res->items()[i])) edge(i, d);
  }
}

std::map<std::string, std::set<std::string>> Checker::ResourceGraph(int stack) const {
  std::map<std::string, std::set<std::string>> g;
  const Value* res = Section(set_.stacks[static_cast<std::size_t>(stack)].tmpl(), "Resources");
  for (std::size_t i = 0; res && i < res->size(); ++i) g[res->keys()[i].name];
  ForEachResourceEdge(stack, [&](std::size_t i, std::uint32_t j) {
    g[res->keys()[i].name].insert(res->keys()[j].name);
  });
  return g;
}

// FindCycle(ResourceGraph(stack)) over indexes: nodes numbered in name order and edges sorted,
// the order the search over a graph keyed by name takes, so the same cycle, without a string map
// per stack.
std::vector<std::string> Checker::ResourceCycle(int stack) const {
  const Value* res = Section(set_.stacks[static_cast<std::size_t>(stack)].tmpl(), "Resources");
  if (!res) return {};
  const std::vector<Value::Key>& keys = res->keys();
  const std::size_t n = keys.size();
  // Node numbers: `rank[i]` for resource i (empty: i itself).
  auto graph = [&](const std::vector<std::uint32_t>& rank, bool keep_original_cycles) {
    auto node = [&](std::size_t i) { return rank.empty() ? std::uint32_t(i) : rank[i]; };
    std::vector<std::vector<std::uint32_t>> next(n);
    ForEachResourceEdge(
        stack, [&](std::size_t i, std::uint32_t j) { next[node(i)].push_back(node(j)); },
        keep_original_cycles);
    for (auto& edges : next) {
      std::sort(edges.begin(), edges.end());
      edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    }
    return next;
  };
  // Whether the graph with every edge has a cycle does not depend on how its nodes are numbered:
  // section order answers that without sorting the names. Most stacks have none.
  if (FindCycle(graph({}, true)).empty()) return {};
  std::vector<std::uint32_t> by_name(n), rank(n);
  for (std::uint32_t i = 0; i < n; ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&](std::uint32_t a, std::uint32_t b) { return keys[a].name < keys[b].name; });
  for (std::uint32_t r = 0; r < n; ++r) rank[by_name[r]] = r;
  // Without the original's cycles' edges the graph has a subset of all edges: the original's
  // components (a graph and a search over the whole original template) are needed only now.
  std::vector<std::uint32_t> found;
  for (bool keep_original_cycles : {true, false}) {
    found = FindCycle(graph(rank, keep_original_cycles));
    if (found.empty()) break;
  }
  std::vector<std::string> cycle;
  for (std::uint32_t node : found) cycle.push_back(keys[by_name[node]].name);
  return cycle;
}

// A cycle the original template already has (a SAM API and its function before the transform,
// say) is the template's own finding (E2001), not something the split introduced.
bool Checker::InOriginalCycle(const std::string& a, const std::string& b) const {
  if (!original_scc_built_) {
    original_scc_ = CyclicComponents(original_);
    original_scc_built_ = true;
  }
  auto ia = original_scc_.find(a), ib = original_scc_.find(b);
  return ia != original_scc_.end() && ib != original_scc_.end() && ia->second == ib->second;
}

// True when the original template resolves `target` in `section`; a name it leaves unresolved
// (made by a transform, or a finding already reported on the input) is not the split's doing.
bool Checker::OriginalDeclares(const char* section, const std::string& target) const {
  // Resources and parameters through the model's indexes: this runs for every reference.
  const std::string_view name = section;
  if (name == "Resources") return original_.FindResource(target) != nullptr;
  if (name == "Parameters") return original_.FindParameter(target) != nullptr;
  if (name == "Conditions") return original_.FindCondition(target) != nullptr;
  if (name == "Mappings") return original_.FindMapping(target) != nullptr;
  const Value* sec = original_.Section(section);
  return sec && sec->is_map() && sec->Find(target);
}

// Exports: consumer → producer for every import of one of our own exports the flattener met.
std::map<std::string, std::set<std::string>> Checker::StackGraph() const {
  std::map<std::string, std::set<std::string>> g;
  for (const StackDoc& doc : set_.stacks) g[doc.name];
  for (const auto& [consumer, producers] : flat_.imports())
    for (int p : producers)
      if (p != consumer)
        g[set_.stacks[static_cast<std::size_t>(consumer)].name].insert(
            set_.stacks[static_cast<std::size_t>(p)].name);
  return g;
}

bool Checker::DependencyImplied(int a, const std::string& from, int b, const std::string& to) {
  if (set_.mode == WiringMode::kNested) {
    // The parent's graph and the stack resource of each child are built once: every DependsOn
    // of a large template asks.
    if (!parent_graph_) {
      parent_graph_ = ResourceGraph(0);
      const Value* res = Section(set_.stacks[0].tmpl(), "Resources");
      for (std::size_t i = 0; res && i < res->size(); ++i)
        if (int child = flat_.ChildOf(res->keys()[i].name); child >= 0)
          child_resource_[child] = res->keys()[i].name;
    }
    auto node = [&](int s, const std::string& id) {
      if (s == 0) return id;
      auto it = child_resource_.find(s);
      return it == child_resource_.end() ? std::string() : it->second;
    };
    return Reaches(*parent_graph_, node(a, from), node(b, to));
  }
  // Exports mode: CloudFormation orders two top-level stacks only when one imports from the
  // other (a consumer cannot be deployed before the exports it imports exist). The imports are
  // final after flattening, and every cross-stack DependsOn asks.
  auto [it, first] = stack_reaches_.try_emplace({a, b}, false);
  if (first) it->second = ImportsReach(a, b);  // a search per pair of stacks, not per DependsOn
  return it->second;
}

// Reaches(StackGraph(), …) over the flattener's own index of imports (StackGraph leaves a
// stack's imports from itself out, and so does this).
bool Checker::ImportsReach(int from, int to) const {
  const auto& imports = flat_.imports();
  std::vector<char> seen(set_.stacks.size(), 0);
  std::vector<int> todo{from};
  while (!todo.empty()) {
    const int n = todo.back();
    todo.pop_back();
    auto it = imports.find(n);
    if (it == imports.end()) continue;
    for (int next : it->second) {
      if (next == n) continue;
      if (next == to) return true;
      if (!seen[static_cast<std::size_t>(next)]) {
        seen[static_cast<std::size_t>(next)] = 1;
        todo.push_back(next);
      }
    }
  }
  return false;
}

void Checker::CheckDependsOn() {
  for (const Resource& r : original_.resources) {
    auto it = resources_.find(r.id);
    if (it == resources_.end() || it->second.size() != 1) continue;
    int a = it->second.front().stack;
    const std::vector<std::string>& now = it->second.front().depends_on;
    for (const std::string& x : r.depends_on) {
      auto xt = resources_.find(x);
      if (xt == resources_.end() || xt->second.size() != 1) continue;
      int b = xt->second.front().stack;
      bool kept = a == b ? std::find(now.begin(), now.end(), x) != now.end()
                         : DependencyImplied(a, r.id, b, x);
      if (!kept)
        Report("E5104",
               "original: Resources." + r.id + ".DependsOn names " + x + " vs " + PathOf(a) +
                   ": nothing orders " + r.id + " after " + x,
               r.loc);
    }
    for (const std::string& x : now)
      if (std::find(r.depends_on.begin(), r.depends_on.end(), x) == r.depends_on.end() &&
          !(a == 0 && flat_.ChildOf(x) >= 0))
        Report("E5104",
               "original: Resources." + r.id + ".DependsOn lacks " + x + " vs " + PathOf(a) +
                   ": Resources." + r.id + ".DependsOn names it",
               r.loc);
  }
}

void Checker::CheckTemplateReferences(int s) {
  const Value& tmpl = set_.stacks[static_cast<std::size_t>(s)].tmpl();
  const DeclaredNames declared(tmpl, ResourceIndexes(s));
  // `where` names the definition for a finding (built only then).
  auto check = [&](const auto& references, const auto& where) {
    for (const auto& r : references) {
      if (r.kind == RefKind::kDependsOn || r.kind == RefKind::kImportValue) continue;
      const std::string& target = r.to;
      const bool attribute = NamesAttribute(r);
      // The same question of the stack and of the original (asking the original about any
      // section let a Condition that names a parameter pass there and fail here).
      auto resolves = [&](const auto& declares) {
        if (r.kind == RefKind::kCondition) return declares("Conditions", target);
        if (r.kind == RefKind::kFindInMap) return declares("Mappings", target);
        return declares("Resources", target) ||
               (!attribute && (declares("Parameters", target) || IsPseudoParameter(target)));
      };
      auto in_stack = [&](const char* section, const std::string& name) {
        return declared.Declares(section, name);
      };
      // The cheap tests first; SamGenerated scans the template's SAM resources.
      const bool names_resource = r.kind != RefKind::kCondition && r.kind != RefKind::kFindInMap;
      if (resolves(in_stack) || (names_resource && declared.SamGenerated(target))) continue;
      // The original is asked only about a name the stack leaves unresolved (a few, where
      // every reference asked it before); one it leaves unresolved too is not the split's.
      auto in_original = [&](const char* section, const std::string& name) {
        return OriginalDeclares(section, name);
      };
      if (resolves(in_original))
        Report("E5102", PathOf(s) + ": " + where() + " refers to " +
                            TargetDescription(r.kind, attribute) + " " + target +
                            ", which that template does not declare");
    }
  };
  for (const char* section : {"Resources", "Outputs"}) {
    const Value* sec = Section(tmpl, section);
    for (std::size_t i = 0; sec && i < sec->size(); ++i) {
      const Value& def = sec->items()[i];
      auto where = [&] { return std::string(section) + "." + sec->keys()[i].name; };
      // A loop body names its own identifiers; the loop stays in the base stack as written.
      if (IsForEachKey(sec->keys()[i].name)) continue;
      if (section == std::string_view("Resources"))
        check(ResourceReferences(s, i), where);
      else
        check(ReferencesIn(def, original_), where);
      const Value* cond = def.is_map() ? def.Find("Condition") : nullptr;
      if (cond && cond->is_string() && !declared.Declares("Conditions", cond->text()) &&
          OriginalDeclares("Conditions", cond->text()))
        Report("E5102", PathOf(s) + ": " + where() + ".Condition names undeclared condition " +
                            cond->text());
      for (const auto& d : syntax::DependsOnList(def))
        if (!declared.Declares("Resources", d) && OriginalDeclares("Resources", d))
          Report("E5102", PathOf(s) + ": " + where() + ".DependsOn names " + d +
                              ", which that template does not declare");
    }
  }
  if (const Value* conds = Section(tmpl, "Conditions"))
    for (std::size_t i = 0; i < conds->size(); ++i)
      if (!IsForEachKey(conds->keys()[i].name))
        check(ReferencesIn(conds->items()[i], original_),
              [&] { return "Conditions." + conds->keys()[i].name; });
}

void Checker::CheckPassedParameters(int s) {
  if (set_.mode != WiringMode::kNested || s == 0) return;
  const Value* params = Section(set_.stacks[static_cast<std::size_t>(s)].tmpl(), "Parameters");
  const Value* passed = flat_.Passed(s);
  for (std::size_t i = 0; params && i < params->size(); ++i) {
    const std::string& name = params->keys()[i].name;
    const Value& decl = params->items()[i];
    if (!(passed && passed->Find(name)) && !(decl.is_map() && decl.Find("Default")))
      Report("E5102", PathOf(s) + ": parameter " + name +
                          " has no Default and the parent does "
                          "not pass it");
  }
  for (std::size_t i = 0; passed && i < passed->size(); ++i)
    if (!(params && params->Find(passed->keys()[i].name)))
      Report("E5102", PathOf(0) + " passes parameter " + passed->keys()[i].name + " that " +
                          PathOf(s) + " does not declare");
}

void Checker::CheckLocalReferences() {
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    CheckTemplateReferences(static_cast<int>(s));
    CheckPassedParameters(static_cast<int>(s));
  }
  for (const auto& p : flat_.problems()) Report("E5102", p);
}

// What one emitted stack uses of `measure`, with the name of the largest thing measured;
// nullopt for measures an emitted template alone does not fix (a package).
std::optional<std::pair<std::uint64_t, std::string>> Checker::EmittedFigure(
    int s, QuotaMeasure measure) const {
  const StackDoc& doc = set_.stacks[static_cast<std::size_t>(s)];
  auto count = [&](const char* section) -> std::uint64_t {
    const Value* sec = Section(doc.tmpl(), section);
    return sec ? sec->size() : 0;
  };
  switch (measure) {
    case QuotaMeasure::kResources: {
      std::uint64_t resources = 0;
      if (const Value* res = Section(doc.tmpl(), "Resources"))
        for (std::size_t i = 0; i < res->size(); ++i) {
          const Value& def = res->items()[i];
          const Value* type = def.is_map() ? def.Find("Type") : nullptr;
          // Only a SAM resource expands into more than one: the others need no Resource built.
          if (!type || type->text().rfind("AWS::Serverless::", 0) != 0) {
            ++resources;
            continue;
          }
          Resource r;
          r.id = res->keys()[i].name;
          r.type = type->text();
          const Value* props = def.Find("Properties");
          r.properties = props && props->is_map() ? props : nullptr;
          resources += EstimatedExpansion(r, original_);
        }
      return std::pair{resources, std::string()};
    }
    case QuotaMeasure::kOutputs:
      return std::pair{count("Outputs"), std::string()};
    case QuotaMeasure::kParameters:
      return std::pair{count("Parameters"), std::string()};
    case QuotaMeasure::kMappings:
      return std::pair{count("Mappings"), std::string()};
    case QuotaMeasure::kTemplateBytes:
      return std::pair{static_cast<std::uint64_t>(doc.bytes), std::string()};
    case QuotaMeasure::kNameLength: {
      std::pair<std::uint64_t, std::string> longest{0, ""};
      for (const char* section : {"Resources", "Outputs", "Parameters", "Mappings", "Conditions"})
        if (const Value* sec = Section(doc.tmpl(), section))
          for (const auto& k : sec->keys())
            if (k.name.size() > longest.first) longest = {k.name.size(), k.name.substr(0, 40)};
      return longest;
    }
    default:
      return std::nullopt;
  }
}

void Checker::CheckQuotas() {
  std::uint64_t total = 0;
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    int si = static_cast<int>(s);
    const auto resources = EmittedFigure(si, QuotaMeasure::kResources);
    total += resources->first;
    for (const Quota& quota : rules_.quotas) {
      if (quota.scope != QuotaScope::kStack) continue;
      auto figure =
          quota.measure == QuotaMeasure::kResources ? resources : EmittedFigure(si, quota.measure);
      std::uint64_t limit = static_cast<std::uint64_t>(
          std::floor(static_cast<double>(quota.value) * options_.headroom));
      if (!figure || figure->first <= limit) continue;
      Report("E5107", PathOf(si) + ": " + std::to_string(figure->first) + " " + quota.label +
                          (figure->second.empty() ? "" : " (" + figure->second + ")") +
                          ", over the quota " + quota.key + " of " + std::to_string(limit));
    }
  }
  std::uint64_t nested_limit = rules_.Limit(quota::kNestedOperationResources);
  if (set_.mode == WiringMode::kNested && total > nested_limit)
    Report("E5108", "the nested stacks hold " + std::to_string(total) +
                        " resources; one nested-stack operation may create, update or delete at "
                        "most " +
                        std::to_string(nested_limit) +
                        ", so the first deploy cannot succeed (use exports mode)");
}

void Checker::CheckCycles() {
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    auto cycle = ResourceCycle(static_cast<int>(s));
    if (cycle.empty()) continue;
    std::string path;
    for (const auto& n : cycle) path += (path.empty() ? "" : " -> ") + n;
    Report("E5105", PathOf(static_cast<int>(s)) + ": dependency cycle " + path);
  }
  if (set_.mode != WiringMode::kExports) return;
  auto graph = StackGraph();
  auto cycle = FindCycle(graph);
  if (!cycle.empty()) {
    std::string path;
    for (const auto& n : cycle) path += (path.empty() ? "" : " -> ") + n;
    Report("E5105", "stacks import from each other in a cycle: " + path);
  }
  const auto& order = set_.deploy_order;
  for (const auto& [consumer, producers] : graph)
    for (const auto& p : producers) {
      auto pc = std::find(order.begin(), order.end(), consumer);
      auto pp = std::find(order.begin(), order.end(), p);
      if (!order.empty() && (pc == order.end() || pp == order.end() || pp > pc))
        Report("E5105", "stack " + consumer + " imports from " + p +
                            " but the deploy order does "
                            "not deploy " +
                            p + " first");
    }
}

VerifyReport Checker::Run() {
  Flatten();
  CompareResources();
  CompareOutputs();
  CompareDeclarations();
  CheckDependsOn();
  CheckLocalReferences();
  CheckQuotas();
  CheckCycles();
  CheckStackShapes();
  CheckStackNames();
  CheckSecrets();
  CheckSameTemplate();
  report_.ok = report_.differences.empty();
  return std::move(report_);
}

}  // namespace cfnsplit::verify
