#include "cfnsplit/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cfnsplit {

std::string DirName(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool WriteFileAtomic(const std::string& path, const std::string& contents, DiagnosticSink& sink) {
  std::string tmp = path + ".cfnsplit-tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    sink.Error("E5001", {}, "cannot write '" + path + "': " + std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      sink.Error("E5001", {}, "cannot write '" + path + "': " + std::strerror(errno));
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    sink.Error("E5001", {}, "cannot write '" + path + "': " + std::strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace cfnsplit
