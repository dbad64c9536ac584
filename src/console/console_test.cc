#include "console/console.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>

#include "console/assets.h"
#include "http/router.h"

namespace activa::console {
namespace {

namespace json = boost::json;
namespace m = management;

// Two users with known passwords; sessions end when the test says (the
// idle timeout is the store's, so "idle" here is Expire()).
class FakeSessionStore : public http::SessionStore {
 public:
  void Login(const std::string& user, const std::string& password, const std::string& source,
             std::function<void(Result<http::Session>)> done) override {
    ++logins;
    bool admin = user == "admin" && password == "admin-pw";
    bool standard = user == "alice" && password == "alice-pw";
    if (!admin && !standard) {
      return done(Status(ResultCode::kAccessDenied, "wrong user or password"));
    }
    http::Session s;
    s.token = "token-" + std::to_string(logins);
    s.csrf_token = "csrf-" + std::to_string(logins);
    s.peer.admin = admin;
    s.peer.user = user;
    s.peer.source = source;
    sessions[s.token] = s;
    done(s);
  }
  std::optional<http::Session> Find(std::string_view token) override {
    auto it = sessions.find(std::string(token));
    if (it == sessions.end()) return std::nullopt;
    return it->second;
  }
  void Logout(std::string_view token) override { sessions.erase(std::string(token)); }
  void Expire(const std::string& token) { sessions.erase(token); }

  int logins = 0;
  std::map<std::string, http::Session> sessions;
};

// Answers dli, dlc and dle with canned values and records the settings.
class FakeService : public m::Service {
 public:
  Result<m::LicenseInfo> Dli(const m::DliRequest&) override {
    m::LicenseInfo info;
    info.machine.name = "host1";
    m::Host host;
    host.activated = true;
    m::ApplicationCount count;
    count.application = "Example Suite";
    count.count = 27;
    host.counts.push_back(count);
    host.activation_interval = activation_interval;
    info.host = host;
    return info;
  }
  Result<m::LicenseInfo> Dlv(const m::DlvRequest&) override { return m::LicenseInfo{}; }
  Result<m::LicenseInfo> Xpr(const m::XprRequest&) override { return m::LicenseInfo{}; }
  Result<m::DlcResponse> Dlc(const m::DlcRequest& r) override {
    last_dlc = r;
    m::DlcResponse out;
    out.total = 1;
    m::ClientRecord c;
    c.machine_name = "pc1";
    out.clients.push_back(c);
    return out;
  }
  Result<m::StatusResponse> ProductStatus(const m::StatusRequest&) override { return Refuse(); }
  Result<m::IpkResponse> Ipk(const m::IpkRequest&) override {
    ++changes;
    return m::IpkResponse{};
  }
  Result<m::UpkResponse> Upk(const m::UpkRequest&) override { return Refuse(); }
  Result<m::Empty> Cpky(const m::CpkyRequest&) override { return Refuse(); }
  void Ato(const m::AtoRequest&, std::function<void(Result<m::AtoResponse>)> done) override {
    done(Refuse());
  }
  Result<m::DtiResponse> Dti(const m::DtiRequest&) override { return Refuse(); }
  Result<m::AtpResponse> Atp(const m::AtpRequest&) override { return Refuse(); }
  Result<m::IlcResponse> Ilc(const m::IlcRequest&) override { return Refuse(); }
  Result<m::RearmResponse> Rearm(const m::RearmRequest&) override { return Refuse(); }
  Result<m::GeneralizeResponse> Generalize(const m::GeneralizeRequest&) override {
    return Refuse();
  }
  Result<m::Empty> Skms(const m::SkmsRequest&) override { return Refuse(); }
  Result<m::Empty> Ckms(const m::CkmsRequest&) override { return Refuse(); }
  Result<m::Empty> SkmsDomain(const m::SkmsDomainRequest&) override { return Refuse(); }
  Result<m::Empty> CkmsDomain(const m::CkmsDomainRequest&) override { return Refuse(); }
  Result<m::Empty> Skhc(const m::SkhcRequest&) override { return Refuse(); }
  Result<m::Empty> Ckhc(const m::CkhcRequest&) override { return Refuse(); }
  Result<m::Empty> Sai(const m::SaiRequest& r) override {
    ++changes;
    activation_interval = r.minutes;
    return m::Empty{};
  }
  Result<m::Empty> Sri(const m::SriRequest&) override { return Changed(); }
  Result<m::Empty> Sprt(const m::SprtRequest&) override { return Changed(); }
  Result<m::Empty> Sdns(const m::SdnsRequest&) override { return Changed(); }
  Result<m::Empty> Cdns(const m::CdnsRequest&) override { return Changed(); }
  Result<m::Empty> Spri(const m::SpriRequest&) override { return Changed(); }
  Result<m::Empty> Cpri(const m::CpriRequest&) override { return Changed(); }
  Result<m::DleResponse> Dle(const m::DleRequest& r) override {
    last_dle = r;
    return m::DleResponse{};
  }

