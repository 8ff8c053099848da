#include "cfnsplit/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cfnsplit {

std::string DirName(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string NonRegularFileKind(unsigned mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

namespace {

bool WriteAll(int fd, const std::string& contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool CannotWrite(const std::string& path, const std::string& why, DiagnosticSink& sink) {
  sink.Error("E5008", {}, "cannot write '" + path + "': " + why);
  return false;
}

// A device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout` on a pipe) is written in place:
// renaming a file over it would replace the device itself (as root, /dev/null).
bool WriteInPlace(const std::string& path, const std::string& contents, DiagnosticSink& sink) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return CannotWrite(path, std::strerror(errno), sink);
  bool ok = WriteAll(fd, contents);
  int saved = errno;
  if (close(fd) != 0 && ok) return CannotWrite(path, std::strerror(errno), sink);
  return ok || CannotWrite(path, std::strerror(saved), sink);
}

}  // namespace

bool WriteFileAtomic(const std::string& requested, const std::string& contents,
                     DiagnosticSink& sink) {
  struct stat target {};
  if (stat(requested.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    if (S_ISDIR(target.st_mode)) return CannotWrite(requested, "it is a directory", sink);
    return WriteInPlace(requested, contents, sink);
  }
  // A symlink to a file stays a link: the file it names is what gets replaced.
  std::string path = requested;
  struct stat link {};
  if (lstat(requested.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    char* resolved = realpath(requested.c_str(), nullptr);
    if (!resolved) return CannotWrite(requested, std::strerror(errno), sink);
    path = resolved;
    std::free(resolved);
  }
  std::string tmp = path + ".cfnsplit-tmp-" + std::to_string(getpid());
  unlink(tmp.c_str());  // a stale one of a dead run with our pid; never followed (O_EXCL)
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return CannotWrite(requested, std::strerror(errno), sink);
  bool ok = WriteAll(fd, contents) && fsync(fd) == 0;
  int saved = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    unlink(tmp.c_str());
    return CannotWrite(requested, std::strerror(saved), sink);
  }
  return true;
}

}  // namespace cfnsplit
