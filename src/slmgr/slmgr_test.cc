// End to end in-process: parse -> request over a Unix socket -> print,
// against a fake activad.
#include "slmgr/slmgr.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "net/fake_line_server.h"

namespace activa::slmgr {
namespace {

using namespace std::chrono_literals;
using FakeDaemon = net::FakeLineServer;

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

RunResult Slmgr(std::vector<std::string> args, std::string_view env_socket = "") {
  std::ostringstream out, err;
  int code = RunSlmgr(args, env_socket, out, err, 5s);
  return {code, out.str(), err.str()};
}

// A fake that answers dli with one client product and sai with success, and
// refuses everything else the way the daemon refuses an unknown operation.
FakeDaemon::Reply Answer(const std::string& line) {
  boost::system::error_code ec;
  boost::json::value request = boost::json::parse(line, ec);
  if (ec || !request.is_object()) {
    return {R"({"result":2147942413,"message":"The data is malformed."})"
            "\n"};
  }
  const boost::json::object& r = request.get_object();
  std::string op(r.at("op").as_string());
  if (op == "dli") {
    return {
        R"({"result":0,"message":"ok","machine":{"name":"pc1","cmid":"6f327760-8c5e-417c-9c61-0a1c3a8d2f10","previous_cmid":null,"is_virtual_machine":false},)"
        R"("products":[{"activation_id":"0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f","application":"Example Suite","name":"Example Suite Professional","vendor":"Example Software","kind":"client","key_kind":"setup","partial_product_key":"X44CK","license_status":2,"minutes_left":43200,)"
        R"("activation_interval":120,"renewal_interval":10080,"kms":{"configured":"host.example:1688","in_use":null,"lookup_domain":null,"host_caching":true}}],"host":null})"
        "\n"};
  }
  if (op == "sai")
    return {R"({"result":0,"message":"ok"})"
            "\n"};
  if (op == "ato") {
    return {
        R"({"result":3221549112,"message":"The activation host's count is below the threshold for this edition.","products":[]})"
        "\n"};
  }
  return {R"({"result":2147942487,"message":"unknown operation"})"
          "\n"};
}

TEST(SlmgrTest, DliEndToEnd) {
  FakeDaemon daemon(Answer);
  RunResult r = Slmgr({"--socket", daemon.socket_path(), "/dli"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Name: Example Suite Professional\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    Registered KMS machine name: host.example:1688\n"), std::string::npos);
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{R"({"op":"dli"})"});
}

TEST(SlmgrTest, SocketFromEnvironmentAndJson) {
  FakeDaemon daemon(Answer);
  RunResult r = Slmgr({"-SAI", "60", "--json"}, daemon.socket_path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"result":0,"message":"ok"})"
                   "\n");
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{R"({"op":"sai","minutes":60})"});
}

TEST(SlmgrTest, DaemonErrorExitsOne) {
  FakeDaemon daemon(Answer);
  RunResult r = Slmgr({"/ato"}, daemon.socket_path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Error: 0xC004F038 The activation host's count is below the threshold for this "
            "edition.\n");
}

TEST(SlmgrTest, UsageErrorsExitTwoWithoutAskingTheDaemon) {
  FakeDaemon daemon(Answer);
  RunResult r = Slmgr({"/sai", "5"}, daemon.socket_path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slmgr: /sai needs a number of minutes from 15 to 43200, not \"5\"\n");
  r = Slmgr({"/bogus"}, daemon.socket_path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option /bogus"), std::string::npos);
  EXPECT_TRUE(daemon.requests().empty());
}

TEST(SlmgrTest, HelpWithoutOption) {
  RunResult r = Slmgr({});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: slmgr"), std::string::npos);
}

TEST(SlmgrTest, RemoteTargetIsRefusedWithoutAConnector) {
  RunResult r = Slmgr({"server1", "admin", "pw", "/dli"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("remote management (target server1) is not available to this caller"),
            std::string::npos);
  EXPECT_EQ(r.err.find("pw"), std::string::npos);  // the password is never echoed
  r = Slmgr({"dli"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("write the option with a slash: slmgr /dli"), std::string::npos) << r.err;
}

TEST(SlmgrTest, DaemonNotRunning) {
  RunResult r = Slmgr({"/dli", "--socket", "/nonexistent/activad.sock"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "slmgr: activad is not running at /nonexistent/activad.sock (no such socket); start "
            "it with systemctl start activad, or give its socket with --socket\n");
}

}  // namespace
}  // namespace activa::slmgr

namespace activa::slmgr {
namespace {

// dli answers one product in `license_status`; rearm succeeds.
FakeDaemon::Reply RearmAnswer(const std::string& line, int license_status) {
  if (line.find("\"op\":\"dli\"") != std::string::npos) {
    return {
        R"({"result":0,"message":"ok","machine":{"name":"pc1","cmid":"6f327760-8c5e-417c-9c61-0a1c3a8d2f10","previous_cmid":null,"is_virtual_machine":false},)"
        R"("products":[{"activation_id":"0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f","application":"Example Suite","name":"Example Suite Professional","vendor":"Example Software","kind":"client","key_kind":"setup","partial_product_key":"X44CK","license_status":)" +
        std::to_string(license_status) +
        R"(,"minutes_left":43200,"activation_interval":120,"renewal_interval":10080,"kms":{"configured":null,"in_use":null,"lookup_domain":null,"host_caching":true}}],"host":null})"
        "\n"};
  }
  return {R"({"result":0,"message":"ok","rearms_left":2})"
          "\n"};
}

TEST(SlmgrTest, RearmOnALicensedEditionWarnsThatItIsInGraceAgain) {
  FakeDaemon licensed([](const std::string& line) { return RearmAnswer(line, 1); });
  RunResult r = Slmgr({"--socket", licensed.socket_path(), "/rearm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Remaining rearm count: 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Warning: Example Suite Professional was licensed; it is back in its grace "
                       "period until its next activation"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(licensed.requests(), (std::vector<std::string>{R"({"op":"dli","activation_id":"all"})",
                                                           R"({"op":"rearm"})"}));

  FakeDaemon in_grace([](const std::string& line) { return RearmAnswer(line, 2); });
  r = Slmgr({"--socket", in_grace.socket_path(), "/rearm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Warning"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace activa::slmgr
