// Private to the readers: whether a big mapping being read already has a key.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// An open-addressed table of positions in a mapping's key list, for the readers' duplicate-key
/// check once a mapping has many keys (they compare a handful in place). A key is hashed once
/// and never copied: the hash set of copied keys it replaces allocated a node and a string per
/// key, and a 10,000-function template's Resources and Outputs have 60,000 keys each.
/// Positions go stale when keys are erased: Clear() then, and Build() again.
class KeyIndex {
 public:
  bool empty() const { return used_ == 0; }
  void Clear() {
    slots_.clear();
    used_ = 0;
  }
  /// Indexes every key of `keys`.
  void Build(const std::vector<Value::Key>& keys) {
    Clear();
    for (std::size_t i = 0; i < keys.size(); ++i) Add(keys, i);
  }
  /// Whether `key` is among the indexed keys of `keys`.
  bool Contains(const std::vector<Value::Key>& keys, std::string_view key) const {
    if (slots_.empty()) return false;
    const std::uint32_t hash = Hash(key);
    for (std::size_t s = hash & Mask();; s = (s + 1) & Mask()) {
      const Slot& slot = slots_[s];
      if (slot.position_plus_one == 0) return false;
      if (slot.hash == hash && keys[slot.position_plus_one - 1].name == key) return true;
    }
  }
  /// Indexes keys[i].
  void Add(const std::vector<Value::Key>& keys, std::size_t i) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    Place({static_cast<std::uint32_t>(i + 1), Hash(keys[i].name)});
    ++used_;
  }

 private:
  struct Slot {
    std::uint32_t position_plus_one = 0;  // 0: empty
    std::uint32_t hash = 0;
  };
  static std::uint32_t Hash(std::string_view key) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(key));
  }
  std::size_t Mask() const { return slots_.size() - 1; }
  void Place(Slot slot) {
    std::size_t s = slot.hash & Mask();
    while (slots_[s].position_plus_one != 0) s = (s + 1) & Mask();
    slots_[s] = slot;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    for (const Slot& slot : old)
      if (slot.position_plus_one != 0) Place(slot);
  }

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  std::size_t used_ = 0;
};

}  // namespace cfnsplit
