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

// A victim's owned clusters all have its owner, so a trial bin changes owner only from none to
// theirs and `bins_of_owner` (the open bins by owner id before the attempt) still offers every
// bin that admits them.
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
//
// A success changes only the victim (gone) and the bins it filled (grown), so the victims' order
// and the open bins are kept up to date for those alone rather than rebuilt for every pass
// (sorting every stack after each success was a third of the consolidation at 10,000
// functions). An emptied bin stays in place, dead, until the end: positions are stable ids, and
// the live bins keep their relative order, which every choice depends on.
class Consolidator {
 public:
  Consolidator(const StackRules& rules, std::vector<Bin>& bins)
      : rules_(rules),
        bins_(bins),
        alive_(bins.size(), 1),
        failures_(bins.size()),
        trial_of_(bins.size(), nullptr),
        live_(bins.size()) {
    for (std::size_t b = 0; b < bins.size(); ++b) {
      by_size_.push_back(b);
      Open(b);
    }
    std::sort(by_size_.begin(), by_size_.end(),
              [&](std::size_t x, std::size_t y) { return Smaller(x, y); });
  }

  void Run() {
    while (live_ > 1 && EmptyOne()) {
    }
    std::size_t kept = 0;
    for (std::size_t b = 0; b < bins_.size(); ++b) {
      if (!alive_[b]) continue;
      if (kept != b) bins_[kept] = std::move(bins_[b]);  // a self-move would empty it
      ++kept;
    }
    bins_.resize(kept);
  }

 private:
  // A failed attempt (bins by position).
  struct Failure {
    bool known = false;
    std::vector<std::size_t> touched;  // the bins its clusters went to before one found none
    std::size_t failed_at = 0;
  };

  // The victims' order: smallest first, ties by position.
  std::uint64_t SizeKey(std::size_t b) const {
    return bins_[b].resources + bins_[b].dist_bytes / 1000000;
  }
  bool Smaller(std::size_t x, std::size_t y) const {
    const std::uint64_t kx = SizeKey(x), ky = SizeKey(y);
    return kx < ky || (kx == ky && x < y);
  }

  // The open bins (those that may still fit a cluster, StackRules::FitsNoCluster), ascending,
  // all of them and by owner id (0: none).
  void Open(std::size_t b) {
    if (rules_.FitsNoCluster(bins_[b])) return;
    const std::uint32_t owner = bins_[b].owner_id;
    if (by_owner_.size() <= owner) by_owner_.resize(owner + 1);
    InsertSorted(by_owner_[owner], b);
    InsertSorted(open_, b);
  }
  void Close(std::size_t b) {
    EraseSorted(open_, b);
    if (bins_[b].owner_id < by_owner_.size()) EraseSorted(by_owner_[bins_[b].owner_id], b);
  }
  static void InsertSorted(std::vector<std::size_t>& v, std::size_t b) {
    v.insert(std::lower_bound(v.begin(), v.end(), b), b);
  }
  static void EraseSorted(std::vector<std::size_t>& v, std::size_t b) {
    auto it = std::lower_bound(v.begin(), v.end(), b);
    if (it != v.end() && *it == b) v.erase(it);
  }

  // Tries the victims smallest first; applies the first that empties, if any.
  bool EmptyOne() {
    for (std::size_t victim : by_size_) {
      if (!bins_[victim].forced_name.empty() || failures_[victim].known) continue;
      Attempt a = TryEmpty(rules_, bins_, victim, by_owner_, open_, trial_of_);
      for (const auto& entry : a.trial) trial_of_[entry.first] = nullptr;
      if (!a.emptied) {
        Remember(victim, a);
        continue;
      }
      ForgetAffected(victim, a);
      Apply(victim, a);
      return true;
    }
    return false;
  }

  // The success: the victim leaves, the bins it filled take their trial state.
  void Apply(std::size_t victim, Attempt& a) {
    Close(victim);
    by_size_.erase(std::find(by_size_.begin(), by_size_.end(), victim));
    alive_[victim] = 0;
    --live_;
    for (auto& [b, bin] : a.trial) {
      Close(b);
      by_size_.erase(std::find(by_size_.begin(), by_size_.end(), b));
      bins_[b] = std::move(bin);
      Open(b);
      by_size_.insert(std::lower_bound(by_size_.begin(), by_size_.end(), b,
                                       [&](std::size_t x, std::size_t y) { return Smaller(x, y); }),
                      b);
    }
  }

  void Remember(std::size_t victim, const Attempt& a) {
    Failure& f = failures_[victim];
    f.known = true;
    f.touched.clear();
    for (const auto& entry : a.trial) f.touched.push_back(entry.first);
    f.failed_at = a.failed_at;
  }

  // What a success changes: the victim (removed) and the bins it fills (they grow).
  struct Change {
    std::vector<std::size_t> bins;   // their positions, ascending
    std::vector<const Bin*> states;  // the victim, and each filled bin before and after
    std::uint32_t owner = 0;         // the owner id all of them have, 0 when none or several
  };

  // Before success `a` (emptying `victim`) is applied: drops the failures it may undo.
  void ForgetAffected(std::size_t victim, const Attempt& a) {
    Change change;
    change.bins.push_back(victim);
    change.states.push_back(&bins_[victim]);
    for (const auto& [b, after] : a.trial) {
      change.bins.push_back(b);
      change.states.push_back(&bins_[b]);
      change.states.push_back(&after);
    }
    std::sort(change.bins.begin(), change.bins.end());
    change.owner = rules_.options().allow_mixed_owners ? 0 : bins_[victim].owner_id;
    for (const Bin* state : change.states)
      if (state->owner_id != change.owner) change.owner = 0;
    for (std::size_t p : by_size_) {
      Failure& f = failures_[p];
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
      return std::binary_search(change.bins.begin(), change.bins.end(), id);
    };
    if (changed(p) || std::any_of(f.touched.begin(), f.touched.end(), changed)) return false;
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
  std::vector<char> alive_;                         // per position: not emptied yet
  std::vector<Failure> failures_;                   // per position
  std::vector<Bin*> trial_of_;                      // TryEmpty's, kept between attempts
  std::size_t live_;                                // bins alive
  std::vector<std::size_t> by_size_;                // the live bins, smallest first
  std::vector<std::size_t> open_;                   // the open live bins, ascending
  std::vector<std::vector<std::size_t>> by_owner_;  // open_ by owner id
};

}  // namespace

// Tries to empty the smallest stacks into the others; keeps a move only if all of a stack's
// clusters find room elsewhere.
void ConsolidateBins(const StackRules& rules, std::vector<Bin>& bins) {
  Consolidator(rules, bins).Run();
}

}  // namespace cfnsplit
