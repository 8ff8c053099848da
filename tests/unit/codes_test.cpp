// The diagnostics registry (codes.def) against the sources, the docs and the CLI's policy.
#include "cfnsplit/codes.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "support/paths.hpp"
#include "support/files.hpp"

namespace fs = std::filesystem;
using namespace cfnsplit;
using cfnsplit::testing::ReadAll;

namespace {

const fs::path kRoot = cfnsplit::testing::SourcePath();

// Every "E1234"-style string literal in src/, with one file that uses it (codes.cpp, the table's
// own home, is left out: its renumbering notes are not uses).
std::map<std::string, std::string> CodesUsedInSources() {
  static const std::regex kLiteral(R"re("([EWI][0-9]{4})")re");
  std::map<std::string, std::string> used;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "src")) {
    if (!entry.is_regular_file() || entry.path().filename() == "codes.cpp") continue;
    std::string text = ReadAll(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), kLiteral), end; it != end; ++it)
      used.emplace((*it)[1].str(), entry.path().lexically_relative(kRoot).string());
  }
  return used;
}

// Every code the README and docs/*.md cite (a word like E4008 or W6201).
std::map<std::string, std::string> CodesCitedInDocs() {
  static const std::regex kCited(R"(\b([EWI][0-9]{4})\b)");
  std::vector<fs::path> pages = {kRoot / "README.md"};
  for (const auto& entry : fs::directory_iterator(kRoot / "docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  std::map<std::string, std::string> cited;
  for (const auto& page : pages) {
    std::string text = ReadAll(page);
    for (std::sregex_iterator it(text.begin(), text.end(), kCited), end; it != end; ++it)
      cited.emplace((*it)[1].str(), page.lexically_relative(kRoot).string());
  }
  return cited;
}

}  // namespace

TEST_CASE("codes: each code is registered once, well formed, its letter its severity",
          "[unit][codes]") {
  std::set<std::string_view> seen;
  for (const CodeInfo& c : AllCodes()) {
    INFO(c.code);
    CHECK(seen.insert(c.code).second);
    REQUIRE(std::regex_match(std::string(c.code), std::regex("[EWI][0-9]{4}")));
    Severity by_letter = c.code[0] == 'E'   ? Severity::kError
                         : c.code[0] == 'W' ? Severity::kWarning
                                            : Severity::kNote;
    CHECK(c.severity == by_letter);
    CHECK(!c.summary.empty());
    CHECK(c.summary.back() != '.');
    CHECK(!c.stage.empty());
    if (c.has(kInput)) CHECK(c.severity == Severity::kError);
  }
  CHECK(AllCodes().size() > 100);
}

TEST_CASE("codes: every code in src/ is registered and every registered code is used",
          "[unit][codes]") {
  auto used = CodesUsedInSources();
  REQUIRE(used.size() > 100);  // the scan found the sources
  for (const auto& [code, file] : used) {
    INFO(code << " used in " << file << " is not in include/cfnsplit/codes.def");
    CHECK(FindCode(code) != nullptr);
  }
  // A demoted code (W2001) is built from its error's code (E2001) where planning reports it.
  for (const CodeInfo& c : AllCodes())
    if (c.has(kDemotedWhenPlanning) && used.count(std::string(c.code)))
      used.emplace(DemotedCode(c.code), "src/cli/planning.cpp");
  for (const CodeInfo& c : AllCodes()) {
    INFO(c.code << " is registered but nothing in src/ reports it");
    CHECK(used.count(std::string(c.code)) == 1);
  }
}

TEST_CASE("codes: the README and docs cite only registered codes", "[unit][codes]") {
  for (const auto& [code, page] : CodesCitedInDocs()) {
    INFO(page << " cites " << code << ", which no code reports");
    CHECK(FindCode(code) != nullptr);
  }
}

TEST_CASE("codes: docs/codes.md is generated from the registry", "[unit][codes]") {
  INFO("regenerate: build/cfnsplit codes --format markdown > docs/codes.md");
  CHECK(ReadAll(kRoot / "docs" / "codes.md") == CodesMarkdown());
}

TEST_CASE("codes: the CLI's policy comes from the registry", "[unit][codes]") {
  auto error = [](std::string code) {
    return Diagnostic{Severity::kError, std::move(code), "m", {}, {}};
  };
  CHECK(IsInputError(error("E0002")));
  CHECK(IsInputError(error("E5004")));
  CHECK(IsInputError(error("E6012")));
  CHECK_FALSE(IsInputError(error("E4007")));  // a finding about an understood template
  CHECK_FALSE(IsInputError(error("E9999")));  // unregistered: never an input error
  CHECK(CodeHas("E6101", kPackageLimit));
  CHECK(CodeHas("E7006", kPackageLimit));
  CHECK_FALSE(CodeHas("E7005", kPackageLimit));
  for (const CodeInfo& c : AllCodes())
    if (c.has(kDemotedWhenPlanning)) {
      INFO(c.code);
      const CodeInfo* demoted = FindCode(DemotedCode(c.code));
      REQUIRE(demoted != nullptr);
      CHECK(demoted->severity == Severity::kWarning);
    }
  for (const RenumberedCode& r : RenumberedCodes()) {
    CHECK(FindCode(r.old_code) != nullptr);
    CHECK(FindCode(r.new_code) != nullptr);
  }
}
