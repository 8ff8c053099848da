// Helpers of the loader tests: parse text as if it were a file, walk and dump values, print a
// location compactly.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/value.hpp"
#include "support/temp_dir.hpp"

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

/// "line:col" of a location, for compact assertions.
inline std::string LineCol(SourceLoc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

}  // namespace cfnsplit::testing
