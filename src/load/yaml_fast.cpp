// The fast YAML scanner (yaml_fast.hpp). It reads the whole text into a list of events first and
// only then replays them, so declining (yaml_fast::Unsupported) can happen anywhere without the
// handler having seen anything. Every rule below mirrors what yaml-cpp 0.7 does for the shape it
// accepts; tests/unit/yaml_fast_test.cpp compares the two event streams on the rules, the corpus,
// hand-written cases and thousands of mutated inputs.
#include "load/yaml_fast.hpp"

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "load/yaml_fast_events.hpp"
#include "load/yaml_fast_scalars.hpp"

namespace cfnsplit {
namespace yaml_fast {
namespace {

// yaml-cpp gives up at 500 nested nodes (DeepRecursion); deep documents are left to it.
constexpr int kMaxDepth = 100;
// yaml-cpp takes a key as a simple key only within 1,024 characters of its start.
constexpr std::size_t kMaxKeyLength = 1000;

struct Tag {
  TagKind kind = TagKind::kPlain;
  Piece name;       // `!Name` for a local tag, `name` for `!!name`
  YAML::Mark mark;  // a tagged node's mark is its tag's
  bool present() const { return kind == TagKind::kLocal || kind == TagKind::kCore; }
};

// A plain or quoted scalar read where a node starts; `is_key` when `: ` follows it.
struct ScalarToken {
  std::size_t start = 0;
  std::size_t end = 0;  // past the closing quote, or past the plain scalar's last non-blank
  Piece value;
  bool quoted = false;
  bool is_key = false;
  std::size_t colon = 0;
};

// Where a node starts decides what it may be: at the root, after `- ` and on a line of its own
// below `key:` a block collection may open; after `key: ` or a tag only a scalar or a flow
// collection may.
enum class Place { kRoot, kSeqItem, kOwnLine, kMapValue, kAfterTag };

// The innermost block collection around a node (indent -1 at the root).
struct Parent {
  int indent = -1;
  bool is_sequence = false;
};

bool IsNullString(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters that cannot start a plain scalar, or that start one this scanner leaves to
// yaml-cpp (`?` before a non-blank is plain in YAML but rare). The caller has ruled out `- `.
bool IsIndicator(char c) { return std::strchr(",[]{}#&*!|>'\"%@`?", c) != nullptr; }

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text), events_(text) {}

  void Scan() {
    RejectUnsupportedBytes();
    StartLine(0);
    SeekContent();
    if (eof_) Bail();  // no document at all: yaml-cpp reports none
    if (IsVersionDirective()) {
      seen_content_ = false;  // the `---` that may follow starts the document
      NextContentLine();
      if (eof_) Bail();
    }
    document_mark_ = MarkAt(pos_);
    if (IsDocumentMarker(pos_)) {
      if (text_.compare(pos_, 3, "---") != 0) Bail();
      pos_ += 3;
      FinishLine();
      if (eof_) Bail();
    }
    if (text_[pos_] == '!') Bail();  // a tag on the root node
    Node(Place::kRoot, Parent{}, Tag{});
    if (!eof_) Bail();
  }

  void Replay(YAML::EventHandler& handler) const { events_.Replay(document_mark_, handler); }

 private:
  // ---- Input checks and lines -------------------------------------------------------------

  // Tabs, carriage returns and control characters change yaml-cpp's rules (tabs in indentation
  // are errors, "\r\n" is a break); a first byte outside ASCII may be a byte-order mark or
  // UTF-16/32, which yaml-cpp's stream converts.
  void RejectUnsupportedBytes() const {
    if (text_.size() >= (1u << 30)) Bail();
    if (!text_.empty() && static_cast<unsigned char>(text_[0]) >= 0x80) Bail();
    for (char ch : text_) {
      auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\n') || c == 0x7F) Bail();
    }
  }

  void StartLine(std::size_t start) {
    line_start_ = start;
    const void* newline = start < text_.size()
                              ? std::memchr(text_.data() + start, '\n', text_.size() - start)
                              : nullptr;
    line_end_ = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - text_.data())
                        : text_.size();
    pos_ = start;
  }

