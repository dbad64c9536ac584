#include "host/client_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace activa {
namespace {

constexpr std::int64_t kT0 = 1795000000;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kWindow = 30 * kDay;

const Uuid kApp = {0xa1};
const Uuid kOtherApp = {0xa2};

Uuid Cmid(std::uint32_t n) {
  Uuid id{};
  std::memcpy(id.data(), &n, sizeof(n));
  id[15] = 0xcc;
  return id;
}

TEST(ClientCounterTest, CountsDistinctMachines) {
  ClientCounter counter;
  EXPECT_EQ(counter.Record(kApp, Cmid(1), kT0), 1u);
  EXPECT_EQ(counter.Record(kApp, Cmid(2), kT0 + 1), 2u);
  EXPECT_EQ(counter.Record(kApp, Cmid(1), kT0 + 2), 2u);  // again: same machine
  EXPECT_EQ(counter.Record(kApp, Cmid(1), kT0 + 3), 2u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 3), 2u);
  EXPECT_EQ(counter.tracked(), 2u);
}

TEST(ClientCounterTest, ContainsWhatStillCounts) {
  ClientCounter c;
  EXPECT_FALSE(c.Contains(kApp, Cmid(1), kT0));
  c.Record(kApp, Cmid(1), kT0);
  EXPECT_TRUE(c.Contains(kApp, Cmid(1), kT0));
  EXPECT_FALSE(c.Contains(kOtherApp, Cmid(1), kT0));
  EXPECT_FALSE(c.Contains(kApp, Cmid(2), kT0));
  EXPECT_TRUE(c.Contains(kApp, Cmid(1), kT0 + kWindow));
  EXPECT_FALSE(c.Contains(kApp, Cmid(1), kT0 + kWindow + 1));
}

TEST(ClientCounterTest, ApplicationsAreCountedApart) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  counter.Record(kApp, Cmid(2), kT0);
  EXPECT_EQ(counter.Record(kOtherApp, Cmid(1), kT0), 1u);
  EXPECT_EQ(counter.Count(kApp, kT0), 2u);
  EXPECT_EQ(counter.Count(kOtherApp, kT0), 1u);
}

TEST(ClientCounterTest, UnknownApplicationCountsZeroAndIsNotCreated) {
  ClientCounter counter;
  EXPECT_EQ(counter.Count(kApp, kT0), 0u);
  EXPECT_TRUE(counter.Clients(kApp, kT0).empty());
  EXPECT_EQ(counter.tracked(), 0u);
  EXPECT_EQ(counter.Expire(kT0), 0u);
}

TEST(ClientCounterTest, WindowIncludesExactlyThirtyDaysBack) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow - 1), 1u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow), 1u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 0u);
}

TEST(ClientCounterTest, ARequestRestartsTheMachinesThirtyDays) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  counter.Record(kApp, Cmid(2), kT0);
  counter.Record(kApp, Cmid(1), kT0 + 20 * kDay);  // a renewal
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 1u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 20 * kDay + kWindow), 1u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 20 * kDay + kWindow + 1), 0u);
}

TEST(ClientCounterTest, RecordCountsAfterDroppingTheExpired) {
  ClientCounter counter;
  for (std::uint32_t i = 0; i < 10; ++i) counter.Record(kApp, Cmid(i), kT0);
  // Ten machines gone quiet; the eleventh finds itself alone.
  EXPECT_EQ(counter.Record(kApp, Cmid(10), kT0 + kWindow + 1), 1u);
  EXPECT_EQ(counter.tracked(), 1u);
  // A machine coming back after its record expired counts as new again.
  EXPECT_EQ(counter.Record(kApp, Cmid(0), kT0 + kWindow + 2), 2u);
}

