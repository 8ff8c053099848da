// From import statements to distributions: local modules are followed transitively within the
// code tree (Lambda puts the code root first on sys.path, so a local module shadows everything
// else), then the standard library of the function's Python version, then the distributions of
// the installed tree, then what the Lambda runtime provides; anything left is unresolved.
#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "cfnsplit/imports.hpp"
#include "cfnsplit/load.hpp"

namespace cfnsplit::imports {
namespace fs = std::filesystem;

namespace {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u == '_' || u >= 0x80;
  });
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::size_t n, char sep) {
  std::string out;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i)
    out += (i ? std::string(1, sep) : "") + parts[i];
  return out;
}

std::string TopLevel(const std::string& dotted) { return dotted.substr(0, dotted.find('.')); }

}  // namespace

std::string HandlerModulePath(const std::string& handler) {
  std::size_t dot = handler.rfind('.');
  if (dot == std::string::npos || dot == 0) return "";
  std::string module = handler.substr(0, dot);
  // Lambda accepts both "dir/module.fn" and "dir.module.fn".
  if (module.find('/') == std::string::npos) std::replace(module.begin(), module.end(), '.', '/');
  if (module.empty() || module.front() == '/' || module.find("..") != std::string::npos) return "";
  return module + ".py";
}

bool ImportRules::IsStdlib(const std::string& python_version, const std::string& top) const {
  auto it = stdlib.find(python_version);
  if (it == stdlib.end()) it = stdlib.find(default_python);
  if (it == stdlib.end()) return false;
  return it->second.count(top) > 0;
}

std::string ImportRules::RuntimeDistribution(const std::string& runtime,
                                             const std::string& top) const {
  auto it = runtime_modules.find(runtime);
  if (it == runtime_modules.end()) return "";
  auto m = it->second.find(top);
  return m == it->second.end() ? "" : m->second;
}

void ModuleProviders::Add(const std::string& dist, const std::vector<std::string>& top_level,
                          const std::vector<std::string>& paths) {
  for (std::string t : top_level) {
    std::replace(t.begin(), t.end(), '.', '/');
    if (!t.empty()) by_prefix_[t].insert(dist);
  }
  for (const std::string& path : paths) {
    std::vector<std::string> seg = Split(path, '/');
    if (seg.empty() || seg[0].empty() || seg[0] == ".." || seg[0] == "__pycache__") continue;
    if (seg.size() == 1) {
      // A top-level module file: six.py, _cffi_backend.cpython-311-x86_64-linux-gnu.so
      std::string name = seg[0].substr(0, seg[0].find('.'));
      std::string ext = seg[0].substr(seg[0].rfind('.') + 1);
      if (IsIdentifier(name) && (ext == "py" || ext == "so" || ext == "pyd"))
        by_prefix_[name].insert(dist);
      continue;
    }
    if (!IsIdentifier(seg[0])) continue;  // numpy.libs, x.dist-info, x.data
    by_prefix_[seg[0]].insert(dist);
    // The second level narrows namespace packages (google/protobuf vs google/auth).
    std::string second = seg[1].substr(0, seg.size() == 2 ? seg[1].find('.') : std::string::npos);
    if (IsIdentifier(second) && second != "__init__" && second != "__pycache__")
      by_prefix_[seg[0] + "/" + second].insert(dist);
  }
}

std::vector<std::string> ModuleProviders::Providers(const std::string& dotted) const {
  std::vector<std::string> parts = Split(dotted, '.');
  for (std::size_t n = std::min<std::size_t>(2, parts.size()); n >= 1; --n) {
    auto it = by_prefix_.find(Join(parts, n, '/'));
    if (it != by_prefix_.end()) return {it->second.begin(), it->second.end()};
  }
  return {};
}

// ---- the resolver ----------------------------------------------------------------------------

struct ScannedFile {
  std::string path;         ///< as opened
  std::string module;       ///< dotted module name relative to its code root
  bool is_package = false;  ///< an __init__.py
  std::uint32_t source = 0;
  ScanResult scan;
};

struct ImportResolver::State {
  const ImportRules& rules;
  const ModuleProviders& providers;
  SourceManager& sources;
  DiagnosticSink& sink;
  std::unordered_map<std::string, std::unique_ptr<ScannedFile>> files;  ///< by path
  std::unordered_map<std::string, int> kinds;  ///< path → 0 none, 1 file, 2 directory
  std::set<std::string> warned;

  int Kind(const std::string& path) {
    auto it = kinds.find(path);
    if (it != kinds.end()) return it->second;
    std::error_code ec;
    auto status = fs::status(path, ec);
    int kind = ec ? 0 : fs::is_regular_file(status) ? 1 : fs::is_directory(status) ? 2 : 0;
    kinds.emplace(path, kind);
    return kind;
  }

