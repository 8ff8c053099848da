// Private to the partition stage: the unzipped bytes of two clusters in one artifact, for the
// bounds that test many pairs (the owners' conflict cliques, the plan's conflict bound).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "partition/internal.hpp"

namespace cfnsplit {

/// Two clusters' bytes in one artifact: their code, the larger layer set and the union of their
/// distributions. Each cluster's distributions are a bit set, so a pair costs a few word
/// operations where merging two lists (PairBytes) or looking functions up by name
/// (StackPackageBytes) made the bounds quadratic in string work. Exactly PairBytes for clusters
/// whose `dists` are ascending and unique, as BuildClusters makes them.
class PairPackages {
 public:
  /// Sets for `members` (indexes into `clusters`) only; other clusters must not be asked about.
  PairPackages(const std::vector<Cluster>& clusters, const std::vector<std::uint64_t>& dist_bytes,
               const std::vector<std::size_t>& members);
  /// Sets for every cluster.
  PairPackages(const std::vector<Cluster>& clusters, const std::vector<std::uint64_t>& dist_bytes);

  /// Bytes of clusters a and b in one artifact (PairBytes).
  std::uint64_t Together(std::size_t a, std::size_t b) const {
    return Apart(a, b) - Shared(a, b, UINT64_MAX);
  }
  /// Together(a, b) <= limit, settled by the sizes alone when they suffice and otherwise by
  /// the shared distributions, stopping once enough are found. Inline: the owners' cliques ask
  /// it millions of times (3.2 million at 10,000 functions), mostly settled by the sizes.
  bool FitWithin(std::size_t a, std::size_t b, std::uint64_t limit) const {
    const std::uint64_t apart = Apart(a, b);
    if (apart <= limit) return true;
    const std::uint64_t need = apart - limit;  // bytes they must share to fit
    // They share at most the smaller distribution set: a pair of two heavy, different stacks
    // is settled without looking at a distribution.
    if (std::min(dist_sum_[a], dist_sum_[b]) < need) return false;
    return Shared(a, b, need) >= need;
  }

 private:
  // The bytes with nothing shared: both codes, the larger layer set, both distribution sets.
  std::uint64_t Apart(std::size_t a, std::size_t b) const {
    return alone_[a] + alone_[b] + std::max(layer_[a], layer_[b]);
  }
  // Bytes of the distributions a and b share, or some sum ≥ `enough` once that is reached.
  std::uint64_t Shared(std::size_t a, std::size_t b, std::uint64_t enough) const;
  void Add(const Cluster& c, std::size_t k);

  const std::vector<std::uint64_t>& dist_bytes_;
  std::size_t words_ = 0;                // words per cluster's bit set
  std::vector<std::uint64_t> bits_;      // words_ per cluster
  std::vector<std::uint64_t> alone_;     // per cluster: code + its distributions' bytes
  std::vector<std::uint64_t> layer_;     // per cluster: its largest layer set
  std::vector<std::uint64_t> dist_sum_;  // per cluster: its distributions' bytes
};

/// A greedy clique of clusters that pairwise cannot share a stack (the plan's
/// function_stacks_by_conflicts): heaviest first, at most 512. `package` is the headroom budget,
/// `limit` Lambda's; owners that may not mix never share a stack whatever their packages.
std::size_t ConflictClique(const std::vector<Cluster>& clusters, const PackageView& packages,
                           bool allow_mixed_owners, std::uint64_t package, std::uint64_t limit);

}  // namespace cfnsplit
