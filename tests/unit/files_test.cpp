// WriteFileAtomic (every single-file output: plan -o, review reports): regular files are replaced
// atomically, a symlink keeps pointing at its file, and a device is written in place, never
// replaced (`-o /dev/null` as root used to rename a regular file over the device).
#include "cfnsplit/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"
#include "support/files.hpp"

using cfnsplit::DiagnosticSink;
using cfnsplit::WriteFileAtomic;
using cfnsplit::testing::ReadAll;
using cfnsplit::testing::TempDir;

TEST_CASE("atomic writes keep devices, links and directories what they are", "[unit][files]") {
  TempDir dir;
  DiagnosticSink sink;

  SECTION("a regular file is replaced, with no temporary left beside it") {
    std::string path = dir.Write("plan.yaml", "old");
    REQUIRE(WriteFileAtomic(path, "new", sink));
    CHECK(ReadAll(path) == "new");
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                        std::filesystem::directory_iterator()) == 1);
  }
  SECTION("/dev/null stays a character device") {
    REQUIRE(WriteFileAtomic("/dev/null", "plan text", sink));
    struct stat st {};
    REQUIRE(stat("/dev/null", &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    std::string stray = "/dev/null.cfnsplit-tmp-" + std::to_string(getpid());
    CHECK(access(stray.c_str(), F_OK) != 0);
  }
  SECTION("a symlink stays a link; the file it names gets the bytes") {
    std::string target = dir.Write("real.yaml", "old");
    auto link = dir.path() / "link.yaml";
    REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
    REQUIRE(WriteFileAtomic(link.string(), "new", sink));
    CHECK(std::filesystem::is_symlink(link));
    CHECK(ReadAll(target) == "new");
  }
  SECTION("a FIFO is written in place, not replaced") {
    auto fifo = dir.path() / "pipe";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    REQUIRE(WriteFileAtomic(fifo.string(), "bytes", sink));
    char buf[16] = {};
    CHECK(read(reader, buf, sizeof buf) == 5);
    close(reader);
    struct stat st {};
    REQUIRE(stat(fifo.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
  }
  SECTION("a directory is refused with E5008") {
    CHECK_FALSE(WriteFileAtomic(dir.path().string(), "x", sink));
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].code == "E5008");
  }
}
