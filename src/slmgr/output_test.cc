#include "slmgr/output.h"

#include <gtest/gtest.h>

namespace activa::slmgr {
namespace {

// Responses shaped as in docs/management.md.
constexpr char kMachine[] =
    R"("machine": {"name": "pc1", "cmid": "6f327760-8c5e-417c-9c61-0a1c3a8d2f10",
                   "previous_cmid": null, "is_virtual_machine": false})";

constexpr char kProduct[] = R"(
{"activation_id": "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f",
 "application_id": "aa5e1f7c-3d2b-4c1a-8e9f-0b1c2d3e4f50", "application": "Example Suite",
 "name": "Example Suite Professional", "vendor": "Example Software",
 "kind": "client", "key_kind": "setup",
 "partial_product_key": "X44CK",
 "license_status": 2, "license_status_text": "Initial grace period",
 "minutes_left": 43200, "grace_end": 1795000000, "validity_end": 0,
 "rearms_left": 3,
 "last_result": 3221549172, "last_result_text": "No activation host could be contacted.",
 "last_attempt": 1794990000, "next_attempt": 1795007200, "last_activation": 0,
 "required_count": 25, "last_count": 0,
 "activation_interval": 120, "renewal_interval": 10080,
 "kms": {"configured": null, "in_use": null, "lookup_domain": null, "host_caching": true}})";

constexpr char kHost[] = R"(
{"activated": true, "vendor": "Example Software",
 "group": "Example Suite Volume", "group_id": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
 "partial_product_key": "JVFD3",
 "host_id": "c0ffee00-1111-4222-8333-444455556666",
 "counts": [{"application_id": "aa5e1f7c-3d2b-4c1a-8e9f-0b1c2d3e4f50",
             "application": "Example Suite", "count": 27, "kms_count": 27}],
 "port": 1688, "listening": ["0.0.0.0:1688", "[::]:1688"],
 "dns_publishing": true, "priority": "normal",
 "activation_interval": 120, "renewal_interval": 10080,
 "requests": {"total": 40, "failed": 24, "unlicensed": 0, "licensed": 0,
              "initial_grace": 40, "oot_grace": 0, "non_genuine_grace": 0,
              "notification": 0}})";

std::string Ok(const std::string& data) {
  return R"({"result": 0, "message": "The operation completed successfully.")" +
         (data.empty() ? std::string() : ", " + data) + "}";
}

std::string Licenses(const std::string& products, const std::string& host = "null") {
  return Ok(std::string(kMachine) + R"(, "products": [)" + products + R"(], "host": )" + host);
}

Command Cmd(std::string op, std::vector<Argument> args = {}) {
  Command c;
  c.op = std::move(op);
  c.args = std::move(args);
  c.socket = std::string(kDefaultSocket);
  return c;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(OutputTest, DescriptionDoesNotRepeatTheVendor) {
  std::string product = Replace(kProduct, R"("application": "Example Suite")",
                                R"("application": "Example Software Suite")");
  Output o = FormatResponse(Cmd("dli"), Licenses(product));
  EXPECT_NE(o.stdout_text().find("Description: Example Software Suite, VOLUME_CLIENT channel\n"),
            std::string::npos)
      << o.stdout_text();
}

TEST(OutputTest, DliClientInGrace) {
  Output o = FormatResponse(Cmd("dli"), Licenses(kProduct));
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.stderr_text(), "");
  EXPECT_EQ(o.stdout_text(),
            "Name: Example Suite Professional\n"
            "Description: Example Software Example Suite, VOLUME_CLIENT channel\n"
            "Partial Product Key: X44CK\n"
            "License Status: Initial grace period\n"
            "Time remaining: 43200 minute(s) (30 day(s))\n"
            "\n"
            "Key Management Service client information\n"
            "    Client Machine ID (CMID): 6f327760-8c5e-417c-9c61-0a1c3a8d2f10\n"
            "    KMS machine name: not set; DNS auto-discovery\n"
            "    KMS host caching is enabled\n"
            "    Activation interval: 120 minutes\n"
            "    Renewal interval: 10080 minutes\n");
}

