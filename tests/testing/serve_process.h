// Runs `activa-vendor serve` for tests: its own process on 127.0.0.1, a port
// the kernel chooses, its standard error in a log file.
#ifndef ACTIVA_TESTING_SERVE_PROCESS_H_
#define ACTIVA_TESTING_SERVE_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace activa::testing {

class ServeProcess {
 public:
  // Runs `activa_vendor serve VENDORDIR --listen 127.0.0.1:0 EXTRA...` and
  // waits (up to 15 s) until it says where it listens. Throws
  // std::runtime_error with its log when it does not.
  ServeProcess(const std::string& activa_vendor, const std::string& vendor_dir,
               const std::vector<std::string>& extra, const std::string& log_path);
  ~ServeProcess();  // SIGTERM, then waits
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace activa::testing

#endif  // ACTIVA_TESTING_SERVE_PROCESS_H_
