// Import scanning against Python's own parser: real inline handlers of the public templates in
// shared/corpus and the hand-written handlers of tests/data/imports/handwritten, whose expected
// imports tests/data/imports/extract_corpus.py took from Python's `ast` module. The handler code
// of the corpus stays there; it is read with cfnsplit's own loader.
//
// CFNSPLIT_IMPORTS_CORPUS=DIR measures any folder of *.py files the same way (DIR/expected.json,
// written by `extract_corpus.py files DIR DIR/expected.json`) and prints the accuracy.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cfnsplit/imports.hpp"
#include "cfnsplit/load.hpp"
#include "support/paths.hpp"

using namespace cfnsplit;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(CFNSPLIT_SOURCE_DIR) / "tests" / "data" / "imports";

fs::path CorpusDir() { return cfnsplit::testing::CorpusPath(); }

nlohmann::json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The names `ast` lists: top-level module of absolute imports, dots + module of relative ones.
std::vector<std::string> Names(const imports::ScanResult& r) {
  std::set<std::string> names;
  for (const auto& i : r.imports) {
    if (i.kind == imports::ImportKind::kDynamic) continue;  // not an import statement
    names.insert(i.level ? std::string(i.level, '.') + i.module
                         : i.module.substr(0, i.module.find('.')));
  }
  return {names.begin(), names.end()};
}

// The handler text of a resource: a literal string, an Fn::Sub string or an Fn::Join of strings.
std::optional<std::string> InlineCode(const Value& resource) {
  const Value* props = resource.Find("Properties");
  if (!props) return std::nullopt;
  const Value* code = props->Find("InlineCode");
  if (!code && props->Find("Code")) code = props->Find("Code")->Find("ZipFile");
  if (!code) return std::nullopt;
  if (code->is_string()) return code->text();
  if (code->IntrinsicName() == "Fn::Sub" && code->IntrinsicArg().is_string())
    return code->IntrinsicArg().text();
  if (code->IntrinsicName() == "Fn::Join") {
    const Value& arg = code->IntrinsicArg();
    if (!arg.is_list() || arg.size() != 2 || !arg.items()[1].is_list()) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < arg.items()[1].size(); ++i) {
      const Value& part = arg.items()[1].items()[i];
      if (!part.is_string()) return std::nullopt;
      out += (i ? arg.items()[0].text() : "") + part.text();
    }
    return out;
  }
  return std::nullopt;
}

struct Score {
  std::size_t files = 0, exact = 0;
  std::string failures;
  void Add(const std::string& name, const std::vector<std::string>& got,
           const std::vector<std::string>& want) {
    ++files;
    if (got == want) {
      ++exact;
      return;
    }
    failures += name + ": got " + nlohmann::json(got).dump() + ", want " +
                nlohmann::json(want).dump() + "\n";
  }
};

}  // namespace

TEST_CASE("imports of the corpus's inline handlers match Python's ast", "[corpus][imports]") {
  const fs::path dir = CorpusDir();
  if (!fs::exists(dir / "INDEX.tsv")) {
    // Data outside the repository, as for the other corpus tests (a fresh CI machine lacks it).
    WARN("corpus not found at " << dir.string() << " (set CFNSPLIT_CORPUS); skipped");
    return;
  }
  nlohmann::json expected = ReadJson(kData / "corpus-expected.json");
  REQUIRE(expected.size() >= 20);
  Score score;
  for (const auto& [key, want] : expected.items()) {
    std::string path = key.substr(0, key.find('#')), id = key.substr(key.find('#') + 1);
    SourceManager sources;
    DiagnosticSink sink;
    auto root = LoadFile((dir / path).string(), sources, sink);
    REQUIRE(root);
    const Value* resources = root->Find("Resources");
    REQUIRE(resources);
    const Value* resource = resources->Find(id);
    REQUIRE(resource);
    auto code = InlineCode(*resource);
    REQUIRE(code);
    imports::ScanResult r = imports::ScanImports(*code);
    INFO(key << ": " << r.error);
    CHECK(r.ok);
    score.Add(key, Names(r), want.get<std::vector<std::string>>());
  }
  INFO(score.failures);
  CHECK(score.exact == score.files);
}

TEST_CASE("imports of the hand-written handlers match Python's ast", "[unit][imports]") {
  nlohmann::json expected = ReadJson(kData / "handwritten-expected.json");
  REQUIRE(expected.size() >= 9);
  Score score;
  for (const auto& [name, want] : expected.items()) {
    std::string text = ReadText(kData / "handwritten" / name);
    imports::ScanResult r = imports::ScanImports(text);
    INFO(name << ": " << r.error);
    CHECK(r.ok);
    score.Add(name, Names(r), want.get<std::vector<std::string>>());
  }
  INFO(score.failures);
  CHECK(score.exact == score.files);
}

TEST_CASE("imports of an extra folder of handlers (CFNSPLIT_IMPORTS_CORPUS)", "[corpus][imports]") {
  const char* env = std::getenv("CFNSPLIT_IMPORTS_CORPUS");
  if (!env || !*env) return;  // optional measurement, see the header comment
  const fs::path dir = env;
  nlohmann::json expected = ReadJson(dir / "expected.json");
  Score score;
  std::size_t scan_failures = 0;
  for (const auto& [name, want] : expected.items()) {
    imports::ScanResult r = imports::ScanImports(ReadText(dir / name));
    if (!r.ok) ++scan_failures;
    score.Add(name, Names(r), want.get<std::vector<std::string>>());
  }
  WARN("imports accuracy on " << dir.string() << ": " << score.exact << " of " << score.files
                              << " files exact (" << scan_failures << " did not scan)\n"
                              << score.failures.substr(0, 4000));
  CHECK(score.files > 0);
}