TEST(ClientCounterTest, ExpireDropsOldRecordsAndEmptyApplications) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  counter.Record(kApp, Cmid(2), kT0 + 10 * kDay);
  counter.Record(kOtherApp, Cmid(1), kT0);
  EXPECT_EQ(counter.tracked(), 3u);
  EXPECT_EQ(counter.Expire(kT0 + kWindow), 0u);
  EXPECT_EQ(counter.Expire(kT0 + kWindow + 1), 2u);
  EXPECT_EQ(counter.tracked(), 1u);
  EXPECT_EQ(counter.Count(kOtherApp, kT0 + kWindow + 1), 0u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 1u);
  EXPECT_EQ(counter.Expire(kT0 + 100 * kDay), 1u);
  EXPECT_EQ(counter.tracked(), 0u);
  // An application emptied and removed starts again cleanly.
  EXPECT_EQ(counter.Record(kApp, Cmid(3), kT0 + 100 * kDay), 1u);
}

TEST(ClientCounterTest, ClientsListsTheWindowNewestFirst) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  counter.Record(kApp, Cmid(2), kT0 + 5);
  counter.Record(kApp, Cmid(3), kT0 + 10);
  counter.Record(kApp, Cmid(1), kT0 + 20);
  std::vector<ClientRecord> want = {{Cmid(1), kT0 + 20}, {Cmid(3), kT0 + 10}, {Cmid(2), kT0 + 5}};
  EXPECT_EQ(counter.Clients(kApp, kT0 + 20), want);
  want.pop_back();
  EXPECT_EQ(counter.Clients(kApp, kT0 + 5 + kWindow + 1), want);
}

TEST(ClientCounterTest, KmsReportedCountIsCappedAtFifty) {
  EXPECT_EQ(KmsReportedCount(0), 0u);
  EXPECT_EQ(KmsReportedCount(25), 25u);
  EXPECT_EQ(KmsReportedCount(50), 50u);
  EXPECT_EQ(KmsReportedCount(51), 50u);
  EXPECT_EQ(KmsReportedCount(1000000), 50u);

  ClientCounter counter;
  for (std::uint32_t i = 0; i < 120; ++i) counter.Record(kApp, Cmid(i), kT0);
  EXPECT_EQ(counter.Count(kApp, kT0), 120u);  // the host keeps every record
  EXPECT_EQ(KmsReportedCount(counter.Count(kApp, kT0)), 50u);
}

TEST(ClientCounterTest, LoadRestoresRecordsInAnyOrder) {
  ClientCounter counter;
  const std::int64_t now = kT0 + 40 * kDay;
  // Stored out of time order; two already outside the window at `now`.
  counter.Load(kApp, Cmid(1), kT0 + 35 * kDay);
  counter.Load(kApp, Cmid(2), kT0);  // expired
  counter.Load(kApp, Cmid(3), kT0 + 39 * kDay);
  counter.Load(kApp, Cmid(4), kT0 + 5 * kDay);  // expired
  counter.Load(kApp, Cmid(5), kT0 + 12 * kDay);
  EXPECT_EQ(counter.tracked(), 5u);
  EXPECT_EQ(counter.Count(kApp, now), 3u);
  std::vector<ClientRecord> want = {
      {Cmid(3), kT0 + 39 * kDay}, {Cmid(1), kT0 + 35 * kDay}, {Cmid(5), kT0 + 12 * kDay}};
  EXPECT_EQ(counter.Clients(kApp, now), want);
  // Expiry keeps following time order after the sort.
  EXPECT_EQ(counter.Count(kApp, kT0 + 12 * kDay + kWindow + 1), 2u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 35 * kDay + kWindow + 1), 1u);
}

TEST(ClientCounterTest, LoadingAMachineTwiceKeepsTheLaterTime) {
  ClientCounter counter;
  counter.Load(kApp, Cmid(1), kT0 + 10 * kDay);
  counter.Load(kApp, Cmid(1), kT0);
  counter.Load(kApp, Cmid(2), kT0 + 5 * kDay);
  EXPECT_EQ(counter.tracked(), 2u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 10 * kDay + kWindow), 1u);
  counter.Load(kApp, Cmid(2), kT0 + 50 * kDay);
  EXPECT_EQ(counter.Count(kApp, kT0 + 50 * kDay), 1u);
  EXPECT_EQ(counter.Clients(kApp, kT0 + 50 * kDay),
            std::vector<ClientRecord>({{Cmid(2), kT0 + 50 * kDay}}));
}

