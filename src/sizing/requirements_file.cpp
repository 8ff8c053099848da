// pip requirements files: includes (-r, -c) read once each per tree, identified by device and
// inode, comments, continuations, per-requirement options, URL and path requirements.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "cfnsplit/files.hpp"
#include "cfnsplit/load.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit {
namespace sizing {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

namespace {

// Requirement lines may name a URL or a path instead of a project (pip accepts both).
bool LooksLikeUrlOrPath(std::string_view s) {
  static const char* kPrefixes[] = {"git+",     "hg+",   "svn+", "bzr+", "http://",
                                    "https://", "file:", "./",   "../",  "/"};
  for (const char* p : kPrefixes)
    if (s.substr(0, std::char_traits<char>::length(p)) == p) return true;
  return s.find(".whl") != std::string_view::npos || s.find(".tar.gz") != std::string_view::npos ||
         s.find(".zip") != std::string_view::npos;
}

// The project name a URL or path requirement carries: `#egg=name`, or a wheel/sdist file name.
std::string NameFromUrl(std::string_view url) {
  if (auto egg = url.find("#egg="); egg != std::string_view::npos) {
    std::string_view name = url.substr(egg + 5);
    name = name.substr(0, name.find_first_of("&[ "));
    return NormalizeDistName(std::string(name));
  }
  std::string_view file = url.substr(url.find_last_of('/') + 1);
  if (auto wheel = ParseWheelName(std::string(file))) return wheel->name;
  return {};
}

// Cuts a trailing ` # comment` (pip: '#' at line start or after whitespace).
std::string StripComment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || IsSpace(line[i - 1]))) return line.substr(0, i);
  return line;
}

// Per-requirement options (--hash, --config-settings …) follow the requirement; cut them off.
std::string StripPerRequirementOptions(const std::string& line) {
  for (std::size_t i = 0; i + 2 < line.size(); ++i)
    if (line[i] == '-' && line[i + 1] == '-' && (i == 0 || IsSpace(line[i - 1])))
      return std::string(Trim(std::string_view(line).substr(0, i)));
  return line;
}

}  // namespace

std::vector<Requirement> RequirementsReader::Read(const std::string& path, SourceLoc from) {
  Walk walk;
  std::vector<Requirement> out;
  ReadInto(path, from, false, walk, out);
  return out;
}

// Device and inode of `path` (symlinks followed), or nullopt after a diagnostic.
std::optional<RequirementsReader::FileKey> RequirementsReader::IdentifyFile(const std::string& path,
                                                                            SourceLoc from) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ELOOP)
      sink_.Warning("W6006", from,
                    "requirements include cycle: '" + path + "' is a symbolic link loop; skipped");
    else
      sink_.Error("E6003", from, "requirements file '" + path + "' not found");
    return std::nullopt;
  }
  if (std::string kind = NonRegularFileKind(st.st_mode); !kind.empty()) {
    sink_.Error("E6003", from,
                "requirements file '" + path + "' is " + kind + ", not a regular file; not read");
    return std::nullopt;
  }
  return FileKey{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

// Each file is read at most once per Read() as requirements (and once as constraints, which add
// nothing), so repeated includes cost nothing and cannot grow exponentially.
void RequirementsReader::ReadInto(const std::string& path, SourceLoc from, bool constraints_only,
                                  Walk& walk, std::vector<Requirement>& out) {
  std::optional<FileKey> key = IdentifyFile(path, from);
  if (!key) return;
  if (std::find(walk.stack.begin(), walk.stack.end(), *key) != walk.stack.end()) {
    sink_.Warning("W6006", from,
                  "requirements include cycle: '" + path + "' is already being read; skipped");
    return;
  }
  if (walk.read_as_requirements.count(*key) ||
      (constraints_only && walk.read_as_constraints.count(*key)))
    return;
  (constraints_only ? walk.read_as_constraints : walk.read_as_requirements).insert(*key);
  std::uint32_t file = 0;
  if (auto known = file_ids_.find(*key); known != file_ids_.end()) {
    file = known->second;
  } else {
    std::string text;
    if (!ReadFileText(path, text, sink_)) return;
    file = sources_.Add(path, std::move(text));
    file_ids_[*key] = file;
  }
  walk.stack.push_back(*key);
  const std::string& text = sources_.text(file);
  std::size_t line_start = 0;
  std::uint32_t line_number = 0;
  std::string logical;
  SourceLoc logical_loc;
  while (line_start <= text.size()) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(line_start, end - line_start);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (logical.empty()) logical_loc = SourceLoc{file, line_number, 1};
    bool continued = !line.empty() && line.back() == '\\';
    if (continued) line.pop_back();
    logical += line;
    if (!continued || end == text.size()) {
      ParseLine(logical, logical_loc, path, walk, constraints_only, out);
      logical.clear();
    }
    if (end == text.size()) break;
    line_start = end + 1;
  }
  walk.stack.pop_back();
}

