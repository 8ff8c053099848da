// Private to the partition stage: the bin a cluster joins, as the packer and the consolidation
// both choose it (first fit of the highest affinity among the open bins a cluster may join).
#pragma once

#include <cstdint>
#include <vector>

#include "partition/bins.hpp"

namespace cfnsplit {

// The bin cluster `k` joins: of the bins that fit it (those `each_candidate` offers, in
// ascending order, but `skip`), the one of highest affinity, ties to the earlier one; SIZE_MAX
// when none fits. The same choice as testing every bin, for less: a bin that could not beat the
// best so far is not tested for fit, and the scan stops once the best offers the highest
// affinity any bin could (a bin ahead can only tie).
template <class View, class EachCandidate>
std::size_t BestBinAmong(const StackRules& rules, const View& view, std::size_t k, std::size_t skip,
                         EachCandidate each_candidate) {
  const std::uint64_t ceiling = rules.MaxAffinity(k);
  std::size_t best = SIZE_MAX;
  std::uint64_t best_score = 0;
  each_candidate([&](std::size_t b) {
    const Bin& bin = view(b);
    if (b == skip || !rules.Admits(bin, k)) return true;
    if (best == SIZE_MAX) {
      if (!rules.Fits(bin, k)) return true;
      best_score = rules.Affinity(bin, k);
    } else {
      std::uint64_t score = rules.Affinity(bin, k);
      if (score <= best_score || !rules.Fits(bin, k)) return true;
      best_score = score;
    }
    best = b;
    return best_score < ceiling;  // go on while a later bin could score higher
  });
  return best;
}

// Visits the bins an owned cluster may join, in ascending order: its owner's (`own`) merged
// with those no owner has joined yet (`unowned`), both ascending positions. Bins of another owner
// never admit it, so this is the order and the choice of a scan of every bin.
template <class Visit>
void VisitOwnAndUnowned(const std::vector<std::size_t>& own,
                        const std::vector<std::size_t>& unowned, const Visit& visit) {
  std::size_t i = 0, j = 0;
  while (i < own.size() || j < unowned.size()) {
    bool take_own = j == unowned.size() || (i < own.size() && own[i] < unowned[j]);
    if (!visit(take_own ? own[i++] : unowned[j++])) return;
  }
}

// BestBinAmong the bins that may still fit a cluster (`open`, ascending: a bin that fits none is
// never chosen, so leaving it out changes no choice), offering an owned cluster only its owner's
// and the unowned ones (`bins_of_owner`: the open bins' ascending positions by owner id, 0 for
// none; the owner ids bins had when it was made, which may since have gone from 0 to the
// cluster's own).
template <class View>
std::size_t BestBinByOwner(const StackRules& rules,
                           const std::vector<std::vector<std::size_t>>& bins_of_owner,
                           const std::vector<std::size_t>& open, const View& view, std::size_t k,
                           std::size_t skip) {
  const std::uint32_t owner = rules.OwnerIdOf(k);
  if (owner == 0 || rules.options().allow_mixed_owners)
    return BestBinAmong(rules, view, k, skip, [&](const auto& visit) {
      for (std::size_t i = 0; i < open.size() && visit(open[i]); ++i) {
      }
    });
  static const std::vector<std::size_t> kNone;
  const auto& own = owner < bins_of_owner.size() ? bins_of_owner[owner] : kNone;
  const auto& unowned = bins_of_owner.empty() ? kNone : bins_of_owner[0];
  return BestBinAmong(rules, view, k, skip,
                      [&](const auto& visit) { VisitOwnAndUnowned(own, unowned, visit); });
}

}  // namespace cfnsplit
