// Helpers shared by the test files: parse text as if it were a file, find diagnostics, make
// scratch directories. Header-only so that every test translation unit can include it.
#pragma once

#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit::testing {

/// The outcome of parsing one text: the value (if any) plus everything needed to inspect
/// diagnostics and render them.
struct Parsed {
  SourceManager sources;
  DiagnosticSink sink;
  std::uint32_t file = 0;
  std::optional<Value> value;

  bool ok() const { return value.has_value() && !sink.has_errors(); }
  /// The first diagnostic, or a default one (code "") when there is none.
  Diagnostic first() const {
    return sink.diagnostics().empty() ? Diagnostic{} : sink.diagnostics()[0];
  }
  /// All diagnostics rendered, for failure messages.
  std::string Rendered() const {
    std::string out;
    for (const auto& d : sink.diagnostics()) out += FormatDiagnostic(d, sources);
    return out;
  }
};

/// Registers `text` under `path` (the extension picks the format as for a real file) and parses
/// it with ParseDocument. Unlike LoadFile it accepts any top-level kind. Returned by pointer so a
/// test can keep several results alive cheaply.
inline std::unique_ptr<Parsed> ParseText(const std::string& text,
                                         const std::string& path = "t.yaml",
                                         const LoadLimits& limits = {}) {
  auto p = std::make_unique<Parsed>();
  p->file = p->sources.Add(path, text);
  p->value = ParseDocument(p->file, p->sources, p->sink, limits);
  return p;
}

/// Writes `text` to a file under a scratch directory and loads it with LoadFile (the full path a
/// user's template takes, including the size, emptiness, binary and top-level checks).
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("cfnsplit-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    auto file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Parsed> LoadPath(const std::string& path, const LoadLimits& limits = {}) {
  auto p = std::make_unique<Parsed>();
  p->value = LoadFile(path, p->sources, p->sink, limits, &p->file);
  return p;
}

inline std::unique_ptr<Parsed> LoadText(const std::string& text, const std::string& name = "t.yaml",
                                        const LoadLimits& limits = {}) {
  TempDir dir;
  return LoadPath(dir.Write(name, text), limits);
}

/// Walks `keys` (map keys or list indexes written as decimal) from `root`; nullptr when absent.
inline const Value* At(const Value& root, std::initializer_list<std::string> keys) {
  const Value* v = &root;
  for (const auto& k : keys) {
    if (v->is_map()) {
      v = v->Find(k);
    } else if (v->is_list()) {
      std::size_t i = std::stoul(k);
      v = i < v->size() ? &v->items()[i] : nullptr;
    } else {
      return nullptr;
    }
    if (!v) return nullptr;
  }
  return v;
}

/// A compact JSON-like rendering (keys unquoted, strings quoted) for readable assertions.
inline std::string Dump(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
    case Value::Kind::kNumber:
      return v.text();
    case Value::Kind::kString:
      return '"' + v.text() + '"';
    case Value::Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + Dump(v.items()[i]);
      return out + "]";
    }
    case Value::Kind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < v.size(); ++i)
        out += (i ? "," : "") + v.keys()[i].name + ":" + Dump(v.items()[i]);
      return out + "}";
    }
  }
  return "?";
}

/// What one run of the cfnsplit binary printed, and its exit code (-1 when it did not exit).
struct CliRun {
  int code = -1;
  std::string out, err;
};

inline std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

#ifdef CFNSPLIT_BINARY
/// Runs the built cfnsplit with `args` (a shell fragment) from `cwd` (default: the source tree,
/// so sample paths are relative), stdin closed, stdout/stderr captured through files in `scratch`.
inline CliRun RunCfnsplit(const std::string& args, const std::filesystem::path& scratch,
                          const std::string& cwd = CFNSPLIT_SOURCE_DIR) {
  auto out = scratch / "stdout", err = scratch / "stderr";
  std::string cmd = "cd '" + cwd + "' && " + CFNSPLIT_BINARY + " " + args + " >'" + out.string() +
                    "' 2>'" + err.string() + "' </dev/null";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFileText(out), ReadFileText(err)};
}
#endif

/// "line:col" of a location, for compact assertions.
inline std::string LineCol(SourceLoc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

}  // namespace cfnsplit::testing