TEST(OutputTest, DliKmsMachineNames) {
  std::string configured =
      Replace(kProduct, R"("configured": null)", R"("configured": "host.example:1688")");
  EXPECT_NE(FormatResponse(Cmd("dli"), Licenses(configured))
                .stdout_text()
                .find("    Registered KMS machine name: host.example:1688\n"),
            std::string::npos);
  std::string from_dns =
      Replace(Replace(kProduct, R"("in_use": null)", R"("in_use": "kms1.example.com:1688")"),
              R"("lookup_domain": null)", R"("lookup_domain": "corp.example.com")");
  std::string text = FormatResponse(Cmd("dli"), Licenses(from_dns)).stdout_text();
  EXPECT_NE(text.find("    KMS machine name from DNS: kms1.example.com:1688\n"
                      "    KMS SRV record lookup domain: corp.example.com\n"),
            std::string::npos)
      << text;
  std::string no_cache = Replace(kProduct, R"("host_caching": true)", R"("host_caching": false)");
  EXPECT_NE(FormatResponse(Cmd("dli"), Licenses(no_cache))
                .stdout_text()
                .find("KMS host caching is disabled\n"),
            std::string::npos);
}

TEST(OutputTest, LicensedClientShowsExpiration) {
  std::string licensed =
      Replace(Replace(Replace(kProduct, R"("license_status": 2)", R"("license_status": 1)"),
                      R"("minutes_left": 43200)", R"("minutes_left": 259200)"),
              R"("validity_end": 0)", R"("validity_end": 1811332800)");
  std::string text = FormatResponse(Cmd("dli"), Licenses(licensed)).stdout_text();
  EXPECT_NE(text.find("License Status: Licensed\n"
                      "Volume activation expiration: 259200 minute(s) (180 day(s))\n"),
            std::string::npos)
      << text;
  Output x = FormatResponse(Cmd("xpr"), Licenses(licensed));
  EXPECT_EQ(x.stdout_text(),
            "Example Suite Professional:\n"
            "    Volume activation will expire 2027-05-26 12:00:00 UTC\n");
}

TEST(OutputTest, DliHost) {
  Output o = FormatResponse(Cmd("dli"), Licenses(kProduct, kHost));
  EXPECT_EQ(o.exit_code, 0);
  std::string text = o.stdout_text();
  const std::string host_block =
      "\nKey Management Service is enabled on this machine\n"
      "    Current count: 27\n"
      "    Listening on Port: 1688\n"
      "    DNS publishing enabled\n"
      "    KMS priority: Normal\n"
      "\n"
      "Key Management Service cumulative requests received from clients\n"
      "    Total requests received: 40\n"
      "    Failed requests received: 24\n"
      "    Requests with License Status Unlicensed: 0\n"
      "    Requests with License Status Licensed: 0\n"
      "    Requests with License Status Initial grace period: 40\n"
      "    Requests with License Status License expired or Hardware out of tolerance: 0\n"
      "    Requests with License Status Non-genuine grace period: 0\n"
      "    Requests with License Status Notification: 0\n";
  ASSERT_GE(text.size(), host_block.size());
  EXPECT_EQ(text.substr(text.size() - host_block.size()), host_block) << text;
}

TEST(OutputTest, DliHostSaysTheClearinghouseIsUnreachable) {
  std::string host = kHost;
  host.replace(host.find('{'), 1,
               R"({"clearinghouse_unreachable": {"since": 1795000000, "cause": "0xC0AC0040: )"
               R"(connecting to ch.example:443: Connection refused"}, )");
  std::string text = FormatResponse(Cmd("dli"), Licenses(kProduct, host)).stdout_text();
  EXPECT_NE(text.find("    Clearinghouse: unreachable since " + FormatTime(1795000000) +
                      ": 0xC0AC0040: connecting to ch.example:443: Connection refused; the host "
                      "works on its certificate meanwhile\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(
      FormatResponse(Cmd("dli"), Licenses(kProduct, kHost)).stdout_text().find("Clearinghouse"),
      std::string::npos);
}

TEST(OutputTest, HostCountCappedAndSettings) {
  std::string host = Replace(
      Replace(Replace(kHost, R"("count": 27, "kms_count": 27)", R"("count": 73, "kms_count": 50)"),
              R"("dns_publishing": true)", R"("dns_publishing": false)"),
      R"("priority": "normal")", R"("priority": "low")");
  std::string text = FormatResponse(Cmd("dli"), Licenses("", host)).stdout_text();
  EXPECT_NE(text.find("    Current count: 73 (KMS would show 50; capped at 50)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    DNS publishing disabled\n    KMS priority: Low\n"), std::string::npos);
}

