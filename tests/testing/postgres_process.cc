#include "testing/postgres_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "testing/process.h"

namespace activa::testing {
namespace {

std::string Bin(const char* program) {
  return std::string(PostgresProcess::kBinDir) + "/" + program;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A port on 127.0.0.1 that was free a moment ago. PostgreSQL cannot be
// told to take any free port, so this is racy; the constructor retries on
// another port when the server fails to bind.
std::uint16_t PickPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The unprivileged account the server runs as when the tests run as root
// (initdb and postgres refuse root). Created once, without a home or a login.
passwd* ServerUser() {
  passwd* pw = ::getpwnam(PostgresProcess::kUser);
  if (pw != nullptr) return pw;
  ProcessResult r = RunProcess({"/usr/sbin/useradd", "--system", "--no-create-home", "--shell",
                                "/usr/sbin/nologin", PostgresProcess::kUser});
  // Another test binary may have created it at the same moment.
  pw = ::getpwnam(PostgresProcess::kUser);
  if (pw == nullptr) {
    throw std::runtime_error(std::string("cannot create the user ") + PostgresProcess::kUser +
                             ": " + r.err);
  }
  return pw;
}

}  // namespace

bool PostgresProcess::Available() {
  return ::access(Bin("initdb").c_str(), X_OK) == 0 && ::access(Bin("pg_ctl").c_str(), X_OK) == 0;
}

void PostgresProcess::RunAsServerUser(const std::string& command, const char* what) {
  // From inside the folder: the server user may not be allowed into the
  // test's working directory.
  std::vector<std::string> argv = {"/bin/sh", "-c", "cd " + dir_.path() + " && exec " + command};
  ProcessResult r;
  if (::geteuid() == 0) {
    passwd* pw = ServerUser();
    r = RunProcessAs(pw->pw_uid, pw->pw_gid, {}, argv);
  } else {
    r = RunProcess(argv);
  }
  if (r.exit_code != 0) {
    throw std::runtime_error(std::string(what) + " failed (" + std::to_string(r.exit_code) +
                             "):\n" + r.out + r.err + "\n" + log());
  }
}

PostgresProcess::PostgresProcess() {
  if (::geteuid() == 0) {
    passwd* pw = ServerUser();
    if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot give " + dir_.path() + " to " + kUser);
    }
  }
  const std::string data = dir_ / "data";
  RunAsServerUser(Bin("initdb") + " -D " + data +
                      " -U postgres -A trust -E UTF8 --no-sync --no-instructions >/dev/null",
                  "initdb");
  // Durability is not what these tests check: without fsync the server
  // starts and commits faster. Enough connections for the concurrency
  // tests (one per thread, and each `serve` process's pool).
  std::ofstream(data + "/postgresql.conf", std::ios::app)
      << "listen_addresses = '127.0.0.1'\n"
      << "unix_socket_directories = '" << dir_.path() << "'\n"
      << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
      << "max_connections = 400\n";
  for (int attempt = 0;; ++attempt) {
    port_ = PickPort();
    try {
      RunAsServerUser(Bin("pg_ctl") + " -D " + data + " -l " + (dir_ / "postgres.log") +
                          " -w -t 30 -o '-p " + std::to_string(port_) + "' start >/dev/null",
                      "pg_ctl start");
      running_ = true;
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 4) throw;
    }
  }
}

PostgresProcess::~PostgresProcess() {
  if (!running_) return;
  try {
    RunAsServerUser(Bin("pg_ctl") + " -D " + (dir_ / "data") + " -m fast -w stop >/dev/null",
                    "pg_ctl stop");
  } catch (const std::runtime_error&) {
    // The folder goes anyway; a server left behind finds its data gone.
  }
}

std::string PostgresProcess::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresProcess::Psql(const std::string& database, const std::string& sql) {
  ProcessResult r =
      RunProcess({Bin("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                  std::to_string(port_), "-U", "postgres", "-d", database, "-c", sql});
  if (r.exit_code != 0) throw std::runtime_error("psql: " + sql + ": " + r.err);
  return r.out;
}

std::string PostgresProcess::CreateDatabase(const std::string& name) {
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      throw std::runtime_error("database name " + name + " needs quoting");
    }
  }
  Psql("postgres", "CREATE DATABASE " + name);
  return url(name);
}

std::string PostgresProcess::log() const { return ReadAll(dir_ / "postgres.log"); }

}  // namespace activa::testing
