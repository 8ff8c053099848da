// Zip central directories: plain, Zip64, and hostile archives; inflate; wheel names.
#include <catch2/catch.hpp>

#include "sizing/internal.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
using namespace cfnsplit::sizing;
using sizing_test::BuildZip;
using sizing_test::ZipSpec;

namespace {

std::optional<std::vector<ZipEntry>> List(const std::string& zip, DiagnosticSink& sink) {
  return ReadZipDirectory(zip, "test.zip", 0, sink);
}

// The same bytes deflated by zlib (level 9, raw): a real dynamic/fixed Huffman stream.
const char kDeflated[] =
    "\x8d\x8e\xb1\x0a\xc2\x30\x14\x45\xf7\x7c\xc5\x23\x93\x0e\x0d\xa6\x82\x43\x35\x4e\xe2\xa6\x88"
    "\x83\x6b\x79"
    "\xc4\x67\xfb\x68\x9b\xd4\x24\x4a\xfb\xf7\x8a\x82\x43\x27\xc7\xcb\x39\x1c\xee\x81\x12\x5e\x31"
    "\x61\x76\xa1"
    "\x10\xd9\xbb\x02\x72\xa5\xc5\x11\x3b\x2a\x60\x8f\xce\x8e\xe5\xa9\xa9\xc4\x0f\x6a\x95\xab\x85"
    "\x38\xd3\xfd"
    "\xc1\x81\x62\xb6\xe3\x98\x0a\x88\x3c\xc0\x6c\x6b\xb4\xd2\xab\xf9\x94\x25\xdf\xb5\x0c\x6b\xe8"
    "\xc7\x54\x7b"
    "\x57\x3e\xbf\x21\xd8\x80\x5c\x2a\xad\xe5\x54\x0f\x6c\xeb\xb7\x4d\x43\x0a\x08\xc6\x80\xb4\x2d"
    "\x4b\x21\x3e"
    "\x4f\xa0\x47\xdb\x60\x45\x70\xfb\x77\x29\xf1\x02";
const char kMetadata[] =
    "Metadata-Version: 2.1\nName: Fancy_Pkg\nVersion: 1.2.0\nRequires-Dist: six (>=1.16)\n"
    "Requires-Dist: tomli ; python_version < \"3.11\"\nRequires-Dist: rich ; extra == \"cli\"\n\n"
    "Fancy package fancy package fancy package fancy package.\n";

}  // namespace

TEST_CASE("zip: central directory sizes without extracting", "[unit][sizing]") {
  ZipSpec spec;
  spec.entries = {{"pkg/__init__.py", std::string(1234, 'a')},
                  {"pkg/data.bin", std::string(70000, 'b'), true},
                  {"pkg-1.0.dist-info/METADATA", "Name: pkg\n"}};
  DiagnosticSink sink;
  auto entries = List(BuildZip(spec), sink);
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].uncompressed == 1234);
  CHECK((*entries)[0].compressed == 1234);
  CHECK((*entries)[1].uncompressed == 70000);
  CHECK((*entries)[1].compressed == 70000 + 2 * 5);  // two stored deflate blocks
  CHECK((*entries)[1].method == 8);
  CHECK((*entries)[2].name == "pkg-1.0.dist-info/METADATA");
  CHECK(sink.diagnostics().empty());
}

TEST_CASE("zip: Zip64 records and extra fields", "[unit][sizing]") {
  ZipSpec spec;
  spec.zip64 = true;
  spec.entries = {{"big/a.txt", std::string(5000, 'z')}, {"big/b.txt", std::string(17, 'y')}};
  DiagnosticSink sink;
  std::string zip = BuildZip(spec);
  auto entries = List(zip, sink);
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].uncompressed == 5000);
  CHECK((*entries)[1].compressed == 17);
  CHECK((*entries)[1].local_offset == 30 + 9 + 5000);
  // Remove the Zip64 locator: the saturated fields can no longer be resolved.
  std::string broken = zip;
  std::size_t locator = broken.size() - 22 - 20;
  broken[locator] = 'X';
  DiagnosticSink sink2;
  CHECK_FALSE(List(broken, sink2));
  CHECK(sizing_test::Codes(sink2) == std::vector<std::string>{"E6010"});
}