TEST(OutputTest, HostNotActivated) {
  std::string host = Replace(kHost, R"("activated": true)", R"("activated": false)");
  std::string text = FormatResponse(Cmd("dli"), Licenses("", host)).stdout_text();
  EXPECT_EQ(text.find("Key Management Service host key is installed but the host is not "
                      "activated (0xC004F041); activate it with /ato or /dti and /atp\n"),
            0u)
      << text;
  EXPECT_EQ(text.find("is enabled on this machine"), std::string::npos);
}

TEST(OutputTest, DlvAddsDetail) {
  Output o = FormatResponse(Cmd("dlv"), Licenses(kProduct, kHost));
  std::string text = o.stdout_text();
  for (const char* line : {
           "Machine name: pc1\n",
           "Virtual machine: no\n",
           "Activation ID: 0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f\n",
           "Application ID: aa5e1f7c-3d2b-4c1a-8e9f-0b1c2d3e4f50\n",
           "Remaining rearm count: 3\n",
           "Grace period ends: 2026-11-18 11:06:40 UTC\n",
           "Last activation: never\n",
           "Last result: 0xC004F074 No activation host could be contacted.\n",
           "Next attempt: 2026-11-18 13:06:40 UTC\n",
           "Required host count: 25\n",
           "    Product group: Example Suite Volume (b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e)\n",
           "    Host ID: c0ffee00-1111-4222-8333-444455556666\n",
           "    Listening on: 0.0.0.0:1688, [::]:1688\n",
           "    Renewal interval sent to clients: 10080 minutes\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n---\n" << text;
  }
}

TEST(OutputTest, XprStates) {
  EXPECT_EQ(FormatResponse(Cmd("xpr"), Licenses(kProduct)).stdout_text(),
            "Example Suite Professional:\n"
            "    Is in initial grace period, which ends 2026-11-18 11:06:40 UTC\n");
  std::string mak = Replace(Replace(kProduct, R"("key_kind": "setup")", R"("key_kind": "mak")"),
                            R"("license_status": 2)", R"("license_status": 1)");
  EXPECT_EQ(FormatResponse(Cmd("xpr"), Licenses(mak)).stdout_text(),
            "Example Suite Professional:\n    The machine is permanently activated.\n");
  // A KMS-style activation is never called permanent.
  std::string kms = Replace(kProduct, R"("license_status": 2)", R"("license_status": 1)");
  EXPECT_EQ(FormatResponse(Cmd("xpr"), Licenses(kms)).stdout_text().find("permanently"),
            std::string::npos);
  std::string oot = Replace(kProduct, R"("license_status": 2)", R"("license_status": 3)");
  EXPECT_NE(FormatResponse(Cmd("xpr"), Licenses(oot))
                .stdout_text()
                .find("Is in additional grace period (KMS license expired or hardware out of "
                      "tolerance), which ends"),
            std::string::npos);
  std::string note = Replace(kProduct, R"("license_status": 2)", R"("license_status": 5)");
  EXPECT_NE(FormatResponse(Cmd("xpr"), Licenses(note)).stdout_text().find("notification"),
            std::string::npos);
  EXPECT_EQ(FormatResponse(Cmd("xpr"), Licenses("", kHost)).stdout_text(),
            "Host key for Example Suite Volume:\n    The activation host is activated.\n");
}

TEST(OutputTest, NotificationShowsReason) {
  std::string note = Replace(kProduct, R"("license_status": 2)", R"("license_status": 5)");
  std::string text = FormatResponse(Cmd("dli"), Licenses(note)).stdout_text();
  EXPECT_NE(text.find("License Status: Notification\n"
                      "Notification Reason: 0xC004F074 No activation host could be contacted.\n"),
            std::string::npos)
      << text;
}

TEST(OutputTest, NoProducts) {
  EXPECT_EQ(FormatResponse(Cmd("dli"), Licenses("")).stdout_text(),
            "No product key is installed.\n");
}

TEST(OutputTest, LicenseStatusTexts) {
  EXPECT_EQ(LicenseStatusText(0), "Unlicensed");
  EXPECT_EQ(LicenseStatusText(1), "Licensed");
  EXPECT_EQ(LicenseStatusText(2), "Initial grace period");
  EXPECT_EQ(LicenseStatusText(3),
            "Additional grace period (KMS license expired or hardware out of tolerance)");
  EXPECT_EQ(LicenseStatusText(4), "Non-genuine grace period");
  EXPECT_EQ(LicenseStatusText(5), "Notification");
  EXPECT_EQ(LicenseStatusText(6), "Extended grace period");
  EXPECT_EQ(LicenseStatusText(7), "");
}

TEST(OutputTest, DlcTable) {
  std::string response = Ok(R"("clients": [
      {"cmid": "6f327760-8c5e-417c-9c61-0a1c3a8d2f10", "machine_name": "pc1",
       "application_id": "aa5e1f7c-3d2b-4c1a-8e9f-0b1c2d3e4f50",
       "sku_id": "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f",
       "edition": "Example Suite Professional", "last_seen": 1795000000,
       "license_state": 2, "is_virtual_machine": false, "requests": 3},
      {"cmid": "11111111-2222-4333-8444-555555555555", "machine_name": "build-server-07",
       "application_id": "aa5e1f7c-3d2b-4c1a-8e9f-0b1c2d3e4f50",
       "sku_id": "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f",
       "edition": "Example Suite Professional", "last_seen": 1795003600,
       "license_state": 1, "is_virtual_machine": true, "requests": 12}],
      "next_after": "11111111-2222-4333-8444-555555555555", "total": 5)");
  Output o = FormatResponse(Cmd("dlc"), response);
  EXPECT_EQ(o.stdout_text(),
            "Machine name     CMID                                  Edition                     "
            "Last request (UTC)   License status reported with the last request  VM   "
            "Requests\n"
            "pc1              6f327760-8c5e-417c-9c61-0a1c3a8d2f10  Example Suite Professional  "
            "2026-11-18 11:06:40  Initial grace period                           no   3\n"
            "build-server-07  11111111-2222-4333-8444-555555555555  Example Suite Professional  "
            "2026-11-18 12:06:40  Licensed                                       yes  12\n"
            "2 client(s) shown, 5 in all\n"
            "More follow: slmgr /dlc --after 11111111-2222-4333-8444-555555555555\n");
  EXPECT_EQ(FormatResponse(Cmd("dlc"), Ok(R"("clients": [], "total": 0)")).stdout_text(),
            "No client has contacted this activation host.\n");
  EXPECT_EQ(FormatResponse(Cmd("dlc"), Ok(R"("clients": [], "next_after": null, "total": 5)"))
                .stdout_text(),
            "No client after the given CMID (5 client(s) in all).\n");
  // A machine without a host key says so, rather than that no client came.
  EXPECT_EQ(FormatResponse(Cmd("dlc"), Ok(R"("clients": [], "total": 0, "is_host": false)"))
                .stdout_text(),
            "This machine is not an activation host (no host key is installed), so no client "
            "records are kept here. Run /dlc on the activation host.\n");
}

