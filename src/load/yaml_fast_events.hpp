// The events the fast YAML scanner (yaml_fast.hpp) records before replaying them into a
// YAML::EventHandler: compact, with values as pieces of the input where they are written there
// verbatim, and in an arena where escapes or folding rewrote them.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cfnsplit::yaml_fast {

enum class Kind : std::uint8_t { kNull, kScalar, kSeqStart, kSeqEnd, kMapStart, kMapEnd };

// How yaml-cpp spells a node's tag: "?" for plain scalars and untagged collections, "!" for
// quoted and block scalars, `!Name` as written, and `!!name` as tag:yaml.org,2002:name.
enum class TagKind : std::uint8_t { kPlain, kNonPlain, kLocal, kCore };

// A stretch of the input, or of the arena.
struct Piece {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
  bool in_arena = false;
};

struct Event {
  Kind kind = Kind::kNull;
  TagKind tag_kind = TagKind::kPlain;
  bool flow = false;  // a flow collection (EmitterStyle::Flow), else a block one
  YAML::Mark mark;
  Piece tag;  // `!Name` for a local tag, `name` for `!!name`
  Piece value;
};

class EventList {
 public:
  explicit EventList(std::string_view text) : text_(text) {}

  void Add(const Event& event) { events_.push_back(event); }

  Piece InArena(const std::string& value) {
    Piece piece{static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(value.size()),
                true};
    arena_ += value;
    return piece;
  }

  std::string_view TextOf(Piece piece) const {
    return std::string_view(piece.in_arena ? arena_ : text_).substr(piece.offset, piece.size);
  }

  /// The whole document: its start at `document_mark`, the events, its end.
  void Replay(const YAML::Mark& document_mark, YAML::EventHandler& handler) const;

 private:
  std::string_view text_;
  std::vector<Event> events_;
  std::string arena_;
};

}  // namespace cfnsplit::yaml_fast