void RequirementsReader::ParseLine(const std::string& logical, SourceLoc loc,
                                   const std::string& path, Walk& walk, bool constraints_only,
                                   std::vector<Requirement>& out) {
  std::string line = StripComment(logical);
  std::string_view trimmed = Trim(line);
  if (trimmed.empty()) return;
  std::size_t indent = static_cast<std::size_t>(trimmed.data() - line.data());
  SourceLoc at = loc;
  at.column = static_cast<std::uint32_t>(indent + 1);
  if (trimmed.front() == '-') {
    std::size_t split = trimmed.find_first_of(" \t=");
    std::string option(trimmed.substr(0, split));
    std::string argument =
        split == std::string_view::npos ? "" : std::string(Trim(trimmed.substr(split + 1)));
    if (option == "-r" || option == "--requirement" || option == "-c" || option == "--constraint") {
      if (argument.empty()) {
        sink_.Error("E6004", at, "'" + option + "' needs a file name");
        return;
      }
      bool constraint = option == "-c" || option == "--constraint";
      ReadInto(JoinPath(DirName(path), argument), at, constraints_only || constraint, walk, out);
      return;
    }
    if (option == "-e" || option == "--editable") {
      if (constraints_only) return;
      Requirement req;
      req.editable = true;
      req.url = argument;
      req.name = NameFromUrl(argument);
      req.loc = at;
      out.push_back(std::move(req));
      return;
    }
    static const char* kKnown[] = {"-i",
                                   "--index-url",
                                   "--extra-index-url",
                                   "-f",
                                   "--find-links",
                                   "--no-index",
                                   "--no-binary",
                                   "--only-binary",
                                   "--prefer-binary",
                                   "--require-hashes",
                                   "--pre",
                                   "--trusted-host",
                                   "--use-feature",
                                   "-Z",
                                   "--always-unzip",
                                   "--hash",
                                   "--config-settings"};
    if (std::find(std::begin(kKnown), std::end(kKnown), option) == std::end(kKnown))
      sink_.Warning("W6007", at, "unknown requirements option '" + option + "' ignored");
    return;
  }
  if (constraints_only) return;  // constraints pin versions; they never add a distribution
  std::string requirement_text = StripPerRequirementOptions(std::string(trimmed));
  Requirement req;
  req.loc = at;
  if (LooksLikeUrlOrPath(requirement_text)) {
    std::string_view url =
        Trim(std::string_view(requirement_text).substr(0, requirement_text.find(" ;")));
    req.url = std::string(url);
    req.name = NameFromUrl(url);
    if (auto semicolon = requirement_text.find(" ;"); semicolon != std::string::npos)
      req.marker = std::string(Trim(std::string_view(requirement_text).substr(semicolon + 2)));
    out.push_back(std::move(req));
    return;
  }
  std::string error;
  std::size_t column = 0;
  if (!ParseRequirement(requirement_text, req, &error, &column)) {
    at.column = static_cast<std::uint32_t>(indent + column + 1);
    sink_.Error("E6004", at, "invalid requirement: " + error);
    return;
  }
  req.loc = loc;
  req.loc.column = static_cast<std::uint32_t>(indent + 1);
  out.push_back(std::move(req));
}

}  // namespace sizing
}  // namespace cfnsplit
