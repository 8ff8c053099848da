#include "cfnsplit/diagnostics.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace cfnsplit {

std::uint32_t SourceManager::Add(std::string path, std::string text) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->text = std::move(text);
  files_.push_back(std::move(f));
  return static_cast<std::uint32_t>(files_.size());
}

const SourceManager::File& SourceManager::file(std::uint32_t id) const {
  static const File kNone{};
  if (id == 0 || id > files_.size()) return kNone;
  return *files_[id - 1];
}

const std::string& SourceManager::path(std::uint32_t id) const { return file(id).path; }
const std::string& SourceManager::text(std::uint32_t id) const { return file(id).text; }

void SourceManager::IndexLines(const File& f) const {
  if (!f.line_starts.empty()) return;
  f.line_starts.push_back(0);
  // memchr finds the next line break many bytes at a time (a byte loop was most of printing a
  // diagnostic in a large template).
  const char* begin = f.text.data();
  const char* end = begin + f.text.size();
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p)));)
    f.line_starts.push_back(static_cast<std::size_t>(++p - begin));
}

std::string_view SourceManager::LineText(std::uint32_t id, std::uint32_t line) const {
  const File& f = file(id);
  IndexLines(f);
  if (line == 0 || line > f.line_starts.size()) return {};
  std::size_t begin = f.line_starts[line - 1];
  std::size_t end = line < f.line_starts.size() ? f.line_starts[line] : f.text.size();
  while (end > begin && (f.text[end - 1] == '\n' || f.text[end - 1] == '\r')) --end;
  return std::string_view(f.text).substr(begin, end - begin);
}

SourceLoc SourceManager::LocForOffset(std::uint32_t id, std::size_t offset) const {
  const File& f = file(id);
  IndexLines(f);
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  auto line = static_cast<std::uint32_t>(it - f.line_starts.begin());
  std::size_t start = f.line_starts[line - 1];
  return SourceLoc{id, line, static_cast<std::uint32_t>(offset - start + 1)};
}

void DiagnosticSink::Report(Diagnostic d) {
  if (d.severity == Severity::kError) ++errors_;
  if (d.severity == Severity::kWarning) ++warnings_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticSink::Error(std::string code, SourceLoc loc, std::string message,
                           std::vector<std::string> notes) {
  Report({Severity::kError, std::move(code), std::move(message), loc, std::move(notes)});
}
void DiagnosticSink::Warning(std::string code, SourceLoc loc, std::string message,
                             std::vector<std::string> notes) {
  Report({Severity::kWarning, std::move(code), std::move(message), loc, std::move(notes)});
}
void DiagnosticSink::Note(std::string code, SourceLoc loc, std::string message,
                          std::vector<std::string> notes) {
  Report({Severity::kNote, std::move(code), std::move(message), loc, std::move(notes)});
}

std::vector<Diagnostic> DiagnosticSink::Sorted() const {
  std::vector<Diagnostic> out = diagnostics_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.loc.file != b.loc.file) return a.loc.file < b.loc.file;
    if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
    return a.loc.column < b.loc.column;
  });
  return out;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

// Whitespace as wide on screen as `shown[0, width)`: tabs are repeated so the terminal expands
// them alike, and a multi-byte UTF-8 character takes one column, not one per byte.
static std::string CaretPadding(const std::string& shown, std::size_t width) {
  std::string padding;
  for (std::size_t i = 0; i < width; ++i) {
    auto c = static_cast<unsigned char>(shown[i]);
    if (c == '\t')
      padding += '\t';
    else if ((c & 0xC0) != 0x80)
      padding += ' ';
  }
  return padding;
}

std::string FormatDiagnostic(const Diagnostic& d, const SourceManager& sources) {
  std::ostringstream out;
  if (d.loc.file != 0) {
    out << sources.path(d.loc.file);
    if (d.loc.line != 0) out << ':' << d.loc.line << ':' << d.loc.column;
    out << ": ";
  } else {
    out << "cfnsplit: ";
  }
  out << SeverityName(d.severity) << ": " << d.message;
  if (!d.code.empty()) out << " [" << d.code << ']';
  out << '\n';
  if (d.loc.known()) {
    std::string_view line = sources.LineText(d.loc.file, d.loc.line);
    // Long or binary lines are cut so a diagnostic never floods the terminal.
    constexpr std::size_t kMaxShown = 160;
    std::size_t col = d.loc.column == 0 ? 0 : d.loc.column - 1;
    std::size_t from = col > kMaxShown - 20 ? col - (kMaxShown - 20) : 0;
    std::string shown;
    for (std::size_t i = from; i < line.size() && shown.size() < kMaxShown; ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      shown += (c == '\t' || c >= 0x20) && c != 0x7f ? static_cast<char>(c) : '?';
    }
    if (!line.empty()) {
      out << "  " << shown << '\n';
      out << "  " << CaretPadding(shown, std::min(col - from, shown.size())) << "^\n";
    }
  }
  for (const auto& n : d.notes) out << "  note: " << n << '\n';
  return out.str();
}

static std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string SuggestClosest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& c : candidates) {
    if (c.size() > name.size() + best_distance || name.size() > c.size() + best_distance) continue;
    std::size_t d = EditDistance(name, c);
    if (d < best_distance || (d == best_distance && !best.empty() && c < best)) {
      if (d < best_distance) best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace cfnsplit
