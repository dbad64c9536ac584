#include "daemon/idle_list.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "daemon/buffer_pool.h"

namespace activa {
namespace {

using std::chrono::seconds;
using TimePoint = IdleList::TimePoint;

const TimePoint kT0{seconds(1000)};

TEST(IdleListTest, ExpiresInDeadlineOrderAndNotBefore) {
  IdleList list;
  IdleList::Node a, b, c;
  list.Touch(a, kT0 + seconds(1));
  list.Touch(b, kT0 + seconds(2));
  list.Touch(c, kT0 + seconds(3));
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(list.PopExpired(kT0), nullptr);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(2)), &a);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(2)), &b);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(2)), nullptr);
  EXPECT_FALSE(a.linked());
  EXPECT_TRUE(c.linked());
  EXPECT_EQ(list.size(), 1u);
}

// A whole request moves the deadline: the node goes behind the others, so
// trickling connections that never finish one expire first.
TEST(IdleListTest, TouchMovesTheDeadline) {
  IdleList list;
  IdleList::Node busy, trickler;
  list.Touch(busy, kT0 + seconds(30));
  list.Touch(trickler, kT0 + seconds(31));
  list.Touch(busy, kT0 + seconds(40));
  EXPECT_EQ(list.PopExpired(kT0 + seconds(35)), &trickler);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(35)), nullptr);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(40)), &busy);
  EXPECT_TRUE(list.empty());
}

// A reload that shortens the idle timeout gives new deadlines earlier than
// those already listed: they still expire on time.
TEST(IdleListTest, AnEarlierDeadlineThanTheTailTakesItsPlace) {
  IdleList list;
  IdleList::Node old1, old2, fresh;
  list.Touch(old1, kT0 + seconds(30));
  list.Touch(old2, kT0 + seconds(31));
  list.Touch(fresh, kT0 + seconds(5));
  EXPECT_EQ(list.PopExpired(kT0 + seconds(5)), &fresh);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(30)), &old1);
}

TEST(IdleListTest, ANodeLeavesTheListWhenDestroyed) {
  IdleList list;
  IdleList::Node first;
  {
    IdleList::Node gone;
    list.Touch(first, kT0 + seconds(2));
    list.Touch(gone, kT0 + seconds(1));
    EXPECT_EQ(list.size(), 2u);
  }
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.PopExpired(kT0 + seconds(10)), &first);
}

// The server goes before its connections' frames: after Clear() they are
// destroyed without touching the list (or each other) again.
TEST(IdleListTest, ClearLetsNodesOutliveTheList) {
  std::vector<std::unique_ptr<IdleList::Node>> nodes;
  {
    IdleList list;
    for (int i = 0; i < 3; ++i) {
      nodes.push_back(std::make_unique<IdleList::Node>());
      list.Touch(*nodes.back(), kT0 + seconds(i));
    }
    list.Clear();
    EXPECT_TRUE(list.empty());
  }
  for (auto& n : nodes) EXPECT_FALSE(n->linked());
  nodes.clear();  // under ASan, a use after free if a node reached back
}

TEST(BufferPoolTest, ReusesBuffersWithinItsBounds) {
  BufferPool pool(2, 1024);
  Bytes a = pool.Take();
  a.resize(300);
  const auto* data = a.data();
  pool.Give(std::move(a));
  EXPECT_EQ(pool.kept(), 1u);
  Bytes again = pool.Take();
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.data(), data);  // the same allocation, emptied
  EXPECT_EQ(pool.kept(), 0u);

  Bytes big(4096);
  pool.Give(std::move(big));  // larger than a request: freed, not held
  EXPECT_EQ(pool.kept(), 0u);
  for (int i = 0; i < 5; ++i) pool.Give(Bytes(10));
  EXPECT_EQ(pool.kept(), 2u);  // at most max_kept
}

}  // namespace
}  // namespace activa
