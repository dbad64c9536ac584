// What an idle client activad gives back once it has started, and again
// after each pass of its loops (docs/performance.md, "The client daemon at
// rest").
//
// Most of an idle client's resident memory is not its own data (about
// 1.5 MB of heap, stacks and relocated tables) but pages of the executable
// and the shared libraries that start-up touched once: reading the
// configuration and catalogs, opening and migrating the state database,
// dynamic linking. They stay mapped, and counted in the RSS, until the
// kernel needs the memory. ReleaseStartupMemory() hands them back at once:
// free heap to the kernel (malloc_trim), and the read-only file-backed
// mappings (code, constants, symbol tables) advised MADV_PAGEOUT, so the
// pages no other process maps leave this one. Whatever the daemon runs
// next faults its pages back in from the page cache (or the disk, if the
// kernel dropped them meanwhile): nothing is lost, a first request after
// the release costs some page faults (from the disk when the release took
// the last mapping of a page, which frees it: so the daemon releases only
// a minute after its last pass, not after every request).
//
// Writable mappings (data, the SQLite shared-memory file) are never
// advised, and MADV_PAGEOUT never discards a page's contents: a page this
// process changed is swapped out, or stays. On a kernel without
// MADV_PAGEOUT (before Linux 5.4) only the heap is trimmed.
//
// Thread safety: may be called from any thread at any time; it changes no
// memory's contents.
#ifndef ACTIVA_DAEMON_STARTUP_MEMORY_H_
#define ACTIVA_DAEMON_STARTUP_MEMORY_H_

#include <cstddef>

namespace activa {

// Returns how many mappings were advised (0 when the kernel refused them
// all, or /proc/self/maps could not be read).
std::size_t ReleaseStartupMemory();

}  // namespace activa

#endif  // ACTIVA_DAEMON_STARTUP_MEMORY_H_
