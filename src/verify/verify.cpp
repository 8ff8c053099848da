// Verify entry points: build a StackSet from an EmitResult or from an output directory, then
// run the Checker. Exceptions never leave these functions.
#include "cfnsplit/verify.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "cfnsplit/load.hpp"
#include "cfnsplit/timings.hpp"
#include "cfnsplit/writer.hpp"
#include "verify/checker.hpp"

namespace cfnsplit {
namespace {

namespace fs = std::filesystem;

VerifyReport RunChecker(const TemplateModel& original, verify::StackSet& set, const RuleSet& rules,
                        const VerifyOptions& options, DiagnosticSink& sink) {
  for (const Parameter& p : original.parameters) set.original_parameters.insert(p.name);
  try {
    verify::Checker checker(original, set, rules, options, sink);
    return checker.Run();
  } catch (const std::exception& e) {
    sink.Error("E5110", {}, std::string("internal error while verifying: ") + e.what());
    VerifyReport r;
    r.differences.push_back(std::string("verification failed: ") + e.what());
    return r;
  }
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsTemplateFile(const std::string& name) {
  return EndsWith(name, ".json") || EndsWith(name, ".yaml") || EndsWith(name, ".yml");
}

std::string Stem(const std::string& path) {
  std::string base = fs::path(path).filename().string();
  return base.substr(0, base.find('.'));
}

bool Load(const std::string& outdir, const std::string& rel, verify::StackDoc& doc,
          SourceManager& sources, DiagnosticSink& sink) {
  std::uint32_t id = 0;
  auto v = LoadFile((fs::path(outdir) / rel).string(), sources, sink, {}, &id);
  if (!v) return false;
  doc.path = rel;
  doc.Own(std::move(*v));
  doc.bytes = sources.text(id).size();
  if (doc.name.empty()) doc.name = Stem(rel);
  return true;
}

std::vector<std::string> ListTemplates(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && IsTemplateFile(e.path().filename().string()) &&
        e.path().filename() != "stacks.json")
      out.push_back(prefix + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// stacks.json, as RenderFiles writes it.
bool ReadIndex(const std::string& outdir, verify::StackSet& set, SourceManager& sources,
               DiagnosticSink& sink) {
  std::uint32_t id = 0;
  auto index = LoadFile((fs::path(outdir) / "stacks.json").string(), sources, sink, {}, &id);
  if (!index) return false;
  const Value* mode = index->Find("mode");
  set.mode = mode && mode->text() == "exports" ? WiringMode::kExports : WiringMode::kNested;
  if (const Value* order = index->Find("deploy_order"); order && order->is_list())
    for (const auto& n : order->items()) set.deploy_order.push_back(n.text());
  const Value* stacks = index->Find("stacks");
  if (!stacks || !stacks->is_list()) {
    sink.Error("E5110", index->loc(), "stacks.json lists no stacks");
    return false;
  }
  for (const Value& s : stacks->items()) {
    verify::StackDoc doc;
    const Value* name = s.is_map() ? s.Find("name") : nullptr;
    const Value* tmpl = s.is_map() ? s.Find("template") : nullptr;
    const Value* stack_name = s.is_map() ? s.Find("stack_name") : nullptr;
    if (!name || !tmpl) {
      sink.Error("E5110", s.loc(), "every stack in stacks.json needs 'name' and 'template'");
      return false;
    }
    doc.name = name->text();
    if (stack_name) doc.stack_name = stack_name->text();
    if (!Load(outdir, tmpl->text(), doc, sources, sink)) return false;
    set.stacks.push_back(std::move(doc));
  }
  return true;
}

// The files a template's child stacks name: relative TemplateURLs, and the file names at the end
// of joined deployment-bucket URLs (the Serverless plugin's layout) that are beside it.
std::set<std::string> ChildFiles(const Value& tmpl, const std::set<std::string>& beside) {
  std::set<std::string> out;
  const Value* res = tmpl.Find("Resources");
  if (!res || !res->is_map()) return out;
  for (const Value& r : res->items()) {
    const Value* type = r.is_map() ? r.Find("Type") : nullptr;
    const Value* props = r.is_map() ? r.Find("Properties") : nullptr;
    const Value* url = props && props->is_map() ? props->Find("TemplateURL") : nullptr;
    if (!type || type->text() != "AWS::CloudFormation::Stack" || !url) continue;
    std::string file = verify::TemplateUrlFile(url);
    if (url->is_string() ? file.find("://") == std::string::npos : beside.count(file) > 0)
      out.insert(file);
  }
  return out;
}

// Without stacks.json: a top-level template with child stacks is a nested parent (its children
// in stacks/, or beside it when its TemplateURLs name them, as in a Serverless .serverless
// folder); otherwise every template in stacks/ is a top-level stack (exports).
bool Discover(const std::string& outdir, verify::StackSet& set, SourceManager& sources,
              DiagnosticSink& sink) {
  std::vector<verify::StackDoc> top;
  for (const auto& rel : ListTemplates(outdir, "")) {
    verify::StackDoc doc;
    if (!Load(outdir, rel, doc, sources, sink)) return false;
    top.push_back(std::move(doc));
  }
  std::vector<verify::StackDoc> children;
  for (const auto& rel : ListTemplates(fs::path(outdir) / "stacks", "stacks/")) {
    verify::StackDoc doc;
    if (!Load(outdir, rel, doc, sources, sink)) return false;
    children.push_back(std::move(doc));
  }
  std::set<std::string> beside;
  for (const auto& d : top) beside.insert(d.path);
  auto parent = std::find_if(top.begin(), top.end(), [&](const verify::StackDoc& d) {
    return !ChildFiles(d.tmpl(), beside).empty();
  });
  if (parent != top.end()) {
    set.mode = WiringMode::kNested;
    std::set<std::string> named = ChildFiles(parent->tmpl(), beside);
    set.stacks.push_back(std::move(*parent));
    for (auto& d : top)
      if (named.count(d.path) > 0 && d.path != set.stacks[0].path) children.push_back(std::move(d));
  } else {
    set.mode = WiringMode::kExports;
  }
  if (set.mode == WiringMode::kExports) {
    // The base imports from no other stack: it declares no parameter carrying another's name.
    auto imports_nothing = [&](const verify::StackDoc& d) {
      const Value* params = d.tmpl().Find("Parameters");
      if (!params || !params->is_map()) return true;
      for (const auto& other : children)
        for (std::size_t i = 0; &other != &d && i < params->size(); ++i)
          if (verify::CarriesStackName(params->keys()[i].name, params->items()[i], other.name))
            return false;
      return true;
    };
    auto base = std::find_if(children.begin(), children.end(), imports_nothing);
    if (base != children.end()) std::rotate(children.begin(), base, base + 1);
  }
  for (auto& c : children) set.stacks.push_back(std::move(c));
  if (set.stacks.empty()) {
    sink.Error("E5110", {}, "'" + outdir + "' holds no templates");
    return false;
  }
  return true;
}

}  // namespace

VerifyReport VerifyEmitted(const TemplateModel& original, const EmitResult& emitted,
                           const RuleSet& rules, const VerifyOptions& options,
                           DiagnosticSink& sink) {
  timings::Scope timing("verify");
  verify::StackSet set;
  set.mode = emitted.mode;
  set.deploy_order =
      emitted.mode == WiringMode::kExports ? emitted.deploy_order : std::vector<std::string>{};
  std::map<std::string, std::uint64_t> rendered_bytes;
  if (options.rendered)
    for (const EmittedFile& f : *options.rendered) rendered_bytes[f.path] = f.contents.size();
  for (const EmittedStack& s : emitted.stacks) {
    verify::StackDoc doc;
    doc.name = s.name;
    doc.path = s.path;
    doc.stack_name = s.stack_name;
    doc.Borrow(s.tmpl);
    auto rendered = rendered_bytes.find(s.path);
    doc.bytes = rendered != rendered_bytes.end() ? rendered->second
                : EndsWith(s.path, ".json")      ? WriteJson(s.tmpl).size()
                                                 : WriteYaml(s.tmpl).size();
    set.stacks.push_back(std::move(doc));
  }
  return RunChecker(original, set, rules, options, sink);
}

VerifyReport VerifyOutputDir(const TemplateModel& original, const std::string& outdir,
                             const RuleSet& rules, const VerifyOptions& options,
                             SourceManager& sources, DiagnosticSink& sink) {
  VerifyReport failed;
  try {
    verify::StackSet set;
    std::error_code ec;
    bool indexed = fs::exists(fs::path(outdir) / "stacks.json", ec);
    if (!(indexed ? ReadIndex(outdir, set, sources, sink) : Discover(outdir, set, sources, sink))) {
      failed.differences.push_back("cannot read the output directory '" + outdir + "'");
      return failed;
    }
    if (set.mode == WiringMode::kNested) set.deploy_order.clear();
    return RunChecker(original, set, rules, options, sink);
  } catch (const std::exception& e) {
    sink.Error("E5110", {}, "cannot verify '" + outdir + "': " + e.what());
    failed.differences.push_back(e.what());
    return failed;
  }
}

namespace {

// The stack set of an output directory (stacks.json, or discovered as verify does).
bool ReadStackSet(const std::string& outdir, verify::StackSet& set, SourceManager& sources,
                  DiagnosticSink& sink) {
  std::error_code ec;
  if (fs::exists(fs::path(outdir) / "stacks.json", ec))
    return ReadIndex(outdir, set, sources, sink);
  return Discover(outdir, set, sources, sink);
}

// A nested parent's condition that guards child stacks only (the emitter's, not the original's).
bool GuardsChildrenOnly(const Value& parent, const std::string& condition,
                        const verify::Flattener& flat) {
  const Value* res = parent.Find("Resources");
  bool guards = false;
  for (std::size_t i = 0; res && i < res->size(); ++i) {
    const Value* c = res->items()[i].is_map() ? res->items()[i].Find("Condition") : nullptr;
    if (!c || !c->is_string() || c->text() != condition) continue;
    if (flat.ChildOf(res->keys()[i].name) < 0) return false;
    guards = true;
  }
  return guards;
}

void Gather(const verify::StackSet& set, verify::Flattener& flat, ReassembledSplit& out,
            Value& resources, Value& conditions, Value& mappings) {
  for (std::size_t s = 0; s < set.stacks.size(); ++s) {
    const int si = static_cast<int>(s);
    const Value& tmpl = set.stacks[s].tmpl();
    ReassembledSplit::Stack stack{
        set.stacks[s].name, set.stacks[s].stack_name, set.stacks[s].path, {}, "", Value()};
    if (const Value* res = tmpl.Find("Resources"); res && res->is_map())
      for (std::size_t i = 0; i < res->size(); ++i) {
        const std::string& id = res->keys()[i].name;
        if ((si == 0 && flat.ChildOf(id) >= 0) || verify::IsPlaceholder(res->items()[i])) continue;
        Value def = flat.Flat(res->items()[i], si);
        // The emitter's ordering imports stand for a DependsOn across stacks: it writes them
        // again wherever the placement needs them.
        if (Value* meta = def.is_map() ? def.Find("Metadata") : nullptr; meta && meta->is_map()) {
          meta->Erase("cfnsplit:deploy-after");
          if (meta->size() == 0) def.Erase("Metadata");
        }
        resources.Set(id, std::move(def));
        stack.resources.push_back(id);
      }
    if (const Value* conds = tmpl.Find("Conditions"); conds && conds->is_map())
      for (std::size_t i = 0; i < conds->size(); ++i) {
        const std::string& name = conds->keys()[i].name;
        bool generated =
            set.mode == WiringMode::kNested && si == 0 && GuardsChildrenOnly(tmpl, name, flat);
        if (!generated && !conditions.Find(name))
          conditions.Set(name, flat.Flat(conds->items()[i], si));
      }
    if (const Value* maps = tmpl.Find("Mappings"); maps && maps->is_map())
      for (std::size_t i = 0; i < maps->size(); ++i)
        if (!mappings.Find(maps->keys()[i].name))
          mappings.Set(maps->keys()[i].name, maps->items()[i]);
    if (const Value* passed = flat.Passed(si)) flat.Flat(*passed, 0);  // marks plumbing
    out.stacks.push_back(std::move(stack));
  }
}

// A nested split as deployed: which parent resource each child is, and every template as read
// (migrate un-nests the children from them).
void RecordChildren(const verify::StackSet& set, const verify::Flattener& flat,
                    ReassembledSplit& out) {
  if (const Value* res = set.stacks[0].tmpl().Find("Resources"); res && res->is_map())
    for (std::size_t i = 0; i < res->size(); ++i) {
      int child = flat.ChildOf(res->keys()[i].name);
      if (child > 0 && static_cast<std::size_t>(child) < out.stacks.size())
        out.stacks[static_cast<std::size_t>(child)].resource_id = res->keys()[i].name;
    }
  for (std::size_t s = 0; s < set.stacks.size(); ++s) out.stacks[s].deployed = set.stacks[s].tmpl();
}

}  // namespace

std::optional<ReassembledSplit> ReassembleOutputDir(const std::string& outdir,
                                                    SourceManager& sources, DiagnosticSink& sink) {
  try {
    verify::StackSet set;
    if (!ReadStackSet(outdir, set, sources, sink)) return std::nullopt;
    verify::Flattener flat(set);
    ReassembledSplit out;
    out.mode = set.mode;
    const Value& base = set.stacks[0].tmpl();
    Value resources = Value::Map(), conditions = Value::Map(), mappings = Value::Map();
    Gather(set, flat, out, resources, conditions, mappings);
    if (set.mode == WiringMode::kNested) RecordChildren(set, flat, out);
    // Outputs last: an output is plumbing when some stack reads it, known once all is flat.
    Value outputs = Value::Map();
    for (std::size_t s = 0; s < set.stacks.size(); ++s) {
      const Value* outs = set.stacks[s].tmpl().Find("Outputs");
      for (std::size_t i = 0; outs && outs->is_map() && i < outs->size(); ++i) {
        Value def = flat.Flat(outs->items()[i], static_cast<int>(s));
        if (!flat.IsPlumbing(static_cast<int>(s), outs->keys()[i].name))
          outputs.Set(outs->keys()[i].name, std::move(def));
      }
    }
    if (!flat.problems().empty()) {
      sink.Error("E5110", {}, "'" + outdir + "': " + flat.problems().front());
      return std::nullopt;
    }
    Value params = Value::Map();
    if (const Value* p = base.Find("Parameters"); p && p->is_map())
      for (std::size_t i = 0; i < p->size(); ++i) {
        bool plumbing = false;
        for (const verify::StackDoc& d : set.stacks)
          plumbing = plumbing || verify::CarriesStackName(p->keys()[i].name, p->items()[i], d.name);
        if (!plumbing) params.Set(p->keys()[i].name, p->items()[i]);
      }
    Value root = Value::Map(base.loc());
    for (const char* key : {"AWSTemplateFormatVersion", "Transform", "Description", "Metadata"})
      if (const Value* v = base.Find(key)) root.Set(key, *v);
    if (params.size()) root.Set("Parameters", std::move(params));
    if (mappings.size()) root.Set("Mappings", std::move(mappings));
    if (conditions.size()) root.Set("Conditions", std::move(conditions));
    root.Set("Resources", std::move(resources));
    if (outputs.size()) root.Set("Outputs", std::move(outputs));
    out.tmpl = std::move(root);
    return out;
  } catch (const std::exception& e) {
    sink.Error("E5110", {}, "cannot read '" + outdir + "': " + e.what());
    return std::nullopt;
  }
}

}  // namespace cfnsplit
