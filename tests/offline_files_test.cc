// Offline activation with files and a QR code, as an administrator carries
// it to the vendor: slmgr /dti --out and --qr-png, activa-vendor confirm
// --in/--out, slmgr /atp --in, all real programs against a real activad.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::DaemonProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

std::string FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  return mode;
}

class OfflineFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vdir_ = dir_ / "vendor";
    ASSERT_EQ(Vendor({"init", vdir_, "--name", "Example Software"}).exit_code, 0);
    ::mkdir((dir_ / "catalogs").c_str(), 0755);
    ASSERT_EQ(Vendor({"catalog", vdir_, "-o", dir_ / "catalogs/example.json"}).exit_code, 0);
    Result<Catalog> catalog = LoadCatalog(*ReadFile(dir_ / "catalogs/example.json"));
    ASSERT_TRUE(catalog.ok());
    group_ = catalog->groups[0].name;
    DaemonProcess::Options o;
    o.state_dir = dir_ / "host";
    o.catalog_dir = dir_ / "catalogs";
    host_ = std::make_unique<DaemonProcess>(o);
  }

  static ProcessResult Vendor(std::vector<std::string> args) {
    args.insert(args.begin(), ACTIVA_VENDOR_BIN);
    return RunProcess(args);
  }
  ProcessResult Slmgr(std::vector<std::string> args) {
    args.insert(args.begin(), {SLMGR_BIN, "--socket", host_->socket_path()});
    return RunProcess(args);
  }
  std::string MintHostKey() {
    ProcessResult mint = Vendor({"mint", "host", vdir_, "--group", group_});
    EXPECT_EQ(mint.exit_code, 0) << mint.err;
    return Line(mint.out);
  }

  TempDir dir_;
  std::string vdir_;
  std::string group_;
  std::unique_ptr<DaemonProcess> host_;
};

TEST_F(OfflineFilesTest, DtiOutConfirmInOutAtpInActivatesTheHost) {
  ProcessResult ipk = Slmgr({"/ipk", MintHostKey()});
  ASSERT_EQ(ipk.exit_code, 0) << ipk.err;

  const std::string iid_file = dir_ / "iid.txt";
  ProcessResult dti = Slmgr({"/dti", "--out", iid_file});
  ASSERT_EQ(dti.exit_code, 0) << dti.err;
  const std::string shown = dti.out.substr(17, dti.out.find('\n') - 17);  // "Installation ID: "
  EXPECT_EQ(*ReadFile(iid_file), shown + "\n");
  EXPECT_EQ(FileMode(iid_file), "0600") << "the installation ID carries the host key";
  EXPECT_NE(dti.out.find("--in " + iid_file), std::string::npos) << dti.out;

  const std::string cid_file = dir_ / "cid.txt";
  ProcessResult confirm = Vendor({"confirm", vdir_, "--in", iid_file, "--out", cid_file});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  EXPECT_EQ(confirm.out, "");
  EXPECT_NE(confirm.err.find("slmgr /atp --in " + cid_file), std::string::npos) << confirm.err;

  ProcessResult atp = Slmgr({"/atp", "--in", cid_file});
  ASSERT_EQ(atp.exit_code, 0) << atp.err;
  EXPECT_NE(atp.out.find("is activated"), std::string::npos) << atp.out;
  boost::json::object dli = host_->Call({{"op", "dli"}});
  EXPECT_TRUE(dli.at("host").as_object().at("activated").as_bool()) << boost::json::serialize(dli);
}

TEST_F(OfflineFilesTest, AConfirmationFileForAnotherHostIsRefused) {
  ASSERT_EQ(Slmgr({"/ipk", MintHostKey()}).exit_code, 0);
  // Another host's installation ID, answered by the same vendor.
  DaemonProcess::Options o;
  o.state_dir = dir_ / "other";
  o.catalog_dir = dir_ / "catalogs";
  DaemonProcess other(o);
  ASSERT_EQ(
      RunProcess({SLMGR_BIN, "--socket", other.socket_path(), "/ipk", MintHostKey()}).exit_code, 0);
  ASSERT_EQ(RunProcess({SLMGR_BIN, "--socket", other.socket_path(), "/dti", "--out",
                        dir_ / "other-iid.txt"})
                .exit_code,
            0);
  ASSERT_EQ(Vendor({"confirm", vdir_, "--in", dir_ / "other-iid.txt", "--out", dir_ / "cid.txt"})
                .exit_code,
            0);
  ProcessResult atp = Slmgr({"/atp", "--in", dir_ / "cid.txt"});
  EXPECT_EQ(atp.exit_code, 1);
  EXPECT_NE(atp.err.find("0xC0AC0001"), std::string::npos) << atp.err;
  boost::json::object dli = host_->Call({{"op", "dli"}});
  EXPECT_FALSE(dli.at("host").as_object().at("activated").as_bool());
}

TEST_F(OfflineFilesTest, BadFilesSayWhatIsWrong) {
  ASSERT_EQ(Slmgr({"/ipk", MintHostKey()}).exit_code, 0);
  ProcessResult missing = Slmgr({"/atp", "--in", dir_ / "none.txt"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("none.txt"), std::string::npos) << missing.err;

  // A typing error in the file names the file and the group.
  ASSERT_EQ(Slmgr({"/dti", "--out", dir_ / "iid.txt"}).exit_code, 0);
  std::string text = *ReadFile(dir_ / "iid.txt");
  text[7] = text[7] == 'B' ? 'C' : 'B';  // group 2
  ASSERT_TRUE(WriteFileAtomic(dir_ / "typo.txt", text, 0600, true).ok());
  ProcessResult confirm = Vendor({"confirm", vdir_, "--in", dir_ / "typo.txt"});
  EXPECT_EQ(confirm.exit_code, 1);
  EXPECT_NE(confirm.err.find("typo.txt: group 2 of the installation ID"), std::string::npos)
      << confirm.err;

  ASSERT_TRUE(WriteFileAtomic(dir_ / "big.txt", std::string(10000, 'B'), 0600, true).ok());
  ProcessResult big = Slmgr({"/atp", "--in", dir_ / "big.txt"});
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_NE(big.err.find("not a confirmation ID"), std::string::npos) << big.err;
}

// What a phone reads from the QR code is the installation ID.
TEST_F(OfflineFilesTest, QrCodeDecodesToTheInstallationId) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/zbarimg"))
      << "zbarimg is missing: install zbar-tools (scripts/install-deps)";
  ASSERT_EQ(Slmgr({"/ipk", MintHostKey()}).exit_code, 0);
  const std::string png = dir_ / "iid.png";
  ProcessResult dti = Slmgr({"/dti", "--qr", "--qr-png", png});
  ASSERT_EQ(dti.exit_code, 0) << dti.err;
  const std::string iid = dti.out.substr(17, dti.out.find('\n') - 17);
  EXPECT_NE(dti.out.find("\x1b[40;97m"), std::string::npos) << "the terminal QR code";
  EXPECT_NE(dti.out.find("\u2584"), std::string::npos);
  EXPECT_EQ(FileMode(png), "0600");
  ProcessResult scan = RunProcess({"/usr/bin/zbarimg", "--quiet", "--raw", png});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(Line(scan.out), iid);
}

}  // namespace
}  // namespace activa
