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
    OptionSpec{
        "dti", Operation::kDti, ArgKind::kSku, Group::kInstall,
        "[Activation ID] [--out FILE] [--qr] [--qr-png FILE]",
        "Display the installation ID for offline activation of the host key or a MAK;\n"
        "                      also to FILE (--out), as a QR code (--qr) or image (--qr-png)"},
    OptionSpec{"atp", Operation::kAtp, ArgKind::kConfirmation, Group::kInstall,
               "<Confirmation ID> | --in FILE [Activation ID]",
               "Activate the host key or a MAK with the vendor's confirmation ID, typed or\n"
               "                      from FILE (--in)"},
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
    OptionSpec{"dle", Operation::kDle, ArgKind::kNone, Group::kView,
               "[--id EVENTID] [--since TIME] [--machine NAME] [--result CODE] [--first N] "
               "[--before ID]",
               "List the stored events (12288-12294), newest first, a page at a time"},
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

// Unix seconds for /dle --since: a number of seconds, or a UTC date and
// time "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DDTHH:MM[:SS][Z]".
std::optional<std::int64_t> ParseTime(std::string_view s) {
  if (!s.empty() && s.find('-') == std::string_view::npos) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && n >= 0) return n;
    return std::nullopt;
  }
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  auto two = [&](std::size_t at, int& out) {
    if (at + 2 > s.size() || !std::isdigit(static_cast<unsigned char>(s[at])) ||
        !std::isdigit(static_cast<unsigned char>(s[at + 1]))) {
      return false;
    }
    out = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + 4, y);
  if (ec != std::errc() || end != s.data() + 4 || !two(5, mo) || !two(8, d)) return std::nullopt;
  if (s.size() > 10) {
    if ((s[10] != ' ' && s[10] != 'T' && s[10] != 't') || !two(11, h) || s.size() < 16 ||
        s[13] != ':' || !two(14, mi)) {
      return std::nullopt;
    }
    if (s.size() > 16 && (s.size() != 19 || s[16] != ':' || !two(17, sec))) return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // Days from the civil date (H. Hinnant's algorithm), so no time zone or
  // libc state is involved.
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = std::int64_t{era} * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

// /dle's filters and paging flags, as given (nullopt: not given).
struct EventFlags {
  std::optional<std::string> id, since, machine, result, before;
  bool any() const { return id || since || machine || result || before; }
};

// Checks /dle's flags and appends them; an error message or "".
std::string AddEventFilters(const EventFlags& f, std::vector<Argument>& args) {
  if (f.id) {
    std::optional<std::int64_t> n = ParseDecimal(*f.id);
    if (!n) return "--id needs an event ID such as 12290, not " + Quote(*f.id);
    args.push_back({"event_id", *n});
  }
  if (f.since) {
    std::optional<std::int64_t> t = ParseTime(*f.since);
    if (!t) {
      return "--since needs a UTC time such as 2026-12-01, \"2026-12-01 09:30\" or Unix seconds, "
             "not " +
             Quote(*f.since);
    }
    args.push_back({"since", *t});
  }
  if (f.machine) {
    if (f.machine->empty()) return "--machine needs a client machine name";
    args.push_back({"machine", *f.machine});
  }
  if (f.result) {
    std::string_view text = *f.result;
    std::uint32_t code = 0;
    bool ok = false;
    if (text.starts_with("0x") || text.starts_with("0X")) {
      text.remove_prefix(2);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code, 16);
      ok = !text.empty() && ec == std::errc() && end == text.data() + text.size();
    }
    if (!ok) return "--result needs a result code such as 0xC004F038, not " + Quote(*f.result);
    args.push_back({"result", std::int64_t{code}});
  }
  if (f.before) {
    std::optional<std::int64_t> n = ParseDecimal(*f.before);
    if (!n) return "--before needs an event number, as /dle prints it, not " + Quote(*f.before);
    args.push_back({"before", *n});
  }
  return "";
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
  std::optional<std::string> value, second;
  std::optional<std::string> first, after;               // /dlc's paging
  EventFlags events;                                     // /dle's
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
    if (token == "--password-stdin") {
      command.password_stdin = true;
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--ca")) {
      if (v->empty()) return Fail("--ca needs a file of CA certificates (PEM)");
      command.ca_file = std::move(*v);
      continue;
    }
    if (std::optional<std::string> v = FlagValue(args, i, "--forget-host")) {
      if (v->empty()) return Fail("--forget-host needs HOST:PORT, as known_hosts writes it");
      command.forget_host = std::move(*v);
      continue;
    }
    bool event_flag = false;
    for (auto [flag, slot] :
         {std::pair{"--id", &events.id}, std::pair{"--since", &events.since},
          std::pair{"--machine", &events.machine}, std::pair{"--result", &events.result},
          std::pair{"--before", &events.before}}) {
      if (std::optional<std::string> v = FlagValue(args, i, flag)) {
        *slot = std::move(v);
        event_flag = true;
        break;
      }
    }
    if (event_flag) continue;
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
    // /atp alone takes a second value: the MAK product's activation ID.
    const bool takes_second = spec->arg == ArgKind::kConfirmation;
    if (spec->arg == ArgKind::kNone || (value && (!takes_second || second))) {
      return Fail("unexpected argument " + Quote(token) + " after " + command.option);
    }
    (value ? second : value) = token;
  }

  if (!words.empty()) command.target = words[0];
  if (words.size() > 1) command.user = words[1];
  if (words.size() > 2) command.password = words[2];
  if (command.target.empty() && (command.password_stdin || !command.ca_file.empty())) {
    return Fail(std::string(command.password_stdin ? "--password-stdin" : "--ca") +
                " goes with a remote TARGET only");
  }
  if (command.password && command.password_stdin) {
    return Fail("give the password on the command line or with --password-stdin, not both");
  }
  if (!command.forget_host.empty()) {
    if (!command.target.empty() || spec != nullptr) {
      return Fail("--forget-host stands alone: slmgr --forget-host HOST:PORT");
    }
    return ParseResult{std::move(command), ""};
  }
  if (help || spec == nullptr) return ParseResult{std::move(command), ""};

  command.op = std::string(management::OperationName(spec->op));
  if (first && spec->op != Operation::kDlc && spec->op != Operation::kDle) {
    return Fail("--first goes with /dlc and /dle only");
  }
  if (after && spec->op != Operation::kDlc) return Fail("--after goes with /dlc only");
  if (events.any() && spec->op != Operation::kDle) {
    return Fail("--id, --since, --machine, --result and --before go with /dle only");
  }
  if (std::string error = AddEventFilters(events, command.args); !error.empty()) {
    return Fail(std::move(error));
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
    // RunSlmgr() reads the file and adds the confirmation ID; a value left
    // can only be the MAK product's activation ID.
    if (second || (value && !ParseUuid(*value))) {
      return Fail("/atp takes the confirmation ID or --in FILE, not both");
    }
    if (value) {
      const OptionSpec as_id{spec->name, spec->op, ArgKind::kSku, spec->group, "", ""};
      std::string error = AddArgument(as_id, *value, command.args);
      if (!error.empty()) return Fail(std::move(error));
    }
    return ParseResult{std::move(command), ""};
  }
  if (value) {
    std::string error = AddArgument(*spec, *value, command.args);
    if (!error.empty()) return Fail(std::move(error));
    if (second) {
      // /atp's activation ID, checked as /upk's is.
      const OptionSpec as_id{spec->name, spec->op, ArgKind::kSku, spec->group, "", ""};
      error = AddArgument(as_id, *second, command.args);
      if (!error.empty()) return Fail(std::move(error));
    }
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
      return m::DtiRequest{products().activation_id};
    case Operation::kAtp:
      return m::AtpRequest{text("confirmation_id"), products().activation_id};
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
    case Operation::kDle: {
      m::DleRequest r;
      if (command.Find("event_id") != nullptr) r.event_id = number("event_id");
      if (command.Find("since") != nullptr) r.since = number("since");
      if (command.Find("machine") != nullptr) r.machine = text("machine");
      if (command.Find("result") != nullptr) {
        r.result = static_cast<ResultCode>(static_cast<std::uint32_t>(number("result")));
      }
      if (command.Find("first") != nullptr) r.first = static_cast<std::uint32_t>(number("first"));
      if (command.Find("before") != nullptr) r.before = number("before");
      return r;
    }
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
      "                      manage another machine over TLS (docs/remote.md): TARGET is a\n"
      "                      name, IPv4 or [IPv6], with :PORT (default 1689); USER defaults\n"
      "                      to yours; without PASSWORD slmgr asks on the terminal\n"
      "  --password-stdin    read the password as one line of standard input\n"
      "  --ca FILE           check the target's certificate against these CAs instead of\n"
      "                      pinning it in ~/.config/activa/known_hosts\n"
      "  --forget-host HOST:PORT\n"
      "                      drop the pinned certificate of HOST:PORT (after a change)\n"
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
      "Reading (/dli, /dlv, /xpr, /dlc, /dle) is open to everyone; every other option needs root\n"
      "or membership of the group activa-admin.\n";
  return text;
}

}  // namespace activa::slmgr