// Reserve() only makes room: before, between and after loads it changes no
// count, and an application reserved but never loaded counts nobody.
TEST(ClientCounterTest, ReserveMakesRoomAndChangesNothing) {
  const Uuid other = {0xa2};
  ClientCounter counter;
  counter.Reserve(kApp, 1000);
  counter.Reserve(other, 10);
  EXPECT_EQ(counter.tracked(), 0u);
  EXPECT_EQ(counter.Count(other, kT0), 0u);
  for (std::uint32_t i = 0; i < 1000; ++i) counter.Load(kApp, Cmid(i), kT0 + i);
  counter.Reserve(kApp, 10);  // smaller than held: keeps them all
  counter.Load(kApp, Cmid(1000), kT0 + 1000);
  EXPECT_EQ(counter.tracked(), 1001u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 1000), 1001u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 500 + kWindow), 501u);
  EXPECT_EQ(counter.Expire(kT0 + 500 + kWindow), 0u);  // Count() dropped them already
  EXPECT_EQ(counter.tracked(), 501u);
}

TEST(ClientCounterTest, LoadThenRecordKeepsCounting) {
  ClientCounter counter;
  counter.Load(kApp, Cmid(1), kT0 + 3);
  counter.Load(kApp, Cmid(2), kT0 + 1);
  counter.Load(kApp, Cmid(3), kT0 + 2);
  EXPECT_EQ(counter.Record(kApp, Cmid(2), kT0 + 10), 3u);
  EXPECT_EQ(counter.Record(kApp, Cmid(4), kT0 + 11), 4u);
  EXPECT_EQ(counter.Count(kApp, kT0 + 3 + kWindow), 3u);  // 3 (at +2) has gone
  EXPECT_EQ(counter.Count(kApp, kT0 + 10 + kWindow), 2u);
}

TEST(ClientCounterTest, ClockStepBackWithinFourHoursKeepsOrder) {
  ClientCounter counter;
  counter.Record(kApp, Cmid(1), kT0);
  counter.Record(kApp, Cmid(2), kT0 + kHour);
  // The clock is set back 30 minutes: the request is stamped with the
  // newest time so far, never earlier than a record before it.
  EXPECT_EQ(counter.Record(kApp, Cmid(3), kT0 + kHour - 30 * 60), 3u);
  std::vector<ClientRecord> clients = counter.Clients(kApp, kT0 + kHour);
  ASSERT_EQ(clients.size(), 3u);
  EXPECT_EQ(clients[0], (ClientRecord{Cmid(3), kT0 + kHour}));
  // Expiry still goes oldest first.
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 2u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kHour + kWindow + 1), 0u);
}

TEST(ClientCounterTest, ClockFarAheadThenCorrectedDoesNotPinRecords) {
  ClientCounter counter;
  // A year ahead by mistake...
  counter.Record(kApp, Cmid(1), kT0 + 365 * kDay);
  counter.Record(kApp, Cmid(2), kT0 + 365 * kDay + 1);
  // ...then corrected. Counting at the true time still sees both.
  EXPECT_EQ(counter.Count(kApp, kT0), 2u);
  EXPECT_EQ(counter.Record(kApp, Cmid(3), kT0), 3u);
  // The wrong stamps became the true time, so all three expire together
  // instead of being counted for another year.
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow), 3u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 0u);
}

TEST(ClientCounterTest, FutureRecordsFromStorageAreRestampedByTheNextRequest) {
  ClientCounter counter;
  counter.Load(kApp, Cmid(1), kT0 + 365 * kDay);
  counter.Load(kApp, Cmid(2), kT0 - kDay);
  EXPECT_EQ(counter.Record(kApp, Cmid(3), kT0), 3u);
  EXPECT_EQ(counter.Count(kApp, kT0 - kDay + kWindow + 1), 2u);
  EXPECT_EQ(counter.Count(kApp, kT0 + kWindow + 1), 0u);
}

