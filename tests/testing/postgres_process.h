// Runs a real PostgreSQL server for tests: Debian's initdb and pg_ctl, a
// cluster in a temporary folder, a free loopback port, its Unix socket in
// that folder, trust authentication from loopback, stopped and removed when
// the object goes.
//
// PostgreSQL refuses to run as root, so a test run as root runs the server
// as the system user `activa-pgtest` (created on first use) and gives it
// the temporary folder.
#ifndef ACTIVA_TESTING_POSTGRES_PROCESS_H_
#define ACTIVA_TESTING_POSTGRES_PROCESS_H_

#include <cstdint>
#include <cstdlib>
#include <string>

#include "testing/temp_dir.h"

namespace activa::testing {

class PostgresProcess {
 public:
  static constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";
  static constexpr const char* kUser = "activa-pgtest";

  // Whether initdb and pg_ctl are installed.
  static bool Available();

  // Creates the cluster and starts the server, waiting until it accepts
  // connections. Throws std::runtime_error with the server's log when it
  // does not start.
  PostgresProcess();
  ~PostgresProcess();  // pg_ctl stop -m fast, then the folder goes
  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // postgresql://postgres@127.0.0.1:PORT/DATABASE
  std::string url(const std::string& database = "postgres") const;
  // Creates an empty database `name` (letters, digits, '_') and returns its URL.
  std::string CreateDatabase(const std::string& name);
  // Runs one SQL command through psql on `database`; its standard output
  // (unaligned, tuples only). Throws when psql fails.
  std::string Psql(const std::string& database, const std::string& sql);
  std::string log() const;

 private:
  void RunAsServerUser(const std::string& command, const char* what);

  TempDir dir_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace activa::testing

// Skips the test when PostgreSQL is missing, except when the environment
// variable CI is set: CI installs postgresql and must run these tests.
#define ACTIVA_REQUIRE_POSTGRES()                                                    \
  do {                                                                               \
    if (!::activa::testing::PostgresProcess::Available()) {                          \
      const char* ci = std::getenv("CI");                                            \
      if (ci != nullptr && *ci != '\0') {                                            \
        FAIL() << "PostgreSQL 15 is not installed (CI must install postgresql)";     \
      }                                                                              \
      GTEST_SKIP() << "PostgreSQL 15 is not installed (apt-get install postgresql)"; \
    }                                                                                \
  } while (0)

#endif  // ACTIVA_TESTING_POSTGRES_PROCESS_H_
