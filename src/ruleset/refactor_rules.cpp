#include "ruleset/refactor_rules.hpp"

#include <set>

namespace cfnsplit {

const TypeFact* RefactorRules::Find(const std::vector<TypeFact>& list, const std::string& type) {
  for (const TypeFact& f : list) {
    const std::string& p = f.type;
    bool glob = !p.empty() && p.back() == '*';
    if (glob ? type.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0 : type == p) return &f;
  }
  return nullptr;
}

std::uint64_t RefactorRules::Limit(const std::string& key, std::uint64_t fallback) const {
  auto it = limits.find(key);
  return it == limits.end() ? fallback : it->second;
}

namespace {

std::string Text(const Value& map, const char* key) {
  const Value* v = map.Find(key);
  return v && v->is_scalar() ? v->text() : "";
}

bool OnlyKeys(const Value& map, const std::set<std::string>& allowed, DiagnosticSink& sink) {
  bool ok = true;
  for (const auto& k : map.keys())
    if (!allowed.count(k.name)) {
      sink.Error("E0010", k.loc, "unknown key '" + k.name + "' in rules/refactor.yaml");
      ok = false;
    }
  return ok;
}

// Reads one list of type facts; `key` names the list, `detail` the entry key that becomes
// TypeFact::detail ("" when the list has none), `name` the entry key holding the type.
void ReadFacts(const Value& doc, const char* key, const char* name, const char* detail,
               std::vector<TypeFact>& out, DiagnosticSink& sink) {
  const Value* list = doc.Find(key);
  if (!list || !list->is_list()) {
    sink.Error("E0010", doc.loc(), std::string("refactor rules need a '") + key + "' list");
    return;
  }
  std::set<std::string> allowed = {name, "source"};
  if (*detail) allowed.insert(detail);
  for (const Value& r : list->items()) {
    if (!r.is_map() || !OnlyKeys(r, allowed, sink)) continue;
    TypeFact fact{Text(r, name), *detail ? Text(r, detail) : "", Text(r, "source")};
    if (fact.type.empty() || fact.source.empty() || (*detail && fact.detail.empty()))
      sink.Error("E0010", r.loc(),
                 std::string("an entry of '") + key + "' needs '" + name + "'" +
                     (*detail ? std::string(", '") + detail + "'" : "") + " and 'source'");
    else
      out.push_back(std::move(fact));
  }
}

}  // namespace

void ReadRefactorRules(const Value& doc, RefactorRules& out, DiagnosticSink& sink) {
  OnlyKeys(doc,
           {"schema", "checked", "refactor_limits", "refactor_deny", "not_fully_mutable",
            "own_stack_pseudo_parameters", "importable", "not_importable", "recreate_safe",
            "name_properties"},
           sink);
  if (const Value* limits = doc.Find("refactor_limits"); limits && limits->is_list()) {
    for (const Value& r : limits->items()) {
      if (!r.is_map() || !OnlyKeys(r, {"key", "value", "source"}, sink)) continue;
      const Value* v = r.Find("value");
      if (Text(r, "key").empty() || Text(r, "source").empty() || !v || !v->is_number() ||
          v->text().find_first_not_of("0123456789") != std::string::npos) {
        sink.Error("E0010", r.loc(), "a refactor limit needs 'key', a whole 'value' and 'source'");
        continue;
      }
      out.limits[Text(r, "key")] = std::stoull(v->text());
    }
  } else {
    sink.Error("E0010", doc.loc(), "refactor rules need a 'refactor_limits' list");
  }
  ReadFacts(doc, "refactor_deny", "type", "", out.deny, sink);
  ReadFacts(doc, "not_fully_mutable", "type", "provisioning", out.not_fully_mutable, sink);
  ReadFacts(doc, "importable", "type", "identifier", out.importable, sink);
  ReadFacts(doc, "not_importable", "type", "", out.not_importable, sink);
  ReadFacts(doc, "recreate_safe", "type", "gap", out.recreate_safe, sink);
  ReadFacts(doc, "name_properties", "type", "property", out.name_properties, sink);
  ReadFacts(doc, "own_stack_pseudo_parameters", "name", "explicit", out.own_stack_pseudo, sink);
}

}  // namespace cfnsplit
