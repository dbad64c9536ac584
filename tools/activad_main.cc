// activad: the activation daemon. See src/daemon/daemon.h.
#include <pwd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "base/clock.h"
#include "base/system.h"
#include "daemon/backup.h"
#include "daemon/daemon.h"
#include "daemon/daemon_config.h"

namespace {

// activad --check-config FILE: the daemon's own reader (LoadDaemonConfig,
// with the checks on TSIG key files), for ExecReload= and configuration
// management. 0 and "configuration OK", or 1 and the error, which names
// the file, the line and key, and what is wrong.
int CheckConfig(const std::string& path) {
  activa::SystemClock clock;
  activa::RealSystem system(clock);
  activa::Result<activa::DaemonConfig> config = activa::LoadDaemonConfig(system, path);
  if (!config.ok()) {
    std::cerr << "activad: " << config.status().message() << "\n";
    return 1;
  }
  if (!config->user.empty() && ::getpwnam(config->user.c_str()) == nullptr) {
    std::cerr << "activad: " << path << ": [daemon] user: there is no user \"" << config->user
              << "\"\n";
    return 1;
  }
  std::cout << path << ": configuration OK\n";
  return 0;
}

}  // namespace

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
  std::string check_config;
  app.add_option("--check-config", check_config,
                 "Check this configuration file as the daemon reads it, and exit (0: OK, 1: "
                 "the errors)");
  std::string backup;
  app.add_option("--backup", backup,
                 "Write a consistent copy of the state database (STATE_DIR/activad.db, with "
                 "what its write-ahead log holds) to FILE and exit; safe while activad runs")
      ->type_name("FILE");
  app.set_version_flag("--version", "activad 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (!check_config.empty()) return CheckConfig(check_config);
  if (!backup.empty()) {
    activa::Status s = activa::BackupState(paths.state_dir, backup);
    if (!s.ok()) {
      std::fprintf(stderr, "activad: backup failed: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("%s/activad.db copied to %s\n", paths.state_dir.c_str(), backup.c_str());
    return 0;
  }
  paths.socket_path = activa::SocketPathFor(paths, state->count() > 0);
  return activa::RunDaemon(paths);
}
