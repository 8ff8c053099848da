// Replaying the fast YAML scanner's events; see yaml_fast_events.hpp.
#include "load/yaml_fast_events.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitterstyle.h>

namespace cfnsplit::yaml_fast {

void EventList::Replay(const YAML::Mark& document_mark, YAML::EventHandler& handler) const {
  static const std::string kPlainTag = "?", kNonPlainTag = "!";
  static const std::string kCorePrefix = "tag:yaml.org,2002:";
  std::string tag, value;  // reused, so that replaying allocates only for long values
  auto tag_of = [&](const Event& e) -> const std::string& {
    switch (e.tag_kind) {
      case TagKind::kPlain:
        return kPlainTag;
      case TagKind::kNonPlain:
        return kNonPlainTag;
      case TagKind::kLocal:
        return tag.assign(TextOf(e.tag));
      case TagKind::kCore:
        return tag.assign(kCorePrefix).append(TextOf(e.tag));
    }
    return kPlainTag;
  };
  auto style_of = [](const Event& e) {
    return e.flow ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block;
  };
  handler.OnDocumentStart(document_mark);
  for (const Event& e : events_) {
    switch (e.kind) {
      case Kind::kNull:
        handler.OnNull(e.mark, YAML::NullAnchor);
        break;
      case Kind::kScalar:
        handler.OnScalar(e.mark, tag_of(e), YAML::NullAnchor, value.assign(TextOf(e.value)));
        break;
      case Kind::kSeqStart:
        handler.OnSequenceStart(e.mark, tag_of(e), YAML::NullAnchor, style_of(e));
        break;
      case Kind::kSeqEnd:
        handler.OnSequenceEnd();
        break;
      case Kind::kMapStart:
        handler.OnMapStart(e.mark, tag_of(e), YAML::NullAnchor, style_of(e));
        break;
      case Kind::kMapEnd:
        handler.OnMapEnd();
        break;
    }
  }
  handler.OnDocumentEnd();
}

}  // namespace cfnsplit::yaml_fast