  int changes = 0;
  std::uint32_t activation_interval = 120;
  std::optional<m::DlcRequest> last_dlc;
  std::optional<m::DleRequest> last_dle;

 private:
  static Status Refuse() { return Status(ResultCode::kInvalidArgument, "not in this test"); }
  Result<m::Empty> Changed() {
    ++changes;
    return m::Empty{};
  }
};

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest() { console_.AddRoutes(router_); }

  http::Response Send(http::Request request) {
    request.source = "127.0.0.1";
    request.tls = true;
    http::Response answer;
    answer.status = 0;
    router_.Dispatch(request, [&](http::Response r) { answer = std::move(r); });
    EXPECT_NE(answer.status, 0u) << "no answer to " << request.method << " " << request.path;
    return answer;
  }

  http::Response Get(std::string path, std::string query = "", std::string token = "") {
    http::Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.query = std::move(query);
    if (!token.empty()) request.headers.emplace_back("cookie", "x=1; activa_session=" + token);
    return Send(request);
  }

  http::Response Post(std::string path, std::string body, std::string token = "",
                      std::optional<std::string> csrf = std::nullopt,
                      std::string type = "application/json") {
    http::Request request;
    request.method = "POST";
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers.emplace_back("content-type", type);
    if (!token.empty()) request.headers.emplace_back("cookie", "activa_session=" + token);
    if (csrf) request.headers.emplace_back("x-csrf-token", *csrf);
    return Send(request);
  }

  // Logs in and returns the session.
  http::Session LogIn(const std::string& user, const std::string& password) {
    http::Response r = Post("/console/api/login",
                            json::serialize(json::object{{"user", user}, {"password", password}}));
    EXPECT_EQ(r.status, 200u) << r.body;
    json::object o = json::parse(r.body).as_object();
    http::Session s;
    s.csrf_token = std::string(o.at("csrf_token").as_string());
    std::string cookie = Header(r, "Set-Cookie");
    std::size_t eq = cookie.find('='), semi = cookie.find(';');
    s.token = cookie.substr(eq + 1, semi - eq - 1);
    return s;
  }

  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  static std::uint32_t ResultOf(const http::Response& r) {
    return static_cast<std::uint32_t>(
        json::parse(r.body).as_object().at("result").to_number<std::uint64_t>());
  }

  FakeService service_;
  FakeSessionStore sessions_;
  std::vector<std::pair<int, std::string>> events_;
  Console console_{
      [this](std::string_view line, const m::Peer& peer, std::function<void(std::string)> reply) {
        service_.HandleLine(line, peer, std::move(reply));
      },
      sessions_, [this](int id, const std::string& message) { events_.emplace_back(id, message); }};
  http::Router router_;
};

TEST_F(ConsoleTest, EveryWebFileIsEmbedded) {
  for (const char* name : {"index.html", "app.js", "style.css"}) {
    const Asset* asset = FindAsset(name);
    ASSERT_NE(asset, nullptr) << name;
    EXPECT_GT(asset->size, 100u) << name;
  }
  EXPECT_EQ(FindAsset("../CMakeLists.txt"), nullptr);
}

TEST_F(ConsoleTest, ThePageIsServedWithAStrictPolicy) {
  http::Response r = Get("/console/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<script src=\"/console/app.js\""), std::string::npos);
  std::string csp = Header(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");

  EXPECT_EQ(Get("/console/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/console/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/console/nothing.js").status, 404u);
}

TEST_F(ConsoleTest, NoInlineScriptInThePage) {
  // The policy forbids inline script; the page must not need any.
  std::string page(FindAsset("index.html")->bytes());
  std::size_t at = 0;
  while ((at = page.find("<script", at)) != std::string::npos) {
    std::size_t end = page.find('>', at);
    EXPECT_NE(page.substr(at, end - at).find("src="), std::string::npos);
    EXPECT_EQ(page.substr(end + 1, 9), "</script>");
    at = end;
  }
  EXPECT_EQ(page.find(" onclick="), std::string::npos);
  EXPECT_EQ(page.find(" style="), std::string::npos);
}

TEST_F(ConsoleTest, RootRedirectsToTheConsole) {
  http::Response r = Get("/");
  EXPECT_EQ(r.status, 302u);
  EXPECT_EQ(Header(r, "Location"), "/console/");
  EXPECT_EQ(Get("/console").status, 302u);
  EXPECT_EQ(Get("/elsewhere").status, 404u);
}

TEST_F(ConsoleTest, LoginSetsAStrictCookieAndHandsTheCsrfToken) {
  http::Response r = Post("/console/api/login", R"({"user":"admin","password":"admin-pw"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Header(r, "Set-Cookie"),
            "activa_session=token-1; HttpOnly; Secure; SameSite=Strict; Path=/");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  json::object o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("csrf_token").as_string(), "csrf-1");
  EXPECT_EQ(o.at("user").as_string(), "admin");
  EXPECT_TRUE(o.at("admin").as_bool());
  EXPECT_EQ(sessions_.sessions.at("token-1").peer.source, "127.0.0.1");

