#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cfnsplit/load.hpp"

namespace cfnsplit {

static bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TemplateFormat DetectFormat(const std::string& path, const std::string& text) {
  if (EndsWith(path, ".json")) return TemplateFormat::kJson;
  std::size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
    ++i;
  if (i < text.size() && (text[i] == '{' || text[i] == '[')) return TemplateFormat::kJson;
  return TemplateFormat::kYaml;
}

std::optional<Value> ParseDocument(std::uint32_t file, const SourceManager& sources,
                                   DiagnosticSink& sink, const LoadLimits& limits) {
  const std::string& text = sources.text(file);
  if (DetectFormat(sources.path(file), text) == TemplateFormat::kYaml)
    return ParseYaml(file, sources, sink, limits);
  // A YAML file may open with a flow mapping; only a .json file is held to strict JSON.
  DiagnosticSink json_sink;
  auto value = ParseJson(file, sources, json_sink, limits);
  if (value || EndsWith(sources.path(file), ".json")) {
    for (const auto& d : json_sink.diagnostics()) sink.Report(d);
    return value;
  }
  DiagnosticSink yaml_sink;
  value = ParseYaml(file, sources, yaml_sink, limits);
  const DiagnosticSink& chosen = value ? yaml_sink : json_sink;
  for (const auto& d : chosen.diagnostics()) sink.Report(d);
  return value;
}

bool ReadFileText(const std::string& path, std::string& out, DiagnosticSink& sink,
                  std::uint64_t max_bytes) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    sink.Error("E0001", {}, "cannot read '" + path + "': " + std::strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    sink.Error("E0001", {}, "cannot read '" + path + "': it is a directory");
    return false;
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    sink.Error("E0001", {},
               "'" + path + "' is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                   std::to_string(max_bytes) + " (raise it with --max-input-bytes)");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    sink.Error("E0001", {}, "cannot read '" + path + "': " + std::strerror(errno));
    return false;
  }
  out.clear();
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) {  // pipes and special files have no size up front
      sink.Error("E0001", {}, "'" + path + "' is over the limit of " + std::to_string(max_bytes) + " bytes");
      return false;
    }
  }
  return true;
}

std::optional<Value> LoadFile(const std::string& path, SourceManager& sources,
                              DiagnosticSink& sink, const LoadLimits& limits,
                              std::uint32_t* file_id) {
  std::string text;
  if (!ReadFileText(path, text, sink, limits.max_bytes)) return std::nullopt;
  std::size_t nul = text.find('\0');
  bool empty = text.find_first_not_of(" \t\r\n") == std::string::npos;
  std::uint32_t id = sources.Add(path, std::move(text));
  if (file_id) *file_id = id;
  if (nul != std::string::npos) {
    sink.Error("E0008", sources.LocForOffset(id, nul),
               "binary file: NUL byte found; a template is JSON or YAML text");
    return std::nullopt;
  }
  if (empty) {
    sink.Error("E0008", SourceLoc{id, 1, 1}, "empty file: expected a template");
    return std::nullopt;
  }
  auto value = ParseDocument(id, sources, sink, limits);
  if (value && !value->is_map()) {
    sink.Error("E0008", value->loc(),
               std::string("the top level of a template must be a mapping, not a ") +
                   KindName(value->kind()));
    return std::nullopt;
  }
  return value;
}

}  // namespace cfnsplit
