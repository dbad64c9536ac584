// The order in which a client tries the hosts of an SRV answer (RFC 2782,
// "Usage rules"). Pure: no I/O; the randomness is passed in.
#ifndef ACTIVA_DNS_SRV_SELECTION_H_
#define ACTIVA_DNS_SRV_SELECTION_H_

#include <random>
#include <vector>

#include "dns/srv_record.h"

namespace activa::dns {

// Returns `records` in the order to try them: ascending priority; within one
// priority, a weighted random order drawn with RFC 2782's running-sum
// algorithm, so a record of weight w comes first with probability
// w / (sum of weights). Zero-weight records are placed before the others
// when summing, as the RFC asks, which gives them a small chance (1 / (sum + 1)
// each draw) of being picked first; when all weights are zero the order within
// the priority is uniformly random.
//
// Records whose target is "." are dropped: a lone "." is the RFC's "service
// not available here" and yields an empty result.
std::vector<SrvRecord> OrderForSelection(std::vector<SrvRecord> records, std::mt19937_64& rng);

}  // namespace activa::dns

#endif  // ACTIVA_DNS_SRV_SELECTION_H_
