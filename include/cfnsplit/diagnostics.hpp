// Diagnostics: the one channel through which every stage reports what a user can fix.
//
// Input: source files registered with a SourceManager, which keeps their text so that a
// diagnostic can quote the offending line. Output: Diagnostic values collected in a
// DiagnosticSink and rendered as `file:line:col: error: message [CODE]` plus the line and a
// caret. Invariant: every error that reaches the user carries a code and, when it stems from an
// input file, a location inside that file.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cfnsplit {

/// A position in a registered source file; line and column are 1-based, 0 means "unknown".
struct SourceLoc {
  std::uint32_t file = 0;  ///< id from SourceManager::Add; 0 is "no file"
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool known() const { return file != 0 && line != 0; }
  friend bool operator==(const SourceLoc& a, const SourceLoc& b) {
    return a.file == b.file && a.line == b.line && a.column == b.column;
  }
};

/// Keeps every file the run has read, so diagnostics can print paths and quote lines.
class SourceManager {
 public:
  /// Registers a file's path and text; returns its id (never 0).
  std::uint32_t Add(std::string path, std::string text);
  const std::string& path(std::uint32_t file) const;
  const std::string& text(std::uint32_t file) const;
  /// The text of one line without its newline; empty when out of range.
  std::string_view LineText(std::uint32_t file, std::uint32_t line) const;
  /// Maps a byte offset in a file to line and column.
  SourceLoc LocForOffset(std::uint32_t file, std::size_t offset) const;

 private:
  struct File {
    std::string path;
    std::string text;
    mutable std::vector<std::size_t> line_starts;  // built on first use
  };
  const File& file(std::uint32_t id) const;
  void IndexLines(const File& f) const;
  std::vector<std::unique_ptr<File>> files_;
};

enum class Severity { kError, kWarning, kNote };

/// "error", "warning" or "note", as diagnostics and the codes page print it.
std::string_view SeverityName(Severity s);

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  ///< e.g. "E0002"; the README lists every code
  std::string message;
  SourceLoc loc;
  std::vector<std::string> notes;  ///< printed as `note: …` lines after the message
};

/// Collects diagnostics in the order reported. Not thread-safe.
class DiagnosticSink {
 public:
  void Report(Diagnostic d);
  void Error(std::string code, SourceLoc loc, std::string message,
             std::vector<std::string> notes = {});
  void Warning(std::string code, SourceLoc loc, std::string message,
               std::vector<std::string> notes = {});
  void Note(std::string code, SourceLoc loc, std::string message,
            std::vector<std::string> notes = {});
  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  /// Diagnostics sorted by file, line, column, then report order (stable).
  std::vector<Diagnostic> Sorted() const;

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

/// Renders `path:line:col: error: message [CODE]`, the source line and a caret under the column.
std::string FormatDiagnostic(const Diagnostic& d, const SourceManager& sources);

/// Thrown inside a parser or stage to abandon work on malformed input; the stage's public entry
/// point catches it and turns it into a Diagnostic (exceptions never cross a public API).
class InputError : public std::runtime_error {
 public:
  InputError(std::string code, SourceLoc loc, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)), loc_(loc) {}
  const std::string& code() const { return code_; }
  SourceLoc loc() const { return loc_; }

 private:
  std::string code_;
  SourceLoc loc_;
};

/// The closest candidate by edit distance, or empty when none is close enough to suggest.
std::string SuggestClosest(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace cfnsplit
