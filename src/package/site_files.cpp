// An installed tree, distribution by distribution: exactly the files each RECORD lists.
//
// The sizing stage measured these files from the same RECORD; here every row is checked again
// against the disk before a byte is packed, because a tree that changed since it was measured
// (or a hostile RECORD) must not silently produce a different artifact (aws-facts §6.1).
#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cfnsplit/numbers.hpp"
#include "cfnsplit/python_files.hpp"
#include "package/internal.hpp"

namespace cfnsplit::package {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxErrorsPerDist = 10;
constexpr std::uint64_t kMaxRecordBytes = 64ull << 20;

std::string ReadText(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size > kMaxRecordBytes) return {};
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool InPycache(const std::string& path) {
  return path.rfind("__pycache__/", 0) == 0 || path.find("/__pycache__/") != std::string::npos;
}

bool Digits(const std::string& s) {
  return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

SiteTree::SiteTree(std::string root, SourceManager& sources, DiagnosticSink& sink)
    : root_(fs::path(std::move(root)).lexically_normal().generic_string()),
      sources_(sources),
      sink_(sink) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

bool SiteTree::Open() {
  std::error_code ec;
  char resolved[PATH_MAX];
  if (!fs::is_directory(root_, ec) || !realpath(root_.c_str(), resolved)) {
    sink_.Error("E6008", {}, "site-packages directory '" + root_ + "' not found");
    return false;
  }
  real_root_ = resolved;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string dir = entry.path().filename().string();
    if (dir.size() <= 10 || dir.compare(dir.size() - 10, 10, ".dist-info") != 0) continue;
    if (!entry.is_directory(ec)) continue;
    sizing::CoreMetadata meta =
        sizing::ParseCoreMetadata(ReadText(root_ + "/" + dir + "/METADATA"));
    std::string name = !meta.name.empty() ? meta.name : dir.substr(0, dir.find('-'));
    // Sorted iteration below keeps the first of two installs, as the sizing stage does (W6026).
    auto& slot = dists_[NormalizeDistName(name)];
    if (slot.dir.empty() || dir < slot.dir) slot.dir = dir;
  }
  return true;
}

const std::vector<ZipItem>* SiteTree::Files(const std::string& distribution,
                                            std::uint64_t* pycache_bytes) {
  auto it = dists_.find(distribution);
  if (it == dists_.end()) {
    sink_.Error("E7005", {},
                "distribution '" + distribution + "' is not installed in '" + root_ +
                    "' (no .dist-info folder); install the requirements there with "
                    "`pip install -t " +
                    root_ + " -r requirements.txt`");
    return nullptr;
  }
  Dist& dist = it->second;
  if (!dist.read) {
    dist.read = true;
    dist.ok = ReadRecord(distribution, dist);
  }
  if (pycache_bytes) *pycache_bytes = dist.pycache;
  return dist.ok ? &dist.files : nullptr;
}

bool SiteTree::ReadRecord(const std::string& name, Dist& dist) {
  const std::string record_path = root_ + "/" + dist.dir + "/RECORD";
  std::string text = ReadText(record_path);
  if (text.empty()) {
    sink_.Error("E7005", {},
                "distribution '" + name + "': '" + record_path +
                    "' is missing or empty, so its files are unknown (egg-info installs have no "
                    "RECORD: reinstall it with pip)");
    return false;
  }
  const std::uint32_t file = sources_.Add(record_path, text);
  const std::string who = "distribution '" + name + "': ";
  std::size_t errors = 0;
  auto error = [&](const char* code, std::uint32_t line, const std::string& message) {
    if (++errors <= kMaxErrorsPerDist) sink_.Error(code, {file, line, 1}, who + message);
  };
  std::set<std::string> seen;
  std::uint32_t line_no = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    auto rows = sizing::ParseCsv(line);
    if (rows.empty() || rows[0].empty() || rows[0][0].empty()) continue;
    const std::vector<std::string>& row = rows[0];
    std::string path = sizing::NormalizeRelative(row[0], root_);
    if (path.empty()) {
      error("E7001", line_no,
            "RECORD row '" + row[0] + "' points outside '" + root_ +
                "'; build the artifact from a `pip install -t DIR` tree, where every file stays "
                "inside DIR");
      continue;
    }
    if (!seen.insert(path).second) continue;
    if (InPycache(path)) {  // bytecode of the build host's Python: not shipped (docs/package.md)
      struct stat pyc {};
      const std::string at = root_ + "/" + path;
      dist.pycache += lstat(at.c_str(), &pyc) == 0        ? static_cast<std::uint64_t>(pyc.st_size)
                      : row.size() >= 3 && Digits(row[2]) ? std::stoull(row[2])
                                                          : 0;
      continue;
    }
    const std::string full = root_ + "/" + path;
    struct stat st {};
    if (lstat(full.c_str(), &st) != 0) {
      error("E7002", line_no, "'" + path + "' is listed in RECORD but missing from the tree");
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      std::string inside = real_root_ + "/";
      if (!realpath(full.c_str(), target) || std::string(target).rfind(inside, 0) != 0) {
        error("E7003", line_no, "'" + path + "' is a symlink that leaves '" + root_ + "'");
        continue;
      }
      stat(full.c_str(), &st);
    }
    if (!S_ISREG(st.st_mode)) {
      error("E7002", line_no, "'" + path + "' is listed in RECORD but is not a regular file");
      continue;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (row.size() >= 3 && Digits(row[2]) && std::stoull(row[2]) != size) {
      error("E7004", line_no,
            "'" + path + "' is " + GroupDigits(size) + " bytes on disk but RECORD says " +
                GroupDigits(std::stoull(row[2])) +
                " (changed since it was measured; reinstall the distribution)");
      continue;
    }
    dist.files.push_back({path, full, size, (st.st_mode & 0111) != 0, name});
  }
  if (errors > kMaxErrorsPerDist)
    sink_.Error("E7002", {file, 0, 0},
                who + std::to_string(errors - kMaxErrorsPerDist) + " more problem(s) in RECORD");
  return errors == 0;
}

}  // namespace cfnsplit::package
