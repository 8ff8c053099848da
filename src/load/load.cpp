#include "cfnsplit/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "cfnsplit/files.hpp"
#include "cfnsplit/timings.hpp"

namespace cfnsplit {

static bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TemplateFormat DetectFormat(const std::string& path, const std::string& text) {
  if (EndsWith(path, ".json")) return TemplateFormat::kJson;
  std::size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
    ++i;
  if (i < text.size() && (text[i] == '{' || text[i] == '[')) return TemplateFormat::kJson;
  return TemplateFormat::kYaml;
}

namespace {

// Offset of the first byte that does not start or continue a valid UTF-8 sequence (overlong
// forms, surrogates and code points past U+10FFFF are invalid too), or npos.
std::size_t FindInvalidUtf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII, nearly all of a template, eight bytes at a time.
    std::uint64_t word;
    while (i + 8 <= n && (std::memcpy(&word, s + i, 8), (word & 0x8080808080808080ULL) == 0))
      i += 8;
    if (i == n) break;
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (s[i] >= 0xC2 && s[i] <= 0xDF) {
      len = 2;
    } else if (s[i] >= 0xE0 && s[i] <= 0xEF) {
      len = 3;
      if (s[i] == 0xE0) lo = 0xA0;  // overlong
      if (s[i] == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (s[i] >= 0xF0 && s[i] <= 0xF4) {
      len = 4;
      if (s[i] == 0xF0) lo = 0x90;  // overlong
      if (s[i] == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string::npos;
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

// Text that neither parser should see: binary data, other encodings, nothing at all. Both
// formats are UTF-8 text (CloudFormation and the JSON and YAML loaders of the AWS tools refuse
// anything else), and yaml-cpp would silently replace invalid bytes, changing the template.
bool CheckIsTemplateText(std::uint32_t file, const SourceManager& sources, DiagnosticSink& sink) {
  const std::string& text = sources.text(file);
  if (StartsWith(text, "\xFF\xFE") || StartsWith(text, "\xFE\xFF")) {
    sink.Error("E0008", SourceLoc{file, 1, 1},
               "the file is UTF-16 text; save the template as UTF-8");
    return false;
  }
  std::size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    sink.Error("E0008", sources.LocForOffset(file, nul),
               "binary file: NUL byte found; a template is JSON or YAML text");
    return false;
  }
  std::size_t bad = FindInvalidUtf8(text);
  if (bad != std::string::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
    sink.Error("E0008", sources.LocForOffset(file, bad),
               std::string("invalid UTF-8: byte ") + byte +
                   " does not start a valid sequence; save the template as UTF-8");
    return false;
  }
  std::size_t start = StartsWith(text, "\xEF\xBB\xBF") ? 3 : 0;
  if (text.find_first_not_of(" \t\r\n", start) == std::string::npos) {
    sink.Error("E0008", SourceLoc{file, 1, 1}, "empty file: expected a template");
    return false;
  }
  return true;
}

bool FirstKeyIsQuoted(const std::string& text) {
  std::size_t brace = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (brace == std::string::npos || text[brace] != '{') return true;  // a list: JSON's is as good
  std::size_t key = text.find_first_not_of(" \t\r\n", brace + 1);
  return key != std::string::npos && (text[key] == '"' || text[key] == '}');
}

}  // namespace

std::optional<Value> ParseDocument(std::uint32_t file, const SourceManager& sources,
                                   DiagnosticSink& sink, const LoadLimits& limits) {
  if (!CheckIsTemplateText(file, sources, sink)) return std::nullopt;
  const std::string& text = sources.text(file);
  if (DetectFormat(sources.path(file), text) == TemplateFormat::kYaml)
    return ParseYaml(file, sources, sink, limits);
  // A YAML file may open with a flow mapping; only a .json file is held to strict JSON.
  DiagnosticSink json_sink;
  auto value = ParseJson(file, sources, json_sink, limits);
  bool over_a_limit =
      !json_sink.diagnostics().empty() &&
      (json_sink.diagnostics()[0].code == "E0004" || json_sink.diagnostics()[0].code == "E0005");
  if (value || over_a_limit || EndsWith(sources.path(file), ".json")) {
    for (const auto& d : json_sink.diagnostics()) sink.Report(d);
    return value;
  }
  DiagnosticSink yaml_sink;
  value = ParseYaml(file, sources, yaml_sink, limits);
  // When both fail, a file written as JSON (its first key in double quotes) gets the JSON error,
  // which names the missing comma; YAML's flow-style errors are vaguer. Otherwise the author
  // wrote YAML flow style, and the YAML error is the one that applies.
  const DiagnosticSink& chosen = value || !FirstKeyIsQuoted(text) ? yaml_sink : json_sink;
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
  // Devices and FIFOs may never end (/dev/zero) or block forever: only regular files are read.
  if (std::string kind = NonRegularFileKind(st.st_mode); !kind.empty()) {
    sink.Error("E0001", {}, "cannot read '" + path + "': it is " + kind + ", not a regular file");
    return false;
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    sink.Error("E0001", {},
               "'" + path + "' is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                   std::to_string(max_bytes) + " (raise it with --max-input-bytes)");
    return false;
  }
  // read(2), not an ifstream: sizing reads a requirements file per function (2,000 at 2,000
  // functions), and each stream's set-up (locale, buffers) cost 4,000 instructions.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    sink.Error("E0001", {}, "cannot read '" + path + "': " + std::strerror(errno));
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  out.clear();
  // One allocation for a regular file: growing by doubling copied a 50 MB template twice over.
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sink.Error("E0001", {}, "cannot read '" + path + "': " + std::strerror(errno));
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {  // pipes and special files have no size up front
      sink.Error("E0001", {},
                 "'" + path + "' is over the limit of " + std::to_string(max_bytes) + " bytes");
      return false;
    }
  }
}

std::optional<Value> LoadFile(const std::string& path, SourceManager& sources, DiagnosticSink& sink,
                              const LoadLimits& limits, std::uint32_t* file_id) {
  timings::Scope timing("parse");
  std::string text;
  if (!ReadFileText(path, text, sink, limits.max_bytes)) return std::nullopt;
  std::uint32_t id = sources.Add(path, std::move(text));
  if (file_id) *file_id = id;
  return ParseTemplate(id, sources, sink, limits);
}

std::optional<Value> ParseTemplate(std::uint32_t file, const SourceManager& sources,
                                   DiagnosticSink& sink, const LoadLimits& limits) {
  auto value = ParseDocument(file, sources, sink, limits);
  if (value && !value->is_map()) {
    sink.Error("E0008", value->loc(),
               std::string("the top level of a template must be a mapping, not a ") +
                   KindName(value->kind()));
    return std::nullopt;
  }
  return value;
}

}  // namespace cfnsplit
