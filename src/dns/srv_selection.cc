#include "dns/srv_selection.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace activa::dns {
namespace {

// RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any
// order, except that all those with weight 0 are placed at the beginning of
// the list. Compute the sum of the weights ... choose a uniform random number
// between 0 and the sum computed (inclusive), and select the RR whose running
// sum value is the first in the selected order which is greater than or equal
// to the random number selected."
void OrderOnePriority(std::vector<SrvRecord>& group, std::mt19937_64& rng,
                      std::vector<SrvRecord>& out) {
  // "Any order": a shuffle, so records of equal weight (all-zero groups in
  // particular) are not always tried in the server's order.
  std::shuffle(group.begin(), group.end(), rng);
  std::stable_partition(group.begin(), group.end(),
                        [](const SrvRecord& r) { return r.weight == 0; });
  while (!group.empty()) {
    std::uint64_t sum = 0;
    for (const SrvRecord& r : group) sum += r.weight;
    std::uniform_int_distribution<std::uint64_t> pick(0, sum);
    const std::uint64_t target = pick(rng);
    std::uint64_t running = 0;
    auto chosen = group.begin();
    for (auto it = group.begin(); it != group.end(); ++it) {
      running += it->weight;
      if (running >= target) {
        chosen = it;
        break;
      }
    }
    out.push_back(std::move(*chosen));
    group.erase(chosen);
  }
}

}  // namespace

std::vector<SrvRecord> OrderForSelection(std::vector<SrvRecord> records, std::mt19937_64& rng) {
  std::erase_if(records, [](const SrvRecord& r) { return r.target == "." || r.target.empty(); });
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  auto begin = records.begin();
  while (begin != records.end()) {
    auto end = std::find_if(begin, records.end(),
                            [&](const SrvRecord& r) { return r.priority != begin->priority; });
    std::vector<SrvRecord> group(std::make_move_iterator(begin), std::make_move_iterator(end));
    OrderOnePriority(group, rng, out);
    begin = end;
  }
  return out;
}

}  // namespace activa::dns
