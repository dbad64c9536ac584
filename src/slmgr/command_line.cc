#include "slmgr/command_line.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "base/intervals.h"
#include "base/uuid.h"
#include "management/codec.h"
#include "net/dns_name.h"
#include "net/host_address.h"

namespace activa::slmgr {
namespace {

using management::Operation;

enum class ArgKind {
  kNone,
  kSku,           // optional activation ID
  kSkuOrAll,      // optional activation ID or "All"
  kKey,           // required product key
  kConfirmation,  // required confirmation ID
  kFile,          // required path of a file whose text is sent
  kMinutes,       // required 15..43200
  kPort,          // required 1..65535
  kKmsHost,       // required Name[:Port] | IPv4[:Port] | [IPv6][:Port]
  kDomain,        // required FQDN
};

enum class Group { kInstall, kView, kKmsClient, kKmsHost };

struct OptionSpec {
  std::string_view name;  // as slmgr.vbs spells it, lower case, no prefix
  Operation op;           // the wire operation (management/operations.h)
  ArgKind arg;
  Group group;
  std::string_view usage;  // the argument part of the help line
  std::string_view help;
};

// One table for parsing and help, so the two cannot drift apart.
constexpr std::array kOptions = {
    OptionSpec{"ipk", Operation::kIpk, ArgKind::kKey, Group::kInstall, "<Product Key>",
               "Install a product key; a host key makes this machine an activation host"},
    OptionSpec{"upk", Operation::kUpk, ArgKind::kSku, Group::kInstall, "[Activation ID]",
               "Uninstall a product key (the ID is needed when several are installed)"},
    OptionSpec{"cpky", Operation::kCpky, ArgKind::kNone, Group::kInstall, "",
               "No-op: keys are kept only in the state database, which only activad reads"},
    OptionSpec{"ato", Operation::kAto, ArgKind::kSku, Group::kInstall, "[Activation ID]",
               "Activate now, through an activation host or, for a MAK or host key, the vendor"},
    OptionSpec{"dti", Operation::kDti, ArgKind::kNone, Group::kInstall,
               "[--out FILE] [--qr] [--qr-png FILE]",
               "Display the installation ID for offline activation of the host key; also to\n"
               "                      FILE (--out), as a QR code (--qr) or a QR image (--qr-png)"},
    OptionSpec{"atp", Operation::kAtp, ArgKind::kConfirmation, Group::kInstall,
               "<Confirmation ID> | --in FILE",
               "Activate the host key with the vendor's confirmation ID, typed or from FILE"},
    OptionSpec{"ilc", Operation::kIlc, ArgKind::kFile, Group::kInstall, "<File>",
               "Install the vendor's signed revocation list from a file"},
    OptionSpec{"rearm", Operation::kRearm, ArgKind::kNone, Group::kInstall, "",
               "Restart the 30-day grace of every installed edition, as slmgr.vbs's /rearm\n"
               "                      (3 times at most); a licensed edition is in grace again "
               "until reactivated"},
    OptionSpec{"generalize", Operation::kGeneralize, ArgKind::kNone, Group::kInstall, "",
               "Give this machine a new client machine ID and grace period (before imaging)"},
    OptionSpec{"dli", Operation::kDli, ArgKind::kSkuOrAll, Group::kView, "[Activation ID | All]",
               "Display license information (and the host's count on an activation host)"},
    OptionSpec{"dlv", Operation::kDlv, ArgKind::kSkuOrAll, Group::kView, "[Activation ID | All]",
               "Display detailed license information"},
    OptionSpec{"xpr", Operation::kXpr, ArgKind::kSkuOrAll, Group::kView, "[Activation ID | All]",
               "Display when the current license state ends"},
    OptionSpec{"dlc", Operation::kDlc, ArgKind::kNone, Group::kView, "[--first N] [--after CMID]",
               "List the clients this activation host has seen, a page at a time"},
    OptionSpec{"skms", Operation::kSkms, ArgKind::kKmsHost, Group::kKmsClient,
               "<Name[:Port] | IPv4[:Port] | [IPv6][:Port]>",
               "Use this activation host (turns DNS auto-discovery off)"},
    OptionSpec{"ckms", Operation::kCkms, ArgKind::kNone, Group::kKmsClient, "",
               "Clear the activation host set with /skms (DNS auto-discovery again)"},
    OptionSpec{"skms-domain", Operation::kSkmsDomain, ArgKind::kDomain, Group::kKmsClient, "<FQDN>",
               "Look for activation hosts' SRV records in this DNS domain"},
    OptionSpec{"ckms-domain", Operation::kCkmsDomain, ArgKind::kNone, Group::kKmsClient, "",
               "Clear /skms-domain (use this machine's domain and search list)"},
    OptionSpec{"skhc", Operation::kSkhc, ArgKind::kNone, Group::kKmsClient, "",
               "Enable host caching (keep using the host that answered)"},
    OptionSpec{"ckhc", Operation::kCkhc, ArgKind::kNone, Group::kKmsClient, "",
               "Disable host caching"},
    OptionSpec{"sprt", Operation::kSprt, ArgKind::kPort, Group::kKmsHost, "<Port>",
               "Set the TCP port the activation host listens on (default 1688)"},
    OptionSpec{"sai", Operation::kSai, ArgKind::kMinutes, Group::kKmsHost, "<Minutes>",
               "Set the activation interval sent to clients (15..43200, default 120)"},
    OptionSpec{"sri", Operation::kSri, ArgKind::kMinutes, Group::kKmsHost, "<Minutes>",
               "Set the renewal interval sent to clients (15..43200, default 10080)"},
    OptionSpec{"sdns", Operation::kSdns, ArgKind::kNone, Group::kKmsHost, "",
               "Enable publishing of this host's SRV records in DNS"},
    OptionSpec{"cdns", Operation::kCdns, ArgKind::kNone, Group::kKmsHost, "",
               "Disable DNS publishing and withdraw this host's SRV records"},
    OptionSpec{"spri", Operation::kSpri, ArgKind::kNone, Group::kKmsHost, "",
               "Run the host's workers at normal priority"},
    OptionSpec{"cpri", Operation::kCpri, ArgKind::kNone, Group::kKmsHost, "",
               "Run the host's workers at low priority"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

// The name of an option spelled /name, -name or --name; nullopt for anything
// else (a plain word, or a lone "-" or "/").
std::optional<std::string> OptionName(std::string_view token) {
  std::string_view name;
  if (token.starts_with("--")) {
    name = token.substr(2);
  } else if (token.starts_with('-') || token.starts_with('/')) {
    name = token.substr(1);
  } else {
    return std::nullopt;
  }
  if (name.empty()) return std::nullopt;
  return Lower(name);
}

const OptionSpec* FindOption(std::string_view lower_name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.name == lower_name) return &spec;
  }
  return nullptr;
}

bool IsHelpName(std::string_view lower_name) {
  return lower_name == "?" || lower_name == "h" || lower_name == "help";
}

// True when `token` is an option or help request, as opposed to a value.
bool IsKnownOption(std::string_view token) {
  std::optional<std::string> name = OptionName(token);
  return name && (FindOption(*name) != nullptr || IsHelpName(*name));
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<std::int64_t> ParseDecimal(std::string_view s) {
  // At most 9 digits, so the value fits an int64 with room; "+5" and " 5"
  // are refused, like every other non-digit.
  if (s.empty() || s.size() > 9 || !std::isdigit(static_cast<unsigned char>(s[0]))) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Checks /skms's value; returns an error message or an empty string.
std::string CheckKmsHost(std::string_view value) {
  const std::string usage =
      "; use /skms Name[:Port], /skms IPv4[:Port] or /skms [IPv6][:Port], for example "
      "/skms activa.example.com:1688";
  if (value.empty()) return "/skms needs an activation host" + usage;
  Result<HostAddress> address = ParseHostAddress(value);
  if (!address.ok()) return "/skms " + address.status().message() + usage;
  return "";
}

// Checks the value of `spec`'s argument and appends the wire argument.
// Returns an error message or an empty string.
std::string AddArgument(const OptionSpec& spec, const std::string& value,
                        std::vector<Argument>& args) {
  const std::string option = "/" + std::string(spec.name);
  switch (spec.arg) {
    case ArgKind::kNone:
      return option + " takes no argument, but " + Quote(value) + " was given";
    case ArgKind::kSkuOrAll:
      if (EqualsIgnoreCase(value, "all")) {
        args.push_back({"activation_id", std::string("all")});
        return "";
      }
      [[fallthrough]];
    case ArgKind::kSku: {
      std::optional<Uuid> id = ParseUuid(value);
      if (!id) {
        return option + ": " + Quote(value) + " is not an activation ID (a UUID such as " +
               "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f" +
               (spec.arg == ArgKind::kSkuOrAll ? std::string(" or All)") : std::string(")"));
      }
      args.push_back({"activation_id", FormatUuid(*id)});
      return "";
    }
    case ArgKind::kKey:
      // The daemon checks the key and names the group with a typing error.
      args.push_back({"key", value});
      return "";
    case ArgKind::kConfirmation:
      args.push_back({"confirmation_id", value});
      return "";
    case ArgKind::kFile:
      // The path for now; RunSlmgr() reads the file (parsing touches no file).
      args.push_back({"revocation_list", value});
      return "";
    case ArgKind::kMinutes: {
      std::optional<std::int64_t> minutes = ParseDecimal(value);
      if (!minutes || !ValidateInterval(*minutes).ok()) {
        return option + " needs a number of minutes from " + std::to_string(kMinIntervalMinutes) +
               " to " + std::to_string(kMaxIntervalMinutes) + ", not " + Quote(value);
      }
      args.push_back({"minutes", *minutes});
      return "";
    }
    case ArgKind::kPort: {
      std::uint16_t port = 0;
      if (!ParsePort(value, &port)) {
        return option + " needs a port number from 1 to 65535, not " + Quote(value);
      }
      args.push_back({"port", std::int64_t{port}});
      return "";
    }
    case ArgKind::kKmsHost: {
      std::string error = CheckKmsHost(value);
      if (!error.empty()) return error;
      args.push_back({"host", value});
      return "";
    }
    case ArgKind::kDomain:
      if (!IsValidDnsName(value)) {
        return option + ": " + Quote(value) + " is not a valid DNS domain name";
      }
      args.push_back({"domain", value});
      return "";
  }
  return "";
}

// The message for a required argument that was not given.
std::string MissingArgument(const OptionSpec& spec) {
  return "/" + std::string(spec.name) + " needs an argument: /" + std::string(spec.name) + " " +
         std::string(spec.usage);
}

bool Required(ArgKind kind) {
  return kind != ArgKind::kNone && kind != ArgKind::kSku && kind != ArgKind::kSkuOrAll;
}

ParseResult Fail(std::string message) { return ParseResult{std::nullopt, std::move(message)}; }

// /dlc's paging flags, `--first N` and `--after CMID` (or `--first=N`):
// the value, with `i` moved past it; nullopt when `token` is not `flag`.
// An empty value (the flag at the end) is returned as "".
std::optional<std::string> FlagValue(const std::vector<std::string>& args, std::size_t& i,
                                     std::string_view flag) {
  const std::string& token = args[i];
  if (token == flag) return i + 1 < args.size() ? args[++i] : std::string();
  if (token.size() > flag.size() && token.starts_with(flag) && token[flag.size()] == '=') {
    return token.substr(flag.size() + 1);
  }
  return std::nullopt;
}

// Checks /dlc's paging flags and appends them; an error message or "".
std::string AddPaging(const std::optional<std::string>& first,
                      const std::optional<std::string>& after, std::vector<Argument>& args) {
  if (first) {
    std::optional<std::int64_t> n = ParseDecimal(*first);
    if (!n || *n < 1 || *n > management::kDlcMaxFirst) {
      return "--first needs a number from 1 to " + std::to_string(management::kDlcMaxFirst) +
             ", not " + Quote(*first);
    }
    args.push_back({"first", *n});
  }
  if (after) {
    std::optional<Uuid> cmid = ParseUuid(*after);
    if (!cmid) {
      return "--after needs a client machine ID (a UUID, as /dlc prints it), not " + Quote(*after);
    }
    args.push_back({"after", FormatUuid(*cmid)});
  }
  return "";
}

}  // namespace

const Argument* Command::Find(std::string_view name) const {
  for (const Argument& a : args) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<std::string> OperationForOption(std::string_view name) {
  const OptionSpec* spec = FindOption(Lower(name));
  if (spec == nullptr) return std::nullopt;
  return std::string(management::OperationName(spec->op));
}

ParseResult ParseCommandLine(const std::vector<std::string>& args, std::string_view env_socket) {
  Command command;
  command.socket = env_socket.empty() ? std::string(kDefaultSocket) : std::string(env_socket);
  const OptionSpec* spec = nullptr;
  bool help = false;
  std::vector<std::string> words;  // TARGET [USER [PASSWORD]]
  std::optional<std::string> value;
  std::optional<std::string> first, after;               // /dlc's paging
  std::optional<std::string> out_file, in_file, qr_png;  // offline activation's files

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    // The global flags first: they are not slmgr.vbs options, and may stand
    // anywhere, even between an option and its value.
    if (token == "--json") {
      command.json = true;
      continue;
    }
    if (token == "--socket") {
      if (i + 1 == args.size() || args[i + 1].empty()) return Fail("--socket needs a path");
      command.socket = args[++i];
      continue;
    }
    if (token.starts_with("--socket=")) {
      command.socket = token.substr(9);
      if (command.socket.empty()) return Fail("--socket needs a path");
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--first")) {
      first = std::move(v);
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--after")) {
      after = std::move(v);
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--out")) {
      out_file = std::move(v);
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--in")) {
      in_file = std::move(v);
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--qr-png")) {
      qr_png = std::move(v);
      continue;
    }
    if (token == "--qr") {
      command.qr = true;
      continue;
    }
    if (spec == nullptr && !help) {
      std::optional<std::string> name = OptionName(token);
      if (!name) {
        if (words.size() == 3) {
          return Fail("unexpected " + Quote(token) +
                      ": at most TARGET USER PASSWORD may come before the option");
        }
        words.push_back(token);
        continue;
      }
      if (IsHelpName(*name)) {
        help = true;
        continue;
      }
      spec = FindOption(*name);
      if (spec == nullptr) {
        return Fail("unknown option " + token + "; run slmgr without options for the list");
      }
      command.option = "/" + std::string(spec->name);
      continue;
    }
    if (help) continue;  // "/? anything" still shows help
    if (std::optional<std::string> name = OptionName(token); name && IsHelpName(*name)) {
      help = true;
      continue;
    }
    if (IsKnownOption(token)) {
      return Fail("only one option at a time: " + command.option + " and " + token);
    }
    if (value || spec->arg == ArgKind::kNone) {
      return Fail("unexpected argument " + Quote(token) + " after " + command.option);
    }
    value = token;
  }

  if (!words.empty()) command.target = words[0];
  if (help || spec == nullptr) return ParseResult{std::move(command), ""};

  command.op = std::string(management::OperationName(spec->op));
  if ((first || after) && spec->op != Operation::kDlc) {
    return Fail(std::string(first ? "--first" : "--after") + " goes with /dlc only");
  }
  if (std::string error = AddPaging(first, after, command.args); !error.empty()) {
    return Fail(std::move(error));
  }
  if ((out_file || qr_png || command.qr) && spec->op != Operation::kDti) {
    return Fail(std::string(out_file ? "--out"
                            : qr_png ? "--qr-png"
                                     : "--qr") +
                " goes with /dti only");
  }
  if (in_file && spec->op != Operation::kAtp) return Fail("--in goes with /atp only");
  for (const auto& [flag, file] : {std::pair{"--out", &out_file}, std::pair{"--in", &in_file},
                                   std::pair{"--qr-png", &qr_png}}) {
    if (*file && (*file)->empty()) return Fail(std::string(flag) + " needs a file path");
  }
  command.out_file = out_file.value_or("");
  command.in_file = in_file.value_or("");
  command.qr_png = qr_png.value_or("");
  if (in_file) {
    // RunSlmgr() reads the file and adds the confirmation ID.
    if (value) {
      return Fail("/atp takes the confirmation ID or --in FILE, not both");
    }
    return ParseResult{std::move(command), ""};
  }
  if (value) {
    std::string error = AddArgument(*spec, *value, command.args);
    if (!error.empty()) return Fail(std::move(error));
  } else if (Required(spec->arg)) {
    return Fail(MissingArgument(*spec));
  }
  return ParseResult{std::move(command), ""};
}

management::Request ToRequest(const Command& command) {
  namespace m = management;
  auto text = [&](std::string_view name) {
    const Argument* a = command.Find(name);
    return a ? std::get<std::string>(a->value) : std::string();
  };
  auto number = [&](std::string_view name) {
    const Argument* a = command.Find(name);
    return a ? std::get<std::int64_t>(a->value) : std::int64_t{0};
  };
  // The parser has checked every value; "all" and UUIDs are as it wrote them.
  auto products = [&] {
    m::ProductSelector s;
    std::string id = text("activation_id");
    if (id == "all") {
      s.all = true;
    } else if (!id.empty()) {
      s.activation_id = ParseUuid(id);
    }
    return s;
  };
  const m::OperationSpec* spec = m::FindOperation(command.op);
  switch (spec ? spec->operation : Operation::kDli) {
    case Operation::kDli:
      return m::DliRequest{products()};
    case Operation::kDlv:
      return m::DlvRequest{products()};
    case Operation::kXpr:
      return m::XprRequest{products()};
    case Operation::kDlc: {
      m::DlcRequest r;
      if (command.Find("first") != nullptr) r.first = static_cast<std::uint32_t>(number("first"));
      if (command.Find("after") != nullptr) r.after = ParseUuid(text("after"));
      return r;
    }
    case Operation::kStatus:
      return m::StatusRequest{};  // no slmgr option sends it
    case Operation::kIpk:
      return m::IpkRequest{text("key")};
    case Operation::kUpk:
      return m::UpkRequest{products().activation_id};
    case Operation::kCpky:
      return m::CpkyRequest{};
    case Operation::kAto:
      return m::AtoRequest{products()};
    case Operation::kDti:
      return m::DtiRequest{};
    case Operation::kAtp:
      return m::AtpRequest{text("confirmation_id")};
    case Operation::kIlc:
      return m::IlcRequest{text("revocation_list")};
    case Operation::kRearm:
      return m::RearmRequest{};
    case Operation::kGeneralize:
      return m::GeneralizeRequest{};
    case Operation::kSkms:
      return m::SkmsRequest{text("host")};
    case Operation::kCkms:
      return m::CkmsRequest{};
    case Operation::kSkmsDomain:
      return m::SkmsDomainRequest{text("domain")};
    case Operation::kCkmsDomain:
      return m::CkmsDomainRequest{};
    case Operation::kSkhc:
      return m::SkhcRequest{};
    case Operation::kCkhc:
      return m::CkhcRequest{};
    case Operation::kSai:
      return m::SaiRequest{static_cast<std::uint32_t>(number("minutes"))};
    case Operation::kSri:
      return m::SriRequest{static_cast<std::uint32_t>(number("minutes"))};
    case Operation::kSprt:
      return m::SprtRequest{static_cast<std::uint16_t>(number("port"))};
    case Operation::kSdns:
      return m::SdnsRequest{};
    case Operation::kCdns:
      return m::CdnsRequest{};
    case Operation::kSpri:
      return m::SpriRequest{};
    case Operation::kCpri:
      return m::CpriRequest{};
    case Operation::kTestAdvanceClock:
      return m::TestAdvanceClockRequest{number("seconds")};
  }
  return m::DliRequest{};
}

std::string BuildRequest(const Command& command) {
  return management::EncodeRequest(ToRequest(command));
}

std::string HelpText() {
  std::string text =
      "slmgr: Activa volume activation management\n"
      "\n"
      "Usage: slmgr [--socket PATH] [TARGET [USER [PASSWORD]]] /option [arguments] [--json]\n"
      "\n"
      "Global options:\n"
      "  --socket PATH       activad's socket (default: $ACTIVA_SOCKET, else " +
      std::string(kDefaultSocket) +
      ")\n"
      "  --json              print the daemon's response as JSON instead of text\n"
      "  TARGET [USER [PASSWORD]]\n"
      "                      manage another machine (not available in this build)\n"
      "  /?                  show this list\n"
      "  Options may start with /, - or --; their names are case-insensitive.\n";
  const std::pair<Group, std::string_view> groups[] = {
      {Group::kInstall, "Installing and activating"},
      {Group::kView, "Viewing license information"},
      {Group::kKmsClient, "KMS client options"},
      {Group::kKmsHost, "KMS host options"},
  };
  for (const auto& [group, title] : groups) {
    text += "\n" + std::string(title) + ":\n";
    for (const OptionSpec& spec : kOptions) {
      if (spec.group != group) continue;
      std::string usage = "  /" + std::string(spec.name);
      if (!spec.usage.empty()) usage += " " + std::string(spec.usage);
      if (usage.size() < 22) {
        usage.resize(22, ' ');
      } else {
        usage += "\n" + std::string(22, ' ');
      }
      text += usage + std::string(spec.help) + "\n";
    }
  }
  text +=
      "\nExit status: 0 on success, 1 when the operation failed, 2 for a usage error.\n"
      "Reading (/dli, /dlv, /xpr, /dlc) is open to everyone; every other option needs root or\n"
      "membership of the group activa-admin.\n";
  return text;
}

}  // namespace activa::slmgr
