// Local artifact paths (CodeUri: ./src, Code: build/app.zip, TemplateURL: child.yaml …) resolve
// against the folder of the template that holds them: written into OUTDIR/stacks/, each is
// rewritten to reach the same file from there (rules/artifact-paths.yaml).
#include <filesystem>

#include "emit/emitter.hpp"
#include "emit/value_util.hpp"

namespace cfnsplit::emit {
namespace fs = std::filesystem;

namespace {

bool IsLocalPath(const std::string& s) {
  return !s.empty() && s.rfind("s3://", 0) != 0 && s.rfind("http://", 0) != 0 &&
         s.rfind("https://", 0) != 0;
}

// A SAM function (or layer) with no code property packages the template's folder, unless its
// code is inline, an image, or set by Globals.
bool PackagesFolderWhenAbsent(const Value& def, const std::string& type, const Value* globals) {
  const Value* props = def.is_map() ? def.Find("Properties") : nullptr;
  if (!props || !props->is_map()) return false;
  if (type == "AWS::Serverless::Function") {
    const Value* pt = props->Find("PackageType");
    const Value* fn = globals && globals->is_map() ? globals->Find("Function") : nullptr;
    return !props->Find("InlineCode") && !props->Find("ImageUri") &&
           !(pt && pt->text() == "Image") && !(fn && fn->is_map() && fn->Find("CodeUri"));
  }
  return true;
}

}  // namespace

std::string Emitter::RebasePath(const std::string& path, const std::string& to_dir) const {
  if (!IsLocalPath(path) || options_.output_dir.empty()) return path;
  fs::path from = fs::absolute(fs::path(model_.path())).parent_path();
  fs::path target = (fs::path(path).is_absolute() ? fs::path(path) : from / path).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "app/." is the folder "app"
  std::string rel = target.lexically_relative(fs::path(to_dir)).string();
  return rel.empty() ? "." : rel;
}

std::string Emitter::StackDir(const StackOut& s) const {
  return (fs::path(options_.output_dir) / fs::path(s.path).parent_path()).lexically_normal().string();
}

void Emitter::RebaseArtifactPaths() {
  if (options_.output_dir.empty()) return;
  const Value* globals = model_.Section("Globals");
  for (StackOut& s : stacks_) {
    const std::string dir = StackDir(s);
    for (std::size_t i = 0; i < s.resources.size(); ++i) {
      Value& def = s.resources.items()[i];
      const Value* type = def.is_map() ? def.Find("Type") : nullptr;
      if (!type || !type->is_string()) continue;
      const std::string t = type->text();
      rules_.ForEachArtifactPath(def, t, [&](Value* holder, const std::string& key,
                                              const ArtifactPath& rule) {
        if (!holder) return;
        if (Value* v = holder->Find(key)) {
          if (v->is_string()) *v = syntax::Str(RebasePath(v->text(), dir));
        } else if (rule.null_means_folder && PackagesFolderWhenAbsent(def, t, globals)) {
          holder->AppendEntry(key, syntax::Str(RebasePath(".", dir)));
        }
      });
    }
    if (s.globals) RebaseGlobals(*s.globals, dir);
  }
}

void Emitter::RebaseGlobals(Value& globals, const std::string& dir) const {
  for (std::size_t i = 0; globals.is_map() && i < globals.size(); ++i)
    rules_.ForEachArtifactPath(globals.items()[i], "Globals." + globals.keys()[i].name,
                               [&](Value* holder, const std::string& key, const ArtifactPath&) {
                                 Value* v = holder ? holder->Find(key) : nullptr;
                                 if (v && v->is_string()) *v = syntax::Str(RebasePath(v->text(), dir));
                               });
}

}  // namespace cfnsplit::emit
