// `cmake --install` as docs/activad.md describes it, into a DESTDIR: the
// unit it writes starts the daemon it installed, with the configuration it
// installed, and the group activa-admin is declared for systemd-sysusers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "base/file_util.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

// The words of the unit's ExecStart= line.
std::vector<std::string> ExecStart(const std::string& unit) {
  std::istringstream lines(unit);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("ExecStart=")) continue;
    std::istringstream words(line.substr(10));
    std::vector<std::string> out;
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }
  return {};
}

// Installs the build into `destdir` under `prefix`; checks what the unit
// names exists there. `sysconfdir` is where the configuration must land.
void InstallAndCheck(const std::string& destdir, const std::string& prefix,
                     const std::string& sysconfdir) {
  ProcessResult install =
      RunProcess({CMAKE_COMMAND, "--install", ACTIVA_BUILD_DIR_PATH, "--prefix", prefix},
                 {"DESTDIR=" + destdir});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;

  Result<std::string> unit = ReadFile(destdir + prefix + "/lib/systemd/system/activad.service");
  ASSERT_TRUE(unit.ok()) << unit.status().ToString() << "\n" << install.out;
  std::vector<std::string> exec = ExecStart(*unit);
  ASSERT_EQ(exec.size(), 3u) << *unit;
  EXPECT_EQ(exec[0], prefix + "/sbin/activad");
  EXPECT_EQ(::access((destdir + exec[0]).c_str(), X_OK), 0)
      << "ExecStart names " << exec[0] << ", which the install did not put there";
  EXPECT_EQ(exec[1], "--config");
  EXPECT_EQ(exec[2], sysconfdir + "/activa/activa.toml");
  EXPECT_TRUE(std::filesystem::is_regular_file(destdir + exec[2])) << exec[2];

  Result<std::string> sysusers = ReadFile(destdir + prefix + "/lib/sysusers.d/activa.conf");
  ASSERT_TRUE(sysusers.ok()) << sysusers.status().ToString();
  EXPECT_NE(sysusers->find("\ng activa-admin -\n"), std::string::npos) << *sysusers;

  // PAM for remote logins (docs/remote.md), beside the configuration.
  Result<std::string> pam = ReadFile(destdir + sysconfdir + "/pam.d/activa");
  ASSERT_TRUE(pam.ok()) << pam.status().ToString() << "\n" << install.out;
  EXPECT_NE(pam->find("@include common-auth"), std::string::npos) << *pam;
  EXPECT_NE(pam->find("@include common-account"), std::string::npos) << *pam;

  for (const char* program : {"/bin/slmgr", "/bin/activa-vendor"}) {
    EXPECT_EQ(::access((destdir + prefix + program).c_str(), X_OK), 0) << program;
  }
}

// The prefix the documentation uses (the release preset's).
TEST(InstallTest, UsrPrefixUnitStartsTheInstalledDaemonWithEtcConfig) {
  TempDir dir;
  InstallAndCheck(dir.path(), "/usr", "/etc");
}

TEST(InstallTest, OtherPrefixesGetAUnitOfTheirOwn) {
  TempDir dir;
  InstallAndCheck(dir.path(), "/opt/activa", "/opt/activa/etc");
}

TEST(InstallTest, AnAdministratorsConfigurationIsKept) {
  TempDir dir;
  ASSERT_TRUE(std::filesystem::create_directories(dir / "etc/activa"));
  ASSERT_TRUE(
      WriteFileAtomic(dir / "etc/activa/activa.toml", "[host]\nport = 1700\n", 0644, false).ok());
  InstallAndCheck(dir.path(), "/usr", "/etc");
  EXPECT_EQ(*ReadFile(dir / "etc/activa/activa.toml"), "[host]\nport = 1700\n");
}

}  // namespace
}  // namespace activa
