// Helpers of the package tests: small installed trees, a real-size synthetic copy of a metadata
// snapshot, and Python's zipfile as an independent reader (scratch directories, files and the
// binary come from tests/support/).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cfnsplit/python_files.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace cfnsplit::package::testing {

namespace fs = std::filesystem;

using cfnsplit::testing::ReadAll;
using cfnsplit::testing::SkipOrFail;
using cfnsplit::testing::TempDir;
using cfnsplit::testing::WriteFile;

/// A pip-installed distribution: its files, METADATA and a RECORD listing them with sizes.
inline void WriteDist(const fs::path& site, const std::string& name, const std::string& version,
                      const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string info = name + "-" + version + ".dist-info";
  std::string record;
  for (const auto& [path, text] : files) {
    WriteFile(site / path, text);
    record += path + ",sha256=x," + std::to_string(text.size()) + "\n";
  }
  std::string metadata = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
  WriteFile(site / info / "METADATA", metadata);
  record += info + "/METADATA,sha256=x," + std::to_string(metadata.size()) + "\n";
  record += info + "/RECORD,,\n";
  WriteFile(site / info / "RECORD", record);
}

inline void AppendRecord(const fs::path& site, const std::string& name, const std::string& version,
                         const std::string& row) {
  std::ofstream(site / (name + "-" + version + ".dist-info") / "RECORD", std::ios::app)
      << row << "\n";
}

using Run = cfnsplit::testing::CliRun;

/// Runs the cfnsplit binary from the source directory, its output captured in `dir`.
inline Run Cfnsplit(const std::string& args, const TempDir& dir) {
  return cfnsplit::testing::RunCfnsplit(args, dir.path());
}

inline std::string RunCapture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    if (pclose(pipe) != 0) return "";
  }
  return out;
}

/// Python's zipfile over `zip`: one line per entry "name size mode date", then "testzip ok"
/// when every CRC checks. nullopt when python3 is missing.
inline std::optional<std::string> PythonZipCheck(const std::string& zip) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) return std::nullopt;
  std::string script =
      "import sys, zipfile\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "for i in z.infolist():\n"
      "    y, m, d = i.date_time[:3]\n"
      "    print(i.filename, i.file_size, oct((i.external_attr >> 16) & 0o777)[2:],"
      " '%04d-%02d-%02d' % (y, m, d))\n"
      "print('testzip ok' if z.testzip() is None else 'testzip BAD')\n";
  fs::path py =
      fs::temp_directory_path() / ("cfnsplit-zipcheck-" + std::to_string(getpid()) + ".py");
  WriteFile(py, script);
  std::string out = RunCapture("python3 '" + py.string() + "' '" + zip + "'");
  fs::remove(py);
  return out;
}

/// Python's zipfile listing `zip` as "name size" lines (no CRC pass: fast on big archives).
inline std::optional<std::string> PythonZipList(const std::string& zip) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) return std::nullopt;
  return RunCapture(
      "python3 -c \"import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1])."
      "infolist(): print(i.filename, i.file_size)\" '" +
      zip + "'");
}

/// A real-size installed tree from a metadata snapshot (every `.dist-info` kept as is, every
/// other RECORD row created as a sparse file of its recorded size): fast and deterministic.
inline std::uint64_t MakeSyntheticSite(const fs::path& snapshot, const fs::path& out) {
  std::uint64_t bytes = 0;
  fs::create_directories(out);
  for (const auto& entry : fs::directory_iterator(snapshot)) {
    const std::string dir = entry.path().filename().string();
    fs::copy(entry.path(), out / dir, fs::copy_options::recursive);
    std::ifstream in(entry.path() / "RECORD");
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& row : sizing::ParseCsv(text.str())) {
      if (row.size() < 3 || row[2].empty() || row[0].rfind(dir + "/", 0) == 0) continue;
      fs::path file = out / row[0];
      fs::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary | std::ios::trunc);
      fs::resize_file(file, std::stoull(row[2]));
      bytes += std::stoull(row[2]);
    }
  }
  return bytes;
}

}  // namespace cfnsplit::package::testing
