#include "protocol/batch_tree.h"

#include <cassert>

#include "crypto/signing.h"

namespace activa {

TreeHash LeafHash(ByteSpan message) {
  // One call over prefix and message would need a copy of the message;
  // BLAKE2b's streaming API is not exposed by crypto/signing.h, and the
  // messages are a few hundred bytes, so the copy is cheaper to reason
  // about than a second hashing interface.
  Bytes input;
  input.reserve(message.size() + 1);
  input.push_back(0x00);
  input.insert(input.end(), message.begin(), message.end());
  TreeHash h;
  Blake2b(h, input);
  return h;
}

TreeHash NodeHash(const TreeHash& left, const TreeHash& right) {
  std::array<std::uint8_t, 65> input;
  input[0] = 0x01;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 33);
  TreeHash h;
  Blake2b(h, input);
  return h;
}

const TreeHash& PaddingLeaf() {
  static const TreeHash padding = [] {
    const std::uint8_t prefix = 0x02;
    TreeHash h;
    Blake2b(h, ByteSpan(&prefix, 1));
    return h;
  }();
  return padding;
}

BatchTree BuildBatchTree(const std::vector<TreeHash>& leaves) {
  assert(!leaves.empty() && leaves.size() <= kMaxBatchSize);
  std::size_t depth = 0;
  while ((std::size_t{1} << depth) < leaves.size()) ++depth;
  BatchTree tree;
  tree.paths.resize(leaves.size());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    tree.paths[i].index = static_cast<std::uint32_t>(i);
    tree.paths[i].siblings.reserve(depth);
  }
  std::vector<TreeHash> level = leaves;
  level.resize(std::size_t{1} << depth, PaddingLeaf());
  for (std::size_t height = 0; height < depth; ++height) {
    // Each real leaf takes its sibling at this height before the level is
    // folded into the next.
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      std::size_t at = i >> height;
      tree.paths[i].siblings.push_back(level[at ^ 1]);
    }
    std::vector<TreeHash> up(level.size() / 2);
    for (std::size_t k = 0; k < up.size(); ++k) up[k] = NodeHash(level[2 * k], level[2 * k + 1]);
    level = std::move(up);
  }
  tree.root = level[0];
  return tree;
}

TreeHash RootFromPath(const TreeHash& leaf, const BatchPath& path) {
  TreeHash h = leaf;
  for (std::size_t height = 0; height < path.siblings.size(); ++height) {
    h = (path.index >> height) & 1 ? NodeHash(path.siblings[height], h)
                                   : NodeHash(h, path.siblings[height]);
  }
  return h;
}

}  // namespace activa
