// A helper program that runs beside a test (a TLS server, a proxy): started
// in a folder of the test's, its standard output read line by line, ended
// with SIGTERM when the object goes.
#ifndef ACTIVA_TESTING_BACKGROUND_PROCESS_H_
#define ACTIVA_TESTING_BACKGROUND_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace activa::testing {

class BackgroundProcess {
 public:
  // Runs argv[0] (a path) in `cwd` (empty: the test's), standard error
  // into `log` (empty: /dev/null; "-": read with standard output). Throws
  // std::runtime_error when it cannot.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::string& log = "");
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The next line of standard output that starts with `prefix`, without
  // its newline; throws when the program ends or says nothing for 10 s.
  std::string WaitForLine(const std::string& prefix);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// The full path of `name` on PATH, or "" (tests skip without it).
std::string FindProgram(const std::string& name);

}  // namespace activa::testing

#endif  // ACTIVA_TESTING_BACKGROUND_PROCESS_H_
