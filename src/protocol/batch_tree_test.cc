#include "protocol/batch_tree.h"

#include <gtest/gtest.h>

#include "crypto/signing.h"

namespace activa {
namespace {

std::vector<TreeHash> Leaves(std::size_t n) {
  std::vector<TreeHash> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t m[2] = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)};
    leaves.push_back(LeafHash(ByteSpan(m, 2)));
  }
  return leaves;
}

class BatchTreeTest : public ::testing::Test {
 protected:
  void SetUp() override { InitCrypto(); }
};

TEST_F(BatchTreeTest, EveryLeafOfEverySizeLeadsToTheRoot) {
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 31u, 64u, 100u}) {
    std::vector<TreeHash> leaves = Leaves(n);
    BatchTree tree = BuildBatchTree(leaves);
    ASSERT_EQ(tree.paths.size(), n);
    std::size_t depth = 0;
    while ((std::size_t{1} << depth) < n) ++depth;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(tree.paths[i].siblings.size(), depth) << n;
      EXPECT_EQ(tree.paths[i].index, i);
      EXPECT_EQ(RootFromPath(leaves[i], tree.paths[i]), tree.root) << "leaf " << i << " of " << n;
    }
  }
}

TEST_F(BatchTreeTest, OneLeafIsItsOwnRoot) {
  std::vector<TreeHash> leaves = Leaves(1);
  BatchTree tree = BuildBatchTree(leaves);
  EXPECT_EQ(tree.root, leaves[0]);
  EXPECT_TRUE(tree.paths[0].siblings.empty());
}

TEST_F(BatchTreeTest, ATamperedLeafPathOrIndexLeadsElsewhere) {
  std::vector<TreeHash> leaves = Leaves(6);
  BatchTree tree = BuildBatchTree(leaves);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    TreeHash leaf = leaves[i];
    leaf[0] ^= 1;
    EXPECT_NE(RootFromPath(leaf, tree.paths[i]), tree.root);
    for (std::size_t k = 0; k < tree.paths[i].siblings.size(); ++k) {
      BatchPath path = tree.paths[i];
      path.siblings[k][31] ^= 0x80;
      EXPECT_NE(RootFromPath(leaves[i], path), tree.root);
    }
    BatchPath moved = tree.paths[i];
    moved.index ^= 1;
    EXPECT_NE(RootFromPath(leaves[i], moved), tree.root);
  }
}

TEST_F(BatchTreeTest, APathFromAnotherBatchLeadsToAnotherRoot) {
  std::vector<TreeHash> a = Leaves(4);
  std::vector<TreeHash> b = Leaves(8);
  BatchTree ta = BuildBatchTree(a);
  BatchTree tb = BuildBatchTree(b);
  // Leaf 1 is in both batches; its path in b does not lead to a's root.
  ASSERT_EQ(a[1], b[1]);
  EXPECT_NE(RootFromPath(a[1], tb.paths[1]), ta.root);
}

TEST_F(BatchTreeTest, AnInnerNodeIsNeverALeaf) {
  // The prefixes keep node(l, r) from equalling leaf(l || r).
  std::vector<TreeHash> leaves = Leaves(2);
  Bytes joined(leaves[0].begin(), leaves[0].end());
  joined.insert(joined.end(), leaves[1].begin(), leaves[1].end());
  EXPECT_NE(LeafHash(joined), NodeHash(leaves[0], leaves[1]));
  EXPECT_NE(PaddingLeaf(), LeafHash({}));
}

}  // namespace
}  // namespace activa