  /// The file of a local module (`a.b` → root/a/b.py or root/a/b/__init__.py); "" for a
  /// namespace package folder or nothing; `found` says whether the module exists at all.
  std::string LocalFile(const std::string& root, const std::string& dotted, bool& found) {
    std::string rel = dotted;
    std::replace(rel.begin(), rel.end(), '.', '/');
    std::string base = root.empty() || root == "." ? rel : root + "/" + rel;
    found = true;
    if (Kind(base + ".py") == 1) return base + ".py";
    if (Kind(base + "/__init__.py") == 1) return base + "/__init__.py";
    found = Kind(base) == 2;  // a namespace package (PEP 420)
    return "";
  }

  ScannedFile* Load(const std::string& path, const std::string& module) {
    auto it = files.find(path);
    if (it != files.end()) return it->second.get();
    auto file = std::make_unique<ScannedFile>();
    file->path = path;
    file->module = module;
    file->is_package = path.size() >= 12 && path.compare(path.size() - 12, 12, "/__init__.py") == 0;
    std::string text;
    DiagnosticSink quiet;
    if (!ReadFileText(path, text, quiet)) {
      file->scan.ok = false;
      file->scan.error = "cannot read the file";
    } else {
      file->source = sources.Add(path, std::move(text));
      file->scan = ScanImports(sources.text(file->source));
    }
    return files.emplace(path, std::move(file)).first->second.get();
  }

  void WarnOnce(const std::string& key, const std::string& code, SourceLoc loc,
                const std::string& message) {
    if (warned.insert(key).second) sink.Warning(code, loc, message);
  }
};

ImportResolver::ImportResolver(const ImportRules& rules, const ModuleProviders& providers,
                               SourceManager& sources, DiagnosticSink& sink)
    : state_(new State{rules, providers, sources, sink, {}, {}, {}}) {}

ImportResolver::~ImportResolver() = default;

namespace {

/// Resolves the imports of one function, breadth-first over its local modules.
class Walk {
 public:
  Walk(ImportResolver::State& state, const HandlerRef& handler, FunctionImports& out)
      : s_(state), handler_(handler), out_(out) {}

  void Run() {
    std::string module = handler_.handler_path.substr(0, handler_.handler_path.size() - 3);
    std::replace(module.begin(), module.end(), '/', '.');
    std::string path = Path(handler_.handler_path);
    if (s_.Kind(path) != 1) {
      out_.fallback_reason = "handler module " + path + " not found";
      return;
    }
    Enqueue(path, module);
    while (!queue_.empty()) {
      ScannedFile* file = queue_.front();
      queue_.pop_front();
      if (!file->scan.ok) {
        Broken(*file);
        return;
      }
      for (const ImportStatement& st : file->scan.imports) Statement(*file, st);
      for (const DynamicImport& d : file->scan.unresolved_dynamic) Dynamic(*file, d);
    }
    out_.ok = true;
    std::sort(out_.local_files.begin(), out_.local_files.end());
  }

 private:
  std::string Path(const std::string& rel) const {
    return handler_.code_root.empty() || handler_.code_root == "." ? rel
                                                                   : handler_.code_root + "/" + rel;
  }

  void Enqueue(const std::string& path, const std::string& module) {
    if (!visited_.insert(path).second) return;
    ScannedFile* file = s_.Load(path, module);
    out_.local_files.push_back(path);
    queue_.push_back(file);
  }

  SourceLoc Loc(const ScannedFile& f, std::uint32_t line, std::uint32_t column) const {
    return f.source ? SourceLoc{f.source, line, column} : SourceLoc{};
  }

  void Broken(const ScannedFile& f) {
    const ScanResult& r = f.scan;
    std::string what = r.python2 ? "Python 2 source (" + r.error + ")" : r.error;
    out_.fallback_reason = f.path + ": " + what;
    s_.WarnOnce("W6202:" + f.path, "W6202", Loc(f, r.error_line, r.error_column),
                "cannot infer imports: " + what +
                    "; the function falls back to its manifest entry or the service-wide "
                    "requirements");
  }

  void Statement(const ScannedFile& f, const ImportStatement& st) {
    ImportOrigin origin{f.path, st.line, st.column, st.module, st.kind};
    std::string target = st.module;
    if (st.level > 0) {
      // The package of the module, then one level up per extra dot; Python refuses to go past
      // the top-level package ("attempted relative import beyond top-level package").
      std::vector<std::string> parts = Split(f.module, '.');
      std::size_t keep = parts.size() - (f.is_package ? 0 : 1);
      if (keep < st.level) {
        s_.WarnOnce("W6206:" + f.path + std::to_string(st.line), "W6206",
                    Loc(f, st.line, st.column),
                    "relative import beyond the code root (" + f.module + "); ignored");
        return;
      }
      std::string base = Join(parts, keep - (st.level - 1), '.');
      target = base.empty() ? st.module : (st.module.empty() ? base : base + "." + st.module);
      origin.module = target;
    }
    if (target.empty()) return;
    if (LocalModule(target, st)) return;
    if (st.level > 0) {
      Unresolved(f, origin,
                 "relative import '" + std::string(st.level, '.') + st.module +
                     "' names no module of the code tree");
      return;
    }
    External(f, origin, st.names);
  }