  // From the current line on, the first line that holds more than blanks and a comment; at the
  // end of the input, eof_.
  void SeekContent() {
    for (;;) {
      std::size_t p = line_start_;
      while (p < line_end_ && text_[p] == ' ') ++p;
      if (p < line_end_ && text_[p] != '#') {
        pos_ = p;
        indent_ = static_cast<int>(p - line_start_);
        // `---` and `...` at the left edge start or end a document; only a first `---` is ours.
        if (seen_content_ && IsDocumentMarker(p)) Bail();
        seen_content_ = true;
        return;
      }
      if (line_end_ >= text_.size()) return ReachEnd();
      ++line_;
      StartLine(line_end_ + 1);
    }
  }

  void NextContentLine() {
    if (line_end_ >= text_.size()) return ReachEnd();
    ++line_;
    StartLine(line_end_ + 1);
    SeekContent();
  }

  // The current line stays the last one: yaml-cpp's marks at the end of the input use it.
  void ReachEnd() {
    eof_ = true;
    pos_ = text_.size();
    indent_ = -1;
  }

  // `%YAML 1.1` or `%YAML 1.2` alone on the first line, which changes nothing yaml-cpp reports.
  bool IsVersionDirective() const {
    std::string_view line = text_.substr(line_start_, line_end_ - line_start_);
    return line == "%YAML 1.1" || line == "%YAML 1.2";
  }

  bool IsDocumentMarker(std::size_t p) const {
    return p == line_start_ && (text_.compare(p, 3, "---") == 0 || text_.compare(p, 3, "...") == 0);
  }

  YAML::Mark MarkAt(std::size_t p) const {
    YAML::Mark mark;
    mark.pos = static_cast<int>(p);
    mark.line = line_;
    mark.column = static_cast<int>(p - line_start_);
    return mark;
  }

  // The mark of the token after an empty node, which yaml-cpp gives the null. At the end of the
  // input that is the block end that closes `parent`: if the blanks or comment on the last line
  // reach no further than its indentation, PopIndentToHere ends it there; otherwise EndStream
  // does, after resetting the column to 0.
  YAML::Mark NextTokenMark(Parent parent) const {
    if (!eof_) return MarkAt(pos_);
    YAML::Mark mark;
    mark.pos = static_cast<int>(text_.size());
    mark.line = line_;
    const int last_column = static_cast<int>(text_.size() - line_start_);
    if (parent.indent > last_column || (parent.is_sequence && parent.indent == last_column))
      mark.column = last_column;
    return mark;
  }

  int Column(std::size_t p) const { return static_cast<int>(p - line_start_); }

  bool IsBlankOrEnd(std::size_t p) const { return p >= line_end_ || text_[p] == ' '; }
  bool IsSeqEntry(std::size_t p) const { return text_[p] == '-' && IsBlankOrEnd(p + 1); }

  void SkipSpaces() {
    while (pos_ < line_end_ && text_[pos_] == ' ') ++pos_;
  }

  bool AtLineEnd() const {
    return pos_ >= line_end_ ||
           (text_[pos_] == '#' && pos_ > line_start_ && text_[pos_ - 1] == ' ');
  }

  // After a node that ends on its line: only blanks and a comment may follow.
  void FinishLine() {
    SkipSpaces();
    if (!AtLineEnd()) Bail();
    NextContentLine();
  }

  void Enter() {
    if (++depth_ > kMaxDepth) Bail();
  }

  // ---- Events -----------------------------------------------------------------------------

  void Emit(Kind kind, YAML::Mark mark, const Tag& tag = Tag{}, bool flow = false) {
    Event event;
    event.kind = kind;
    event.mark = mark;
    event.flow = flow;
    event.tag_kind = tag.kind;
    event.tag = tag.name;
    events_.Add(event);
  }

  void EmitScalar(const ScalarToken& s, const Tag& tag) {
    Event event;
    event.kind = Kind::kScalar;
    event.mark = tag.present() ? tag.mark : MarkAt(s.start);
    event.value = s.value;
    if (tag.present()) {
      event.tag_kind = tag.kind;
      event.tag = tag.name;
    } else if (s.quoted) {
      event.tag_kind = TagKind::kNonPlain;
    } else if (IsNullString(events_.TextOf(s.value))) {
      event.kind = Kind::kNull;  // yaml-cpp reports `~`, `null` and friends as null nodes
    }
    events_.Add(event);
  }

