#include "remote/pam_session_store.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <vector>

#include "base/event.h"

namespace activa::remote {
namespace {

// A fake password check (the real PAM runs in tests/remote_test.cc).
Result<Identity> Check(const std::string& user, const std::string& password) {
  if (user == "alice" && password == "right") return Identity{1000, true};
  return Status(ResultCode::kLogonFailure, "the user name or password is incorrect");
}

class PamSessionStoreTest : public ::testing::Test {
 protected:
  PamSessionStoreTest()
      : store_(
            io_, PamSessionStore::Options{60, 4}, Check,
            [this](int id, const std::string& m) {
              events_.push_back({id, m});
            },
            [this] { return now_; }) {}

  Result<http::Session> Login(const std::string& user, const std::string& password) {
    std::optional<Result<http::Session>> out;
    store_.Login(user, password, "192.0.2.7", [&](Result<http::Session> r) { out = r; });
    // The check runs on the store's threads: the loop must wait for its
    // answer even while it has nothing else to do.
    auto guard = boost::asio::make_work_guard(io_);
    io_.restart();
    while (!out) io_.run_one_for(std::chrono::milliseconds(100));
    return *out;
  }

  boost::asio::io_context io_;
  std::int64_t now_ = 1000;
  std::vector<std::pair<int, std::string>> events_;
  PamSessionStore store_;
};

TEST_F(PamSessionStoreTest, LoginGivesASessionThatIdlesOut) {
  Result<http::Session> s = Login("alice", "right");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->token.size(), 64u);
  EXPECT_EQ(s->csrf_token.size(), 64u);
  EXPECT_NE(s->token, s->csrf_token);
  EXPECT_TRUE(s->peer.admin);
  EXPECT_EQ(s->peer.user, "alice");
  EXPECT_EQ(s->peer.source, "192.0.2.7");
  ASSERT_TRUE(store_.Find(s->token));
  now_ += 59;
  ASSERT_TRUE(store_.Find(s->token));  // use refreshes the idle time
  now_ += 59;
  ASSERT_TRUE(store_.Find(s->token));
  now_ += 61;
  EXPECT_FALSE(store_.Find(s->token));
}

TEST_F(PamSessionStoreTest, AGuessedOrAlteredTokenFindsNothing) {
  Result<http::Session> s = Login("alice", "right");
  ASSERT_TRUE(s.ok());
  std::string altered = s->token;
  altered[10] = altered[10] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(store_.Find(altered));
  EXPECT_FALSE(store_.Find(""));
  EXPECT_FALSE(store_.Find(s->csrf_token));
  EXPECT_FALSE(store_.Find(s->token.substr(0, 63)));
}

TEST_F(PamSessionStoreTest, LogoutEndsTheSession) {
  Result<http::Session> s = Login("alice", "right");
  ASSERT_TRUE(s.ok());
  store_.Logout(s->token);
  EXPECT_FALSE(store_.Find(s->token));
}

TEST_F(PamSessionStoreTest, AFailureIsLoggedWithSourceAndUserButNoPassword) {
  Result<http::Session> s = Login("alice", "wrong-secret");
  EXPECT_EQ(s.status().code(), ResultCode::kLogonFailure);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].first, kEventRemoteLoginFailed);
  EXPECT_NE(events_[0].second.find("alice"), std::string::npos);
  EXPECT_NE(events_[0].second.find("192.0.2.7"), std::string::npos);
  EXPECT_EQ(events_[0].second.find("wrong-secret"), std::string::npos);
}

TEST_F(PamSessionStoreTest, SessionsAreBounded) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 6; ++i) {
    Result<http::Session> s = Login("alice", "right");
    ASSERT_TRUE(s.ok());
    tokens.push_back(s->token);
    ++now_;
  }
  EXPECT_FALSE(store_.Find(tokens[0]));  // the least recently used ended
  EXPECT_TRUE(store_.Find(tokens[5]));
}

}  // namespace
}  // namespace activa::remote
