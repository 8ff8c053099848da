// WriteOutputDir: an output directory appears complete or not at all. Files go into a temporary
// directory beside OUTDIR (`.OUTDIR.new-<pid>-<n>`), all of it is flushed to disk (SyncTree), then
// it is renamed into place and the parent fsynced, so a power loss leaves the old or the new
// output, never complete-looking empty files. A forced replacement swaps the two directories
// atomically (renameat2 RENAME_EXCHANGE) where the kernel can; elsewhere it renames the old one
// away first. Temporary directories of processes that died (kill -9) are removed by later runs.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/timings.hpp"

namespace cfnsplit {
namespace fs = std::filesystem;
namespace {

bool SafeRelative(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

// `.BASE.WHAT-<pid>-<n>`: the pid tells later runs whether its owner is still alive. mkdir (not
// mkdtemp, which forces 0700) lets the umask decide the final directory's mode.
std::string MakeTemp(const fs::path& parent, const std::string& base, const char* what) {
  std::string prefix = "." + base + "." + what + "-" + std::to_string(getpid()) + "-";
  for (int n = 0; n < 1000; ++n) {
    std::string path = (parent / (prefix + std::to_string(n))).string();
    if (mkdir(path.c_str(), 0777) == 0) return path;
    if (errno != EEXIST) return "";
  }
  return "";
}

// The pid in a temporary name `.BASE.WHAT-<pid>-<n>`, or 0 when the name is not one of ours.
pid_t OwnerPid(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  std::size_t dash = name.find('-', prefix.size());
  if (dash == std::string::npos || dash == prefix.size()) return 0;
  pid_t pid = 0;
  for (std::size_t i = prefix.size(); i < dash; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])) || pid > 4'000'000) return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

// Removes `.BASE.new-*` and `.BASE.pkg-*` (package staging) left by processes that no longer
// run (killed mid-write), and `.BASE.old-*` of dead processes once BASE itself exists (else the
// old copy is all there is).
void RemoveStaleTemps(const fs::path& parent, const std::string& base, bool outdir_exists) {
  std::error_code ec;
  for (const char* what : {"new", "pkg", "old"}) {
    if (std::string(what) == "old" && !outdir_exists) continue;
    std::string prefix = "." + base + "." + what + "-";
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
      pid_t pid = OwnerPid(entry.path().filename().string(), prefix);
      if (pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH)
        fs::remove_all(entry.path(), ec);
    }
  }
}

bool SyncPath(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = fsync(fd) == 0;
  return close(fd) == 0 && ok;
}

// Creates `path` (never overwriting: two outputs that collide, e.g. names differing only in case
// on a case-insensitive file system, are an error) and writes it; SyncTree makes it durable.
// 0666: the umask decides.
bool WriteNewFile(const fs::path& path, const std::string& contents) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == contents.size();
  return close(fd) == 0 && ok;
}

// Makes every file and directory under (and including) `root` durable, so the rename publishes
// only what a power loss cannot undo. syncfs(2) flushes the file system `root` lies on in one
// call (Linux; it reports write-back errors since 5.8); an fsync of each file and directory was
// a tenth of the CPU time of a 10,000-function split (989 files in 494 directories) and most of
// its write stage's wall time (docs/bench.md, eighth round). Elsewhere, or if syncfs fails, each
// one is fsynced.
bool SyncTree(const fs::path& root) {
#ifdef __linux__
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    bool synced = syncfs(fd) == 0;
    close(fd);
    if (synced) return true;
  }
#endif
  std::error_code ec;
  if (!SyncPath(root.string(), O_RDONLY | O_DIRECTORY)) return false;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const bool dir = it->is_directory(ec);
    if (!SyncPath(it->path().string(), dir ? O_RDONLY | O_DIRECTORY : O_RDONLY)) return false;
  }
  return !ec;
}

// Swaps `a` and `b` atomically; false (errno set) where the kernel or file system cannot.
bool ExchangePaths(const std::string& a, const std::string& b) {
#ifdef RENAME_EXCHANGE
  return renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
#else
  (void)a;
  (void)b;
  errno = ENOSYS;
  return false;
#endif
}