  // A node with nothing in it: a tagged one is an empty scalar at its tag, else a null at the
  // next token.
  void EmitEmpty(Parent parent, const Tag& tag) {
    if (!tag.present()) return Emit(Kind::kNull, NextTokenMark(parent));
    Event event;
    event.kind = Kind::kScalar;
    event.mark = tag.mark;
    event.tag_kind = tag.kind;
    event.tag = tag.name;
    events_.Add(event);
  }

  // ---- Block structure --------------------------------------------------------------------

  // A node starting at pos_ on the current line, inside the block collection `parent`.
  void Node(Place place, Parent parent, const Tag& tag) {
    const char c = text_[pos_];
    const bool may_open_block =
        place == Place::kRoot || place == Place::kSeqItem || place == Place::kOwnLine;
    if (c == '!') {
      if (tag.present()) Bail();  // two tags
      return TaggedNode(place, parent);
    }
    if (c == '-' && IsBlankOrEnd(pos_ + 1)) {
      if (!may_open_block) Bail();
      return BlockSequence(tag);
    }
    if (place == Place::kRoot && (c == '[' || c == '{' || c == '|' || c == '>')) Bail();
    if (c == '[' || c == '{') {
      FlowCollection(tag);
      return EndOfInlineNode(parent);
    }
    if (c == '|' || c == '>') return BlockScalar(parent, tag);
    ScalarToken s = ReadScalarToken();
    if (s.is_key) {
      if (!may_open_block) Bail();  // `a: b: c`, or a tag on a key
      return BlockMapping(tag);
    }
    if (place == Place::kRoot) Bail();
    EmitScalar(s, tag);
    pos_ = s.end;
    EndOfInlineNode(parent);
  }

  // A more indented line after a one-line node would continue it (a multi-line scalar) or be
  // an error; either way yaml-cpp's business.
  void EndOfInlineNode(Parent parent) {
    FinishLine();
    if (!eof_ && indent_ > parent.indent) Bail();
  }

  void TaggedNode(Place place, Parent parent) {
    Tag tag = ReadTag();
    SkipSpaces();
    if (!AtLineEnd()) return Node(Place::kAfterTag, parent, tag);
    NextContentLine();
    IndentedNode(parent, place == Place::kMapValue, tag);
  }

  // The node after `key:` or `-` (or a tag) that ended its line: a node on the following
  // lines, or nothing. After a key, a sequence may sit at the key's own indentation.
  void IndentedNode(Parent parent, bool sequence_may_align, const Tag& tag) {
    if (!eof_ && indent_ > parent.indent) {
      if (IsSeqEntry(pos_)) return BlockSequence(tag);
      return Node(Place::kOwnLine, parent, tag);
    }
    if (!eof_ && indent_ == parent.indent && sequence_may_align && IsSeqEntry(pos_))
      return BlockSequence(tag);
    EmitEmpty(parent, tag);
  }

  // A mapping's value or a sequence's item: on the rest of the line (read at `inline_place`) or
  // on the lines below; only a mapping's value may be a sequence aligned with its key.
  void ChildNode(Place inline_place, Parent parent) {
    if (!AtLineEnd()) return Node(inline_place, parent, Tag{});
    NextContentLine();
    IndentedNode(parent, !parent.is_sequence, Tag{});
  }

  void BlockMapping(const Tag& tag) {
    const int indent = Column(pos_);
    Enter();
    Emit(Kind::kMapStart, tag.present() ? tag.mark : MarkAt(pos_), tag);
    for (;;) {
      if (IsSeqEntry(pos_)) Bail();
      ScalarToken key = ReadScalarToken();
      if (!key.is_key || key.colon - key.start >= kMaxKeyLength) Bail();
      EmitScalar(key, Tag{});
      pos_ = key.colon + 1;
      SkipSpaces();
      ChildNode(Place::kMapValue, Parent{indent, false});
      if (eof_ || indent_ < indent) break;
      if (indent_ > indent) Bail();
    }
    Emit(Kind::kMapEnd, YAML::Mark());
    --depth_;
  }

