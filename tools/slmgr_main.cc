// slmgr: see src/slmgr/slmgr.h.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "slmgr/slmgr.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_socket = std::getenv("ACTIVA_SOCKET");
  return activa::slmgr::RunSlmgr(args, env_socket == nullptr ? "" : env_socket, std::cout,
                                 std::cerr);
}
