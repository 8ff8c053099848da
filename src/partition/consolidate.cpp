// Emptying the smallest function stacks into the others (ConsolidateBins), after the packer.
#include <algorithm>
#include <map>

#include "partition/best_bin.hpp"
#include "partition/bins.hpp"

namespace cfnsplit {
namespace {

// One attempt to move every cluster of a bin into the others: trial copies of the bins it
// filled (by position) and, when some cluster found no bin, which one.
struct Attempt {
  bool emptied = false;
  std::map<std::size_t, Bin> trial;
  std::size_t failed_at = 0;  // position in the victim's clusters
};

// Positions of `bins` that may still fit a cluster (StackRules::FitsNoCluster), by owner id
// (0: none) and all of them (`open`), ascending.
std::vector<std::vector<std::size_t>> OpenBinsByOwner(const StackRules& rules,
                                                      const std::vector<Bin>& bins,
                                                      std::vector<std::size_t>& open) {
  std::vector<std::vector<std::size_t>> by_owner(1);
  open.clear();
  for (std::size_t b = 0; b < bins.size(); ++b) {
    if (rules.FitsNoCluster(bins[b])) continue;
    if (by_owner.size() <= bins[b].owner_id) by_owner.resize(bins[b].owner_id + 1);
    by_owner[bins[b].owner_id].push_back(b);
    open.push_back(b);
  }
  return by_owner;
}

// A victim's owned clusters all have its owner, so a trial bin changes owner only from none to
// theirs and `bins_of_owner` (OpenBinsByOwner(bins)) still offers every bin that admits them.
// `trial_of` (a.trial by position, without a search; null but for a.trial's bins on return)
// is the caller's, as every attempt would otherwise clear one pointer per bin.
Attempt TryEmpty(const StackRules& rules, const std::vector<Bin>& bins, std::size_t victim,
                 const std::vector<std::vector<std::size_t>>& bins_of_owner,
                 const std::vector<std::size_t>& open, std::vector<Bin*>& trial_of) {
  Attempt a;
  auto view = [&](std::size_t b) -> const Bin& { return trial_of[b] ? *trial_of[b] : bins[b]; };
  const std::vector<std::size_t>& clusters = bins[victim].clusters;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    std::size_t best = BestBinByOwner(rules, bins_of_owner, open, view, clusters[i], victim);
    if (best == SIZE_MAX) {
      a.failed_at = i;
      return a;
    }
    if (!trial_of[best]) trial_of[best] = &a.trial.emplace(best, bins[best]).first->second;
    rules.Add(*trial_of[best], clusters[i]);
  }
  a.emptied = true;
  return a;
}

// Empties the smallest stacks into the others, as ConsolidateBins describes, remembering each
// failed attempt until a bin it depended on changes: after every success the pass restarts from
// the smallest stack, and retrying every earlier victim made this quadratic in the stacks.
class Consolidator {
 public:
  Consolidator(const StackRules& rules, std::vector<Bin>& bins)
      : rules_(rules), bins_(bins), ids_(bins.size()), failures_(bins.size()) {
    for (std::size_t b = 0; b < bins.size(); ++b) ids_[b] = b;
  }

  void Run() {
    while (bins_.size() > 1 && EmptyOne()) {
    }
  }

 private:
  // A failed attempt (bins by stable id; positions shift as bins are removed).
  struct Failure {
    bool known = false;
    std::vector<std::size_t> touched;  // the bins its clusters went to before one found none
    std::size_t failed_at = 0;
  };