bool WriteAll(const fs::path& dir, const std::vector<EmittedFile>& files, DiagnosticSink& sink) {
  for (const EmittedFile& f : files) {
    if (!SafeRelative(f.path)) {
      sink.Error("E5004", {},
                 "refusing to write '" + f.path +
                     "': not a relative path inside "
                     "the output directory");
      return false;
    }
    fs::path target = dir / f.path;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (fs::exists(fs::symlink_status(target, ec))) {
      sink.Error("E5004", {}, "two output files would be written to '" + f.path + "'",
                 {"names that differ only in case collide on this file system"});
      return false;
    }
    if (!f.source_path.empty()) {
      // Moved when it is ours to move (a staging file beside the output), else copied.
      bool moved = f.move_source && std::rename(f.source_path.c_str(), target.c_str()) == 0;
      if (!moved && !fs::copy_file(f.source_path, target, fs::copy_options::none, ec)) {
        sink.Error("E5008", {}, "cannot write '" + target.string() + "'");
        return false;
      }
      continue;
    }
    if (!WriteNewFile(target, f.contents)) {
      sink.Error("E5008", {}, "cannot write '" + target.string() + "': " + std::strerror(errno));
      return false;
    }
    if (f.executable) {
      // Execute wherever read is allowed: the umask already shaped the read bits.
      fs::perms p = fs::status(target, ec).permissions();
      fs::perms x = fs::perms::none;
      if ((p & fs::perms::owner_read) != fs::perms::none) x |= fs::perms::owner_exec;
      if ((p & fs::perms::group_read) != fs::perms::none) x |= fs::perms::group_exec;
      if ((p & fs::perms::others_read) != fs::perms::none) x |= fs::perms::others_exec;
      fs::permissions(target, x, fs::perm_options::add, ec);
    }
  }
  return true;
}

// True when `dir` is the working directory or contains it: replacing it would pull the floor
// from under the caller (and the inputs usually live there).
bool ContainsCwd(const fs::path& dir) {
  std::error_code ec;
  fs::path cwd = fs::weakly_canonical(fs::current_path(ec), ec);
  fs::path d = fs::weakly_canonical(dir, ec);
  if (ec) return true;
  auto di = d.begin();
  for (auto ci = cwd.begin(); di != d.end(); ++di, ++ci)
    if (ci == cwd.end() || *ci != *di) return false;
  return true;
}

}  // namespace

bool WriteOutputDir(const std::string& outdir, const std::vector<EmittedFile>& files, bool force,
                    DiagnosticSink& sink) {
  timings::Scope timing("write");
  try {
    fs::path dir = fs::path(outdir).lexically_normal();
    if (outdir.empty() || dir.filename().empty()) dir = dir.parent_path();
    if (dir.empty() || ContainsCwd(dir)) {
      sink.Error("E5004", {},
                 "refusing to use '" + outdir +
                     "' as output directory: it is the "
                     "working directory or one of its parents");
      return false;
    }
    std::error_code ec;
    bool exists = fs::exists(dir, ec);
    if (exists && !fs::is_directory(dir, ec)) {
      sink.Error("E5004", {}, "'" + outdir + "' exists and is not a directory");
      return false;
    }
    bool non_empty = exists && !fs::is_empty(dir, ec);
    if (non_empty && !force) {
      sink.Error("E5004", {}, "output directory '" + outdir + "' is not empty",
                 {"use --force to replace it"});
      return false;
    }
    fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    fs::create_directories(parent, ec);
    std::string base = dir.filename().string();
    RemoveStaleTemps(parent, base, exists);
    std::string tmp = MakeTemp(parent, base, "new");
    if (tmp.empty()) {
      sink.Error("E5008", {}, "cannot create a temporary directory in '" + parent.string() + "'");
      return false;
    }
    if (!WriteAll(tmp, files, sink)) {
      fs::remove_all(tmp, ec);
      return false;
    }
    if (!SyncTree(tmp)) {
      sink.Error("E5008", {},
                 "cannot flush the new output to disk: " + std::string(std::strerror(errno)));
      fs::remove_all(tmp, ec);
      return false;
    }
    // With --force, swap old and new in one step: OUTDIR is never missing, not even briefly.
    if (exists && ExchangePaths(tmp, dir.string())) {
      SyncPath(parent.string(), O_RDONLY | O_DIRECTORY);
      fs::remove_all(tmp, ec);  // now the old output
      return true;
    }
    std::string old;
    if (exists) {
      old = MakeTemp(parent, base, "old");
      // rename(2) replaces an empty directory, so the old one takes the reserved name.
      if (old.empty() || std::rename(dir.c_str(), old.c_str()) != 0) {
        sink.Error("E5008", {}, "cannot move the old '" + outdir + "' aside");
        fs::remove_all(tmp, ec);
        if (!old.empty()) fs::remove(old, ec);
        return false;
      }
    }
    if (std::rename(tmp.c_str(), dir.c_str()) != 0) {
      sink.Error("E5008", {}, "cannot rename the new output into '" + outdir + "'");
      if (!old.empty()) std::rename(old.c_str(), dir.c_str());
      fs::remove_all(tmp, ec);
      return false;
    }
    SyncPath(parent.string(), O_RDONLY | O_DIRECTORY);
    if (!old.empty()) fs::remove_all(old, ec);
    return true;
  } catch (const std::exception& e) {
    sink.Error("E5008", {}, "cannot write '" + outdir + "': " + e.what());
    return false;
  }
}

}  // namespace cfnsplit
