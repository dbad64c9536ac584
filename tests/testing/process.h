// Runs a program to completion and captures what it printed, for tests that
// drive the real command-line tools.
#ifndef ACTIVA_TESTING_PROCESS_H_
#define ACTIVA_TESTING_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace activa::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs argv[0] (a path) with the arguments, standard input from /dev/null,
// extra environment entries "NAME=VALUE" added to the current environment.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// The same in a session of its own, so the child has no controlling
// terminal (/dev/tty cannot be opened), with standard input a pipe that
// carries `input` and then ends.
ProcessResult RunProcessWithoutTerminal(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env,
                                        const std::string& input);

// The same, as another user (needs root): the child drops its supplementary
// groups and takes `gid`, `groups` and `uid` before it runs argv[0].
ProcessResult RunProcessAs(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                           const std::vector<std::string>& argv);

}  // namespace activa::testing

#endif  // ACTIVA_TESTING_PROCESS_H_
