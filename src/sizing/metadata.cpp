// An installed site-packages tree as distributions and their files.
//
// The tree is walked once (lstat, directory symlinks never followed) so that every byte on disk is
// either owned by a distribution or reported as unowned. Ownership comes from each
// `*.dist-info/RECORD` (sizes as recorded; rows without a size take the walked size) and from
// `*.egg-info` (installed-files.txt, else the top_level.txt names). Byte-compiled files that RECORD
// omits are charged to the owner of their source file, as pip would have installed them together.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <unordered_map>

#include "cfnsplit/load.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxMetadataBytes = 64ull << 20;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = TrimView(text.substr(0, end));
    out.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

// Reads a small metadata file; empty when missing or too big (metadata is never huge).
std::string ReadSmallFile(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size > kMaxMetadataBytes) return {};
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

struct Tree {
  std::vector<InstalledFile> files;  // sorted by path
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<long> owner;  // dist index per file, -1 = unowned
};

void WalkTree(const std::string& root, Tree& tree) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    auto status = entry.symlink_status(type_ec);
    if (type_ec) continue;
    if (fs::is_symlink(status)) {
      // A symlinked file ships as its target's bytes; a symlinked directory is not followed.
      auto target = fs::status(entry.path(), type_ec);
      if (type_ec || !fs::is_regular_file(target)) continue;
    } else if (!fs::is_regular_file(status)) {
      continue;
    }
    std::uint64_t size = fs::file_size(entry.path(), type_ec);
    if (type_ec) continue;
    std::string relative = entry.path().generic_string().substr(root.size() + 1);
    tree.files.push_back({std::move(relative), size, 0});
  }
  std::sort(tree.files.begin(), tree.files.end(),
            [](const InstalledFile& a, const InstalledFile& b) { return a.path < b.path; });
  tree.index.reserve(tree.files.size());
  for (std::uint32_t i = 0; i < tree.files.size(); ++i) tree.index.emplace(tree.files[i].path, i);
  tree.owner.assign(tree.files.size(), -1);
}

// Indexes of files under `prefix/` (a directory) in the sorted file list.
std::pair<std::size_t, std::size_t> DirectoryRange(const Tree& tree, const std::string& dir) {
  std::string prefix = dir + "/";
  auto lower =
      std::lower_bound(tree.files.begin(), tree.files.end(), prefix,
                       [](const InstalledFile& f, const std::string& p) { return f.path < p; });
  auto upper = lower;
  while (upper != tree.files.end() && upper->path.compare(0, prefix.size(), prefix) == 0) ++upper;
  return {static_cast<std::size_t>(lower - tree.files.begin()),
          static_cast<std::size_t>(upper - tree.files.begin())};
}

void Claim(Tree& tree, std::uint32_t file, long dist, std::uint64_t size, InstalledDist& out) {
  if (tree.owner[file] != -1) return;  // the first claim wins (dists are processed sorted)
  tree.owner[file] = dist;
  out.files.push_back({tree.files[file].path, size, 0});
  out.bytes += size;
}

void ClaimTopLevel(Tree& tree, const std::string& name, long dist, InstalledDist& out) {
  auto [begin, end] = DirectoryRange(tree, name);
  for (std::size_t i = begin; i < end; ++i)
    Claim(tree, static_cast<std::uint32_t>(i), dist, tree.files[i].size, out);
  // Single-module distributions: name.py, name.cpython-312-x86_64-linux-gnu.so, name.so.
  auto lower =
      std::lower_bound(tree.files.begin(), tree.files.end(), name + ".",
                       [](const InstalledFile& f, const std::string& p) { return f.path < p; });
  for (; lower != tree.files.end() && lower->path.compare(0, name.size() + 1, name + ".") == 0;
       ++lower) {
    if (lower->path.find('/') != std::string::npos) continue;
    if (EndsWith(lower->path, ".py") || EndsWith(lower->path, ".so") ||
        EndsWith(lower->path, ".pyd"))
      Claim(tree, static_cast<std::uint32_t>(lower - tree.files.begin()), dist, lower->size, out);
  }
}