TEST(OutputTest, ControlCharactersFromClientsAreNotPrinted) {
  // A machine name is whatever a client on the network sent.
  std::string response = Ok(R"("clients": [{"cmid": "c", "machine_name": "evil\u001b[2J\u009bX\n",
       "edition": "E", "last_seen": 0, "license_state": 1, "is_virtual_machine": false,
       "requests": 1}])");
  std::string text = FormatResponse(Cmd("dlc"), response).stdout_text();
  EXPECT_NE(text.find("evil?[2J?X?  "), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(OutputTest, DaemonError) {
  Output o = FormatResponse(
      Cmd("sai", {{"minutes", std::int64_t{60}}}),
      R"({"result": 2147942405, "message": "sai needs root or the group activa-admin"})");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.stdout_text(), "");
  // The code, its one-line text, and the daemon's cause.
  EXPECT_EQ(o.stderr_text(),
            "Error: 0x80070005 Access denied: this operation needs an administrator.\n"
            "    Cause: sai needs root or the group activa-admin\n");
  // Without a message, the code's standard text.
  o = FormatResponse(Cmd("rearm"), R"({"result": 3221541639})");
  EXPECT_EQ(o.stderr_text(),
            "Error: 0xC004D307 No rearms are left; the grace period cannot be extended.\n");
  EXPECT_EQ(ErrorLine(0xC0DE0001, ""), "Error: 0xC0DE0001 Unknown error.\n");
}

