// Where slmgr gets a remote login's password when the command line has
// none (docs/remote.md): asked on the terminal (/dev/tty) without echo, or,
// only with --password-stdin, one line of standard input. A pipe on
// standard input is never read for a password unasked.
#ifndef ACTIVA_REMOTE_CLIENT_PASSWORD_PROMPT_H_
#define ACTIVA_REMOTE_CLIENT_PASSWORD_PROMPT_H_

#include <string>

#include "base/status.h"

namespace activa::remote_client {

// `prompt` is shown on the terminal. kNoPasswordSource, with a message
// saying what to do, when there is no terminal and `from_stdin` is false.
Result<std::string> ReadPassword(const std::string& prompt, bool from_stdin);

}  // namespace activa::remote_client

#endif  // ACTIVA_REMOTE_CLIENT_PASSWORD_PROMPT_H_
