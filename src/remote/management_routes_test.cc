#include "remote/management_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "base/event.h"

namespace activa::remote {
namespace {

class FakeSessions : public http::SessionStore {
 public:
  void Login(const std::string& user, const std::string& password, const std::string& source,
             std::function<void(Result<http::Session>)> done) override {
    if (password != "pw") {
      done(Status(ResultCode::kLogonFailure, "the user name or password is incorrect"));
      return;
    }
    http::Session s;
    s.token = std::string(64, 't');
    s.csrf_token = std::string(64, 'c');
    s.peer.user = user;
    s.peer.admin = user == "root";
    s.peer.source = source;
    sessions_[s.token] = s;
    done(s);
  }
  std::optional<http::Session> Find(std::string_view token) override {
    auto it = sessions_.find(std::string(token));
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
  }
  void Logout(std::string_view token) override { sessions_.erase(std::string(token)); }

 private:
  std::map<std::string, http::Session> sessions_;
};

class ManagementRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddManagementRoutes(
        router_, sessions_,
        [this](std::string_view line, const management::Peer& peer,
               std::function<void(std::string)> reply) {
          lines_.emplace_back(line);
          peers_.push_back(peer);
          reply(R"({"result":0,"message":"OK"})");
        },
        [this](int id, const std::string& m) {
          events_.push_back({id, m});
        },
        RoutesOptions{600});
  }

  http::Response Post(const std::string& path, const std::string& body,
                      const std::string& token = "") {
    http::Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.source = "198.51.100.4";
    r.tls = true;
    if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
    std::optional<http::Response> out;
    router_.Dispatch(r, [&](http::Response x) { out = std::move(x); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(http::Response{});
  }

  std::string LoginToken(const std::string& user) {
    http::Response r = Post("/v1/login", R"({"user":")" + user + R"(","password":"pw"})");
    EXPECT_EQ(r.status, 200u) << r.body;
    return std::string(boost::json::parse(r.body).as_object().at("token").as_string());
  }

  http::Router router_;
  FakeSessions sessions_;
  std::vector<std::string> lines_;
  std::vector<management::Peer> peers_;
  std::vector<std::pair<int, std::string>> events_;
};

TEST_F(ManagementRoutesTest, LoginAnswersTheSession) {
  http::Response r = Post("/v1/login", R"({"user":"root","password":"pw"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  boost::json::object o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o.at("user").as_string(), "root");
  EXPECT_EQ(o.at("admin").as_bool(), true);
  EXPECT_EQ(o.at("idle_timeout_seconds").as_int64(), 600);
  EXPECT_EQ(o.at("csrf_token").as_string().size(), 64u);
}

TEST_F(ManagementRoutesTest, AWrongPasswordIs401WithTheCode) {
  http::Response r = Post("/v1/login", R"({"user":"root","password":"no"})");
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("0x8007052E"), std::string::npos) << r.body;
}

TEST_F(ManagementRoutesTest, AMalformedLoginNamesWhatIsWrong) {
  for (const char* body : {"", "[]", R"({"user":"root"})", R"({"user":1,"password":"pw"})",
                           R"({"user":"","password":"pw"})"}) {
    http::Response r = Post("/v1/login", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_NE(r.body.find("user"), std::string::npos) << r.body;
  }
}

TEST_F(ManagementRoutesTest, ManagementNeedsAValidBearerToken) {
  http::Response none = Post("/v1/management", R"({"op":"dli"})");
  EXPECT_EQ(none.status, 401u);
  http::Response forged = Post("/v1/management", R"({"op":"dli"})", std::string(64, 'x'));
  EXPECT_EQ(forged.status, 401u);
  EXPECT_NE(forged.body.find("0xC0AC0053"), std::string::npos) << forged.body;
  EXPECT_TRUE(lines_.empty());
}

TEST_F(ManagementRoutesTest, ARequestRunsAsTheSessionsPeerAndChangesAreLogged) {
  std::string token = LoginToken("root");
  http::Response r = Post("/v1/management",
                          R"({"op":"sai","minutes":60})"
                          "\n",
                          token);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, R"({"result":0,"message":"OK"})");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], R"({"op":"sai","minutes":60})");
  EXPECT_EQ(peers_[0].user, "root");
  EXPECT_EQ(peers_[0].source, "198.51.100.4");
  EXPECT_TRUE(peers_[0].admin);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].first, kEventRemoteChange);
  EXPECT_NE(events_[0].second.find("root"), std::string::npos);
  EXPECT_NE(events_[0].second.find("198.51.100.4"), std::string::npos);
  EXPECT_NE(events_[0].second.find("/sai"), std::string::npos);
  // A read is not a change.
  Post("/v1/management", R"({"op":"dli"})", token);
  EXPECT_EQ(events_.size(), 1u);
}

TEST_F(ManagementRoutesTest, LogoutEndsTheToken) {
  std::string token = LoginToken("alice");
  EXPECT_EQ(Post("/v1/logout", "", token).status, 200u);
  EXPECT_EQ(Post("/v1/management", R"({"op":"dli"})", token).status, 401u);
}

TEST_F(ManagementRoutesTest, MoreThanOneLineIsRefused) {
  std::string token = LoginToken("alice");
  http::Response r = Post("/v1/management", "{\"op\":\"dli\"}\n{\"op\":\"dli\"}", token);
  EXPECT_EQ(r.status, 400u);
  EXPECT_TRUE(lines_.empty());
}

}  // namespace
}  // namespace activa::remote