TEST(OutputTest, MalformedResponses) {
  for (const char* bad : {"", "not json", "[1,2]", R"({"message": "no result"})",
                          R"({"result": -1})", R"({"result": 4294967296})", R"({"result": "0"})"}) {
    Output o = FormatResponse(Cmd("dli"), bad);
    EXPECT_EQ(o.exit_code, 1) << bad;
    EXPECT_EQ(o.stderr_text().rfind(
                  "Error: 0x8007000D The data is malformed.\n    Cause: activad's response is "
                  "malformed",
                  0),
              0u)
        << bad << ": " << o.stderr_text();
  }
  Output o = FormatResponse(Cmd("dli"), Ok(R"("products": 5)"));
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.stderr_text().find("\"products\""), std::string::npos);
  o = FormatResponse(Cmd("dti"), Ok(""));
  EXPECT_NE(o.stderr_text().find("installation_id"), std::string::npos);
  // Wrong types inside a product fall back to defaults rather than failing.
  o = FormatResponse(Cmd("dli"), Licenses(R"({"name": 5, "license_status": "x", "kms": 1})"));
  EXPECT_EQ(o.exit_code, 0);
}

TEST(OutputTest, Json) {
  Command c = Cmd("dli");
  c.json = true;
  Output o = FormatResponse(c, R"({"result": 0, "message": "ok", "products": []})"
                               "\n");
  EXPECT_EQ(o.stdout_text(), R"({"result":0,"message":"ok","products":[]})"
                             "\n");
  EXPECT_EQ(o.exit_code, 0);
  o = FormatResponse(c, R"({"result": 3221549128, "message": "host not activated"})");
  EXPECT_EQ(o.stdout_text(), R"({"result":3221549128,"message":"host not activated"})"
                             "\n");
  EXPECT_EQ(o.stderr_text(), "Error: 0xC004F048 host not activated\n");
  EXPECT_EQ(o.exit_code, 1);
}

TEST(OutputTest, Ipk) {
  Command c = Cmd("ipk", {{"key", std::string("AAAAA-BBBBB-CCCCC-DDDDD-x44ck")}});
  Output o = FormatResponse(
      c, Ok(R"("kind": "setup", "name": "Example Suite Professional", "becomes_host": false)"));
  EXPECT_EQ(o.stdout_text(),
            "Product key X44CK installed successfully (Example Suite Professional).\n");
  o = FormatResponse(c,
                     Ok(R"("kind": "host", "name": "Example Suite Volume", "becomes_host": true)"));
  std::string text = o.stdout_text();
  EXPECT_EQ(text.find("Product key X44CK installed successfully (Example Suite Volume).\nNote: "
                      "this machine is now an activation host for Example Suite Volume"),
            0u)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  // The whole key is never printed.
  EXPECT_EQ(text.find("AAAAA"), std::string::npos);
}

TEST(OutputTest, AtoFailurePrintsEveryStepInOrder) {
  std::string response =
      R"({"result": 3221549172, "message": "no SRV records", "products": [)" +
      std::string(kProduct) +
      R"j(], "attempts": [{"activation_id": "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f",
          "result": 3221549172, "cause": "...", "tried": [
          {"kind": "host", "name": "127.0.0.1:17688", "result": 3221549172,
           "message": "connection refused"},
          {"kind": "dns", "name": "_activa._tcp.corp.example", "result": 3221549172,
           "message": "no SRV records (NXDOMAIN or no data)"},
          {"kind": "dns", "name": "", "result": 3221549172,
           "message": "no DNS domain to look in"},
          {"kind": "host", "name": "kms1:1688", "result": 3221549112,
           "message": "count 3 (threshold 25)"}]}]})j";
  Output o = FormatResponse(Cmd("ato"), response);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.stderr_text(),
            "Error: 0xC004F074 No activation host could be contacted.\n"
            "    Tried in order:\n"
            "        127.0.0.1:17688: connection refused\n"
            "        SRV lookup of _activa._tcp.corp.example: no SRV records (NXDOMAIN or no "
            "data)\n"
            "        no DNS domain to look in\n"
            "        kms1:1688: 0xC004F038 count 3 (threshold 25)\n");
  // Nothing tried (the attempt failed before): the cause.
  o = FormatResponse(Cmd("ato"), R"({"result": 3221549172, "message": "x", "products": [)" +
                                     std::string(kProduct) +
                                     R"(], "attempts": [{"activation_id":
          "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f", "result": 3232497671,
          "cause": "the product was uninstalled during the attempt", "tried": []}]})");
  EXPECT_NE(o.stderr_text().find("Error: 0xC0AC0007 The requested item does not exist.\n"
                                 "    Cause: the product was uninstalled during the attempt\n"),
            std::string::npos)
      << o.stderr_text();
}