  // The page reloaded: the cookie alone gives the CSRF token back.
  http::Response again = Get("/console/api/session", "", "token-1");
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(json::parse(again.body).at("csrf_token").as_string(), "csrf-1");
}

TEST_F(ConsoleTest, AWrongPasswordGetsNoSession) {
  http::Response r = Post("/console/api/login", R"({"user":"admin","password":"guess"})");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(Header(r, "Set-Cookie"), "");
  EXPECT_NE(r.body.find("wrong user or password"), std::string::npos);
  EXPECT_TRUE(sessions_.sessions.empty());
}

TEST_F(ConsoleTest, ALoginThatIsNotJsonIsRefused) {
  // A cross-site form can post this; it must not log the browser in.
  http::Response r = Post("/console/api/login", "user=admin&password=admin-pw", "", std::nullopt,
                          "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 415u);
  EXPECT_EQ(sessions_.logins, 0);
  EXPECT_EQ(Post("/console/api/login", R"({"user":"admin"})").status, 400u);
  EXPECT_EQ(Post("/console/api/login", "[1]").status, 400u);
  EXPECT_EQ(sessions_.logins, 0);
}

TEST_F(ConsoleTest, TheApiNeedsALiveSession) {
  EXPECT_EQ(Get("/console/api/overview").status, 401u);
  EXPECT_EQ(Get("/console/api/overview", "", "forged").status, 401u);
  http::Session s = LogIn("alice", "alice-pw");
  EXPECT_EQ(Get("/console/api/overview", "", s.token).status, 200u);
  sessions_.Expire(s.token);  // idle past the timeout
  http::Response r = Get("/console/api/overview", "", s.token);
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("log in again"), std::string::npos);
}

TEST_F(ConsoleTest, TheOverviewIsDli) {
  http::Session s = LogIn("alice", "alice-pw");
  http::Response r = Get("/console/api/overview", "", s.token);
  ASSERT_EQ(r.status, 200u);
  json::object o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("host").at("counts").at(0).at("count").to_number<int>(), 27);
  EXPECT_EQ(o.at("machine").at("name").as_string(), "host1");
}

TEST_F(ConsoleTest, AnAdministratorChangesTheActivationInterval) {
  http::Session s = LogIn("admin", "admin-pw");
  http::Response r =
      Post("/console/api/settings", R"({"op":"sai","minutes":60})", s.token, s.csrf_token);
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(ResultOf(r), 0u);
  EXPECT_EQ(service_.activation_interval, 60u);
  // Logged as a remote change, with who and from where.
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].first, 12297);
  EXPECT_NE(
      events_[0].second.find("\"admin\" from 127.0.0.1 (web console): /sai (result 0x00000000)"),
      std::string::npos)
      << events_[0].second;
}