  // Loads the local modules an import executes; false when its top-level name is not local.
  bool LocalModule(const std::string& target, const ImportStatement& st) {
    std::vector<std::string> parts = Split(target, '.');
    bool found = false;
    s_.LocalFile(handler_.code_root, parts[0], found);
    if (!found) return false;
    if (st.kind == ImportKind::kTypeOnly) return true;
    for (std::size_t n = 1; n <= parts.size(); ++n) {
      std::string dotted = Join(parts, n, '.');
      std::string file = s_.LocalFile(handler_.code_root, dotted, found);
      if (!file.empty()) Enqueue(file, dotted);
    }
    for (const auto& name : st.names) {  // `from pkg import submodule`
      if (name == "*") continue;
      std::string file = s_.LocalFile(handler_.code_root, target + "." + name, found);
      if (!file.empty()) Enqueue(file, target + "." + name);
    }
    return true;
  }

  // `from google import protobuf` narrows a namespace package like `import google.protobuf`.
  std::vector<std::string> Providers(const std::string& module,
                                     const std::vector<std::string>& names) const {
    std::vector<std::string> broad = s_.providers.Providers(module);
    if (module.find('.') != std::string::npos || names.empty() || broad.size() < 2) return broad;
    std::set<std::string> narrow;
    for (const auto& name : names) {
      if (name == "*") return broad;
      for (const auto& d : s_.providers.Providers(module + "." + name)) narrow.insert(d);
    }
    return narrow.empty() ? broad : std::vector<std::string>(narrow.begin(), narrow.end());
  }

  void External(const ScannedFile& f, const ImportOrigin& origin,
                const std::vector<std::string>& names) {
    std::string top = TopLevel(origin.module);
    if (s_.rules.IsStdlib(handler_.python_version, top)) {
      if (origin.kind != ImportKind::kTypeOnly) out_.stdlib.insert(top);
      return;
    }
    std::vector<std::string> dists = Providers(origin.module, names);
    std::string runtime = s_.rules.RuntimeDistribution(handler_.runtime, top);
    if (origin.kind == ImportKind::kTypeOnly) {
      out_.type_only.push_back(origin);
      return;
    }
    if (!dists.empty()) {
      for (const auto& d : dists) out_.dists[d].push_back(origin);
      return;
    }
    if (!runtime.empty()) {
      out_.runtime[runtime].push_back(origin);
      return;
    }
    if (origin.kind == ImportKind::kOptional) {
      out_.optional_missing.push_back(origin);
      return;
    }
    // Lambda imports the handler as a module of the code root: a sibling of the handler is not
    // on sys.path, a frequent surprise worth naming.
    std::string dir = f.path.substr(0, f.path.find_last_of('/') + 1);
    bool sibling = s_.Kind(dir + top + ".py") == 1 || s_.Kind(dir + top) == 2;
    Unresolved(f, origin,
               "no installed distribution provides '" + top + "'" +
                   (sibling ? "; a module of that name sits next to " + f.path +
                                  ", but Lambda's sys.path holds the code root " +
                                  handler_.code_root + ", not that folder"
                            : ""));
  }

  void Unresolved(const ScannedFile& f, const ImportOrigin& origin, const std::string& why) {
    out_.unresolved.push_back(origin);
    s_.WarnOnce("W6203:" + f.path + ":" + std::to_string(origin.line) + origin.module, "W6203",
                Loc(f, origin.line, origin.column),
                "unresolved import '" + origin.module + "': " + why);
  }

  void Dynamic(const ScannedFile& f, const DynamicImport& d) {
    out_.dynamic_unresolved.push_back(
        {f.path, d.line, d.column, d.expression, ImportKind::kDynamic});
    s_.WarnOnce("W6204:" + f.path + ":" + std::to_string(d.line) + ":" + std::to_string(d.column),
                "W6204", Loc(f, d.line, d.column),
                "dynamic import " + d.expression +
                    " cannot be resolved statically; what it loads is not counted");
  }

  ImportResolver::State& s_;
  const HandlerRef& handler_;
  FunctionImports& out_;
  std::deque<ScannedFile*> queue_;
  std::set<std::string> visited_;
};

}  // namespace

FunctionImports ImportResolver::Infer(const HandlerRef& handler) {
  FunctionImports out;
  out.function_id = handler.function_id;
  if (handler.handler_path.empty()) {
    out.fallback_reason = "no Python handler";
    return out;
  }
  Walk(*state_, handler, out).Run();
  return out;
}

}  // namespace cfnsplit::imports
