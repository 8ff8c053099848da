// FormatDiagnostic: `path:line:col: severity: message [CODE]`, the source line, a caret under the
// column. Also the SourceManager line index and SuggestClosest that diagnostics rely on.
#include "cfnsplit/diagnostics.hpp"

#include <catch2/catch.hpp>

using cfnsplit::Diagnostic;
using cfnsplit::FormatDiagnostic;
using cfnsplit::Severity;
using cfnsplit::SourceLoc;
using cfnsplit::SourceManager;

namespace {

Diagnostic Error(SourceLoc loc, std::string message = "bad thing", std::string code = "E0002") {
  return Diagnostic{Severity::kError, std::move(code), std::move(message), loc, {}};
}

}  // namespace

TEST_CASE("a located diagnostic shows the line and a caret under the column",
          "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("dir/t.yaml", "a: 1\nb: [x, y\nc: 3\n");
  CHECK(FormatDiagnostic(Error({file, 2, 7}, "end of sequence"), sources) ==
        "dir/t.yaml:2:7: error: end of sequence [E0002]\n"
        "  b: [x, y\n"
        "        ^\n");
  CHECK(FormatDiagnostic(Error({file, 1, 1}), sources) ==
        "dir/t.yaml:1:1: error: bad thing [E0002]\n  a: 1\n  ^\n");
}

TEST_CASE("severity, notes and a missing code are rendered", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.json", "{}\n");
  Diagnostic d{Severity::kWarning, "", "careful", {file, 1, 2}, {"first note", "second"}};
  CHECK(FormatDiagnostic(d, sources) ==
        "t.json:1:2: warning: careful\n  {}\n   ^\n  note: first note\n  note: second\n");
  d.severity = Severity::kNote;
  CHECK_THAT(FormatDiagnostic(d, sources), Catch::StartsWith("t.json:1:2: note: careful\n"));
}

TEST_CASE("diagnostics without a file or a line have no excerpt", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.yaml", "a: 1\n");
  CHECK(FormatDiagnostic(Error({}, "cannot read 'x'", "E0001"), sources) ==
        "cfnsplit: error: cannot read 'x' [E0001]\n");
  CHECK(FormatDiagnostic(Error({file, 0, 0}, "out of memory", "E0005"), sources) ==
        "t.yaml: error: out of memory [E0005]\n");
  // A location past the last line (end of file) prints no excerpt rather than garbage.
  CHECK(FormatDiagnostic(Error({file, 9, 1}), sources) == "t.yaml:9:1: error: bad thing [E0002]\n");
}

TEST_CASE("the caret stays under the column on lines with tabs", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.json", "{\n\t\t\"a\": x}\n");
  // Padding repeats the line's own tabs, so a terminal expands both the same way.
  CHECK(FormatDiagnostic(Error({file, 2, 8}, "unexpected character 'x'", "E0003"), sources) ==
        "t.json:2:8: error: unexpected character 'x' [E0003]\n"
        "  \t\t\"a\": x}\n"
        "  \t\t     ^\n");
}

TEST_CASE("a multi-byte character before the column takes one caret column",
          "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.yaml", "\xC3\xA9: @\n");  // "é: @", the @ at byte column 5
  CHECK(FormatDiagnostic(Error({file, 1, 5}), sources) ==
        "t.yaml:1:5: error: bad thing [E0002]\n  \xC3\xA9: @\n     ^\n");
}

TEST_CASE("CRLF line ends are not part of the quoted line", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.yaml", "a: 1\r\nb: @\r\n");
  CHECK(FormatDiagnostic(Error({file, 2, 4}), sources) ==
        "t.yaml:2:4: error: bad thing [E0002]\n  b: @\n     ^\n");
}

TEST_CASE("long lines are cut around the column", "[unit][diagnostics]") {
  SourceManager sources;
  std::string line = std::string(500, 'x') + "@" + std::string(500, 'y');
  auto file = sources.Add("t.json", line + "\n");
  std::string out = FormatDiagnostic(Error({file, 1, 501}), sources);
  auto first_nl = out.find('\n');
  auto second_nl = out.find('\n', first_nl + 1);
  std::string shown = out.substr(first_nl + 3, second_nl - first_nl - 3);
  std::string caret = out.substr(second_nl + 3);
  CHECK(shown.size() <= 160);
  REQUIRE(caret.find('^') < shown.size());
  CHECK(shown[caret.find('^')] == '@');  // the caret still points at the column
}

TEST_CASE("binary bytes in the quoted line are shown as '?'", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.yaml", std::string("a: \x01\x7f"
                                                "b\0c\n",
                                                9));
  std::string out = FormatDiagnostic(Error({file, 1, 4}), sources);
  CHECK(out == "t.yaml:1:4: error: bad thing [E0002]\n  a: ??b?c\n     ^\n");
}

TEST_CASE("SourceManager maps offsets to lines and columns", "[unit][diagnostics]") {
  SourceManager sources;
  auto file = sources.Add("t.yaml", "ab\ncd\n\nef");
  CHECK(file != 0);
  CHECK(sources.path(file) == "t.yaml");
  CHECK(sources.LineText(file, 2) == "cd");
  CHECK(sources.LineText(file, 3) == "");
  CHECK(sources.LineText(file, 4) == "ef");
  CHECK(sources.LineText(file, 5) == "");
  CHECK(sources.LineText(file, 0) == "");
  auto loc = sources.LocForOffset(file, 4);  // 'd'
  CHECK(loc.line == 2);
  CHECK(loc.column == 2);
  CHECK(sources.LocForOffset(file, 7).line == 4);
  CHECK(sources.path(99) == "");  // unknown ids are harmless
}

TEST_CASE("SuggestClosest proposes only close names", "[unit][diagnostics]") {
  const std::vector<std::string> tags = {"!Ref", "!GetAtt", "!GetAZs", "!Sub", "!Select"};
  CHECK(cfnsplit::SuggestClosest("!Refx", tags) == "!Ref");
  CHECK(cfnsplit::SuggestClosest("!GetAttr", tags) == "!GetAtt");
  CHECK(cfnsplit::SuggestClosest("!Selekt", tags) == "!Select");
  CHECK(cfnsplit::SuggestClosest("!Frobnicate", tags) == "");
  CHECK(cfnsplit::SuggestClosest("x", {}) == "");
}

TEST_CASE("DiagnosticSink counts by severity and sorts by location", "[unit][diagnostics]") {
  cfnsplit::DiagnosticSink sink;
  sink.Warning("W1", {1, 5, 1}, "w");
  sink.Error("E2", {1, 2, 9}, "e2");
  sink.Error("E1", {1, 2, 3}, "e1");
  sink.Note("N", {}, "n");
  CHECK(sink.error_count() == 2);
  CHECK(sink.warning_count() == 1);
  CHECK(sink.has_errors());
  auto sorted = sink.Sorted();
  REQUIRE(sorted.size() == 4);
  CHECK(sorted[0].code == "N");  // no file sorts first
  CHECK(sorted[1].code == "E1");
  CHECK(sorted[2].code == "E2");
  CHECK(sorted[3].code == "W1");
}
