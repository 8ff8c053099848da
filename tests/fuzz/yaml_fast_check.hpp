// The fast YAML scanner's contract (src/load/yaml_fast.hpp), checked on one input: when it does
// not decline, its events are exactly yaml-cpp's, and it never accepts what yaml-cpp rejects;
// when it declines, it has emitted nothing. Shared by the libFuzzer load target (through
// fuzz_entry.hpp), the replay test and tests/unit/yaml_fast_test.cpp.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "load/yaml_fast.hpp"

namespace cfnsplit::fuzz {

/// Every event with every argument, one line each, so two streams compare as string lists.
class YamlEventRecorder : public YAML::EventHandler {
 public:
  std::vector<std::string> events;

  /// yaml-cpp can report empty documents forever (on `,: 1`, for one); like the loader's
  /// TreeBuilder, the recorder stops at the second.
  struct SecondDocument {};

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) throw SecondDocument{};
    Add("DOC " + Where(mark));
  }
  void OnDocumentEnd() override { Add("/DOC"); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add("NULL " + Where(mark) + Anchor(anchor));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add("ALIAS " + Where(mark) + Anchor(anchor));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Add("SCALAR " + Where(mark) + " tag=" + tag + Anchor(anchor) + " value=" + value + "|");
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Add("SEQ " + Where(mark) + " tag=" + tag + Anchor(anchor) + Style(style));
  }
  void OnSequenceEnd() override { Add("/SEQ"); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Add("MAP " + Where(mark) + Anchor(anchor) + " tag=" + tag + Style(style));
  }
  void OnMapEnd() override { Add("/MAP"); }

 private:
  int documents_ = 0;
  void Add(std::string event) { events.push_back(std::move(event)); }
  static std::string Where(const YAML::Mark& m) {
    return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + "@" +
           std::to_string(m.pos);
  }
  static std::string Anchor(YAML::anchor_t anchor) {
    return anchor ? " anchor=" + std::to_string(anchor) : "";
  }
  static std::string Style(YAML::EmitterStyle::value style) {
    return style == YAML::EmitterStyle::Flow ? " flow" : " block";
  }
};

struct YamlFastCheck {
  bool fast = false;    // the fast scanner read the input
  std::string problem;  // empty when the contract held
};

/// yaml-cpp and the fast scanner on `text`, compared.
inline YamlFastCheck CheckYamlFast(const std::string& text) {
  YamlEventRecorder slow;
  std::string yaml_cpp_error;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(slow)) {
    }
  } catch (const YAML::Exception& e) {
    yaml_cpp_error = e.what();
  } catch (const YamlEventRecorder::SecondDocument&) {
    yaml_cpp_error = "a second document";
  }
  YamlFastCheck check;
  YamlEventRecorder fast;
  check.fast = ReadYamlFast(text, fast);
  if (!check.fast) {
    if (!fast.events.empty()) check.problem = "the fast scanner declined after emitting events";
    return check;
  }
  if (!yaml_cpp_error.empty()) {
    check.problem = "the fast scanner accepted what yaml-cpp rejects: " + yaml_cpp_error;
    return check;
  }
  for (std::size_t i = 0; i < std::max(slow.events.size(), fast.events.size()); ++i) {
    const std::string none = "(no event)";
    const std::string& a = i < slow.events.size() ? slow.events[i] : none;
    const std::string& b = i < fast.events.size() ? fast.events[i] : none;
    if (a != b) {
      check.problem =
          "event " + std::to_string(i) + " differs: yaml-cpp `" + a + "`, fast `" + b + "`";
      return check;
    }
  }
  return check;
}

}  // namespace cfnsplit::fuzz
