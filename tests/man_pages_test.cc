// The manual pages (docs/man/*.scd) cannot drift from the programs: every
// slmgr option and flag the parser knows, every key the daemon's
// configuration reader accepts and every activa-vendor command is named in
// its page. The lists come from the code (OptionNames, FlagNames,
// DaemonConfigKeys, activa-vendor --help), never from a copy kept here.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "daemon/daemon_config.h"
#include "slmgr/command_line.h"
#include "testing/process.h"

namespace activa {
namespace {

std::string Page(const std::string& name) {
  std::string path = std::string(ACTIVA_SOURCE_DIR) + "/docs/man/" + name + ".scd";
  Result<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path << ": " << text.status().message();
  return text.ok() ? *text : "";
}

// scdoc's bold, as a page writes a name it defines: *NAME* or *NAME ...*.
bool NamesInBold(const std::string& page, const std::string& name) {
  return page.find("*" + name + "*") != std::string::npos ||
         page.find("*" + name + " ") != std::string::npos ||
         page.find("*" + name + "=") != std::string::npos;
}

TEST(ManPagesTest, SlmgrPageNamesEveryOptionAndFlag) {
  std::string page = Page("slmgr.8");
  std::vector<std::string> options = slmgr::OptionNames();
  ASSERT_GT(options.size(), 20u);
  for (const std::string& option : options) {
    EXPECT_TRUE(NamesInBold(page, option)) << "slmgr.8.scd does not describe " << option;
    // Its entry (from the line that starts with it to the blank line) gives
    // slmgr.vbs's name beside it, or says that it is Activa's own.
    std::size_t at = page.find("\n*" + option);
    if (at == std::string::npos) {
      ADD_FAILURE() << "slmgr.8.scd has no entry starting with *" << option;
      continue;
    }
    std::string entry = page.substr(at, page.find("\n\n", at + 1) - at);
    EXPECT_TRUE(entry.find("slmgr.vbs") != std::string::npos ||
                entry.find("Activa's") != std::string::npos)
        << option << "'s entry names neither its slmgr.vbs option nor says it is Activa's:\n"
        << entry;
  }
  for (const std::string& flag : slmgr::FlagNames()) {
    EXPECT_TRUE(NamesInBold(page, flag)) << "slmgr.8.scd does not describe " << flag;
  }
  EXPECT_NE(page.find("# EXIT STATUS"), std::string::npos);
}

TEST(ManPagesTest, ConfigPageNamesEveryKey) {
  std::string page = Page("activa.toml.5");
  std::vector<std::string> keys = DaemonConfigKeys();
  ASSERT_GT(keys.size(), 20u);
  for (const std::string& key : keys) {
    EXPECT_TRUE(NamesInBold(page, key)) << "activa.toml.5.scd does not describe " << key;
    // Each key's entry gives its default.
    std::size_t at = page.find("*" + key + "*");
    if (at == std::string::npos) continue;
    std::size_t next = page.find("\n*", at + 1);
    std::string entry = page.substr(at, next == std::string::npos ? next : next - at);
    bool required = entry.find("required") != std::string::npos;
    EXPECT_TRUE(required || entry.find("Default") != std::string::npos)
        << key << "'s entry gives no default";
  }
}

TEST(ManPagesTest, VendorPageNamesEveryCommand) {
  std::string page = Page("activa-vendor.1");
  testing::ProcessResult help = testing::RunProcess({ACTIVA_VENDOR_BIN, "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  // CLI11 lists them under "Subcommands:", one per line, indented.
  std::size_t at = help.out.find("Subcommands:");
  ASSERT_NE(at, std::string::npos) << help.out;
  std::istringstream lines(help.out.substr(at));
  std::string line;
  std::getline(lines, line);
  int commands = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string command;
    if (!(words >> command)) continue;
    ++commands;
    EXPECT_TRUE(NamesInBold(page, command)) << "activa-vendor.1.scd does not describe " << command;
  }
  EXPECT_GT(commands, 10);
}

// The built pages are what man shows: each renders without an error.
TEST(ManPagesTest, BuiltPagesRender) {
  for (const char* name :
       {"activad.8", "slmgr.8", "activa.toml.5", "activa-vendor.1", "libactiva.3"}) {
    std::string path = std::string(ACTIVA_MAN_DIR) + "/" + name;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "scdoc was not found: pages not built";
    testing::ProcessResult man = testing::RunProcess({"/usr/bin/man", "-l", path},
                                                     {"MANPAGER=cat", "PAGER=cat", "MANWIDTH=80"});
    EXPECT_EQ(man.exit_code, 0) << name << ": " << man.err;
    EXPECT_NE(man.out.find("NAME"), std::string::npos) << name;
    EXPECT_EQ(man.err.find("warning"), std::string::npos) << name << ": " << man.err;
  }
}

}  // namespace
}  // namespace activa