// RECORD rows: path,hash,size. Returns true when at least one row carried a size.
// Rows of files that are not on disk, with their recorded sizes (for metadata snapshots).
struct MissingRows {
  std::uint64_t count = 0;
  std::vector<InstalledFile> sized;
};

bool ClaimFromRecord(Tree& tree, const std::string& root, const std::string& record_text, long dist,
                     InstalledDist& out, MissingRows* missing, std::uint64_t* bad_sizes) {
  bool any_size = false;
  for (const auto& row : ParseCsv(record_text)) {
    if (row.empty() || row[0].empty()) continue;
    std::string path = NormalizeRelative(row[0], root);
    if (path.empty()) continue;  // outside the tree (scripts in ../../bin): not shipped
    auto found = tree.index.find(path);
    if (found == tree.index.end()) {
      ++missing->count;
      const std::string size = row.size() >= 3 ? row[2] : "";
      if (!size.empty() && size.size() <= 19 &&
          std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; }))
        missing->sized.push_back({path, std::stoull(size), 0});
      continue;
    }
    std::uint64_t size = tree.files[found->second].size;
    if (row.size() >= 3 && !row[2].empty()) {
      const std::string& field = row[2];
      bool digits = field.size() <= 19 && std::all_of(field.begin(), field.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
      if (digits) {
        size = std::stoull(field);
        any_size = true;
      } else {
        ++*bad_sizes;
      }
    }
    Claim(tree, found->second, dist, size, out);
  }
  return any_size;
}

// Import names from RECORD paths when top_level.txt is absent (non-setuptools backends).
std::vector<std::string> TopLevelFromFiles(const InstalledDist& dist) {
  std::set<std::string> names;
  for (const auto& f : dist.files) {
    std::string first = f.path.substr(0, f.path.find('/'));
    if (first == dist.metadata_dir || first == "__pycache__") continue;
    if (f.path.find('/') == std::string::npos) first = first.substr(0, first.find('.'));
    if (!first.empty()) names.insert(first);
  }
  return {names.begin(), names.end()};
}

void ReadDistInfo(Tree& tree, const std::string& root, const std::string& dir, long dist_index,
                  InstalledDist& dist, DiagnosticSink& sink, std::size_t* snapshots) {
  std::string base = root + "/" + dir;
  CoreMetadata meta = ParseCoreMetadata(ReadSmallFile(base + "/METADATA"));
  dist.requires_dist = meta.requires_dist;
  if (!meta.name.empty()) dist.name = NormalizeDistName(meta.name);
  if (!meta.version.empty()) dist.version = meta.version;
  for (const auto& line : Lines(ReadSmallFile(base + "/top_level.txt")))
    if (!line.empty()) dist.top_level.push_back(line);
  std::string record = ReadSmallFile(base + "/RECORD");
  MissingRows missing;
  std::uint64_t bad_sizes = 0;
  bool sized = !record.empty() &&
               ClaimFromRecord(tree, root, record, dist_index, dist, &missing, &bad_sizes);
  dist.source = sized ? "record" : "walk";
  if (bad_sizes > 0)
    sink.Warning("W6023", {},
                 base + "/RECORD: " + std::to_string(bad_sizes) +
                     " rows have a malformed size; their files were measured instead");
  // A metadata snapshot keeps only the .dist-info folders of an installed tree (small enough to
  // commit); when none of a distribution's payload is on disk, RECORD's sizes are the measurement.
  bool payload_on_disk = std::any_of(
      dist.files.begin(), dist.files.end(),
      [&](const InstalledFile& f) { return f.path.compare(0, dir.size() + 1, dir + "/") != 0; });
  bool snapshot = missing.count > 0 && !payload_on_disk && !missing.sized.empty();
  if (snapshot) {
    for (auto& f : missing.sized) {
      dist.bytes += f.size;
      dist.files.push_back(std::move(f));
    }
    dist.source = "record";
    ++*snapshots;
  } else if (missing.count > 0) {
    sink.Note("I6027", {},
              base + "/RECORD lists " + std::to_string(missing.count) +
                  " files that are not on disk; they are not counted");
  }
  if (record.empty()) {
    std::vector<std::string> names = dist.top_level;
    if (names.empty()) names.push_back(dist.name.empty() ? dir : dist.name);
    for (const auto& name : names) ClaimTopLevel(tree, name, dist_index, dist);
  }
  auto [begin, end] = DirectoryRange(tree, dir);  // the .dist-info folder itself always ships
  for (std::size_t i = begin; i < end; ++i)
    Claim(tree, static_cast<std::uint32_t>(i), dist_index, tree.files[i].size, dist);
  if (dist.top_level.empty()) dist.top_level = TopLevelFromFiles(dist);
}

