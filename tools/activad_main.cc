// activad: the activation daemon. See src/daemon/daemon.h.
#include <CLI/CLI.hpp>

#include "daemon/daemon.h"

int main(int argc, char** argv) {
  activa::DaemonPaths paths;
  CLI::App app{
      "activad: Activa's activation daemon (client role always, host role once a host "
      "key is installed)"};
  app.add_option("--config", paths.config_path,
                 "Configuration file (TOML), e.g. /etc/activa/activa.toml");
  CLI::Option* state =
      app.add_option("--state-dir", paths.state_dir, "State folder")->capture_default_str();
  app.add_option("--catalog-dir", paths.catalog_dir, "Folder of product catalogs (*.json)")
      ->capture_default_str();
  app.add_option("--trusted-vendors", paths.trust_dir,
                 "Folder of trust files pinning the vendors whose catalogs are trusted (owned "
                 "by root, writable by no one else)")
      ->capture_default_str();
  app.add_option("--socket", paths.socket_path,
                 "Management socket (default: /run/activa/activad.sock, or "
                 "STATE_DIR/run/activad.sock with --state-dir)");
  app.set_version_flag("--version", "activad 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  paths.socket_path = activa::SocketPathFor(paths, state->count() > 0);
  return activa::RunDaemon(paths);
}
