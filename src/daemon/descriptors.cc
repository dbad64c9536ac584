#include "daemon/descriptors.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace activa {

namespace {

int reserve_fd = -1;

}  // namespace

std::uint64_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

void HoldReserveDescriptor() {
  if (reserve_fd < 0) reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int RefuseWhenOutOfDescriptors(int listen_fd, int error, int max) {
  if (error != EMFILE && error != ENFILE) return 0;
  if (reserve_fd >= 0) {
    ::close(reserve_fd);
    reserve_fd = -1;
  }
  int refused = 0;
  while (refused < max) {
    // Only what is waiting now: poll first, since the listening socket may
    // be a blocking one and an accept on an empty queue would stop the loop.
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1 || (p.revents & POLLIN) == 0) break;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) break;  // still out (another thread took the slot), or gone
    ::close(fd);
    ++refused;
  }
  HoldReserveDescriptor();
  return refused;
}

}  // namespace activa