  // Tries the victims smallest first; applies the first that empties, if any.
  bool EmptyOne() {
    std::vector<std::size_t> by_size(bins_.size());
    for (std::size_t b = 0; b < bins_.size(); ++b) by_size[b] = b;
    std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t x, std::size_t y) {
      return bins_[x].resources + bins_[x].dist_bytes / 1000000 <
             bins_[y].resources + bins_[y].dist_bytes / 1000000;
    });
    std::vector<std::size_t> open;
    const auto bins_of_owner = OpenBinsByOwner(rules_, bins_, open);
    trial_of_.assign(bins_.size(), nullptr);
    for (std::size_t victim : by_size) {
      if (!bins_[victim].forced_name.empty() || failures_[ids_[victim]].known) continue;
      Attempt a = TryEmpty(rules_, bins_, victim, bins_of_owner, open, trial_of_);
      for (const auto& entry : a.trial) trial_of_[entry.first] = nullptr;
      if (!a.emptied) {
        Remember(victim, a);
        continue;
      }
      ForgetAffected(victim, a);
      for (auto& [b, bin] : a.trial) bins_[b] = std::move(bin);
      bins_.erase(bins_.begin() + static_cast<long>(victim));
      ids_.erase(ids_.begin() + static_cast<long>(victim));
      return true;
    }
    return false;
  }

  void Remember(std::size_t victim, const Attempt& a) {
    Failure& f = failures_[ids_[victim]];
    f.known = true;
    f.touched.clear();
    for (const auto& entry : a.trial) f.touched.push_back(ids_[entry.first]);
    f.failed_at = a.failed_at;
  }

  // What a success changes: the victim (removed) and the bins it fills (they grow).
  struct Change {
    std::vector<std::size_t> ids;    // their stable ids, ascending
    std::vector<const Bin*> states;  // the victim, and each filled bin before and after
    std::uint32_t owner = 0;         // the owner id all of them have, 0 when none or several
  };

  // Before success `a` (emptying `victim`) is applied: drops the failures it may undo.
  void ForgetAffected(std::size_t victim, const Attempt& a) {
    Change change;
    change.ids.push_back(ids_[victim]);
    change.states.push_back(&bins_[victim]);
    for (const auto& [b, after] : a.trial) {
      change.ids.push_back(ids_[b]);
      change.states.push_back(&bins_[b]);
      change.states.push_back(&after);
    }
    std::sort(change.ids.begin(), change.ids.end());
    change.owner = rules_.options().allow_mixed_owners ? 0 : bins_[victim].owner_id;
    for (const Bin* state : change.states)
      if (state->owner_id != change.owner) change.owner = 0;
    for (std::size_t p = 0; p < bins_.size(); ++p) {
      Failure& f = failures_[ids_[p]];
      if (f.known && p != victim) f.known = StillFails(p, f, change);
    }
  }

  // True when failure `f` of the bin at `p` is bound to repeat after `change`. The success
  // changes only the bins it fills (they grow) and the victim (removed); the others and their
  // order stay. If the failed attempt's own bin and the bins it filled are not among them, and
  // no changed bin fits any cluster it placed or failed on, neither before the change nor after,
  // then at every step the same bins fit with the same affinity: the same choices, and the same
  // cluster finds no bin. (A grown bin that fits may now offer more affinity, so it must not
  // fit; "after" and the removed victim are checked too although Fits only tightens as a bin
  // grows through Fits and a bin not chosen decides nothing: cheap, and safe if that changes.)
  // Every success is checked against every remembered failure, so the owners are compared
  // first: a cluster of another owner fits none of the changed bins (Admits), and with a few
  // owners most failures are another owner's.
  bool StillFails(std::size_t p, const Failure& f, const Change& change) const {
    auto changed = [&](std::size_t id) {
      return std::binary_search(change.ids.begin(), change.ids.end(), id);
    };
    if (changed(ids_[p]) || std::any_of(f.touched.begin(), f.touched.end(), changed)) return false;
    const std::vector<std::size_t>& clusters = bins_[p].clusters;
    for (std::size_t i = 0; i <= f.failed_at; ++i) {
      std::size_t k = clusters[i];
      const std::uint32_t owner = rules_.OwnerIdOf(k);
      if (change.owner && owner && owner != change.owner) continue;
      for (const Bin* state : change.states)
        if (rules_.Fits(*state, k)) return false;
    }
    return true;
  }

  const StackRules& rules_;
  std::vector<Bin>& bins_;
  std::vector<std::size_t> ids_;   // per position: the bin's stable id
  std::vector<Failure> failures_;  // by stable id
  std::vector<Bin*> trial_of_;     // TryEmpty's, kept between attempts
};

}  // namespace

// Tries to empty the smallest stacks into the others; keeps a move only if all of a stack's
// clusters find room elsewhere.
void ConsolidateBins(const StackRules& rules, std::vector<Bin>& bins) {
  Consolidator(rules, bins).Run();
}

}  // namespace cfnsplit