  void BlockSequence(const Tag& tag) {
    const int indent = Column(pos_);
    Enter();
    Emit(Kind::kSeqStart, tag.present() ? tag.mark : MarkAt(pos_), tag);
    for (;;) {
      ++pos_;  // the `-`
      SkipSpaces();
      ChildNode(Place::kSeqItem, Parent{indent, true});
      if (eof_ || indent_ < indent) break;
      if (indent_ > indent) Bail();
      if (!IsSeqEntry(pos_)) break;  // a key of the mapping this sequence is aligned with
    }
    Emit(Kind::kSeqEnd, YAML::Mark());
    --depth_;
  }

  void BlockScalar(Parent parent, const Tag& tag) {
    scratch_.clear();
    BlockScalarEnd end = ReadBlockScalar(text_, pos_, parent.indent, scratch_);
    ScalarToken s;
    s.start = pos_;
    s.quoted = true;  // reported with the non-plain tag "!"
    s.value = events_.InArena(scratch_);
    EmitScalar(s, tag);
    line_ += static_cast<int>(end.line_breaks);
    StartLine(end.resume);
    SeekContent();
    if (!eof_ && indent_ > parent.indent) Bail();
  }

  // ---- Tokens -----------------------------------------------------------------------------

  // `!Name` or `!!name` followed by a blank: the short-form functions and core tags. Other tag
  // syntax (verbatim, named handles, URI characters) is left to yaml-cpp.
  Tag ReadTag() {
    Tag tag;
    tag.mark = MarkAt(pos_);
    std::size_t p = pos_ + 1;
    tag.kind = TagKind::kLocal;
    if (p < line_end_ && text_[p] == '!') {
      tag.kind = TagKind::kCore;
      ++p;
    }
    const std::size_t name = p;
    while (p < line_end_ && IsAlnum(text_[p])) ++p;
    if (p == name || !IsBlankOrEnd(p)) Bail();
    const std::size_t from = tag.kind == TagKind::kCore ? name : pos_;
    tag.name = Piece{static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(p - from)};
    pos_ = p;
    return tag;
  }

  ScalarToken ReadQuoted(std::size_t open) {
    ScalarToken s;
    s.start = open;
    s.quoted = true;
    bool escaped = false;
    s.end = ReadQuotedScalar(text_, open, line_end_, scratch_, escaped);
    s.value = escaped ? events_.InArena(scratch_)
                      : Piece{static_cast<std::uint32_t>(open + 1),
                              static_cast<std::uint32_t>(s.end - open - 2)};
    return s;
  }

  // A block-context scalar on one line, plain or quoted, noting whether `: ` makes it a key.
  ScalarToken ReadScalarToken() {
    const char c = text_[pos_];
    if (c == '"' || c == '\'') {
      ScalarToken s = ReadQuoted(pos_);
      if (s.end < line_end_ && text_[s.end] == ':' && IsBlankOrEnd(s.end + 1)) {
        s.is_key = true;
        s.colon = s.end;
      }
      return s;
    }
    if (IsIndicator(c) || (c == ':' && IsBlankOrEnd(pos_ + 1))) Bail();  // `: ` has no key
    ScalarToken s;
    s.start = pos_;
    std::size_t p = pos_, last = pos_;
    for (; p < line_end_; ++p) {
      const char ch = text_[p];
      if (ch == ':' && IsBlankOrEnd(p + 1)) {
        s.is_key = true;
        s.colon = p;
        break;
      }
      if (ch == '#' && text_[p - 1] == ' ') break;
      if (ch != ' ') last = p + 1;
    }
    s.end = last;
    s.value = Piece{static_cast<std::uint32_t>(pos_), static_cast<std::uint32_t>(last - pos_)};
    return s;
  }

  // ---- Flow collections, on one line ------------------------------------------------------

  void FlowCollection(const Tag& tag) {
    const bool is_seq = text_[pos_] == '[';
    const char close = is_seq ? ']' : '}';
    Enter();
    Emit(is_seq ? Kind::kSeqStart : Kind::kMapStart, tag.present() ? tag.mark : MarkAt(pos_), tag,
         true);
    ++pos_;
    SkipFlowBlanks();
    if (pos_ < line_end_ && text_[pos_] == close) {
      ++pos_;
    } else {
      for (;;) {
        if (!is_seq) FlowKey();
        FlowNode();
        SkipSpaces();
        if (pos_ >= line_end_) Bail();  // continues on the next line
        if (text_[pos_] == close) {
          ++pos_;
          break;
        }
        if (text_[pos_] != ',') Bail();
        ++pos_;
        SkipFlowBlanks();
        if (text_[pos_] == close) Bail();  // a trailing comma
      }
    }
    Emit(is_seq ? Kind::kSeqEnd : Kind::kMapEnd, YAML::Mark());
    --depth_;
  }

