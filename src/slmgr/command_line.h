// The command line of slmgr, parsed without touching the daemon.
//
//   slmgr [--socket PATH] [TARGET [USER [PASSWORD]]] /option [arguments] [--json]
//         [--ca FILE] [--password-stdin]
//   slmgr --forget-host HOST:PORT
//
// Options are written as in slmgr.vbs (`/dli`), or with `-` or `--`; their
// names are case-insensitive. `--socket PATH` (or `--socket=PATH`) and
// `--json` may appear anywhere. Each option maps to one operation of the
// management protocol (docs/management.md); its arguments are checked here,
// so a mistyped number or address is reported before the daemon is asked.
//
// Everything in this header is pure: no file, socket, clock or environment
// access. The caller passes the value of ACTIVA_SOCKET in.
#ifndef ACTIVA_SLMGR_COMMAND_LINE_H_
#define ACTIVA_SLMGR_COMMAND_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "management/operations.h"
#include "management/types.h"

namespace activa::slmgr {

inline constexpr std::string_view kDefaultSocket = management::kDefaultSocketPath;

// One named argument of a request: a string or a number on the wire.
struct Argument {
  std::string name;
  std::variant<std::string, std::int64_t> value;

  bool operator==(const Argument&) const = default;
};

struct Command {
  // The operation as the protocol names it ("dli", "skms_domain"), or empty
  // when the command line asks for help (no option, or `/?`).
  std::string op;
  // The option as slmgr.vbs spells it, for messages ("/skms-domain").
  std::string option;
  std::vector<Argument> args;
  bool json = false;
  std::string socket;  // always set: --socket, else ACTIVA_SOCKET, else kDefaultSocket
  // The remote TARGET ("name", "10.0.0.5:1689", "[::1]"), when one was
  // given, and its USER and PASSWORD (docs/remote.md). No user: the local
  // user's name; no password: asked on the terminal.
  std::string target;
  std::string user;
  std::optional<std::string> password;
  // --password-stdin: read the password as one line of standard input.
  bool password_stdin = false;
  // --ca FILE: check the target's certificate chain and name against these
  // CA certificates instead of pinning it in known_hosts.
  std::string ca_file;
  // --forget-host HOST:PORT: drop the target's pinned certificate.
  std::string forget_host;
  // Offline activation's files (docs/operations.md): /dti --out FILE writes
  // the installation ID there, /dti --qr shows it as a QR code in the
  // terminal, /dti --qr-png FILE writes that QR code as an image, and
  // /atp --in FILE reads the confirmation ID from the file. RunSlmgr()
  // does the file work; parsing touches no file.
  std::string out_file;
  bool qr = false;
  std::string qr_png;
  std::string in_file;

  bool help() const { return op.empty(); }
  // The argument called `name`, or nullptr.
  const Argument* Find(std::string_view name) const;
};

// The outcome of parsing: a command, or a usage error (exit status 2) with a
// message that names the offending option or value.
struct ParseResult {
  std::optional<Command> command;
  std::string error;

  bool ok() const { return command.has_value(); }
};

// Parses the arguments after argv[0]. `env_socket` is the value of
// ACTIVA_SOCKET, empty when unset.
ParseResult ParseCommandLine(const std::vector<std::string>& args, std::string_view env_socket);

// The typed request for `command`. Requires !command.help() and a command
// from ParseCommandLine (or one whose op and args it could have produced).
management::Request ToRequest(const Command& command);
// Its line (management/codec.h; one JSON object, no trailing newline).
std::string BuildRequest(const Command& command);

// The option list shown by `slmgr` with no option, grouped like slmgr.vbs's.
std::string HelpText();

// The wire operation for an option name without its prefix ("DLI" -> "dli",
// "skms-domain" -> "skms_domain"), or nullopt when there is no such option.
std::optional<std::string> OperationForOption(std::string_view name);

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_COMMAND_LINE_H_