void ReadEggInfo(Tree& tree, const std::string& root, const std::string& entry, bool is_dir,
                 long dist_index, InstalledDist& dist) {
  std::string base = root + "/" + entry;
  CoreMetadata meta = ParseCoreMetadata(ReadSmallFile(is_dir ? base + "/PKG-INFO" : base));
  if (!meta.name.empty()) dist.name = NormalizeDistName(meta.name);
  if (!meta.version.empty()) dist.version = meta.version;
  dist.source = "walk";
  if (is_dir) {
    dist.requires_dist = EggRequiresToRequiresDist(ReadSmallFile(base + "/requires.txt"));
    for (const auto& line : Lines(ReadSmallFile(base + "/top_level.txt")))
      if (!line.empty()) dist.top_level.push_back(line);
    std::string installed = ReadSmallFile(base + "/installed-files.txt");
    for (const auto& line : Lines(installed)) {
      if (line.empty()) continue;
      std::string path = NormalizeRelative(entry + "/" + line, root);
      auto found = tree.index.find(path);
      if (!path.empty() && found != tree.index.end())
        Claim(tree, found->second, dist_index, tree.files[found->second].size, dist);
    }
    auto [begin, end] = DirectoryRange(tree, entry);
    for (std::size_t i = begin; i < end; ++i)
      Claim(tree, static_cast<std::uint32_t>(i), dist_index, tree.files[i].size, dist);
  } else if (auto found = tree.index.find(entry); found != tree.index.end()) {
    Claim(tree, found->second, dist_index, tree.files[found->second].size, dist);
  }
  if (dist.top_level.empty()) dist.top_level.push_back(dist.name.empty() ? entry : dist.name);
  for (const auto& name : dist.top_level) ClaimTopLevel(tree, name, dist_index, dist);
}

// "numpy-1.26.4.dist-info" → ("numpy", "1.26.4")
std::pair<std::string, std::string> NameVersionFromDir(const std::string& dir) {
  std::string stem = dir.substr(0, dir.rfind('.'));
  std::size_t dash = stem.find('-');
  if (dash == std::string::npos) return {NormalizeDistName(stem), ""};
  std::string version = stem.substr(dash + 1);
  version = version.substr(0, version.find('-'));  // egg names may carry -py3.11
  return {NormalizeDistName(stem.substr(0, dash)), version};
}

// `pkg/__pycache__/mod.cpython-312.pyc` belongs to whoever owns `pkg/mod.py`.
void AttributeOrphanBytecode(Tree& tree, std::vector<InstalledDist>& dists) {
  for (std::uint32_t i = 0; i < tree.files.size(); ++i) {
    if (tree.owner[i] != -1) continue;
    const std::string& path = tree.files[i].path;
    std::size_t cache = path.rfind("__pycache__/");
    if (cache == std::string::npos || !EndsWith(path, ".pyc")) continue;
    std::string module = path.substr(cache + 12);
    module = module.substr(0, module.find('.'));
    auto source = tree.index.find(path.substr(0, cache) + module + ".py");
    if (source == tree.index.end() || tree.owner[source->second] == -1) continue;
    long owner = tree.owner[source->second];
    Claim(tree, i, owner, tree.files[i].size, dists[static_cast<std::size_t>(owner)]);
  }
}

}  // namespace