TEST(ClientCounterTest, ExtremeTimesNeitherOverflowNorCrash) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  ClientCounter counter;
  EXPECT_EQ(counter.Record(kApp, Cmid(1), kMin), 1u);
  EXPECT_EQ(counter.Count(kApp, kMin), 1u);
  EXPECT_EQ(counter.Record(kApp, Cmid(2), kMax), 1u);  // 1 is far outside the window
  EXPECT_EQ(counter.Count(kApp, kMax), 1u);
  EXPECT_EQ(counter.Record(kApp, Cmid(3), kMin), 2u);  // far back: both restamped
  EXPECT_EQ(counter.Count(kApp, kMin), 2u);
}

TEST(ClientCounterTest, HashKeyDoesNotChangeCounts) {
  ClientCounter::HashKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 37 + 1);
  ClientCounter keyed(key);
  ClientCounter unkeyed;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    std::int64_t t = kT0 + i * 3600;
    EXPECT_EQ(keyed.Record(kApp, Cmid(i % 700), t), unkeyed.Record(kApp, Cmid(i % 700), t));
  }
}

// Random requests with moving time, checked against the definition: the
// distinct machines whose latest request is at most 30 days old.
TEST(ClientCounterTest, MatchesTheDefinitionOnRandomTraffic) {
  std::mt19937_64 rng(12345);  // fixed: the test is repeatable
  ClientCounter counter;
  std::map<std::pair<Uuid, Uuid>, std::int64_t> last_seen;
  auto expected = [&](const Uuid& app, std::int64_t now) {
    std::uint32_t n = 0;
    for (const auto& [key, t] : last_seen) n += key.first == app && t >= now - kWindow;
    return n;
  };
  std::int64_t now = kT0;
  for (int step = 0; step < 6000; ++step) {
    now += static_cast<std::int64_t>(rng() % (6 * kHour));
    const Uuid& app = rng() % 4 == 0 ? kOtherApp : kApp;
    Uuid cmid = Cmid(static_cast<std::uint32_t>(rng() % 500));
    last_seen[{app, cmid}] = now;
    ASSERT_EQ(counter.Record(app, cmid, now), expected(app, now)) << "step " << step;
    if (step % 53 == 0) {
      std::int64_t later = now + static_cast<std::int64_t>(rng() % (40 * kDay));
      ASSERT_EQ(counter.Count(kApp, later), expected(kApp, later)) << "step " << step;
      ASSERT_EQ(counter.Count(kOtherApp, later), expected(kOtherApp, later));
      now = later;
    }
    if (step % 509 == 0) counter.Expire(now);
  }
}

// 200,000 machines, as a big site would have. No timing is asserted; the
// test shows the work stays proportional to the requests (it would take
// minutes if Count() scanned the records).
TEST(ClientCounterTest, ScalesToTwoHundredThousandMachines) {
  constexpr std::uint32_t kMachines = 200000;
  ClientCounter counter(ClientCounter::HashKey{7, 7, 7});
  // Spread over 20 days, one request every 8.64 seconds.
  for (std::uint32_t i = 0; i < kMachines; ++i) {
    std::int64_t t = kT0 + static_cast<std::int64_t>(i) * 20 * kDay / kMachines;
    ASSERT_EQ(counter.Record(kApp, Cmid(i), t), i + 1);
    ASSERT_EQ(counter.Count(kApp, t), i + 1);
  }
  // The first half renew on day 21; the rest fall silent.
  for (std::uint32_t i = 0; i < kMachines / 2; ++i) {
    counter.Record(kApp, Cmid(i), kT0 + 21 * kDay);
  }
  EXPECT_EQ(counter.Count(kApp, kT0 + 21 * kDay), kMachines);
  // At day 45 the silent half's records, from days 10 to 20, have partly gone.
  std::uint32_t at_day_45 = counter.Count(kApp, kT0 + 45 * kDay);
  EXPECT_GT(at_day_45, kMachines / 2);
  EXPECT_LT(at_day_45, kMachines);
  EXPECT_EQ(counter.Count(kApp, kT0 + 50 * kDay + 1), kMachines / 2);
  EXPECT_EQ(counter.tracked(), kMachines / 2);
  EXPECT_EQ(counter.Expire(kT0 + 51 * kDay + 1), kMachines / 2);
  EXPECT_EQ(counter.tracked(), 0u);
}

}  // namespace
}  // namespace activa