TEST_F(ConsoleTest, AChangeWithoutTheCsrfTokenIsRefused) {
  http::Session s = LogIn("admin", "admin-pw");
  http::Response none = Post("/console/api/settings", R"({"op":"sai","minutes":60})", s.token);
  EXPECT_EQ(none.status, 403u);
  EXPECT_NE(none.body.find("X-CSRF-Token"), std::string::npos);
  http::Response wrong =
      Post("/console/api/settings", R"({"op":"sai","minutes":60})", s.token, "csrf-999");
  EXPECT_EQ(wrong.status, 403u);
  // Another session's token is not this one's either.
  http::Session other = LogIn("alice", "alice-pw");
  EXPECT_EQ(Post("/console/api/settings", R"({"op":"sai","minutes":60})", s.token, other.csrf_token)
                .status,
            403u);
  EXPECT_EQ(Post("/console/api/logout", "{}", s.token).status, 403u);
  EXPECT_EQ(service_.changes, 0);
  EXPECT_EQ(service_.activation_interval, 120u);
  EXPECT_EQ(sessions_.sessions.count(s.token), 1u);
}

TEST_F(ConsoleTest, AStandardUserIsRefusedEveryChange) {
  http::Session s = LogIn("alice", "alice-pw");
  for (const char* body : {R"({"op":"sai","minutes":60})", R"({"op":"sri","minutes":60})",
                           R"({"op":"sprt","port":1700})", R"({"op":"sdns"})", R"({"op":"cdns"})",
                           R"({"op":"spri"})", R"({"op":"cpri"})"}) {
    http::Response r = Post("/console/api/settings", body, s.token, s.csrf_token);
    EXPECT_EQ(r.status, 403u) << body;
    EXPECT_EQ(ResultOf(r), 0x80070005u) << body;
  }
  EXPECT_EQ(service_.changes, 0);
}

TEST_F(ConsoleTest, TheSettingsFormChangesOnlySettings) {
  http::Session s = LogIn("admin", "admin-pw");
  http::Response r =
      Post("/console/api/settings", R"({"op":"ipk","key":"AAAAA"})", s.token, s.csrf_token);
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("\\\"ipk\\\""), std::string::npos) << r.body;
  EXPECT_EQ(service_.changes, 0);
  // The codec checks the arguments as it does slmgr's.
  http::Response bad =
      Post("/console/api/settings", R"({"op":"sai","minutes":5})", s.token, s.csrf_token);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(ResultOf(bad), 0x80070057u);
  EXPECT_EQ(Post("/console/api/settings", "op=sai&minutes=60", s.token, s.csrf_token,
                 "application/x-www-form-urlencoded")
                .status,
            415u);
}

TEST_F(ConsoleTest, TheClientListPagesThroughDlc) {
  http::Session s = LogIn("alice", "alice-pw");
  http::Response r =
      Get("/console/api/clients",
          "first=2&after=6f327760-8c5e-417c-9c61-0a1c3a8d2f10&machine=PC&unused=", s.token);
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_TRUE(service_.last_dlc.has_value());
  EXPECT_EQ(service_.last_dlc->first, 2u);
  EXPECT_EQ(FormatUuid(*service_.last_dlc->after), "6f327760-8c5e-417c-9c61-0a1c3a8d2f10");
  EXPECT_EQ(service_.last_dlc->machine, "PC");
  EXPECT_EQ(json::parse(r.body).at("clients").at(0).at("machine_name").as_string(), "pc1");

  http::Response bad = Get("/console/api/clients", "first=5000", s.token);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(Get("/console/api/clients", "op=ipk", s.token).status, 400u);
  EXPECT_EQ(Get("/console/api/clients", "first=%zz", s.token).status, 400u);
}

TEST_F(ConsoleTest, TheEventLogFiltersThroughDle) {
  http::Session s = LogIn("alice", "alice-pw");
  http::Response r = Get("/console/api/events",
                         "event_id=12290&machine=pc+1%21&since=1795000000&first=20", s.token);
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_TRUE(service_.last_dle.has_value());
  EXPECT_EQ(service_.last_dle->event_id, 12290);
  EXPECT_EQ(service_.last_dle->machine, "pc 1!");
  EXPECT_EQ(service_.last_dle->since, 1795000000);
  EXPECT_EQ(service_.last_dle->first, 20u);
  http::Response bad = Get("/console/api/events", "colour=red", s.token);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("colour"), std::string::npos) << bad.body;
}

TEST_F(ConsoleTest, LogoutEndsTheSession) {
  http::Session s = LogIn("admin", "admin-pw");
  http::Response r = Post("/console/api/logout", "{}", s.token, s.csrf_token);
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(Header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Get("/console/api/overview", "", s.token).status, 401u);
}

TEST_F(ConsoleTest, UnknownApiPathsAnswerJson) {
  http::Response r = Get("/console/api/nothing");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.content_type, "application/json");
}

}  // namespace
}  // namespace activa::console
