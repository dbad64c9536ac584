// One signature for a batch of responses (docs/protocol.md, "Batch
// signatures"), as Roughtime signs a batch of answers: the host builds a
// Merkle tree over the batch's responses, signs its root once, and gives
// each response the path from its leaf to that root. A client recomputes
// the root from its response and the path and checks the one signature.
//
// Hashes are BLAKE2b-256 (crypto/signing.h), with a prefix byte that keeps a
// leaf from ever being taken for an inner node (the second-preimage attack
// on Merkle trees, RFC 6962 section 2.1):
//
//   leaf(m)       = BLAKE2b-256(0x00 || m)        m: a response's signed bytes
//   node(l, r)    = BLAKE2b-256(0x01 || l || r)
//   padding leaf  = BLAKE2b-256(0x02)             fills the tree to 2^depth
//
// A tree of n leaves has depth ceil(log2(n)) (0 for one leaf: the root is
// the leaf). A path lists the siblings from the leaf upwards; bit i of the
// leaf's index says whether the node at height i is a right child (1).
// An index must be below 2^depth, so one leaf has exactly one path.
//
// Pure logic; thread-safe (no shared state).
#ifndef ACTIVA_PROTOCOL_BATCH_TREE_H_
#define ACTIVA_PROTOCOL_BATCH_TREE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"

namespace activa {

using TreeHash = std::array<std::uint8_t, 32>;

// A batch holds at most 2^kMaxBatchDepth responses: a decoder refuses a
// longer path, and the host starts a new tree when a batch is larger.
inline constexpr std::size_t kMaxBatchDepth = 16;
inline constexpr std::size_t kMaxBatchSize = std::size_t{1} << kMaxBatchDepth;

TreeHash LeafHash(ByteSpan message);
TreeHash NodeHash(const TreeHash& left, const TreeHash& right);
const TreeHash& PaddingLeaf();

// A leaf's place in its batch's tree.
struct BatchPath {
  std::uint32_t index = 0;         // below 2^siblings.size()
  std::vector<TreeHash> siblings;  // leaf upwards; at most kMaxBatchDepth

  bool operator==(const BatchPath&) const = default;
};

// The tree over `leaves` (1..kMaxBatchSize of them): its root, and the path
// of every leaf, in the leaves' order.
struct BatchTree {
  TreeHash root{};
  std::vector<BatchPath> paths;
};
BatchTree BuildBatchTree(const std::vector<TreeHash>& leaves);

// The root that `leaf` and `path` lead to. The caller compares it with a
// signed root (through the signature): a leaf, path or index changed in any
// way leads to another root. Precondition: the path is within the limits
// above (the decoder checks them).
TreeHash RootFromPath(const TreeHash& leaf, const BatchPath& path);

}  // namespace activa

#endif  // ACTIVA_PROTOCOL_BATCH_TREE_H_
