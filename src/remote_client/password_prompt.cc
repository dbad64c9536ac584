#include "remote_client/password_prompt.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

namespace activa::remote_client {
namespace {

void StripNewline(std::string* s) {
  while (!s->empty() && (s->back() == '\n' || s->back() == '\r')) s->pop_back();
}

}  // namespace

Result<std::string> ReadPassword(const std::string& prompt, bool from_stdin) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line) && line.empty()) {
      return Status(ResultCode::kNoPasswordSource,
                    "--password-stdin: standard input ended before a password line");
    }
    StripNewline(&line);
    return line;
  }
  int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) {
    return Status(ResultCode::kNoPasswordSource,
                  "no password given, and there is no terminal to ask for it on (slmgr reads a "
                  "password from standard input only when told to): give it after the user "
                  "name, or add --password-stdin to read it from standard input");
  }
  termios saved{};
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  std::string line;
  char c;
  while (true) {
    ssize_t n = ::read(tty, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  ::close(tty);
  StripNewline(&line);
  return line;
}

}  // namespace activa::remote_client
