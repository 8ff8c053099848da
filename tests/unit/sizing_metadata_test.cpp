// Installed trees: RECORD and METADATA parsing, dist-info and egg-info ownership, unowned files.
#include <catch2/catch.hpp>

#include "sizing/internal.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
using namespace cfnsplit::sizing;
using sizing_test::TempDir;
using sizing_test::WriteFile;
using sizing_test::WriteSized;

TEST_CASE("RECORD is read as Python's csv reads it", "[unit][sizing]") {
  auto rows =
      ParseCsv("a/b.py,sha256=x,12\r\n\"odd, name.py\",,\"3\"\n\"say \"\"hi\"\".txt\",,7\nlast,,");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"a/b.py", "sha256=x", "12"});
  CHECK(rows[1] == std::vector<std::string>{"odd, name.py", "", "3"});
  CHECK(rows[2][0] == "say \"hi\".txt");
  CHECK(rows[3] == std::vector<std::string>{"last", "", ""});
}

TEST_CASE("METADATA headers and egg-info requires.txt sections", "[unit][sizing]") {
  CoreMetadata meta = ParseCoreMetadata(
      "Metadata-Version: 2.1\nName: Pandas\nVersion: 2.2.2\nRequires-Dist: numpy>=1.26.0; "
      "python_version >= \"3.12\"\n"
      "Requires-Dist: pyarrow>=10; extra == \"parquet\"\n\nRequires-Dist: not-a-header\n");
  CHECK(meta.name == "Pandas");
  CHECK(meta.version == "2.2.2");
  CHECK(meta.requires_dist == std::vector<std::string>{"numpy>=1.26.0; python_version >= \"3.12\"",
                                                       "pyarrow>=10; extra == \"parquet\""});
  auto requires = EggRequiresToRequiresDist(
      "six\n\n[socks]\nPySocks>=1.5\n[:sys_platform == \"win32\"]\ncolorama\n[cli:python_version < "
      "\"3.8\"]\nclick\n");
  CHECK(requires ==
        std::vector<std::string>{"six", "PySocks>=1.5 ; extra == \"socks\"",
                                 "colorama ; (sys_platform == \"win32\")",
                                 "click ; (python_version < \"3.8\") and extra == \"cli\""});
}

namespace {

// A site-packages tree with exactly known sizes:
//  alpha 1.0 (dist-info, RECORD with sizes; one .pyc missing from RECORD; a script outside)
//  beta 2.0 (dist-info, RECORD without sizes → walked; no top_level.txt)
//  gamma 3.0 (egg-info directory with installed-files.txt)
//  delta 0.5 (egg-info directory without installed-files.txt → top_level walked, Debian style)
//  leftover.txt and stray/ (unowned)
void BuildSitePackages(const TempDir& dir) {
  const std::string sp = dir / "site";
  WriteSized(sp + "/alpha/__init__.py", 100);
  WriteSized(sp + "/alpha/core.py", 250);
  WriteSized(sp + "/alpha/__pycache__/core.cpython-312.pyc", 180);  // not in RECORD
  WriteSized(sp + "/alpha/_speed.so", 4000);
  WriteFile(sp + "/alpha-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: Alpha\nVersion: 1.0\nRequires-Dist: beta\nRequires-Dist: "
            "gamma ; extra == 'g'\n");
  WriteFile(sp + "/alpha-1.0.dist-info/top_level.txt", "alpha\n");
  WriteFile(sp + "/alpha-1.0.dist-info/RECORD",
            "alpha/__init__.py,sha256=a,100\n"
            "alpha/core.py,sha256=b,250\n"
            "alpha/_speed.so,sha256=c,4000\n"
            "alpha-1.0.dist-info/METADATA,sha256=d,999\n"  // recorded size wins over disk
            "alpha-1.0.dist-info/top_level.txt,,\n"
            "alpha-1.0.dist-info/RECORD,,\n"
            "../../../bin/alpha-cli,sha256=e,77\n"  // outside site-packages: not shipped
            "alpha/gone.py,sha256=f,500\n");        // listed but not on disk
  WriteSized(sp + "/beta.py", 40);
  WriteSized(sp + "/beta_data/table.bin", 1000);
  WriteFile(sp + "/beta-2.0.dist-info/METADATA", "Name: beta\nVersion: 2.0\n");
  WriteFile(sp + "/beta-2.0.dist-info/RECORD",
            "beta.py,,\nbeta_data/table.bin,,\nbeta-2.0.dist-info/METADATA,,\nbeta-2.0.dist-info/"
            "RECORD,,\n");
  WriteSized(sp + "/gamma/__init__.py", 300);
  WriteFile(sp + "/gamma-3.0-py3.12.egg-info/PKG-INFO", "Name: gamma\nVersion: 3.0\n");
  WriteFile(sp + "/gamma-3.0-py3.12.egg-info/requires.txt", "six\n[fast]\ncython\n");
  WriteFile(sp + "/gamma-3.0-py3.12.egg-info/installed-files.txt",
            "../gamma/__init__.py\nPKG-INFO\nrequires.txt\ninstalled-files.txt\n");
  WriteSized(sp + "/delta/mod.py", 70);
  WriteSized(sp + "/delta/sub/x.py", 30);
  WriteFile(sp + "/delta-0.5.egg-info/PKG-INFO", "Name: delta\nVersion: 0.5\n");
  WriteFile(sp + "/delta-0.5.egg-info/top_level.txt", "delta\n");
  WriteSized(sp + "/leftover.txt", 11);
  WriteSized(sp + "/stray/thing.py", 22);
}

std::uint64_t FileSize(const std::string& path) { return std::filesystem::file_size(path); }

}  // namespace

