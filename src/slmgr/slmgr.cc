#include "slmgr/slmgr.h"

#include <functional>

#include "base/file_util.h"
#include "management/codec.h"
#include "net/unix_line_client.h"
#include "slmgr/command_line.h"
#include "slmgr/output.h"
#include "slmgr/qr_code.h"

namespace activa::slmgr {
namespace {

// A confirmation ID is under 200 characters; a file far larger is the wrong
// file, and is not sent to the daemon.
constexpr std::size_t kMaxCodeFileSize = 4096;

// The editions that are licensed now, before /rearm returns them to grace;
// empty when the daemon cannot say (the rearm itself then reports why).
using Call = std::function<Result<std::string>(const std::string& line)>;

std::vector<std::string> LicensedEditions(const Call& call) {
  management::DliRequest request;
  request.products.all = true;
  Result<std::string> response = call(management::EncodeRequest(request));
  if (!response.ok()) return {};
  Result<management::LicenseInfo> info =
      management::DecodeDliResponse(*response, management::FieldCheck::kTolerant);
  if (!info.ok()) return {};
  std::vector<std::string> names;
  for (const management::Product& p : info->products) {
    if (p.license_status == 1) names.push_back(p.name);
  }
  return names;
}

// /dti's files, written before anything is printed so that a failure is
// the last word, and the terminal QR code for `qr_text`, printed after the
// ID. Returns false after printing the error.
bool WriteInstallationIdFiles(const Command& command, std::string_view response,
                              std::string& qr_text, std::ostream& err) {
  if (command.out_file.empty() && command.qr_png.empty() && !command.qr) return true;
  Result<management::DtiResponse> dti =
      management::DecodeResponseAs<management::DtiResponse>(response);
  if (!dti.ok()) return true;  // an error response: FormatResponse prints it
  const std::string& iid = dti->installation_id;
  if (!command.out_file.empty()) {
    // 0600: the installation ID carries the host key.
    Status s = WriteFileAtomic(command.out_file, iid + "\n", 0600, /*overwrite=*/true);
    if (!s.ok()) {
      err << "slmgr: " << s.message() << "\n";
      return false;
    }
  }
  if (command.qr_png.empty() && !command.qr) return true;
  Result<QrCode> code = EncodeQrCode(iid);
  if (!code.ok()) {
    err << "slmgr: " << code.status().message() << "\n";
    return false;
  }
  if (!command.qr_png.empty()) {
    Status s = WriteQrPng(*code, command.qr_png);
    if (!s.ok()) {
      err << "slmgr: " << s.message() << "\n";
      return false;
    }
  }
  if (command.qr && !command.json) qr_text = RenderQrTerminal(*code);
  return true;
}

}  // namespace

int RunSlmgr(const std::vector<std::string>& args, std::string_view env_socket, std::ostream& out,
             std::ostream& err, std::chrono::milliseconds timeout, RemoteConnector* remote) {
  ParseResult parsed = ParseCommandLine(args, env_socket);
  if (!parsed.ok()) {
    err << "slmgr: " << parsed.error << "\n";
    return 2;
  }
  Command& command = *parsed.command;
  if (!command.forget_host.empty()) {
    Status s = remote == nullptr ? Status(ResultCode::kInvalidArgument,
                                          "remote management is not available to this caller")
                                 : remote->ForgetHost(command.forget_host, out);
    if (!s.ok()) {
      err << "slmgr: " << s.message() << "\n";
      return 1;
    }
    return 0;
  }
  // "slmgr dli" is more often a forgotten slash than a machine called dli.
  if (!command.target.empty() && command.help() && OperationForOption(command.target)) {
    err << "slmgr: no option given for the target " << command.target
        << "; to run it here, write the option with a slash: slmgr /" << command.target << "\n";
    return 2;
  }
  if (!command.target.empty() && remote == nullptr) {
    err << "slmgr: remote management (target " << command.target
        << ") is not available to this caller; run slmgr on that machine\n";
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
  if (!command.in_file.empty()) {
    Result<std::string> text = ReadFile(command.in_file);
    if (text.ok() && text->size() > kMaxCodeFileSize) {
      text = Status(ResultCode::kInvalidData,
                    command.in_file + " holds " + std::to_string(text->size()) +
                        " bytes, not a confirmation ID (as activa-vendor confirm --out writes it)");
    }
    if (!text.ok()) {
      err << "slmgr: " << text.status().message() << "\n";
      return 1;
    }
    command.args.push_back({"confirmation_id", std::move(text).value()});
  }
  // Locally over the Unix socket; remotely one login for the whole run
  // (the /rearm check and the operation), logged out at the end.
  std::unique_ptr<RemoteSession> session;
  Call call = [&](const std::string& line) {
    return net::CallUnixSocket(command.socket, line, timeout);
  };
  if (!command.target.empty()) {
    RemoteOptions o;
    o.target = command.target;
    o.user = command.user;
    o.password = command.password;
    o.password_stdin = command.password_stdin;
    o.ca_file = command.ca_file;
    o.timeout = timeout;
    Result<std::unique_ptr<RemoteSession>> connected = remote->Connect(o, err);
    if (!connected.ok()) {
      err << "slmgr: " << connected.status().message() << "\n";
      return 1;
    }
    session = std::move(connected).value();
    call = [&session](const std::string& line) { return session->Call(line); };
  }
  std::vector<std::string> licensed;
  if (command.op == "rearm") licensed = LicensedEditions(call);
  Result<std::string> response = call(BuildRequest(command));
  if (!response.ok()) {
    err << "slmgr: " << response.status().message() << "\n";
    return 1;
  }
  std::string qr_text;
  if (command.op == "dti" && !WriteInstallationIdFiles(command, *response, qr_text, err)) return 1;
  Output output = FormatResponse(command, *response);
  for (const Output::Chunk& chunk : output.chunks) {
    std::ostream& stream = chunk.to_stderr ? err : out;
    stream << chunk.text;
    stream.flush();  // keep the order of the two streams on a terminal
  }
  out << qr_text;
  if (output.exit_code == 0 && !command.json) {
    for (const std::string& name : licensed) {
      out << "Warning: " << name
          << " was licensed; it is back in its grace period until its next activation "
             "(slmgr /ato, or by itself within the activation interval).\n";
    }
  }
  return output.exit_code;
}

}  // namespace activa::slmgr
