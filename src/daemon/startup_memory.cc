#include "daemon/startup_memory.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21  // Linux 5.4; older headers lack it
#endif

namespace activa {

std::size_t ReleaseStartupMemory() {
  ::malloc_trim(0);
  std::ifstream maps("/proc/self/maps");
  std::size_t advised = 0;
  std::string line;
  while (std::getline(maps, line)) {
    // "start-end perms offset dev inode path"
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    // Files only (not [heap], [stack], [vdso] or anonymous memory), and
    // only read-only private mappings: r--p and r-xp. MADV_PAGEOUT never
    // discards contents (a page this process changed, as in a table
    // relocated and then made read-only, is swapped out or stays), but a
    // writable mapping is data in use, and a shared one (the database's
    // -shm) would be written back to its file.
    if (path.empty() || path[0] != '/') continue;
    if (perms.size() < 4 || perms[1] != '-' || perms[3] != 'p' || perms[0] != 'r') continue;
    const std::size_t dash = range.find('-');
    if (dash == std::string::npos) continue;
    const std::uintptr_t start = std::strtoull(range.substr(0, dash).c_str(), nullptr, 16);
    const std::uintptr_t end = std::strtoull(range.c_str() + dash + 1, nullptr, 16);
    if (end <= start) continue;
    // Per mapping: a locked one (or a kernel without MADV_PAGEOUT) refuses,
    // and the others still go.
    if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_PAGEOUT) == 0) ++advised;
  }
  return advised;
}

}  // namespace activa
