#include "daemon/startup_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace activa {
namespace {

constexpr std::size_t kPages = 64;

// A file of kPages pages, each filled with its own number, on disk and
// clean in the page cache (fsync'd: a dirty page is not reclaimed).
class StartupMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-memory-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    path_ = dir_ + "/pages";
    int fd = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    for (std::size_t i = 0; i < kPages; ++i) {
      std::vector<char> page(page_, static_cast<char>(i));
      ASSERT_EQ(::write(fd, page.data(), page.size()), static_cast<ssize_t>(page.size()));
    }
    ASSERT_EQ(::fsync(fd), 0);
    ::close(fd);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Maps the file with `prot` (MAP_PRIVATE) and touches every page.
  char* Map(int prot) {
    int fd = ::open(path_.c_str(), O_RDONLY);
    if (fd < 0) return nullptr;
    void* p = ::mmap(nullptr, kPages * page_, prot, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return nullptr;
    char* m = static_cast<char*>(p);
    volatile char sum = 0;
    for (std::size_t i = 0; i < kPages; ++i) sum = sum + m[i * page_];
    return m;
  }

  // The resident kB of the mapping that starts at `m`, from smaps.
  static long RssKb(const char* m) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool in = false;
    while (std::getline(smaps, line)) {
      const std::size_t dash = line.find('-');
      if (dash != std::string::npos && line.find(' ') > dash && std::isxdigit(line[0])) {
        in = std::strtoull(line.substr(0, dash).c_str(), nullptr, 16) ==
             reinterpret_cast<std::uintptr_t>(m);
      } else if (in && line.rfind("Rss:", 0) == 0) {
        return std::strtol(line.c_str() + 4, nullptr, 10);
      }
    }
    return -1;
  }

  std::string dir_;
  std::string path_;
  std::size_t page_ = 0;
};

// Code and constants touched once stay counted in the RSS: the release
// takes them out of the process.
TEST_F(StartupMemoryTest, ReadOnlyFilePagesLeaveTheProcess) {
  char* m = Map(PROT_READ);
  ASSERT_NE(m, nullptr);
  const long before = RssKb(m);
  ASSERT_GE(before, static_cast<long>(kPages * page_ / 1024));
  if (ReleaseStartupMemory() == 0) {
    ::munmap(m, kPages * page_);
    GTEST_SKIP() << "this kernel has no MADV_PAGEOUT";
  }
  EXPECT_LT(RssKb(m), before);
  // And they come back, as they were, when read again.
  for (std::size_t i = 0; i < kPages; ++i) ASSERT_EQ(m[i * page_], static_cast<char>(i));
  ::munmap(m, kPages * page_);
}

// A private mapping changed in place and then made read-only, as the
// dynamic linker does with the tables it relocates (RELRO): the release
// must keep the changes. A release that discarded pages (MADV_DONTNEED)
// would bring back the file's bytes here, and in a real daemon crash it.
TEST_F(StartupMemoryTest, ChangedPagesKeepTheirContents) {
  char* m = Map(PROT_READ | PROT_WRITE);
  ASSERT_NE(m, nullptr);
  for (std::size_t i = 0; i < kPages; ++i) m[i * page_] = static_cast<char>(0x40 + i);
  ASSERT_EQ(::mprotect(m, kPages * page_ / 2, PROT_READ), 0);  // half r--p, half rw-p
  ReleaseStartupMemory();
  for (std::size_t i = 0; i < kPages; ++i) {
    ASSERT_EQ(m[i * page_], static_cast<char>(0x40 + i)) << "page " << i;
  }
  ::munmap(m, kPages * page_);
}

}  // namespace
}  // namespace activa