// "a/./b/../c" → "a/c"; "" when the path leaves the root or is absolute outside it.
std::string NormalizeRelative(std::string path, const std::string& root) {
  std::replace(path.begin(), path.end(), '\\', '/');
  if (!path.empty() && path.front() == '/') {
    if (path.compare(0, root.size() + 1, root + "/") != 0) return {};
    path = path.substr(root.size() + 1);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(start, slash - start);
    if (part == "..") {
      if (parts.empty()) return {};
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      field.clear();
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

CoreMetadata ParseCoreMetadata(std::string_view text) {
  CoreMetadata meta;
  for (const auto& line : Lines(text)) {
    if (line.empty()) break;  // the body (long description) starts after the first blank line
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || line[0] == ' ') continue;
    std::string key = line.substr(0, colon);
    std::string value(TrimView(std::string_view(line).substr(colon + 1)));
    if (key == "Name")
      meta.name = value;
    else if (key == "Version")
      meta.version = value;
    else if (key == "Requires-Dist")
      meta.requires_dist.push_back(value);
  }
  return meta;
}

std::vector<std::string> EggRequiresToRequiresDist(std::string_view text) {
  std::vector<std::string> out;
  std::string extra, marker;
  for (const auto& line : Lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string section = line.substr(1, line.size() - 2);
      std::size_t colon = section.find(':');
      extra = section.substr(0, colon);
      marker = colon == std::string::npos ? "" : section.substr(colon + 1);
      continue;
    }
    std::string condition;
    if (!marker.empty()) condition = "(" + marker + ")";
    if (!extra.empty())
      condition += (condition.empty() ? "" : " and ") + std::string("extra == \"") + extra + "\"";
    out.push_back(condition.empty() ? line : line + " ; " + condition);
  }
  return out;
}

std::optional<SitePackages> ScanSitePackages(const std::string& root_in, SourceManager& sources,
                                             DiagnosticSink& sink) {
  (void)sources;
  std::error_code ec;
  std::string root = fs::path(root_in).lexically_normal().generic_string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (!fs::is_directory(root, ec)) {
    sink.Error("E6008", {}, "site-packages directory '" + root_in + "' not found");
    return std::nullopt;
  }
  Tree tree;
  WalkTree(root, tree);
  std::vector<std::pair<std::string, bool>> metadata_entries;  // name, is_directory
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (EndsWith(name, ".dist-info") || EndsWith(name, ".egg-info"))
      metadata_entries.emplace_back(name, entry.is_directory(ec));
  }
  std::sort(metadata_entries.begin(), metadata_entries.end());
  SitePackages out;
  out.root = root;
  std::map<std::string, std::string> seen;  // normalized name → metadata dir
  std::size_t snapshots = 0;
  for (const auto& [entry, is_dir] : metadata_entries) {
    InstalledDist dist;
    std::tie(dist.name, dist.version) = NameVersionFromDir(entry);
    dist.metadata_dir = entry;
    long index = static_cast<long>(out.dists.size());
    if (EndsWith(entry, ".dist-info") && is_dir)
      ReadDistInfo(tree, root, entry, index, dist, sink, &snapshots);
    else
      ReadEggInfo(tree, root, entry, is_dir, index, dist);
    if (auto [it, inserted] = seen.emplace(dist.name, entry); !inserted)
      sink.Warning("W6026", {},
                   "'" + root + "' holds '" + dist.name + "' twice (" + it->second + " and " +
                       entry + "); only the first is counted");
    out.dists.push_back(std::move(dist));
  }
  if (snapshots > 0)
    sink.Note(
        "I6028", {},
        "'" + root + "' is a metadata snapshot for " + std::to_string(snapshots) +
            " distribution(s) (no payload on disk): sized from the sizes their RECORD declares");
  AttributeOrphanBytecode(tree, out.dists);
  for (std::uint32_t i = 0; i < tree.files.size(); ++i) {
    if (tree.owner[i] != -1) continue;
    out.unowned_bytes += tree.files[i].size;
    out.unowned_paths.push_back(tree.files[i].path);
  }
  for (auto& dist : out.dists) {
    std::sort(dist.files.begin(), dist.files.end(),
              [](const InstalledFile& a, const InstalledFile& b) { return a.path < b.path; });
    for (auto& file : dist.files)
      if (EndsWith(file.path, ".so"))
        file.strip_savings = ElfStripSavingsOfFile(root + "/" + file.path, file.size);
  }
  std::stable_sort(out.dists.begin(), out.dists.end(),
                   [](const InstalledDist& a, const InstalledDist& b) { return a.name < b.name; });
  return out;
}

}  // namespace cfnsplit::sizing
