#include "slmgr/command_line.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace activa::slmgr {
namespace {

constexpr char kSku[] = "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f";

Command Parse(std::vector<std::string> args, std::string_view env = "") {
  ParseResult r = ParseCommandLine(args, env);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.ok() ? *r.command : Command{};
}

std::string Error(std::vector<std::string> args) {
  ParseResult r = ParseCommandLine(args, "");
  EXPECT_FALSE(r.ok());
  return r.error;
}

Argument Str(std::string name, std::string value) { return {std::move(name), std::move(value)}; }
Argument Num(std::string name, std::int64_t value) { return {std::move(name), value}; }

TEST(CommandLineTest, NoOptionIsHelp) {
  Command c = Parse({});
  EXPECT_TRUE(c.help());
  EXPECT_EQ(c.socket, kDefaultSocket);
  EXPECT_TRUE(Parse({"/?"}).help());
  EXPECT_TRUE(Parse({"--help"}).help());
  EXPECT_TRUE(Parse({"-?"}).help());
  EXPECT_TRUE(Parse({"/dli", "/?"}).help());
}

TEST(CommandLineTest, ThreePrefixesAndAnyCase) {
  for (const char* spelling : {"/dli", "-dli", "--dli", "/DLI", "-Dli", "--dLi"}) {
    Command c = Parse({spelling});
    EXPECT_EQ(c.op, "dli") << spelling;
    EXPECT_EQ(c.option, "/dli");
    EXPECT_TRUE(c.args.empty());
  }
  EXPECT_EQ(Parse({"/SKMS-DOMAIN", "corp.example.com"}).op, "skms_domain");
  EXPECT_EQ(Parse({"--Ckms-Domain"}).op, "ckms_domain");
}

TEST(CommandLineTest, EveryOptionMapsToItsOperation) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"/ipk", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}, "ipk"},
      {{"/upk"}, "upk"},
      {{"/cpky"}, "cpky"},
      {{"/ato"}, "ato"},
      {{"/dli"}, "dli"},
      {{"/dlv"}, "dlv"},
      {{"/xpr"}, "xpr"},
      {{"/dti"}, "dti"},
      {{"/atp", "123456-123456"}, "atp"},
      {{"/rearm"}, "rearm"},
      {{"/generalize"}, "generalize"},
      {{"/skms", "kms.example.com"}, "skms"},
      {{"/ckms"}, "ckms"},
      {{"/skms-domain", "example.com"}, "skms_domain"},
      {{"/ckms-domain"}, "ckms_domain"},
      {{"/skhc"}, "skhc"},
      {{"/ckhc"}, "ckhc"},
      {{"/sai", "120"}, "sai"},
      {{"/sri", "10080"}, "sri"},
      {{"/sprt", "1688"}, "sprt"},
      {{"/sdns"}, "sdns"},
      {{"/cdns"}, "cdns"},
      {{"/spri"}, "spri"},
      {{"/cpri"}, "cpri"},
      {{"/dlc"}, "dlc"},
  };
  for (const auto& [args, op] : cases) {
    EXPECT_EQ(Parse(args).op, op) << args[0];
    EXPECT_EQ(OperationForOption(args[0].substr(1)), op);
  }
  EXPECT_EQ(OperationForOption("nope"), std::nullopt);
}

