#include "slmgr/qr_code.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "keys/activation_codes.h"
#include "keys/product_key.h"

namespace activa::slmgr {
namespace {

// The installation ID of docs/keys.md's test vector.
std::string ExampleInstallationId() {
  InstallationId id;
  for (int i = 0; i < 8; ++i) id.machine_tag[i] = static_cast<std::uint8_t>(0x10 + i);
  for (int i = 0; i < 32; ++i) id.host_public_key[i] = static_cast<std::uint8_t>(0xa0 + i);
  Result<ProductKey> key = ParseProductKey("JBTC2-6V47J-G3GM6-Q3W28-P3KWK");
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  id.host_key = *key;
  return FormatInstallationId(id);
}

// Reads RenderQrTerminal's half blocks back into modules, quiet zone
// stripped: what a camera sees on the screen.
QrCode FromTerminal(const std::string& text, int size) {
  QrCode code;
  code.size = size;
  code.dark.assign(static_cast<std::size_t>(size) * size, false);
  const int side = size + 2 * kQrQuietZone;
  std::size_t pos = 0;
  for (int y = 0; y < side; y += 2) {
    const std::string start = "\x1b[40;97m";
    EXPECT_EQ(text.compare(pos, start.size(), start), 0) << "row " << y;
    pos += start.size();
    for (int x = 0; x < side; ++x) {
      bool top = false, bottom = false;
      if (text.compare(pos, 3, "\u2588") == 0) {
        top = bottom = true;
        pos += 3;
      } else if (text.compare(pos, 3, "\u2580") == 0) {
        top = true;
        pos += 3;
      } else if (text.compare(pos, 3, "\u2584") == 0) {
        bottom = true;
        pos += 3;
      } else {
        EXPECT_EQ(text[pos], ' ') << "row " << y << " column " << x;
        pos += 1;
      }
      const int mx = x - kQrQuietZone;
      for (const auto& [my, light] :
           {std::pair{y - kQrQuietZone, top}, std::pair{y + 1 - kQrQuietZone, bottom}}) {
        const bool inside = mx >= 0 && my >= 0 && mx < size && my < size;
        if (inside) {
          code.dark[static_cast<std::size_t>(my) * size + mx] = !light;
        } else if (my < size + kQrQuietZone) {
          EXPECT_TRUE(light) << "the quiet zone is light, at " << x << "," << y;
        }
      }
    }
    const std::string end = "\x1b[0m\n";
    EXPECT_EQ(text.compare(pos, end.size(), end), 0) << "row " << y;
    pos += end.size();
  }
  EXPECT_EQ(pos, text.size());
  return code;
}

// zbarimg's reading of the image, without its trailing newline.
std::string Decode(const std::string& png) {
  const std::string command = "zbarimg --quiet --raw '" + png + "' 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "(popen failed)";
  std::string out;
  std::array<char, 512> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) return "(zbarimg failed: " + out + ")";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

class QrCodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "qr_code_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(QrCodeTest, InstallationIdFitsVersionSix) {
  const std::string iid = ExampleInstallationId();
  ASSERT_EQ(iid.size(), 143u);
  Result<QrCode> code = EncodeQrCode(iid);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  // Version v is 17 + 4v modules wide; the alphanumeric mode keeps it at 6.
  EXPECT_EQ(code->size, 41);
}

TEST_F(QrCodeTest, TerminalAndPngDecodeToTheInstallationId) {
  if (!std::filesystem::exists("/usr/bin/zbarimg")) {
    FAIL() << "zbarimg is missing: install zbar-tools (scripts/install-deps)";
  }
  const std::string iid = ExampleInstallationId();
  Result<QrCode> code = EncodeQrCode(iid);
  ASSERT_TRUE(code.ok());
  // What the terminal shows is the same matrix ...
  QrCode shown = FromTerminal(RenderQrTerminal(*code), code->size);
  EXPECT_EQ(shown, *code);
  // ... and that matrix, as an image, reads back as the installation ID.
  const std::string png = (dir_ / "iid.png").string();
  ASSERT_TRUE(WriteQrPng(shown, png).ok());
  EXPECT_EQ(Decode(png), iid);
}

TEST_F(QrCodeTest, AnImageOfOtherModulesDoesNotDecodeToTheId) {
  if (!std::filesystem::exists("/usr/bin/zbarimg")) {
    FAIL() << "zbarimg is missing: install zbar-tools (scripts/install-deps)";
  }
  const std::string iid = ExampleInstallationId();
  Result<QrCode> other = EncodeQrCode(iid.substr(0, 137) + "BBBBB-");
  ASSERT_TRUE(other.ok());
  const std::string png = (dir_ / "other.png").string();
  ASSERT_TRUE(WriteQrPng(*other, png).ok());
  EXPECT_NE(Decode(png), iid);
}

TEST_F(QrCodeTest, EmptyTextIsRefused) {
  EXPECT_EQ(EncodeQrCode("").status().code(), ResultCode::kInvalidArgument);
}

TEST_F(QrCodeTest, PngIsOwnerOnly) {
  Result<QrCode> code = EncodeQrCode("ABC");
  ASSERT_TRUE(code.ok());
  const std::string png = (dir_ / "a.png").string();
  ASSERT_TRUE(WriteQrPng(*code, png).ok());
  EXPECT_EQ(std::filesystem::status(png).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace
}  // namespace activa::slmgr