TEST(OutputTest, HostShowsThresholdsDnsProblemAndARefusedReload) {
  std::string host =
      Replace(Replace(kHost, R"("count": 27, "kms_count": 27)",
                      R"("count": 3, "kms_count": 3, "editions": [
                 {"sku_id": "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f", "name": "Pro",
                  "kind": "client", "threshold": 25, "missing": 22},
                 {"sku_id": "1f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f", "name": "Server",
                  "kind": "server", "threshold": 5, "missing": 0}])"),
              R"("dns_publishing": true)", R"("dns_publishing": true, "dns_problem": "no domain")");
  std::string data =
      std::string(kMachine) + R"(, "products": [], "host": )" + host +
      R"(, "reload_refused": {"time": 1795000000, "message": "reload refused: a.toml:2: bad"})";
  std::string text = FormatResponse(Cmd("dli"), Ok(data)).stdout_text();
  EXPECT_NE(text.find("    Current count: 3\n"
                      "        Pro (client edition): threshold 25, 22 more machine(s) needed\n"
                      "        Server (server edition): threshold 5, reached\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    DNS publishing enabled\n        but nothing is published: no domain\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("The running configuration is older than its file: the reload of "
                      "2026-11-18 11:06:40 UTC was refused (reload refused: a.toml:2: bad)"),
            std::string::npos)
      << text;
}

TEST(OutputTest, EventsNewestFirstWithTheNextPage) {
  std::string response = Ok(R"("events": [
      {"id": 9, "time": 1795003600, "event_id": 12290, "message": "Result: 0xC004F038; client: pc\u001b1; CMID: x"},
      {"id": 7, "time": 1795000000, "event_id": 12290, "message": "second"}],
      "next_before": 7)");
  Output o = FormatResponse(
      Cmd("dle", {{"event_id", std::int64_t{12290}}, {"first", std::int64_t{2}}}), response);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.stdout_text(),
            "Event 12290  2026-11-18 12:06:40 UTC  (#9)\n"
            "    Result: 0xC004F038; client: pc?1; CMID: x\n"
            "Event 12290  2026-11-18 11:06:40 UTC  (#7)\n"
            "    second\n"
            "2 event(s) shown, newest first\n"
            "More follow: slmgr /dle --id 12290 --first 2 --before 7\n");
  EXPECT_EQ(FormatResponse(Cmd("dle"), Ok(R"("events": [])")).stdout_text(),
            "No event is stored.\n");
  EXPECT_EQ(FormatResponse(Cmd("dle", {{"machine", std::string("pc1")}}), Ok(R"("events": [])"))
                .stdout_text(),
            "No stored event matches.\n");
}

TEST(OutputTest, AtoSuccessAndFailure) {
  std::string licensed =
      Replace(Replace(kProduct, R"("license_status": 2)", R"("license_status": 1)"),
              R"("last_result": 3221549172)", R"("last_result": 0)");
  Output o = FormatResponse(Cmd("ato"), Ok(R"("products": [)" + licensed + "]"));
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.stdout_text(),
            "Activating Example Suite Professional (0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f) ...\n"
            "Product activated successfully.\n");

  std::string below =
      Replace(kProduct, R"("last_result": 3221549172)", R"("last_result": 3221549112)");
  o = FormatResponse(
      Cmd("ato"),
      R"({"result": 3221549112, "message": "The activation host's count is below the threshold for this edition.", "products": [)" +
          below + "]}");
  EXPECT_EQ(o.exit_code, 1);
  ASSERT_EQ(o.chunks.size(), 2u);
  EXPECT_FALSE(o.chunks[0].to_stderr);
  EXPECT_EQ(o.chunks[0].text,
            "Activating Example Suite Professional (0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f) ...\n");
  EXPECT_TRUE(o.chunks[1].to_stderr);
  EXPECT_EQ(o.chunks[1].text,
            "Error: 0xC004F038 The activation host's count is below the threshold for this "
            "edition.\n");

  // Only the product asked for is reported.
  o = FormatResponse(
      Cmd("ato", {{"activation_id", std::string("99999999-9999-4999-8999-999999999999")}}),
      Ok(R"("products": [)" + licensed + "]"));
  EXPECT_EQ(o.stdout_text(), "Product activated successfully.\n");

  // An error with no products at all.
  o = FormatResponse(
      Cmd("ato"), R"({"result": 3221549172, "message": "No activation host could be contacted."})");
  EXPECT_EQ(o.stderr_text(), "Error: 0xC004F074 No activation host could be contacted.\n");
  EXPECT_EQ(o.exit_code, 1);
}

