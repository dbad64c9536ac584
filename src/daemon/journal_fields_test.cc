// The journal fields of the KMS events (daemon/log.h), built as pure code,
// and sent to a live journal where this machine has one.
#include <gtest/gtest.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "daemon/log.h"

namespace activa {
namespace {

bool Has(const std::vector<std::string>& fields, const std::string& f) {
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

TEST(JournalFieldsTest, RequestEventCarriesItsIdsAndMessage) {
  Event e;
  e.event_id = kEventHostRequest;
  e.message = "pc1 50% done\nsecond line";
  std::vector<std::string> f = JournalEventFields(e);
  EXPECT_EQ(f.front(), "MESSAGE=pc1 50% done\nsecond line");
  EXPECT_TRUE(Has(f, "MESSAGE_ID=4d6a37958c8f4bdb89867e70998dcbfb"));
  EXPECT_TRUE(Has(f, "ACTIVA_EVENT_ID=12290"));
  EXPECT_TRUE(Has(f, "SYSLOG_IDENTIFIER=activad"));
  EXPECT_TRUE(Has(f, "PRIORITY=6"));
}

// A 12290 event the host made holds its fields, not its text: the journal
// gets the sentence rendered from them.
TEST(JournalFieldsTest, RequestEventOfFieldsIsRenderedForTheJournal) {
  Event e;
  e.time = 1795000000;
  e.event_id = kEventHostRequest;
  HostRequestEvent& r = e.request.emplace();
  r.result = ResultCode::kCountInsufficient;
  r.count = 3;
  r.required_count = 25;
  r.threshold = 25;
  r.machine_name = "pc1";
  r.cmid = *ParseUuid("6f327760-8c5e-417c-9c61-0a1c3a8d2f10");
  r.edition = "Example Software Suite Professional";
  r.client_time = 1795000000;
  r.license_state = 2;
  r.minutes_left = 43200;
  std::vector<std::string> f = JournalEventFields(e);
  EXPECT_EQ(f.front(),
            "MESSAGE=An activation request has been processed. Result: 0xC004F038; count: 3; "
            "required count: 25; threshold: 25; client: pc1; CMID: "
            "6f327760-8c5e-417c-9c61-0a1c3a8d2f10; edition: Example Software Suite "
            "Professional; client time: 2026-11-18 11:06:40 UTC; license state: 2; minutes to "
            "expiry: 43200; virtual machine: no");
  EXPECT_TRUE(Has(f, "ACTIVA_EVENT_ID=12290"));
}

TEST(JournalFieldsTest, FailuresAreWarnings) {
  for (int id : {kEventDnsFailed, kEventClearinghouseUnreachable}) {
    Event e;
    e.event_id = id;
    EXPECT_TRUE(Has(JournalEventFields(e), "PRIORITY=4")) << id;
  }
}

TEST(JournalFieldsTest, EveryEventKindHasItsOwnFixedMessageId) {
  std::set<std::string_view> seen;
  for (int id : {kEventClientRequest, kEventClientResult, kEventHostRequest, kEventDnsFailed,
                 kEventDnsPublished, kEventClearinghouseUnreachable}) {
    std::string_view m = JournalMessageId(id);
    ASSERT_EQ(m.size(), 32u) << id;
    EXPECT_EQ(m.find_first_not_of("0123456789abcdef"), std::string_view::npos) << m;
    EXPECT_TRUE(seen.insert(m).second) << "shared MESSAGE_ID " << m;
  }
  EXPECT_EQ(JournalMessageId(4242), "");
  Event unknown;
  unknown.event_id = 4242;
  for (const std::string& f : JournalEventFields(unknown)) EXPECT_NE(f.rfind("MESSAGE_ID=", 0), 0u);
}

// Where a journal runs: an event sent is found again by its fields.
TEST(JournalFieldsTest, LiveJournalFindsTheEventByActivaEventId) {
  if (!JournalAvailable()) GTEST_SKIP() << "no journal at /run/systemd/journal/socket";
  std::string marker = "activa-journal-test-" + std::to_string(std::random_device{}());
  Event e;
  e.event_id = kEventHostRequest;
  e.message = marker;
  JournalEvent(e);
  bool found = false;
  for (int attempt = 0; attempt < 50 && !found; ++attempt) {
    sd_journal* j = nullptr;
    ASSERT_EQ(sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY), 0);
    sd_journal_add_match(j, "ACTIVA_EVENT_ID=12290", 0);
    sd_journal_add_match(j, "MESSAGE_ID=4d6a37958c8f4bdb89867e70998dcbfb", 0);
    sd_journal_add_match(j, ("MESSAGE=" + marker).c_str(), 0);
    found = sd_journal_next(j) > 0;
    sd_journal_close(j);
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(found) << "journalctl ACTIVA_EVENT_ID=12290 MESSAGE=" << marker << " finds nothing";
}

}  // namespace
}  // namespace activa
