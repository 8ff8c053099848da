// Function code: which files of a code folder ship, decided the way the tool that would have
// packaged the function decides (aws-facts §5.1 Serverless, §5.2 SAM), and the Serverless
// `package` settings those rules read.
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "cfnsplit/load.hpp"
#include "cfnsplit/python_files.hpp"
#include "package/internal.hpp"

namespace cfnsplit::package {
namespace fs = std::filesystem;
namespace {

// Serverless Framework's default exclusions (docs/sf/providers/aws/guide/packaging.md).
const std::vector<std::string>& ServerlessDefaultExcludes() {
  static const std::vector<std::string> patterns = {".git/**",
                                                    ".gitignore",
                                                    ".DS_Store",
                                                    "npm-debug.log",
                                                    "yarn-*.log",
                                                    ".serverless/**",
                                                    ".serverless_plugins/**"};
  return patterns;
}

// aws-lambda-builders python_pip EXCLUDED_FILES: names matched at any depth.
const std::vector<std::string>& SamExcludedNames() {
  static const std::vector<std::string> names = {".aws-sam",
                                                 ".chalice",
                                                 ".git",
                                                 ".gitignore",
                                                 "*.pyc",
                                                 "__pycache__",
                                                 "*.so",
                                                 ".Python",
                                                 "*.egg-info",
                                                 "*.egg",
                                                 "pip-log.txt",
                                                 "pip-delete-this-directory.txt",
                                                 "htmlcov",
                                                 ".tox",
                                                 ".nox",
                                                 ".coverage",
                                                 ".cache",
                                                 ".pytest_cache",
                                                 ".python-version",
                                                 ".mypy_cache",
                                                 ".dmypy.json",
                                                 ".pyre",
                                                 ".env",
                                                 ".venv",
                                                 "venv",
                                                 "venv.bak",
                                                 "env.bak",
                                                 "ENV",
                                                 "env",
                                                 ".vscode",
                                                 ".idea"};
  return names;
}

// The sizing stage's code walk (src/sizing/totals.cpp WalkCode), so the plan's figure and the
// artifact count the same files.
const std::vector<std::string>& PlainExcludedNames() {
  static const std::vector<std::string> names = {"__pycache__",  ".git",  ".aws-sam", ".serverless",
                                                 "node_modules", ".venv", "venv",     "*.pyc"};
  return names;
}

std::string BaseName(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool NameExcluded(const std::vector<std::string>& names, const std::string& path) {
  std::string name = BaseName(path);
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return sizing::GlobMatch(n, name); });
}

// Serverless: every file starts included; each pattern, in order, includes (or with `!`
// excludes) what it matches, so a later pattern wins.
bool ServerlessShips(const std::vector<std::string>& patterns, const std::string& path) {
  bool included = true;
  for (const std::string& p : patterns) {
    bool negated = !p.empty() && p[0] == '!';
    std::string glob = negated ? p.substr(1) : p;
    while (glob.rfind("./", 0) == 0) glob.erase(0, 2);
    if (sizing::GlobMatchesPathOrParent(glob, path)) included = !negated;
  }
  return included;
}

std::vector<std::string> StringList(const Value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_list()) return out;
  for (const Value& item : v->items())
    if (item.is_scalar()) out.push_back(item.text());
  return out;
}

// A `package:` block as one ordered pattern list: exclude (as `!`), include, then patterns.
std::vector<std::string> PackagePatterns(const Value* package) {
  std::vector<std::string> out;
  if (!package || !package->is_map()) return out;
  for (const auto& p : StringList(package->Find("exclude"))) out.push_back("!" + p);
  for (const auto& p : StringList(package->Find("include"))) out.push_back(p);
  for (const auto& p : StringList(package->Find("patterns"))) out.push_back(p);
  return out;
}

bool Truthy(const Value* v) { return v && v->is_scalar() && v->text() == "true"; }

}  // namespace

bool CodeFileShips(const CodeRoot& root, const std::string& path, bool is_directory) {
  switch (root.rules) {
    case CodeRules::kServerless:
      // Directories are always entered: a later pattern may include a file below an excluded one.
      return is_directory || ServerlessShips(root.patterns, path);
    case CodeRules::kSam:
      return !NameExcluded(SamExcludedNames(), path);
    case CodeRules::kPlain:
      return !NameExcluded(PlainExcludedNames(), path);
  }
  return true;
}

