// slmgr: see src/slmgr/slmgr.h.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "remote_client/known_hosts.h"
#include "remote_client/tls_remote_connector.h"
#include "slmgr/slmgr.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_socket = std::getenv("ACTIVA_SOCKET");
  activa::remote_client::TlsRemoteConnector remote(activa::remote_client::DefaultKnownHostsPath());
  return activa::slmgr::RunSlmgr(args, env_socket == nullptr ? "" : env_socket, std::cout,
                                 std::cerr, activa::slmgr::kDefaultTimeout, &remote);
}
