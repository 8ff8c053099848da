// Comparison of the flattened stacks with the original: resources, outputs, declarations and
// DependsOn. Maps compare without regard to key order; lists in order.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string_view>

#include "cfnsplit/intrinsics.hpp"
#include "cfnsplit/writer.hpp"
#include "verify/checker.hpp"

namespace cfnsplit::verify {
namespace fs = std::filesystem;
namespace {

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

std::string Brief(const Value& v) {
  std::string s = WriteJson(v, 0);
  s.pop_back();  // newline
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

Value Only(const Value& def, std::initializer_list<const char*> keys) {
  Value out = Value::Map();
  for (const char* k : keys)
    if (const Value* v = def.is_map() ? def.Find(k) : nullptr) out.AppendEntry(k, *v);
  return out;
}

// The documented per-stack package key (docs/emit.md): `original` with "-<stack>", or once the
// package is built "-<stack>-<SHA-256 in lower-case hex>", inserted before ".zip" (appended when
// the key has no ".zip").
bool IsArtifactKeyOf(const std::string& key, const std::string& original,
                     const std::string& stack) {
  const std::string zip = ".zip";
  bool zipped = original.size() >= zip.size() &&
                original.compare(original.size() - zip.size(), zip.size(), zip) == 0;
  std::string stem = zipped ? original.substr(0, original.size() - zip.size()) : original;
  std::string suffix = zipped ? zip : "";
  std::string head = stem + "-" + stack;
  if (key == head + suffix) return true;
  const std::size_t hex = 64;
  if (key.size() != head.size() + 1 + hex + suffix.size() ||
      key.compare(0, head.size(), head) != 0 || key[head.size()] != '-' ||
      key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  std::string sha = key.substr(head.size() + 1, hex);
  return sha.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Checker::Checker(const TemplateModel& original, const StackSet& set, const RuleSet& rules,
                 const VerifyOptions& options, DiagnosticSink& sink)
    : original_(original), set_(set), rules_(rules), options_(options), sink_(sink), flat_(set) {}

const std::string& Checker::PathOf(int stack) const {
  return set_.stacks[static_cast<std::size_t>(stack)].path;
}

void Checker::Report(const char* code, const std::string& text, SourceLoc loc) {
  report_.differences.push_back(text);
  sink_.Error(code, loc, text);
}

void Checker::Note(const char* code, const std::string& text) { sink_.Warning(code, {}, text); }

void Checker::Flatten() {
  outputs_.resize(set_.stacks.size());
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    int si = static_cast<int>(s);
    const Value& tmpl = set_.stacks[s].tmpl();
    if (const Value* res = Section(tmpl, "Resources")) {
      for (std::size_t i = 0; i < res->size(); ++i) {
        const std::string& id = res->keys()[i].name;
        if ((si == 0 && flat_.ChildOf(id) >= 0) || IsPlaceholder(res->items()[i])) continue;
        // Flattened where it is compared (CompareResources); its wiring is resolved here, in
        // stack order, so what flattening learns (plumbing, imports, problems) is complete
        // and in the same order before any check reads it.
        const Value& def = res->items()[i];
        flat_.Resolve(def, si);
        resources_[id].push_back({si, &def, syntax::DependsOnList(def)});
      }
    }
    if (const Value* outs = Section(tmpl, "Outputs"))
      for (std::size_t i = 0; i < outs->size(); ++i) {
        Value& def = outputs_[s][outs->keys()[i].name];
        def = flat_.Flat(outs->items()[i], si);
        NormalizeInPlace(def);
      }
    if (const Value* passed = flat_.Passed(si)) flat_.Flat(*passed, 0);  // marks plumbing
    // SAM Globals copied into a child read values through the same plumbing.
    if (const Value* globals = Section(tmpl, "Globals"); globals && si > 0) {
      Value flat = flat_.Flat(*globals, si);
      NormalizeInPlace(flat);
      const Value* original = original_.Section("Globals");
      int budget = 10;
      if (original) {
        Value before = Normalize(*original);
        for (std::size_t g = 0; !options_.output_dir.empty() && g < before.size(); ++g) {
          ResolveArtifactPaths(before.items()[g],
                               fs::absolute(original_.path()).parent_path().string(),
                               before.keys()[g].name);
          if (Value* section = flat.Find(before.keys()[g].name))
            ResolveArtifactPaths(*section, StackDir(si), before.keys()[g].name);
        }
        Diff(before, flat, "Globals", si, "E5101", budget);
      }
    }
  }
}

void Checker::Diff(const Value& a, const Value& b, const std::string& path, int stack,
                   const char* code, int& budget) {
  // Equal in order is equal in any order: nothing to report, and no path strings to build for
  // the (usual) subtree that matches.
  if (budget <= 0 || a.Equals(b)) return;
  auto differ = [&](const std::string& original_side, const std::string& output_side) {
    --budget;
    Report(code,
           "original: " + path + original_side + " vs " + PathOf(stack) + ": " + path + output_side,
           a.loc());
  };
  if (a.kind() != b.kind() || (a.is_scalar() && !a.Equals(b)))
    return differ(" = " + Brief(a), " = " + Brief(b));
  if (a.is_list()) {
    if (a.size() != b.size())
      return differ(" has " + std::to_string(a.size()) + " items",
                    " has " + std::to_string(b.size()) + " items");
    for (std::size_t i = 0; i < a.size(); ++i)
      Diff(a.items()[i], b.items()[i], path + "[" + std::to_string(i) + "]", stack, code, budget);
    return;
  }
  if (!a.is_map()) return;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string& k = a.keys()[i].name;
    const Value* other = b.Find(k);
    if (!other)
      differ("." + k + " = " + Brief(a.items()[i]), "." + k + " is missing");
    else
      Diff(a.items()[i], *other, path + "." + k, stack, code, budget);
  }
  for (std::size_t i = 0; i < b.size(); ++i)
    if (!a.Find(b.keys()[i].name))
      differ("." + b.keys()[i].name + " is absent",
             "." + b.keys()[i].name + " = " + Brief(b.items()[i]));
}

const char* PackageProperty(const std::string& type) {
  if (type == "AWS::Lambda::Function") return "Code";
  if (type == "AWS::Lambda::LayerVersion") return "Content";
  return nullptr;
}

// Code.S3Key = Ref <Stack>ArtifactKey whose Default is the original key with the stack name
// inserted is the documented per-stack package rewrite: accept it as the original.
// A built layer's Content.S3Key = Ref <Stack><Layer>ContentKey is the same rewrite for layers.
bool Checker::AcceptArtifactKey(const Resource& r, Value& flat) const {
  const char* property = PackageProperty(r.type);
  if (!property || !r.properties) return false;
  const Value* code = r.properties->Find(property);
  const Value* key = code && code->is_map() ? code->Find("S3Key") : nullptr;
  Value* props = flat.Find("Properties");
  Value* fcode = props && props->is_map() ? props->Find(property) : nullptr;
  Value* fkey = fcode && fcode->is_map() ? fcode->Find("S3Key") : nullptr;
  if (!key || !fkey || !IsStackArtifactKey(r, *key, *fkey)) return false;
  *fkey = *key;
  return true;
}

bool Checker::IsStackArtifactKey(const Resource& r, const Value& key, const Value& flat_key) const {
  const char* property = PackageProperty(r.type);
  if (!property || !key.is_string() || flat_key.IntrinsicName() != "Ref") return false;
  const std::string& param = flat_key.IntrinsicArg().text();
  const std::string suffix = property == std::string_view("Content") ? "ContentKey" : "ArtifactKey";
  if (param.size() <= suffix.size() ||
      param.compare(param.size() - suffix.size(), suffix.size(), suffix))
    return false;
  std::string stack = param.substr(0, param.size() - suffix.size());
  for (const Value* def : ParameterDefaults(param))
    if (IsArtifactKeyOf(def->text(), key.text(), stack)) return true;
  return false;
}

// Every function asks for its key parameter: the stacks' parameters are indexed once.
const std::vector<const Value*>& Checker::ParameterDefaults(const std::string& param) const {
  if (!parameter_defaults_built_) {
    parameter_defaults_built_ = true;
    for (const StackDoc& doc : set_.stacks) {
      const Value* params = Section(doc.tmpl(), "Parameters");
      for (std::size_t i = 0; params && i < params->size(); ++i) {
        const Value& decl = params->items()[i];
        const Value* def = decl.is_map() ? decl.Find("Default") : nullptr;
        // A template declares a name once (the loader refuses a repeat), as Find assumes.
        if (def) parameter_defaults_[params->keys()[i].name].push_back(def);
      }
    }
  }
  static const std::vector<const Value*> kNone;
  auto it = parameter_defaults_.find(param);
  return it == parameter_defaults_.end() ? kNone : it->second;
}

// A function the plan moves to a container image (docs/emit.md): PackageType Image, its code a
// Ref to an ImageUri parameter, no Runtime, Handler or Layers, the handler as the image command.
bool Checker::AcceptImage(const Resource& r, Value& original, Value& flat) const {
  bool sam = r.type == "AWS::Serverless::Function";
  if (!sam && r.type != "AWS::Lambda::Function") return false;
  Value* props = flat.Find("Properties");
  Value* before = original.Find("Properties");
  const Value* type = props && props->is_map() ? props->Find("PackageType") : nullptr;
  const Value* was = before && before->is_map() ? before->Find("PackageType") : nullptr;
  if (!type || type->text() != "Image" || (was && was->text() == "Image")) return false;
  const Value* code = sam ? props->Find("ImageUri") : props->Find("Code");
  const Value* uri =
      sam ? code : (code && code->is_map() && code->size() == 1 ? code->Find("ImageUri") : nullptr);
  if (!uri || uri->IntrinsicName() != "Ref") return false;
  const Value* handler = before ? before->Find("Handler") : nullptr;
  const Value* config = props->Find("ImageConfig");
  if (handler && config && !before->Find("ImageConfig")) {
    Value command = Value::Map();
    Value list = Value::List();
    list.Append(*handler);
    command.AppendEntry("Command", std::move(list));
    if (config->Equals(command)) props->Erase("ImageConfig");
  }
  for (const char* gone : {"PackageType", "ImageUri", "Code"}) props->Erase(gone);
  for (const char* gone :
       {"PackageType", "Runtime", "Handler", "Layers", "Code", "CodeUri", "InlineCode"})
    if (before) before->Erase(gone);
  return true;
}

// A Lambda version whose function's code changed may carry the new package's CodeSha256, or
// none: the original's would name code that is no longer deployed.
void Checker::AcceptVersionHash(const Resource& r, Value& original, Value& flat) const {
  if (r.type != "AWS::Lambda::Version" || !r.properties || !new_code_.count(VersionTarget(r)))
    return;
  Value* before = original.Find("Properties");
  Value* props = flat.Find("Properties");
  if (before) before->Erase("CodeSha256");
  if (props) props->Erase("CodeSha256");
}

std::string Checker::VersionTarget(const Resource& r) {
  const Value* fn = r.properties ? r.properties->Find("FunctionName") : nullptr;
  std::string target;
  if (fn && fn->IntrinsicName() == "Ref") target = fn->IntrinsicArg().text();
  std::string attr;
  if (fn && fn->IntrinsicName() == "Fn::GetAtt")
    syntax::GetAttParts(fn->IntrinsicArg(), target, attr);
  return target;
}

// Exports mode: a resource that DependsOn a resource of another stack may import that stack's
// ordering export in its Metadata (docs/emit.md); the import is what CheckDependsOn counts on.
void AcceptOrderingImport(const Value& original, Value& flat) {
  const char* key = "cfnsplit:deploy-after";
  const Value* before = original.Find("Metadata");
  Value* meta = flat.Find("Metadata");
  if (!meta || !meta->is_map() || !meta->Find(key) ||
      (before && before->is_map() && before->Find(key)))
    return;
  meta->Erase(key);
  if (meta->size() == 0 && !before) flat.Erase("Metadata");
}

std::string Checker::StackDir(int stack) const {
  return (fs::path(options_.output_dir) / fs::path(PathOf(stack)).parent_path())
      .lexically_normal()
      .string();
}

// `CodeUri: ./src` in a template of one folder and `CodeUri: ../../app/src` in a template of
// another are the same when they reach the same file. An absent SAM CodeUri packages the
// template's own folder: the folder is what is compared.
std::string Checker::LocalArtifactPath(const Value& holder, const std::string& key,
                                       const ArtifactPath& rule) const {
  if (const Value* v = holder.Find(key)) {
    if (!v->is_string()) return "";
    const std::string& path = v->text();
    bool remote = path.rfind("s3://", 0) == 0 || path.rfind("http://", 0) == 0 ||
                  path.rfind("https://", 0) == 0;
    return remote ? "" : path;
  }
  // Absent: SAM packages the template's folder, unless the code is inline, an image, or
  // given by Globals.
  const Value* globals = original_.Section("Globals");
  const Value* function_globals =
      globals && globals->is_map() ? globals->Find("Function") : nullptr;
  const Value* package_type = holder.Find("PackageType");
  if (!rule.null_means_folder || holder.Find("InlineCode") || holder.Find("ImageUri") ||
      (package_type && package_type->text() == "Image") ||
      (function_globals && function_globals->is_map() && function_globals->Find("CodeUri")))
    return "";
  return ".";
}

void Checker::ResolveArtifactPaths(Value& def, const std::string& dir,
                                   const std::string& globals_section) const {
  const Value* type = def.is_map() ? def.Find("Type") : nullptr;
  if (globals_section.empty() && (!type || !type->is_string())) return;
  const std::string kind = globals_section.empty() ? type->text() : "Globals." + globals_section;
  rules_.ForEachArtifactPath(
      def, kind, [&](Value* holder, const std::string& key, const ArtifactPath& rule) {
        if (!holder) return;
        std::string path = LocalArtifactPath(*holder, key, rule);
        if (path.empty()) return;
        fs::path resolved = fs::path(path).is_absolute() ? fs::path(path) : fs::path(dir) / path;
        std::string text = resolved.lexically_normal().string();
        if (text.size() > 1 && text.back() == '/') text.pop_back();
        holder->Set(key, Value::String(text));
      });
}

void Checker::CompareResources() {
  // Functions first: a version's CodeSha256 may follow its function's new code.
  std::vector<const Resource*> order;
  for (const Resource& r : original_.resources)
    if (r.type != "AWS::Lambda::Version") order.push_back(&r);
  for (const Resource& r : original_.resources)
    if (r.type == "AWS::Lambda::Version") order.push_back(&r);
  // Folders against which artifact paths resolve: computed once, not once per resource.
  std::string original_dir;
  std::vector<std::string> stack_dirs;
  if (!options_.output_dir.empty()) {
    original_dir = fs::absolute(original_.path()).parent_path().string();
    for (std::size_t s = 0; s < set_.stacks.size(); ++s)
      stack_dirs.push_back(StackDir(static_cast<int>(s)));
  }
  std::size_t matched = 0;  // emitted names the original declares
  for (const Resource* rp : order) {
    const Resource& r = *rp;
    auto it = resources_.find(r.id);
    if (it == resources_.end()) {
      Report("E5101", "original: Resources." + r.id + " is in no emitted stack", r.loc);
      continue;
    }
    ++matched;
    if (it->second.size() > 1) {
      std::string where;
      for (const auto& f : it->second) where += (where.empty() ? "" : ", ") + PathOf(f.stack);
      Report("E5101",
             "original: Resources." + r.id + " is declared " + std::to_string(it->second.size()) +
                 " times: " + where,
             r.loc);
      continue;
    }
    ++report_.resources_checked;
    int stack = it->second.front().stack;
    const Value& emitted = *it->second.front().def;
    if (SameAsOriginal(r, emitted, stack)) continue;
    ++report_.resources_compared_whole;
    Value flat = flat_.Flat(emitted, stack);
    NormalizeInPlace(flat);
    flat.Erase("DependsOn");
    AcceptOrderingImport(*r.def, flat);
    int budget = 10;
    Value original = InOwnStackTerms(*r.def, stack);
    NormalizeInPlace(original);
    original.Erase("DependsOn");
    if (!options_.output_dir.empty()) {
      ResolveArtifactPaths(original, original_dir);
      ResolveArtifactPaths(flat, stack_dirs[static_cast<std::size_t>(stack)]);
    }
    if (AcceptArtifactKey(r, flat) || AcceptImage(r, original, flat)) new_code_.insert(r.id);
    AcceptVersionHash(r, original, flat);
    Diff(original, flat, "Resources." + r.id, stack, "E5101", budget);
  }
  if (matched == resources_.size()) return;
  std::vector<std::pair<std::string_view, int>> extra;  // reported in name order
  for (const auto& [id, defs] : resources_)
    if (!original_.FindResource(std::string(id))) extra.emplace_back(id, defs.front().stack);
  std::sort(extra.begin(), extra.end());
  for (const auto& [id, stack] : extra)
    Report("E5101", "original has no Resources." + std::string(id) + " but " + PathOf(stack) +
                        " declares it");
}

void Checker::CompareOutputs() {
  std::map<std::string, std::pair<int, const Value*>> real;
  for (std::size_t s = 0; s < outputs_.size(); ++s)
    for (const auto& [name, def] : outputs_[s])
      if (!flat_.IsPlumbing(static_cast<int>(s), name)) {
        if (real.count(name))
          Report("E5103", "output " + name + " is declared by both " + PathOf(real[name].first) +
                              " and " + PathOf(static_cast<int>(s)));
        real[name] = {static_cast<int>(s), &def};
      }
  for (const Output& o : original_.outputs) {
    auto it = real.find(o.name);
    if (it == real.end()) {
      Report("E5103", "original: Outputs." + o.name + " is in no emitted stack", o.loc);
      continue;
    }
    int budget = 10;
    Diff(Only(Normalize(*o.def), {"Value", "Export", "Condition"}),
         Only(*it->second.second, {"Value", "Export", "Condition"}), "Outputs." + o.name,
         it->second.first, "E5103", budget);
  }
  std::set<std::string_view> original_names;  // by name, once: not a scan per output
  for (const Output& o : original_.outputs) original_names.insert(o.name);
  for (const auto& [name, where] : real) {
    if (!original_names.count(name))
      Report("E5103", "original has no Outputs." + name + " but " + PathOf(where.first) +
                          " declares it and no stack reads it");
  }
}

void Checker::CompareDeclarations() {
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    int si = static_cast<int>(s);
    const Value& tmpl = set_.stacks[s].tmpl();
    bool top_level = set_.mode == WiringMode::kExports || s == 0;
    if (const Value* conds = Section(tmpl, "Conditions"))
      for (std::size_t i = 0; i < conds->size(); ++i) {
        const std::string& name = conds->keys()[i].name;
        const Value* orig = original_.FindCondition(name);
        int budget = 5;
        if (!orig && !(si == 0 && IsStackGuard(name)))
          Report("E5109", PathOf(si) + " declares condition " + name + " that the original lacks");
        else if (orig)
          Diff(Normalize(*orig), Normalize(flat_.Flat(conds->items()[i], si)), "Conditions." + name,
               si, "E5109", budget);
      }
    if (const Value* maps = Section(tmpl, "Mappings"))
      for (std::size_t i = 0; i < maps->size(); ++i) {
        const std::string& name = maps->keys()[i].name;
        const Value* orig = original_.FindMapping(name);
        int budget = 5;
        if (!orig)
          Report("E5109", PathOf(si) + " declares mapping " + name + " that the original lacks");
        else
          Diff(Normalize(*orig), Normalize(maps->items()[i]), "Mappings." + name, si, "E5109",
               budget);
      }
    const Value* params = Section(tmpl, "Parameters");
    for (const Parameter& p : original_.parameters) {
      const Value* decl = params ? params->Find(p.name) : nullptr;
      if (!decl) {
        if (s == 0)
          Report("E5109", "original: Parameters." + p.name + " is not declared by " + PathOf(si),
                 p.loc);
        continue;
      }
      int budget = 5;
      if (top_level) {
        Diff(Normalize(*p.def), Normalize(*decl), "Parameters." + p.name, si, "E5109", budget);
        continue;
      }
      const Value* type = decl->is_map() ? decl->Find("Type") : nullptr;
      bool as_string = p.is_list() || p.type.rfind("AWS::SSM::Parameter::Value<", 0) == 0;
      std::string t = type ? type->text() : "";
      if (t != p.type && !(as_string && t == "String"))
        Report("E5109",
               "original: Parameters." + p.name + ".Type = " + p.type + " vs " + PathOf(si) +
                   ": Parameters." + p.name + ".Type = " + t,
               p.loc);
      const Value* ne = decl->is_map() ? decl->Find("NoEcho") : nullptr;
      if (p.no_echo && !(ne && (ne->text() == "true" || ne->text() == "True")))
        Report("E5109",
               "original: Parameters." + p.name + " is NoEcho but " + PathOf(si) +
                   " declares it without NoEcho",
               p.loc);
    }
  }
}

}  // namespace cfnsplit::verify
