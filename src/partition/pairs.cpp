// Pair bytes from distribution bit sets, and the plan's conflict clique built on them.
#include "partition/pairs.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

namespace cfnsplit {

PairPackages::PairPackages(const std::vector<Cluster>& clusters,
                           const std::vector<std::uint64_t>& dist_bytes,
                           const std::vector<std::size_t>& members)
    : dist_bytes_(dist_bytes), words_((dist_bytes.size() + 63) / 64) {
  bits_.assign(clusters.size() * words_, 0);
  alone_.assign(clusters.size(), 0);
  layer_.assign(clusters.size(), 0);
  dist_sum_.assign(clusters.size(), 0);
  for (std::size_t k : members) Add(clusters[k], k);
}

PairPackages::PairPackages(const std::vector<Cluster>& clusters,
                           const std::vector<std::uint64_t>& dist_bytes)
    : PairPackages(clusters, dist_bytes, [&] {
        std::vector<std::size_t> all(clusters.size());
        std::iota(all.begin(), all.end(), std::size_t{0});
        return all;
      }()) {}

void PairPackages::Add(const Cluster& c, std::size_t k) {
  std::uint64_t sum = 0;
  for (std::uint32_t d : c.dists) {
    bits_[k * words_ + d / 64] |= std::uint64_t{1} << (d % 64);
    sum += dist_bytes_[d];
  }
  dist_sum_[k] = sum;
  alone_[k] = c.own_bytes + sum;
  layer_[k] = c.layer_bytes;
}

std::uint64_t PairPackages::Shared(std::size_t a, std::size_t b, std::uint64_t enough) const {
  const std::uint64_t* x = &bits_[a * words_];
  const std::uint64_t* y = &bits_[b * words_];
  std::uint64_t sum = 0;
  for (std::size_t w = 0; w < words_; ++w)
    for (std::uint64_t both = x[w] & y[w]; both; both &= both - 1) {
      sum += dist_bytes_[w * 64 + static_cast<std::size_t>(__builtin_ctzll(both))];
      if (sum >= enough) return sum;
    }
  return sum;
}

namespace {

// Owner ids from 1 in order of first sight, 0 for none (compared where names were).
std::vector<std::size_t> OwnerIds(const std::vector<Cluster>& clusters) {
  std::map<std::string, std::size_t> ids;
  std::vector<std::size_t> out;
  for (const Cluster& c : clusters)
    out.push_back(c.owner.empty() ? 0 : ids.emplace(c.owner, ids.size() + 1).first->second);
  return out;
}

}  // namespace

std::size_t ConflictClique(const std::vector<Cluster>& clusters, const PackageView& packages,
                           bool allow_mixed_owners, std::uint64_t package, std::uint64_t limit) {
  std::vector<std::size_t> order(clusters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  const PairPackages pairs(clusters, packages.dist_bytes);
  const std::vector<std::size_t> owner = OwnerIds(clusters);
  // The clique's members by owner id (0: unowned). Whether k conflicts with all of them does not
  // depend on the order they are tried in, so a cluster of one owner tries only its owner's and
  // the unowned: every other owner's clash anyway (never in one stack, whatever their packages).
  std::vector<std::vector<std::size_t>> by_owner(clusters.empty() ? 1 : clusters.size() + 1);
  std::vector<std::size_t> clique;
  auto shares_with_any = [&](std::size_t k, std::vector<std::size_t>& others) {
    for (std::size_t i = 0; i < others.size(); ++i) {
      const std::size_t q = others[i];
      std::uint64_t together = pairs.Together(k, q);
      // The packer's rule over the headroom. Sound because clusters come largest first: a
      // cluster that could host both k and q fits with whatever excluded it, so k fits too.
      bool adds_nothing =
          together == std::max(clusters[k].package_bytes, clusters[q].package_bytes) &&
          together <= limit;
      if (together <= package || adds_nothing) {
        // Clusters that share with a member mostly share with the same few (those shipping
        // the popular distributions), so the one found moves to the front: the answer does not
        // depend on the order asked, and at 10,000 functions this costs a third as much.
        std::rotate(others.begin(), others.begin() + static_cast<long>(i),
                    others.begin() + static_cast<long>(i) + 1);
        return true;
      }
    }
    return false;
  };
  for (std::size_t k : order) {
    bool mixes = allow_mixed_owners || owner[k] == 0;
    bool conflicts_with_all =
        mixes ? !shares_with_any(k, clique)
              : !shares_with_any(k, by_owner[owner[k]]) && !shares_with_any(k, by_owner[0]);
    if (conflicts_with_all) {
      clique.push_back(k);
      by_owner[allow_mixed_owners ? 0 : owner[k]].push_back(k);
    }
    if (clique.size() >= 512) break;  // a bound, not an exhaustive search
  }
  return clique.size();
}

}  // namespace cfnsplit