TEST_CASE("zip: hostile archives are errors, never crashes", "[unit][sizing]") {
  ZipSpec good;
  good.entries = {{"a.txt", std::string(100, 'a')}, {"b.txt", std::string(200, 'b')}};
  std::string zip = BuildZip(good);

  SECTION("truncated anywhere") {
    for (std::size_t cut : {std::size_t{0}, std::size_t{10}, zip.size() / 2, zip.size() - 1}) {
      DiagnosticSink sink;
      CHECK_FALSE(List(zip.substr(0, cut), sink));
      CHECK(sink.has_errors());
    }
  }
  SECTION("data cut from the middle: directory points past the data") {
    std::string cut = zip.substr(0, 50) + zip.substr(150);
    DiagnosticSink sink;
    CHECK_FALSE(List(cut, sink));
    CHECK(sink.has_errors());
  }
  SECTION("a stored entry that lies about its size") {
    ZipSpec lying = good;
    lying.entries[0].claimed_uncompressed = 100'000'000;
    DiagnosticSink sink;
    CHECK_FALSE(List(BuildZip(lying), sink));
    CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6012"});
    CHECK(sink.diagnostics()[0].message.find("is stored but claims 100000000") !=
          std::string::npos);
  }
  SECTION("compressed size past the central directory") {
    ZipSpec lying = good;
    lying.entries[1].claimed_compressed = 5000;
    lying.entries[1].claimed_uncompressed = 5000;
    DiagnosticSink sink;
    CHECK_FALSE(List(BuildZip(lying), sink));
    CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6012"});
  }
  SECTION("a deflate entry beyond deflate's maximum ratio (zip bomb claim)") {
    ZipSpec bomb;
    bomb.entries = {{"bomb.bin", std::string(10, 'q'), true}};
    bomb.entries[0].claimed_uncompressed = 4'000'000'000;
    DiagnosticSink sink;
    CHECK_FALSE(List(BuildZip(bomb), sink));
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].message.find("maximum ratio") != std::string::npos);
  }
  SECTION("path traversal and absolute names") {
    for (const char* name :
         {"../evil.py", "pkg/../../evil.py", "/etc/passwd", "C:\\win.ini", "a\\..\\..\\b"}) {
      ZipSpec evil;
      evil.entries = {{name, "x"}};
      DiagnosticSink sink;
      CHECK_FALSE(List(BuildZip(evil), sink));
      CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6011"});
    }
    ZipSpec fine;
    fine.entries = {{"pkg/..hidden/x..y", "x"}};
    DiagnosticSink sink;
    CHECK(List(BuildZip(fine), sink));
  }
  SECTION("absurd entry count") {
    ZipSpec absurd = good;
    absurd.claimed_entries = 60000;
    DiagnosticSink sink;
    CHECK_FALSE(List(BuildZip(absurd), sink));
    CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6012"});
    ZipSpec absurd64 = good;
    absurd64.zip64 = true;
    absurd64.claimed_entries = 1ull << 40;
    DiagnosticSink sink64;
    CHECK_FALSE(List(BuildZip(absurd64), sink64));
    CHECK(sink64.diagnostics()[0].message.find("absurd archive") != std::string::npos);
  }
  SECTION("overlapping entries: one stream counted twice (issue 12)") {
    std::string overlapping = zip;
    // Point b.txt's central directory entry at a.txt's local header.
    std::size_t second = overlapping.find("PK\x01\x02", overlapping.find("PK\x01\x02") + 4);
    REQUIRE(second != std::string::npos);
    overlapping.replace(second + 42, 4, std::string(4, '\0'));
    DiagnosticSink sink;
    CHECK_FALSE(List(overlapping, sink));
    REQUIRE(sizing_test::Codes(sink) == std::vector<std::string>{"E6012"});
    CHECK(sink.diagnostics()[0].message.find("overlap") != std::string::npos);
  }
  SECTION("not a zip at all") {
    DiagnosticSink sink;
    CHECK_FALSE(List(std::string(100, '\0'), sink));
    CHECK(sink.diagnostics()[0].message.find("test.zip: not a zip file") == 0);
  }
}

TEST_CASE("zip: files on disk report path-located errors", "[unit][sizing]") {
  sizing_test::TempDir dir;
  sizing_test::WriteFile(dir / "bad.zip", "PK not really");
  SourceManager sources;
  DiagnosticSink sink;
  CHECK_FALSE(ReadZipFile(dir / "bad.zip", sources, sink));
  REQUIRE(sink.diagnostics().size() == 1);
  CHECK(FormatDiagnostic(sink.diagnostics()[0], sources)
            .find(dir / "bad.zip: error: not a zip file") == 0);
  DiagnosticSink missing;
  CHECK_FALSE(ReadZipFile(dir / "missing.zip", sources, missing));
  CHECK(sizing_test::Codes(missing) == std::vector<std::string>{"E6009"});
}

TEST_CASE("inflate: zlib streams, stored blocks and corrupt input", "[unit][sizing]") {
  std::string deflated(kDeflated, sizeof kDeflated - 1);
  auto text = Inflate(deflated, 1 << 20);
  REQUIRE(text);
  CHECK(*text == kMetadata);
  CHECK_FALSE(Inflate(deflated, 100));  // output budget
  CHECK_FALSE(Inflate(deflated.substr(0, 60), 1 << 20));
  std::string corrupt = deflated;
  corrupt[0] = '\x07';  // reserved block type 3
  CHECK_FALSE(Inflate(corrupt, 1 << 20));
  CHECK(*Inflate(sizing_test::StoredDeflate("hello"), 100) == "hello");
}

TEST_CASE("wheels: names parse; METADATA is read from the deflated member", "[unit][sizing]") {
  auto w = ParseWheelName(
      "Fancy_Pkg-1.2.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  REQUIRE(w);
  CHECK(w->name == "fancy-pkg");
  CHECK(w->version == "1.2.0");
  CHECK(w->python == "cp312");
  CHECK(w->platform == "manylinux_2_17_x86_64.manylinux2014_x86_64");
  CHECK_FALSE(ParseWheelName("notawheel-1.0.tar.gz"));
  CHECK_FALSE(ParseWheelName("too-few.whl"));

  sizing_test::TempDir dir;
  ZipSpec spec;
  ZipSpec::Entry metadata{"fancy_pkg-1.2.0.dist-info/METADATA", kMetadata};
  metadata.raw_deflate = std::string(kDeflated, sizeof kDeflated - 1);
  spec.entries = {{"fancy_pkg/__init__.py", std::string(321, 'p')}, metadata};
  sizing_test::WriteFile(dir / "w.whl", BuildZip(spec));
  SourceManager sources;
  DiagnosticSink sink;
  std::string text;
  auto entries = ReadZipFile(dir / "w.whl", sources, sink, {}, &text);
  REQUIRE(entries);
  CHECK(text == kMetadata);
  CHECK((*entries)[1].compressed == sizeof kDeflated - 1);
  CHECK((*entries)[1].uncompressed == sizeof kMetadata - 1);
}