  // Blanks after `[`, `{` or `,`, where a flow collection may go on on the next line (yaml-cpp
  // does not look at indentation inside it). Blank lines and comments there are left to it.
  void SkipFlowBlanks() {
    SkipSpaces();
    if (pos_ < line_end_) return;
    if (line_end_ >= text_.size()) Bail();
    ++line_;
    StartLine(line_end_ + 1);
    SkipSpaces();
    if (pos_ >= line_end_ || text_[pos_] == '#' || IsDocumentMarker(pos_)) Bail();
  }

  void FlowNode() {
    if (pos_ >= line_end_) Bail();
    Tag tag;
    if (text_[pos_] == '!') {
      tag = ReadTag();
      SkipSpaces();
      if (pos_ >= line_end_) Bail();
    }
    if (text_[pos_] == '[' || text_[pos_] == '{') return FlowCollection(tag);
    ScalarToken s = ReadFlowScalar(false);
    EmitScalar(s, tag);
    pos_ = s.end;
  }

  // `key: ` in a flow mapping: a plain or quoted scalar, the colon, then a blank.
  void FlowKey() {
    ScalarToken key = ReadFlowScalar(true);
    if (!key.is_key || key.colon + 1 >= line_end_ || text_[key.colon + 1] != ' ' ||
        key.colon - key.start >= kMaxKeyLength)
      Bail();
    EmitScalar(key, Tag{});
    pos_ = key.colon + 1;
    SkipSpaces();
  }

  ScalarToken ReadFlowScalar(bool key) {
    const char c = text_[pos_];
    if (c == '"' || c == '\'') {
      ScalarToken s = ReadQuoted(pos_);
      if (key && s.end < line_end_ && text_[s.end] == ':') {
        s.is_key = true;
        s.colon = s.end;
      }
      return s;
    }
    // `-` starts a plain scalar only before a non-blank; keep to the unambiguous `-1`, `-x`.
    if (IsIndicator(c) || c == ':' ||
        (c == '-' && (pos_ + 1 >= line_end_ || !IsAlnum(text_[pos_ + 1]))))
      Bail();
    ScalarToken s;
    s.start = pos_;
    std::size_t p = pos_, last = pos_;
    for (; p < line_end_; ++p) {
      const char ch = text_[p];
      if (ch == ',' || ch == ']' || ch == '}') break;
      // `:` ends a flow scalar before a blank or `,]}` (as in `Fn::Sub`, it does not elsewhere).
      const bool colon_ends =
          ch == ':' && (IsBlankOrEnd(p + 1) || std::strchr(",]}", text_[p + 1]));
      if (colon_ends && key && p + 1 < line_end_ && text_[p + 1] == ' ') {
        s.is_key = true;
        s.colon = p;
        break;
      }
      if (colon_ends || std::strchr("?#[{", ch)) Bail();
      if (ch != ' ') last = p + 1;
    }
    if (p >= line_end_) Bail();
    s.end = last;
    s.value = Piece{static_cast<std::uint32_t>(pos_), static_cast<std::uint32_t>(last - pos_)};
    return s;
  }

  std::string_view text_;
  std::size_t line_start_ = 0, line_end_ = 0, pos_ = 0;
  int line_ = 0;
  int indent_ = -1;
  bool eof_ = false;
  bool seen_content_ = false;
  int depth_ = 0;
  YAML::Mark document_mark_;
  EventList events_;
  std::string scratch_;
};

}  // namespace
}  // namespace yaml_fast

bool ReadYamlFast(std::string_view text, YAML::EventHandler& handler) {
  yaml_fast::Scanner scanner(text);
  try {
    scanner.Scan();
  } catch (const yaml_fast::Unsupported&) {
    return false;
  }
  scanner.Replay(handler);
  return true;
}

}  // namespace cfnsplit