std::optional<std::vector<ZipItem>> WalkCodeRoot(const CodeRoot& root, DiagnosticSink& sink) {
  std::error_code ec;
  char real_root[PATH_MAX];
  if (!fs::is_directory(root.dir, ec) || !realpath(root.dir.c_str(), real_root)) {
    sink.Error("E7009", {}, "code folder '" + root.dir + "' not found");
    return std::nullopt;
  }
  const std::string inside = std::string(real_root) + "/";
  std::vector<ZipItem> items;
  bool ok = true;
  fs::recursive_directory_iterator it(root.dir, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string rel = p.lexically_relative(root.dir).generic_string();
    struct stat st {};
    if (lstat(p.c_str(), &st) != 0) continue;
    bool is_dir = S_ISDIR(st.st_mode);
    if (!CodeFileShips(root, rel, is_dir)) {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      if (!realpath(p.c_str(), target) || std::string(target).rfind(inside, 0) != 0) {
        sink.Error("E7003", {},
                   "code: '" + p.string() + "' is a symlink that leaves '" + root.dir + "'");
        ok = false;
        continue;
      }
      if (stat(p.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;  // never follow folders
    }
    if (!S_ISREG(st.st_mode)) continue;
    items.push_back({rel, p.string(), static_cast<std::uint64_t>(st.st_size),
                     (st.st_mode & 0111) != 0, "code"});
  }
  if (ec) {
    sink.Error("E7009", {}, "cannot walk code folder '" + root.dir + "': " + ec.message());
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  std::sort(items.begin(), items.end(),
            [](const ZipItem& a, const ZipItem& b) { return a.name < b.name; });
  return items;
}

std::optional<ServerlessPackaging> ReadServerlessPackaging(const std::string& path,
                                                           SourceManager& sources,
                                                           DiagnosticSink& sink) {
  auto doc = LoadFile(path, sources, sink);
  if (!doc) return std::nullopt;
  ServerlessPackaging out;
  out.dir = sizing::DirName(path);
  out.config_name = BaseName(path);
  out.patterns = ServerlessDefaultExcludes();
  out.patterns.push_back("!" + out.config_name);
  const Value* package = doc->Find("package");
  std::vector<std::string> service = PackagePatterns(package);
  out.patterns.insert(out.patterns.end(), service.begin(), service.end());
  out.individually = package && Truthy(package->Find("individually"));
  if (const Value* functions = doc->Find("functions"); functions && functions->is_map()) {
    for (std::size_t i = 0; i < functions->size(); ++i) {
      const Value& f = functions->items()[i];
      ServerlessPackaging::Function fn;
      const Value* fp = f.is_map() ? f.Find("package") : nullptr;
      fn.patterns = PackagePatterns(fp);
      fn.individually = fp && Truthy(fp->Find("individually"));
      if (const Value* m = f.is_map() ? f.Find("module") : nullptr; m && m->is_scalar())
        fn.module = m->text();
      out.functions[functions->keys()[i].name] = std::move(fn);
    }
  }
  return out;
}

bool HandlerModulePresent(const std::string& handler, const std::set<std::string>& names) {
  std::size_t dot = handler.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  std::string module = handler.substr(0, dot);
  // "pkg.mod" is a dotted import path unless the handler is written as a file path.
  std::size_t slash = module.rfind('/');
  std::string head = slash == std::string::npos ? "" : module.substr(0, slash + 1);
  std::string tail = slash == std::string::npos ? module : module.substr(slash + 1);
  std::replace(tail.begin(), tail.end(), '.', '/');
  module = head + tail;
  if (names.count(module + ".py") || names.count(module + "/__init__.py") ||
      names.count(module + ".pyc"))
    return true;
  // Extension modules: mod.cpython-312-x86_64-linux-gnu.so, mod.abi3.so, mod.so.
  auto it = names.lower_bound(module + ".");
  for (; it != names.end() && it->rfind(module + ".", 0) == 0; ++it)
    if (it->size() > 3 && it->compare(it->size() - 3, 3, ".so") == 0 &&
        it->find('/', module.size()) == std::string::npos)
      return true;
  return false;
}

}  // namespace cfnsplit::package
