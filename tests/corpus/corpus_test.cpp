// Real public templates (shared/corpus, see its SOURCES.md): every good one must load with the
// Resources count INDEX.tsv records; every bad one must load or fail with a located diagnostic.
// Rows that CloudFormation itself would refuse are listed, with a reason, in
// tests/corpus/load_allowlist.tsv.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "support/paths.hpp"
#include "unit/load_test_util.hpp"

namespace fs = std::filesystem;
using namespace cfnsplit::testing;

namespace {

struct Row {
  std::string path;  // relative to the corpus folder
  long resources = -1;
  bool parse_ok = false;
  bool bad = false;
};

fs::path CorpusDir() { return cfnsplit::testing::CorpusPath(); }

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

std::vector<Row> ReadIndex(const fs::path& index) {
  std::ifstream in(index);
  std::string line;
  std::getline(in, line);  // header: path format bytes resources … parse_ok bad
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    auto f = SplitTabs(line);
    if (f.size() < 9) continue;
    rows.push_back(Row{f[0], std::stol(f[3]), f[7] == "1", f[8] == "1"});
  }
  return rows;
}

struct Allowed {
  std::string code;  // the diagnostic the row must still produce
  std::string reason;
};

// path → expected code and reason, from `path<TAB>code<TAB>reason` lines ('#' starts a comment).
std::map<std::string, Allowed> ReadAllowlist() {
  std::map<std::string, Allowed> allowed;
  std::ifstream in(fs::path(CFNSPLIT_SOURCE_DIR) / "tests/corpus/load_allowlist.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitTabs(line);
    if (f.size() >= 3) allowed[f[0]] = Allowed{f[1], f[2]};
  }
  return allowed;
}

bool InBadFolder(const std::string& path) {
  // templates/<source>/…: the source folder name says whether it keeps invalid input on purpose.
  auto first = path.find('/');
  auto second = path.find('/', first + 1);
  std::string source = path.substr(first + 1, second - first - 1);
  return source.size() > 4 && source.compare(source.size() - 4, 4, "-bad") == 0;
}

long ResourceCount(const cfnsplit::Value& root) {
  const cfnsplit::Value* resources = root.Find("Resources");
  return resources && resources->is_map() ? static_cast<long>(resources->size()) : -1;
}

// `line:col: message [CODE]` (the row already names the file).
std::string FirstDiagnostic(const Parsed& p) {
  if (p.sink.diagnostics().empty()) return "(no diagnostic)";
  const auto& d = p.sink.diagnostics()[0];
  return LineCol(d.loc) + ": " + d.message + " [" + d.code + "]";
}

}  // namespace

TEST_CASE("real templates load with the Resources counts INDEX.tsv records", "[corpus]") {
  const fs::path dir = CorpusDir();
  if (!fs::exists(dir / "INDEX.tsv")) {
    WARN("corpus not found at " << dir.string() << " (set CFNSPLIT_CORPUS); skipped");
    return;
  }
  const auto rows = ReadIndex(dir / "INDEX.tsv");
  const auto allowlist = ReadAllowlist();
  REQUIRE(rows.size() > 100);

  std::size_t good_loaded = 0, bad_loaded = 0, bad_refused = 0, allowed = 0;
  std::vector<std::string> failures;
  for (const auto& row : rows) {
    auto p = LoadPath((dir / row.path).string());
    const bool expected_good = row.parse_ok && !row.bad && !InBadFolder(row.path);
    auto allowed_row = allowlist.find(row.path);
    if (allowed_row != allowlist.end()) {
      ++allowed;
      if (p->first().code != allowed_row->second.code || !p->first().loc.known())
        failures.push_back(row.path + ": allowlisted for " + allowed_row->second.code +
                           " but got: " + FirstDiagnostic(*p));
      continue;
    }
    if (expected_good) {
      if (!p->value) {
        failures.push_back(row.path + ": did not load: " + FirstDiagnostic(*p));
      } else if (ResourceCount(*p->value) != row.resources) {
        failures.push_back(row.path + ": " + std::to_string(ResourceCount(*p->value)) +
                           " resources, INDEX says " + std::to_string(row.resources));
      } else {
        ++good_loaded;
      }
      continue;
    }
    // Bad or unparsable: loading is fine; failing needs a located diagnostic.
    if (p->value) {
      ++bad_loaded;
    } else if (p->sink.has_errors() && p->first().loc.known()) {
      ++bad_refused;
    } else if (p->first().code == "E0008" || p->first().code == "E0001") {
      ++bad_refused;  // an empty or unreadable file has no line to point at
    } else {
      failures.push_back(row.path + ": refused without a location: " + FirstDiagnostic(*p));
    }
  }

  std::ostringstream summary;
  summary << rows.size() << " templates: " << good_loaded << " good ones loaded with matching "
          << "counts; " << allowed << " allowlisted; of the bad or unparsable, " << bad_loaded
          << " loaded and " << bad_refused << " were refused with a location; " << failures.size()
          << " failures";
  WARN(summary.str());
  std::string detail;
  for (const auto& f : failures) detail += "\n  " + f;
  // Catch wraps INFO text at 80 columns; one unwrapped line per failure is easier to grep.
  for (const auto& f : failures) std::cerr << "corpus failure: " << f << '\n';
  INFO(summary.str() << detail);
  CHECK(failures.empty());
}
