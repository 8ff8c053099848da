#include "cfnsplit/ruleset.hpp"
namespace cfnsplit {
const char* LifecycleName(LifecycleClass c) {
  switch (c) {
    case LifecycleClass::kStateful: return "stateful";
    case LifecycleClass::kShared: return "shared";
    case LifecycleClass::kFunction: return "function";
    case LifecycleClass::kSatellite: return "satellite";
    case LifecycleClass::kOther: return "other";
  }
  return "other";
}
}  // namespace cfnsplit