TEST_CASE("site-packages: RECORD sizes, walked sizes, egg-info, unowned files", "[unit][sizing]") {
  TempDir dir;
  BuildSitePackages(dir);
  SourceManager sources;
  DiagnosticSink sink;
  auto site = ScanSitePackages(dir / "site", sources, sink);
  REQUIRE(site);
  REQUIRE(site->dists.size() == 4);
  const InstalledDist& alpha = site->dists[0];
  const InstalledDist& beta = site->dists[1];
  const InstalledDist& delta = site->dists[2];
  const InstalledDist& gamma = site->dists[3];
  CHECK(alpha.name == "alpha");
  CHECK(alpha.version == "1.0");
  CHECK(alpha.source == "record");
  // 100 + 250 + 4000 + 999 (recorded) + top_level.txt + RECORD (walked) + 180 (orphan .pyc).
  std::uint64_t alpha_expected = 100 + 250 + 4000 + 999 +
                                 FileSize(dir / "site/alpha-1.0.dist-info/top_level.txt") +
                                 FileSize(dir / "site/alpha-1.0.dist-info/RECORD") + 180;
  CHECK(alpha.bytes == alpha_expected);
  CHECK(alpha.files.size() == 7);
  CHECK(alpha.top_level == std::vector<std::string>{"alpha"});
  CHECK(alpha.requires_dist == std::vector<std::string>{"beta", "gamma ; extra == 'g'"});

  CHECK(beta.source == "walk");
  CHECK(beta.bytes == 40 + 1000 + FileSize(dir / "site/beta-2.0.dist-info/METADATA") +
                          FileSize(dir / "site/beta-2.0.dist-info/RECORD"));
  CHECK(beta.top_level == std::vector<std::string>{"beta", "beta_data"});

  CHECK(gamma.name == "gamma");
  CHECK(gamma.version == "3.0");
  CHECK(gamma.requires_dist == std::vector<std::string>{"six", "cython ; extra == \"fast\""});
  std::uint64_t gamma_meta = 0;
  for (const char* f : {"PKG-INFO", "requires.txt", "installed-files.txt"})
    gamma_meta += FileSize(dir / (std::string("site/gamma-3.0-py3.12.egg-info/") + f));
  CHECK(gamma.bytes == 300 + gamma_meta);

  CHECK(delta.source == "walk");
  CHECK(delta.bytes == 70 + 30 + FileSize(dir / "site/delta-0.5.egg-info/PKG-INFO") +
                           FileSize(dir / "site/delta-0.5.egg-info/top_level.txt"));

  CHECK(site->unowned_bytes == 11 + 22);
  CHECK(site->unowned_paths == std::vector<std::string>{"leftover.txt", "stray/thing.py"});
  // One note: alpha's RECORD lists a file that is not on disk.
  CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"I6027"});
}

TEST_CASE("site-packages: a missing directory is an error, never a crash", "[unit][sizing]") {
  SourceManager sources;
  DiagnosticSink sink;
  CHECK_FALSE(ScanSitePackages("/nonexistent/cfnsplit/site", sources, sink));
  CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6008"});
}

TEST_CASE("slim savings are measured on installed files", "[unit][sizing]") {
  std::vector<InstalledFile> files = {
      {"pkg/__init__.py", 100, 0},    {"pkg/__pycache__/__init__.cpython-312.pyc", 80, 0},
      {"pkg/old.pyo", 5, 0},          {"pkg-1.0.dist-info/RECORD", 60, 0},
      {"pkg/_native.so", 5000, 1200}, {"pkg/tests/test_x.py", 300, 0},
  };
  CHECK(SlimRemovedBytes(files, DefaultSlimPatterns(), true) == 80 + 5 + 60 + 1200);
  CHECK(SlimRemovedBytes(files, DefaultSlimPatterns(), false) == 80 + 5 + 60);
  auto with_tests = DefaultSlimPatterns();
  with_tests.push_back("**/tests/**");
  CHECK(SlimRemovedBytes(files, with_tests, true) == 80 + 5 + 60 + 1200 + 300);
  CHECK(GlobMatch("**/*.py[c|o]", "a/b/c.pyc"));
  CHECK(GlobMatch("**/*.py[c|o]", "top.pyo"));
  CHECK_FALSE(GlobMatch("**/*.py[c|o]", "a/b/c.py"));
  CHECK(GlobMatchesPathOrParent("**/__pycache__*", "a/__pycache__/x.pyc"));
  CHECK(GlobMatch("a/*/c", "a/b/c"));
  CHECK_FALSE(GlobMatch("a/*/c", "a/b/x/c"));
  CHECK(GlobMatch("a/**/c", "a/c"));
  CHECK(GlobMatch("[!x]?.txt", "ab.txt"));
}

TEST_CASE("ELF strip savings come from section headers, bounds-checked", "[unit][sizing]") {
  std::string elf = sizing_test::BuildElf(1000, 240, 50, 300, 20);
  // .symtab + .strtab + .debug_info, plus their three 64-byte section headers; .comment stays.
  CHECK(ElfStripSavings(elf) == 240 + 50 + 300 + 3 * 64);
  CHECK(ElfStripSavings(sizing_test::BuildElf(10, 0, 0, 0, 0)) == 0 + 0 + 0 + 3 * 64);
  CHECK(ElfStripSavings(elf.substr(0, elf.size() - 100)) == 0);  // truncated header table
  CHECK(ElfStripSavings("not an elf file at all, just text that is long enough to look at it") ==
        0);
  std::string lying = elf;
  lying[0x3C] = '\xff';  // e_shnum = 255: the table would run past the end
  CHECK(ElfStripSavings(lying) == 0);
  TempDir dir;
  WriteFile(dir / "x.so", elf);
  CHECK(ElfStripSavingsOfFile(dir / "x.so", elf.size()) == 782);
}
