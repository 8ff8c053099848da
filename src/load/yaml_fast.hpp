// A fast scanner for the common subset of YAML that CloudFormation templates, the rules and
// dependency manifests are written in. yaml-cpp's scanner costs 1,300-2,800 instructions per
// input byte; this one reads the subset line by line and reproduces *exactly* the event stream
// yaml-cpp's Parser::HandleNextDocument would produce (kinds, order, marks, tags as yaml-cpp
// reports them, values, collection styles). Anything it is not sure to reproduce -- anchors,
// aliases, multi-line plain or quoted scalars, tabs, carriage returns, several documents,
// directives, complex keys, unusual flow collections -- makes it decline, and the caller reads
// the text with yaml-cpp instead. docs/loading.md describes the subset.
#pragma once

#include <yaml-cpp/eventhandler.h>

#include <string_view>

namespace cfnsplit {

/// Reads `text` in full; when it lies inside the subset, replays yaml-cpp's events for it into
/// `handler` and returns true. Otherwise returns false having called `handler` not at all, so
/// the same handler can be given to yaml-cpp. Exceptions the handler throws pass through.
bool ReadYamlFast(std::string_view text, YAML::EventHandler& handler);

}  // namespace cfnsplit
