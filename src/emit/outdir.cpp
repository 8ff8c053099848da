// WriteOutputDir: an output directory appears complete or not at all. Files go into a temporary
// directory beside OUTDIR, which is then renamed into place; a forced replacement renames the
// old directory away first and deletes it only after the new one is in place.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cfnsplit/emit.hpp"

namespace cfnsplit {
namespace fs = std::filesystem;
namespace {

bool SafeRelative(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

std::string MakeTemp(const fs::path& parent, const std::string& base, const char* what) {
  std::string tmpl = (parent / ("." + base + "." + what + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) return "";
  return tmpl;
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
    if (!f.source_path.empty()) {
      // Moved when it is ours to move (a staging file beside the output), else copied.
      bool moved = f.move_source && std::rename(f.source_path.c_str(), target.c_str()) == 0;
      if (!moved &&
          !fs::copy_file(f.source_path, target, fs::copy_options::overwrite_existing, ec)) {
        sink.Error("E5004", {}, "cannot write '" + target.string() + "'");
        return false;
      }
      continue;
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(f.contents.data(), static_cast<std::streamsize>(f.contents.size()));
    out.close();
    if (ec || !out) {
      sink.Error("E5004", {}, "cannot write '" + target.string() + "'");
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
    std::string tmp = MakeTemp(parent, base, "new");
    if (tmp.empty()) {
      sink.Error("E5004", {}, "cannot create a temporary directory in '" + parent.string() + "'");
      return false;
    }
    if (!WriteAll(tmp, files, sink)) {
      fs::remove_all(tmp, ec);
      return false;
    }
    std::string old;
    if (exists) {
      old = MakeTemp(parent, base, "old");
      // rename(2) replaces an empty directory, so the old one takes the reserved name.
      if (old.empty() || std::rename(dir.c_str(), old.c_str()) != 0) {
        sink.Error("E5004", {}, "cannot move the old '" + outdir + "' aside");
        fs::remove_all(tmp, ec);
        if (!old.empty()) fs::remove(old, ec);
        return false;
      }
    }
    if (std::rename(tmp.c_str(), dir.c_str()) != 0) {
      sink.Error("E5004", {}, "cannot rename the new output into '" + outdir + "'");
      if (!old.empty()) std::rename(old.c_str(), dir.c_str());
      fs::remove_all(tmp, ec);
      return false;
    }
    if (!old.empty()) fs::remove_all(old, ec);
    return true;
  } catch (const std::exception& e) {
    sink.Error("E5004", {}, "cannot write '" + outdir + "': " + e.what());
    return false;
  }
}

}  // namespace cfnsplit