TEST(CommandLineTest, Arguments) {
  EXPECT_EQ(Parse({"/ipk", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}).args,
            std::vector{Str("key", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")});
  EXPECT_EQ(Parse({"/atp", "111111-222222"}).args,
            std::vector{Str("confirmation_id", "111111-222222")});
  EXPECT_EQ(Parse({"/sai", "15"}).args, std::vector{Num("minutes", 15)});
  EXPECT_EQ(Parse({"/sri", "43200"}).args, std::vector{Num("minutes", 43200)});
  EXPECT_EQ(Parse({"/sprt", "65535"}).args, std::vector{Num("port", 65535)});
  EXPECT_EQ(Parse({"/skms-domain", "corp.example.com."}).args,
            std::vector{Str("domain", "corp.example.com.")});
}

TEST(CommandLineTest, ActivationIds) {
  EXPECT_EQ(Parse({"/dli", "All"}).args, std::vector{Str("activation_id", "all")});
  EXPECT_EQ(Parse({"/xpr", "ALL"}).args, std::vector{Str("activation_id", "all")});
  // Normalised to lower case; braces accepted as Windows prints them.
  EXPECT_EQ(Parse({"/dlv", "{0F8C2D9E-1B7A-4C3E-9D2F-5A6B7C8D9E0F}"}).args,
            std::vector{Str("activation_id", kSku)});
  EXPECT_EQ(Parse({"/ato", kSku}).args, std::vector{Str("activation_id", kSku)});
  EXPECT_EQ(Parse({"/upk", kSku}).args, std::vector{Str("activation_id", kSku)});
  // A MAK product's offline activation: /dti [ID], /atp CID [ID].
  EXPECT_EQ(Parse({"/dti", kSku}).args, std::vector{Str("activation_id", kSku)});
  EXPECT_TRUE(Parse({"/dti"}).args.empty());
  EXPECT_EQ(Parse({"/atp", "111111-222222", kSku}).args,
            (std::vector{Str("confirmation_id", "111111-222222"), Str("activation_id", kSku)}));
  EXPECT_NE(Error({"/atp", "111111-222222", "nope"}).find("is not an activation ID"),
            std::string::npos);
  EXPECT_NE(Error({"/atp", "111111-222222", kSku, kSku}).find("unexpected argument"),
            std::string::npos);
  EXPECT_NE(Error({"/ipk", "AAAAA", kSku}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(Error({"/ato", "all"}).find("is not an activation ID"), std::string::npos);
  EXPECT_NE(Error({"/upk", "all"}).find("/upk"), std::string::npos);
  std::string e = Error({"/dli", "12345"});
  EXPECT_NE(e.find("/dli"), std::string::npos);
  EXPECT_NE(e.find("or All"), std::string::npos);
}

TEST(CommandLineTest, NumericRanges) {
  for (const char* bad : {"14", "43201", "0", "-5", "abc", "1e3", "+20", "", "99999999999"}) {
    std::string e = Error({"/sai", bad});
    EXPECT_NE(e.find("/sai needs a number of minutes from 15 to 43200"), std::string::npos) << e;
  }
  EXPECT_NE(Error({"/sri", "10"}).find("/sri needs a number of minutes from 15 to 43200"),
            std::string::npos);
  for (const char* bad : {"0", "65536", "port", "-1"}) {
    EXPECT_NE(Error({"/sprt", bad}).find("/sprt needs a port number from 1 to 65535"),
              std::string::npos)
        << bad;
  }
}

TEST(CommandLineTest, DleFilters) {
  EXPECT_EQ(BuildRequest(Parse({"/dle"})), R"({"op":"dle"})");
  EXPECT_EQ(
      BuildRequest(Parse({"/DLE", "--id", "12290", "--since", "2026-12-01 09:30", "--machine",
                          "pc1", "--result", "0xC004F038", "--first=20", "--before", "4711"})),
      R"({"op":"dle","event_id":12290,"since":1796117400,"machine":"pc1",)"
      R"("result":3221549112,"first":20,"before":4711})");
  // The forms of a time, all UTC.
  EXPECT_EQ(Parse({"/dle", "--since", "2026-12-01"}).args, std::vector{Num("since", 1796083200)});
  EXPECT_EQ(Parse({"/dle", "--since", "2026-12-01T09:30:15Z"}).args,
            std::vector{Num("since", 1796117415)});
  EXPECT_EQ(Parse({"/dle", "--since", "1796083200"}).args, std::vector{Num("since", 1796083200)});
  EXPECT_NE(Error({"/dle", "--since", "yesterday"}).find("--since needs a UTC time"),
            std::string::npos);
  EXPECT_NE(Error({"/dle", "--since", "2026-13-01"}).find("--since"), std::string::npos);
  EXPECT_NE(Error({"/dle", "--result", "C004F038"}).find("--result needs a result code"),
            std::string::npos);
  EXPECT_NE(Error({"/dle", "--id", "x"}).find("--id needs an event ID"), std::string::npos);
  EXPECT_NE(Error({"/dli", "--id", "12290"}).find("go with /dle only"), std::string::npos);
}

TEST(CommandLineTest, DlcPaging) {
  const char* cmid = "6f327760-8c5e-417c-9c61-0a1c3a8d2f10";
  EXPECT_EQ(
      Parse({"/dlc", "--first", "50", "--after", "{6F327760-8C5E-417C-9C61-0A1C3A8D2F10}"}).args,
      (std::vector{Num("first", 50), Str("after", cmid)}));
  EXPECT_EQ(Parse({"--first=1000", "/dlc", "--json"}).args, std::vector{Num("first", 1000)});
  EXPECT_EQ(BuildRequest(Parse({"/dlc", "--after", cmid, "--first", "2"})),
            R"({"op":"dlc","first":2,"after":"6f327760-8c5e-417c-9c61-0a1c3a8d2f10"})");
  EXPECT_EQ(BuildRequest(Parse({"/dlc"})), R"({"op":"dlc"})");
  for (const char* bad : {"0", "1001", "x", ""}) {
    EXPECT_NE(Error({"/dlc", "--first", bad}).find("--first needs a number from 1 to 1000"),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(Error({"/dlc", "--after", "pc1"}).find("--after needs a client machine ID"),
            std::string::npos);
  EXPECT_NE(Error({"/dli", "--first", "5"}).find("--first goes with /dlc and /dle only"),
            std::string::npos);
}

TEST(CommandLineTest, KmsHostSyntax) {
  for (const char* good : {"kms", "kms.example.com", "kms.example.com:1688", "10.0.0.5",
                           "10.0.0.5:1700", "[2001:db8::1]", "[2001:db8::1]:1688",
                           "[fe80::1%eth0]:1688", "KMS_01", "kms.example.com.:1688"}) {
    EXPECT_EQ(Parse({"/skms", good}).args, std::vector{Str("host", good)}) << good;
  }
  EXPECT_NE(Error({"/skms", ":1688"}).find("a port alone is not supported"), std::string::npos);
  EXPECT_NE(Error({"/skms", "2001:db8::1"}).find("in brackets"), std::string::npos);
  EXPECT_NE(Error({"/skms", "[2001:db8::1"}).find("no closing ]"), std::string::npos);
  EXPECT_NE(Error({"/skms", "[kms.example]"}).find("is not an IPv6 address"), std::string::npos);
  EXPECT_NE(Error({"/skms", "[fe80::1%]"}).find("is not an IPv6 address"), std::string::npos);
  EXPECT_NE(Error({"/skms", "[::1]1688"}).find("expected :Port"), std::string::npos);
  EXPECT_NE(Error({"/skms", "10.0.0.300"}).find("not a valid host name or IPv4"),
            std::string::npos);
  EXPECT_NE(Error({"/skms", "kms..example"}).find("not a valid host name"), std::string::npos);
  EXPECT_NE(Error({"/skms", "-kms"}).find("not a valid host name"), std::string::npos);
  EXPECT_NE(Error({"/skms", "kms:0"}).find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(Error({"/skms", "kms:"}).find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(Error({"/skms", "[::1]:99999"}).find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(Error({"/skms-domain", "bad domain"}).find("not a valid DNS domain"),
            std::string::npos);
}

TEST(CommandLineTest, MissingAndExtraArguments) {
  EXPECT_EQ(Error({"/ipk"}), "/ipk needs an argument: /ipk <Product Key>");
  EXPECT_NE(Error({"/sai"}).find("/sai needs an argument"), std::string::npos);
  EXPECT_NE(Error({"/skms"}).find("/skms needs an argument"), std::string::npos);
  EXPECT_NE(Error({"/atp"}).find("<Confirmation ID>"), std::string::npos);
  EXPECT_EQ(Error({"/rearm", "now"}), "unexpected argument \"now\" after /rearm");
  EXPECT_EQ(Error({"/dli", "all", "more"}), "unexpected argument \"more\" after /dli");
  EXPECT_EQ(Error({"/dli", "/dlv"}), "only one option at a time: /dli and /dlv");
}

TEST(CommandLineTest, OfflineActivationFiles) {
  Command dti = Parse({"/dti", "--out", "iid.txt", "--qr", "--qr-png=iid.png"});
  EXPECT_EQ(dti.out_file, "iid.txt");
  EXPECT_TRUE(dti.qr);
  EXPECT_EQ(dti.qr_png, "iid.png");
  EXPECT_TRUE(dti.args.empty());

  // --in stands for the confirmation ID, which RunSlmgr() reads from the file.
  Command atp = Parse({"--in", "cid.txt", "/atp"});
  EXPECT_EQ(atp.in_file, "cid.txt");
  EXPECT_TRUE(atp.args.empty());

  EXPECT_EQ(Error({"/atp", "BBBBB", "--in", "cid.txt"}),
            "/atp takes the confirmation ID or --in FILE, not both");
  // A MAK's activation ID may follow --in, as it follows a typed ID.
  Command mak = Parse({"/atp", "--in", "cid.txt", "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f"});
  EXPECT_EQ(mak.args, std::vector{Str("activation_id", "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f")});
  EXPECT_EQ(Error({"/dli", "--out", "x"}), "--out goes with /dti only");
  EXPECT_EQ(Error({"/atp", "--qr"}), "--qr goes with /dti only");
  EXPECT_EQ(Error({"/dti", "--in", "x"}), "--in goes with /atp only");
  EXPECT_EQ(Error({"/dti", "--out"}), "--out needs a file path");
  EXPECT_EQ(Error({"/atp", "--in="}), "--in needs a file path");
}

TEST(CommandLineTest, HelpTellsWhatCpkyAndRearmDo) {
  const std::string help = HelpText();
  EXPECT_NE(help.find("state database, which only activad reads"), std::string::npos) << help;
  EXPECT_NE(help.find("every installed edition, as slmgr.vbs's"), std::string::npos) << help;
  EXPECT_NE(help.find("in grace again until reactivated"), std::string::npos) << help;
  EXPECT_NE(help.find("--in FILE"), std::string::npos) << help;
}

TEST(CommandLineTest, UnknownOption) {
  std::string e = Error({"/frobnicate"});
  EXPECT_NE(e.find("unknown option /frobnicate"), std::string::npos);
  EXPECT_NE(Error({"-lil", "x"}).find("unknown option -lil"), std::string::npos);
}

TEST(CommandLineTest, GlobalFlagsAnywhere) {
  Command c = Parse({"--json", "/dli"});
  EXPECT_TRUE(c.json);
  c = Parse({"/sai", "--json", "60"});
  EXPECT_TRUE(c.json);
  EXPECT_EQ(c.args, std::vector{Num("minutes", 60)});
  c = Parse({"/dli", "--socket", "/tmp/a.sock"}, "/env.sock");
  EXPECT_EQ(c.socket, "/tmp/a.sock");
  c = Parse({"--socket=/tmp/b.sock", "/dli"});
  EXPECT_EQ(c.socket, "/tmp/b.sock");
  EXPECT_EQ(Parse({"/dli"}, "/env.sock").socket, "/env.sock");
  EXPECT_EQ(Error({"/dli", "--socket"}), "--socket needs a path");
  EXPECT_EQ(Error({"--socket=", "/dli"}), "--socket needs a path");
}

TEST(CommandLineTest, TargetUserPassword) {
  Command c = Parse({"server1", "admin", "secret", "/dli"});
  EXPECT_EQ(c.target, "server1");
  EXPECT_EQ(c.op, "dli");
  EXPECT_EQ(Parse({"server1"}).target, "server1");
  EXPECT_NE(Error({"a", "b", "c", "d", "/dli"}).find("at most TARGET USER PASSWORD"),
            std::string::npos);
}

TEST(CommandLineTest, BuildRequest) {
  EXPECT_EQ(BuildRequest(Parse({"/dli"})), R"({"op":"dli"})");
  EXPECT_EQ(BuildRequest(Parse({"/dli", "all"})), R"({"op":"dli","activation_id":"all"})");
  EXPECT_EQ(BuildRequest(Parse({"/sai", "60"})), R"({"op":"sai","minutes":60})");
  EXPECT_EQ(BuildRequest(Parse({"/skms-domain", "example.com"})),
            R"({"op":"skms_domain","domain":"example.com"})");
  EXPECT_EQ(BuildRequest(Parse({"/ipk", "A\"B"})), R"({"op":"ipk","key":"A\"B"})");
}

TEST(CommandLineTest, HelpListsEveryOptionInGroups) {
  std::string help = HelpText();
  for (const char* option :
       {"/ipk",         "/upk",  "/cpky",  "/ato",        "/dli",     "/dlv",   "/xpr",
        "/dti",         "/atp",  "/rearm", "/generalize", "/skms ",   "/ckms ", "/skms-domain",
        "/ckms-domain", "/skhc", "/ckhc",  "/sai",        "/sri",     "/sprt",  "/sdns",
        "/cdns",        "/spri", "/cpri",  "/dlc",        "--socket", "--json"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  EXPECT_LT(help.find("Global options"), help.find("Installing and activating"));
  EXPECT_LT(help.find("Installing and activating"), help.find("Viewing license information"));
  EXPECT_LT(help.find("client options"), help.find("host options"));
  // Every line fits a 100-column terminal.
  std::size_t start = 0;
  while (start < help.size()) {
    std::size_t end = help.find('\n', start);
    EXPECT_LE(end - start, 100u) << help.substr(start, end - start);
    start = end + 1;
  }
}

// FlagNames() feeds slmgr(8) and the bash completion: each flag in it must
// be one the parser takes (not "unknown option"), and an unknown one must not
// pass for a flag.
TEST(CommandLineTest, EveryListedFlagParses) {
  for (const std::string& flag : FlagNames()) {
    // First, where an unknown --word is taken for an option and refused.
    ParseResult r = ParseCommandLine({flag, "x", "/dli"}, "");
    EXPECT_EQ(r.error.find("unknown option"), std::string::npos) << flag << ": " << r.error;
  }
  EXPECT_NE(Error({"--no-such-flag", "x", "/dli"}).find("unknown option"), std::string::npos);
  // The bash completion (packaging/bash-completion/slmgr) reads the options
  // and flags from the help text.
  std::string help = HelpText();
  for (const std::string& flag : FlagNames()) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " is not in slmgr's help";
  }
  for (const std::string& option : OptionNames()) {
    EXPECT_NE(help.find("  " + option + " "), std::string::npos) << option;
  }
}

TEST(CommandLineTest, OptionNamesAreTheParsersOptions) {
  std::vector<std::string> names = OptionNames();
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    EXPECT_TRUE(OperationForOption(name.substr(1)).has_value()) << name;
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "/skms-domain"), names.end());
}

}  // namespace
}  // namespace activa::slmgr
