#include "slmgr/slmgr.h"

#include "base/file_util.h"
#include "net/unix_line_client.h"
#include "slmgr/command_line.h"
#include "slmgr/output.h"

namespace activa::slmgr {

int RunSlmgr(const std::vector<std::string>& args, std::string_view env_socket, std::ostream& out,
             std::ostream& err, std::chrono::milliseconds timeout) {
  ParseResult parsed = ParseCommandLine(args, env_socket);
  if (!parsed.ok()) {
    err << "slmgr: " << parsed.error << "\n";
    return 2;
  }
  Command& command = *parsed.command;
  if (!command.target.empty()) {
    err << "slmgr: remote management (target " << command.target
        << ") is not available in this build; run slmgr on that machine";
    // "slmgr dli" is more often a forgotten slash than a machine called dli.
    if (OperationForOption(command.target)) {
      err << ", or write the option with a slash: slmgr /" << command.target;
    }
    err << "\n";
    return 1;
  }
  if (command.help()) {
    out << HelpText();
    return 0;
  }
  // /ilc sends the file's text: the daemon may not be able to read the
  // administrator's file, and must not be asked to open paths for them.
  for (Argument& a : command.args) {
    if (a.name != "revocation_list") continue;
    Result<std::string> text = ReadFile(std::get<std::string>(a.value));
    if (!text.ok()) {
      err << "slmgr: " << text.status().message() << "\n";
      return 1;
    }
    a.value = std::move(text).value();
  }
  Result<std::string> response =
      net::CallUnixSocket(command.socket, BuildRequest(command), timeout);
  if (!response.ok()) {
    err << "slmgr: " << response.status().message() << "\n";
    return 1;
  }
  Output output = FormatResponse(command, *response);
  for (const Output::Chunk& chunk : output.chunks) {
    std::ostream& stream = chunk.to_stderr ? err : out;
    stream << chunk.text;
    stream.flush();  // keep the order of the two streams on a terminal
  }
  return output.exit_code;
}

}  // namespace activa::slmgr