TEST(OutputTest, ActionConfirmations) {
  struct Case {
    Command command;
    std::string data;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {Cmd("upk"), R"("removed": "Example Suite Professional")",
       "Uninstalled product key for Example Suite Professional successfully.\n"},
      {Cmd("cpky"), "",
       "Nothing to clear: activad keeps product keys only in its state database, which only the "
       "daemon may read (and which /dti needs); no other copy is kept.\n"},
      {Cmd("dti"), R"("installation_id": "123456-234567")",
       "Installation ID: 123456-234567\nGive it to the vendor (activa-vendor confirm VENDORDIR "
       "INSTALLATION_ID) and enter the confirmation ID with /atp.\n"},
      {Cmd("atp"), R"("host": )" + std::string(kHost),
       "Confirmation ID deposited successfully.\nThe activation host for Example Suite Volume is "
       "activated.\n"},
      {Cmd("rearm"), R"("rearms_left": 2)",
       "Command completed successfully; the grace period starts again.\nRemaining rearm count: "
       "2\n"},
      {Cmd("generalize"),
       R"("cmid": "11111111-2222-4333-8444-555555555555", "previous_cmid": "6f327760-8c5e-417c-9c61-0a1c3a8d2f10")",
       "Client Machine ID (CMID) is now 11111111-2222-4333-8444-555555555555 (was "
       "6f327760-8c5e-417c-9c61-0a1c3a8d2f10); the grace period starts again.\n"},
      {Cmd("skms", {{"host", std::string("kms.example.com:1688")}}), "",
       "Key Management Service machine name set to kms.example.com:1688 successfully.\n"},
      {Cmd("ckms"), "",
       "Key Management Service machine name cleared successfully; DNS auto-discovery is used.\n"},
      {Cmd("skms_domain", {{"domain", std::string("corp.example.com")}}), "",
       "Key Management Service SRV record lookup domain set to corp.example.com successfully.\n"},
      {Cmd("ckms_domain"), "",
       "Key Management Service SRV record lookup domain cleared successfully.\n"},
      {Cmd("skhc"), "", "KMS host caching is enabled.\n"},
      {Cmd("ckhc"), "", "KMS host caching is disabled.\n"},
      {Cmd("sai", {{"minutes", std::int64_t{60}}}), "",
       "Volume activation interval set to 60 minutes successfully.\n"},
      {Cmd("sri", {{"minutes", std::int64_t{1440}}}), "",
       "Volume renewal interval set to 1440 minutes successfully.\n"},
      {Cmd("sprt", {{"port", std::int64_t{1700}}}), "",
       "KMS port set to 1700 successfully; open TCP port 1700 in the firewall.\n"},
      {Cmd("sdns"), "", "DNS publishing enabled.\n"},
      {Cmd("cdns"), "", "DNS publishing disabled.\n"},
      {Cmd("spri"), "", "KMS priority set to Normal.\n"},
      {Cmd("cpri"), "", "KMS priority set to Low.\n"},
  };
  for (const Case& c : cases) {
    Output o = FormatResponse(c.command, Ok(c.data));
    EXPECT_EQ(o.exit_code, 0) << c.command.op;
    EXPECT_EQ(o.stdout_text(), c.expected) << c.command.op;
  }
}

TEST(OutputTest, FormatTimeIsUtc) {
  EXPECT_EQ(FormatTime(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(FormatTime(1811332800), "2027-05-26 12:00:00 UTC");
}

}  // namespace
}  // namespace activa::slmgr
