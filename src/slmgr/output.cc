#include "slmgr/output.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <optional>

#include "base/result_code.h"

namespace activa::slmgr {
namespace {

namespace json = boost::json;

constexpr std::uint32_t kInvalidData = static_cast<std::uint32_t>(ResultCode::kInvalidData);
constexpr std::uint32_t kHostNotActivated =
    static_cast<std::uint32_t>(ResultCode::kHostNotActivated);

// Field readers. The response comes from our own daemon, but a mismatched
// version or a bug there must give a clear error, not a crash: every reader
// accepts a missing field or a wrong type and falls back to the default.
const json::value* Field(const json::object& o, std::string_view key) {
  const auto* it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

// Text for a terminal. Machine names and editions in a host's records come
// from clients on the network: a control character (C0, DEL, or C1 as UTF-8)
// could move the cursor or rewrite the administrator's screen, so each one
// is shown as '?'.
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out += '?';
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Str(const json::object& o, std::string_view key, std::string_view fallback = "") {
  const json::value* v = Field(o, key);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return Printable(v->get_string());
}

std::optional<std::int64_t> OptInt(const json::object& o, std::string_view key) {
  const json::value* v = Field(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::int64_t Int(const json::object& o, std::string_view key, std::int64_t fallback = 0) {
  return OptInt(o, key).value_or(fallback);
}

bool Bool(const json::object& o, std::string_view key, bool fallback = false) {
  const json::value* v = Field(o, key);
  return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = Field(o, key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* Arr(const json::object& o, std::string_view key) {
  const json::value* v = Field(o, key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

std::string Minutes(std::int64_t minutes) {
  return std::to_string(minutes) + " minute(s) (" + std::to_string(minutes / 1440) + " day(s))";
}

// "2027-05-26 12:00:00", always UTC.
std::string BareTime(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "(invalid time " + std::to_string(unix_seconds) + ")";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string TimeOrNever(std::int64_t unix_seconds, std::string_view never = "never") {
  return unix_seconds == 0 ? std::string(never) : FormatTime(unix_seconds);
}

std::string FormatCode(std::uint32_t code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", code);
  return buf;
}

std::uint32_t CodeOf(std::int64_t value) { return static_cast<std::uint32_t>(value); }

bool IsGrace(std::int64_t status) {
  return status == 2 || status == 3 || status == 4 || status == 6;
}

// Channel names in the style of slmgr.vbs's (Activa's own), so a reader can
// tell a volume client from a MAK or a host at a glance.
std::string Channel(std::string_view key_kind) {
  if (key_kind == "setup") return "VOLUME_CLIENT";
  if (key_kind == "mak") return "VOLUME_MAK";
  if (key_kind == "host") return "VOLUME_HOST";
  std::string upper(key_kind);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.empty() ? "unknown" : upper;
}

std::string StatusText(const json::object& p) {
  std::int64_t status = Int(p, "license_status", -1);
  std::string text = LicenseStatusText(status);
  return text.empty() ? Str(p, "license_status_text", "Unknown") : text;
}

std::string ProductText(const json::object& p, const json::object* machine, bool verbose) {
  std::string out;
  const std::string key_kind = Str(p, "key_kind");
  const std::int64_t status = Int(p, "license_status", -1);
  const std::int64_t minutes = Int(p, "minutes_left");
  out += "Name: " + Str(p, "name", "(unnamed product)") + "\n";
  std::string description = Str(p, "vendor");
  std::string application = Str(p, "application");
  if (!application.empty()) description += (description.empty() ? "" : " ") + application;
  if (!description.empty()) description += ", ";
  out += "Description: " + description + Channel(key_kind) + " channel\n";
  if (verbose) {
    out += "Activation ID: " + Str(p, "activation_id") + "\n";
    out += "Application ID: " + Str(p, "application_id") + "\n";
    out += "Edition kind: " + Str(p, "kind", "unknown") + "\n";
  }
  std::string partial = Str(p, "partial_product_key");
  if (!partial.empty()) out += "Partial Product Key: " + partial + "\n";
  out += "License Status: " + StatusText(p) + "\n";
  if (IsGrace(status)) {
    out += "Time remaining: " + Minutes(minutes) + "\n";
  } else if (status == 1 && minutes > 0) {
    out += "Volume activation expiration: " + Minutes(minutes) + "\n";
  }
  std::int64_t last_result = Int(p, "last_result");
  if ((status == 0 || status == 5) && last_result != 0) {
    out += "Notification Reason: " + FormatCode(CodeOf(last_result)) + " " +
           Str(p, "last_result_text") + "\n";
  }
  if (verbose) {
    if (auto rearms = OptInt(p, "rearms_left")) {
      out += "Remaining rearm count: " + std::to_string(*rearms) + "\n";
    }
    std::int64_t grace_end = Int(p, "grace_end");
    if (IsGrace(status) && grace_end != 0)
      out += "Grace period ends: " + FormatTime(grace_end) + "\n";
    std::int64_t validity_end = Int(p, "validity_end");
    if (validity_end != 0) out += "Activation valid until: " + FormatTime(validity_end) + "\n";
    out += "Last activation: " + TimeOrNever(Int(p, "last_activation")) + "\n";
    std::int64_t last_attempt = Int(p, "last_attempt");
    out += "Last attempt: " + TimeOrNever(last_attempt) + "\n";
    if (last_attempt != 0) {
      out += "Last result: " + FormatCode(CodeOf(last_result)) + " " + Str(p, "last_result_text") +
             "\n";
    }
    out += "Next attempt: " + TimeOrNever(Int(p, "next_attempt"), "none scheduled") + "\n";
    if (key_kind == "setup") {
      out += "Required host count: " + std::to_string(Int(p, "required_count")) + "\n";
      out += "Host count at last contact: " + std::to_string(Int(p, "last_count")) + "\n";
    }
  }
  if (key_kind == "setup") {
    out += "\nKey Management Service client information\n";
    if (machine != nullptr) {
      out += "    Client Machine ID (CMID): " + Str(*machine, "cmid") + "\n";
    }
    const json::object* kms = Obj(p, "kms");
    static const json::object kEmpty;
    if (kms == nullptr) kms = &kEmpty;
    std::string configured = Str(*kms, "configured");
    std::string in_use = Str(*kms, "in_use");
    if (!configured.empty()) {
      out += "    Registered KMS machine name: " + configured + "\n";
    } else if (!in_use.empty()) {
      out += "    KMS machine name from DNS: " + in_use + "\n";
    } else {
      out += "    KMS machine name: not set; DNS auto-discovery\n";
    }
    std::string address = Str(*kms, "address");
    if (!address.empty()) out += "    KMS host IP address: " + address + "\n";
    std::string domain = Str(*kms, "lookup_domain");
    if (!domain.empty()) out += "    KMS SRV record lookup domain: " + domain + "\n";
    out += std::string("    KMS host caching is ") +
           (Bool(*kms, "host_caching", true) ? "enabled" : "disabled") + "\n";
    out +=
        "    Activation interval: " + std::to_string(Int(p, "activation_interval")) + " minutes\n";
    out += "    Renewal interval: " + std::to_string(Int(p, "renewal_interval")) + " minutes\n";
  }
  return out;
}

std::string MachineText(const json::object& machine) {
  std::string out = "Machine name: " + Str(machine, "name") + "\n";
  out += "Client Machine ID (CMID): " + Str(machine, "cmid") + "\n";
  std::string previous = Str(machine, "previous_cmid");
  if (!previous.empty()) out += "Previous CMID: " + previous + "\n";
  out += std::string("Virtual machine: ") + (Bool(machine, "is_virtual_machine") ? "yes" : "no") +
         "\n";
  return out;
}

std::string HostText(const json::object& host, bool verbose) {
  std::string out;
  if (Bool(host, "activated")) {
    out += "Key Management Service is enabled on this machine\n";
  } else {
    out += "Key Management Service host key is installed but the host is not activated (" +
           FormatCode(kHostNotActivated) + "); activate it with /ato or /dti and /atp\n";
  }
  if (verbose) {
    out += "    Vendor: " + Str(host, "vendor") + "\n";
    out += "    Product group: " + Str(host, "group") + " (" + Str(host, "group_id") + ")\n";
    out += "    Partial Product Key: " + Str(host, "partial_product_key") + "\n";
    out += "    Host ID: " + Str(host, "host_id") + "\n";
  }
  const json::array* counts = Arr(host, "counts");
  if (counts == nullptr || counts->empty()) {
    out += "    Current count: 0\n";
  } else {
    for (const json::value& v : *counts) {
      if (!v.is_object()) continue;
      const json::object& c = v.get_object();
      std::int64_t count = Int(c, "count");
      std::int64_t kms_count = Int(c, "kms_count", count);
      std::string label = "Current count";
      // One application is the usual case; name it only when there are more.
      if (counts->size() > 1) label += " (" + Str(c, "application", Str(c, "application_id")) + ")";
      out += "    " + label + ": " + std::to_string(count);
      if (kms_count != count) {
        out += " (KMS would show " + std::to_string(kms_count) + "; capped at 50)";
      }
      out += "\n";
    }
  }
  out += "    Listening on Port: " + std::to_string(Int(host, "port", 1688)) + "\n";
  if (verbose) {
    std::string addresses;
    if (const json::array* listening = Arr(host, "listening")) {
      for (const json::value& v : *listening) {
        if (!v.is_string()) continue;
        if (!addresses.empty()) addresses += ", ";
        addresses += std::string(v.get_string());
      }
    }
    out += "    Listening on: " + (addresses.empty() ? std::string("(not listening)") : addresses) +
           "\n";
  }
  out += std::string("    DNS publishing ") +
         (Bool(host, "dns_publishing") ? "enabled" : "disabled") + "\n";
  // Per domain, the last publishing result (events 12294 / 12293).
  if (const json::value* dns = host.if_contains("dns"); dns != nullptr && dns->is_array()) {
    for (const json::value& d : dns->get_array()) {
      if (!d.is_object()) continue;
      const json::object& o = d.get_object();
      std::uint32_t code = CodeOf(Int(o, "result"));
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08X", code);
      out += "        " + Printable(Str(o, "domain")) + ": " +
             (code == 0 ? Str(o, "message") : std::string(hex) + " " + Printable(Str(o, "message"))) +
             " (" + FormatTime(Int(o, "time")) + ")\n";
    }
  }
  out += std::string("    KMS priority: ") + (Str(host, "priority") == "low" ? "Low" : "Normal") +
         "\n";
  if (verbose) {
    out += "    Activation interval sent to clients: " +
           std::to_string(Int(host, "activation_interval")) + " minutes\n";
    out +=
        "    Renewal interval sent to clients: " + std::to_string(Int(host, "renewal_interval")) +
        " minutes\n";
  }
  const json::object* requests = Obj(host, "requests");
  static const json::object kEmpty;
  if (requests == nullptr) requests = &kEmpty;
  const std::pair<std::string_view, std::string_view> rows[] = {
      {"total", "Total requests received"},
      {"failed", "Failed requests received"},
      {"unlicensed", "Requests with License Status Unlicensed"},
      {"licensed", "Requests with License Status Licensed"},
      {"initial_grace", "Requests with License Status Initial grace period"},
      {"oot_grace", "Requests with License Status License expired or Hardware out of tolerance"},
      {"non_genuine_grace", "Requests with License Status Non-genuine grace period"},
      {"notification", "Requests with License Status Notification"},
  };
  out += "\nKey Management Service cumulative requests received from clients\n";
  for (const auto& [key, label] : rows) {
    out += "    " + std::string(label) + ": " + std::to_string(Int(*requests, key)) + "\n";
  }
  return out;
}

// The product objects of `data`, or an error message naming the field.
std::optional<std::string> Products(const json::object& data,
                                    std::vector<const json::object*>& products) {
  const json::array* array = Arr(data, "products");
  if (array == nullptr) return "the response has no \"products\" list";
  for (const json::value& v : *array) {
    if (!v.is_object()) return "an entry of \"products\" is not an object";
    products.push_back(&v.get_object());
  }
  return std::nullopt;
}

void Malformed(Output& output, std::string_view what) {
  output.Err(ErrorLine(kInvalidData, "activad's response is malformed: " + std::string(what)));
  output.exit_code = 1;
}

void FormatLicenses(const json::object& data, bool verbose, Output& output) {
  std::vector<const json::object*> products;
  if (auto error = Products(data, products)) return Malformed(output, *error);
  const json::object* machine = Obj(data, "machine");
  const json::object* host = Obj(data, "host");
  std::string out;
  if (verbose && machine != nullptr) out += MachineText(*machine);
  for (const json::object* p : products) {
    if (!out.empty()) out += "\n";
    out += ProductText(*p, machine, verbose);
  }
  if (host != nullptr) {
    if (!out.empty()) out += "\n";
    out += HostText(*host, verbose);
  }
  if (products.empty() && host == nullptr) out += "No product key is installed.\n";
  output.Out(std::move(out));
}

std::string Expiration(const json::object& p) {
  const std::int64_t status = Int(p, "license_status", -1);
  const std::string key_kind = Str(p, "key_kind");
  const std::int64_t minutes = Int(p, "minutes_left");
  if (status == 1) {
    std::int64_t validity_end = Int(p, "validity_end");
    if (validity_end != 0) return "Volume activation will expire " + FormatTime(validity_end);
    // A KMS-style activation always ends; only a MAK or other permanent
    // activation may say "permanently".
    if (key_kind != "setup") return "The machine is permanently activated.";
    return "Volume activation will expire in " + Minutes(minutes);
  }
  if (IsGrace(status)) {
    std::string text = LicenseStatusText(status);
    if (!text.empty())
      text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    std::int64_t grace_end = Int(p, "grace_end");
    if (grace_end != 0) return "Is in " + text + ", which ends " + FormatTime(grace_end);
    return "Is in " + text + ", which ends in " + Minutes(minutes);
  }
  if (status == 5) return "Is in notification mode: the product is not activated.";
  return "Is not licensed: the product is not activated.";
}

void FormatExpiration(const json::object& data, Output& output) {
  std::vector<const json::object*> products;
  if (auto error = Products(data, products)) return Malformed(output, *error);
  std::string out;
  for (const json::object* p : products) {
    out += Str(*p, "name", "(unnamed product)") + ":\n    " + Expiration(*p) + "\n";
  }
  if (const json::object* host = Obj(data, "host")) {
    out += "Host key for " + Str(*host, "group", "(unknown product group)") + ":\n    " +
           (Bool(*host, "activated") ? "The activation host is activated.\n"
                                     : "The activation host is not activated.\n");
  }
  if (out.empty()) out = "No product key is installed.\n";
  output.Out(std::move(out));
}

void FormatClients(const json::object& data, Output& output) {
  const json::array* clients = Arr(data, "clients");
  if (clients == nullptr) return Malformed(output, "the response has no \"clients\" list");
  if (clients->empty()) {
    output.Out("No client has contacted this activation host.\n");
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"Machine name", "CMID", "Edition", "Last seen (UTC)", "License status", "VM", "Requests"}};
  for (const json::value& v : *clients) {
    if (!v.is_object()) return Malformed(output, "an entry of \"clients\" is not an object");
    const json::object& c = v.get_object();
    std::int64_t state = Int(c, "license_state", -1);
    std::string status = LicenseStatusText(state);
    if (status.empty()) status = std::to_string(state);
    rows.push_back({Str(c, "machine_name"), Str(c, "cmid"), Str(c, "edition", Str(c, "sku_id")),
                    BareTime(Int(c, "last_seen")), status,
                    Bool(c, "is_virtual_machine") ? "yes" : "no",
                    std::to_string(Int(c, "requests"))});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  out += std::to_string(clients->size()) + " client(s)\n";
  output.Out(std::move(out));
}

bool SameId(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// /ato: one "Activating" line per product, then its outcome, as slmgr.vbs.
void FormatActivation(const Command& command, const json::object& response, std::uint32_t result,
                      Output& output) {
  std::vector<const json::object*> products;
  if (const json::array* array = Arr(response, "products")) {
    for (const json::value& v : *array) {
      if (v.is_object()) products.push_back(&v.get_object());
    }
  } else if (result == 0) {
    return Malformed(output, "the response has no \"products\" list");
  }
  std::string wanted;
  if (const Argument* id = command.Find("activation_id")) {
    wanted = std::get<std::string>(id->value);
  }
  bool reported_overall = false;
  bool printed_any = false;
  for (const json::object* p : products) {
    std::string id = Str(*p, "activation_id");
    if (!wanted.empty() && !SameId(id, wanted)) continue;
    printed_any = true;
    output.Out("Activating " + Str(*p, "name", "(unnamed product)") + " (" + id + ") ...\n");
    std::uint32_t last = CodeOf(Int(*p, "last_result"));
    if (last == 0 && Int(*p, "license_status", -1) == 1) {
      output.Out("Product activated successfully.\n");
      continue;
    }
    if (last == 0) last = result;
    if (last == 0) {
      output.Out("Product not activated: its license status is " + StatusText(*p) + ".\n");
      continue;
    }
    output.Err(ErrorLine(last, last == result
                                   ? Str(response, "message", Str(*p, "last_result_text"))
                                   : Str(*p, "last_result_text")));
    output.exit_code = 1;
    if (last == result) reported_overall = true;
  }
  if (result != 0 && !reported_overall) {
    output.Err(ErrorLine(result, Str(response, "message")));
    output.exit_code = 1;
  } else if (result == 0 && !printed_any) {
    output.Out("Product activated successfully.\n");
  }
}

// The last five characters of the key as typed (its partial product key):
// slmgr never prints a whole key.
std::string PartialKey(const Command& command) {
  const Argument* key = command.Find("key");
  if (key == nullptr) return "";
  std::string chars;
  for (char c : std::get<std::string>(key->value)) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      chars += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return chars.size() <= 5 ? chars : chars.substr(chars.size() - 5);
}

std::string ArgText(const Command& command, std::string_view name) {
  const Argument* a = command.Find(name);
  if (a == nullptr) return "";
  if (const auto* s = std::get_if<std::string>(&a->value)) return *s;
  return std::to_string(std::get<std::int64_t>(a->value));
}

// The confirmation printed for an operation that succeeded.
void FormatSuccess(const Command& command, const json::object& data, Output& output) {
  const std::string& op = command.op;
  if (op == "dli" || op == "dlv") return FormatLicenses(data, op == "dlv", output);
  if (op == "xpr") return FormatExpiration(data, output);
  if (op == "dlc") return FormatClients(data, output);
  if (op == "ipk") {
    std::string out = "Product key " + PartialKey(command) + " installed successfully";
    std::string name = Str(data, "name");
    out += name.empty() ? ".\n" : " (" + name + ").\n";
    if (Bool(data, "becomes_host")) {
      // The deployment guide warns against making a host by accident; this
      // is the one place where that happens, so say it plainly.
      out += "Note: this machine is now an activation host for " +
             (name.empty() ? std::string("its product group") : name) +
             " and will answer clients once the host key is activated (/ato, or /dti and /atp); "
             "if that was not intended, remove the key with /upk.\n";
    } else if (Str(data, "kind") == "mak") {
      out += "Activate it with /ato.\n";
    }
    return output.Out(std::move(out));
  }
  if (op == "upk") {
    std::string name = Str(data, "removed");
    return output.Out(name.empty() ? "Uninstalled product key successfully.\n"
                                   : "Uninstalled product key for " + name + " successfully.\n");
  }
  if (op == "cpky") {
    return output.Out("Activa keeps product keys only in its state database (a folder only root can read), which it needs for /dti; there is no other copy to clear.\n");
  }
  if (op == "dti") {
    std::string id = Str(data, "installation_id");
    if (id.empty()) return Malformed(output, "the response has no \"installation_id\"");
    return output.Out("Installation ID: " + id +
                      "\nGive it to the vendor (activa-vendor confirm VENDORDIR INSTALLATION_ID) "
                      "and enter the confirmation ID with /atp.\n");
  }
  if (op == "atp") {
    std::string out = "Confirmation ID deposited successfully.\n";
    if (const json::object* host = Obj(data, "host")) {
      out += Bool(*host, "activated")
                 ? "The activation host for " + Str(*host, "group") + " is activated.\n"
                 : "The activation host is still not activated.\n";
    }
    return output.Out(std::move(out));
  }
  if (op == "rearm") {
    std::string out = "Command completed successfully; the grace period starts again.\n";
    if (auto left = OptInt(data, "rearms_left")) {
      out += "Remaining rearm count: " + std::to_string(*left) + "\n";
    }
    return output.Out(std::move(out));
  }
  if (op == "generalize") {
    return output.Out("Client Machine ID (CMID) is now " + Str(data, "cmid") + " (was " +
                      Str(data, "previous_cmid") + "); the grace period starts again.\n");
  }
  if (op == "skms") {
    return output.Out("Key Management Service machine name set to " + ArgText(command, "host") +
                      " successfully.\n");
  }
  if (op == "ckms") {
    return output.Out(
        "Key Management Service machine name cleared successfully; DNS auto-discovery is "
        "used.\n");
  }
  if (op == "skms_domain") {
    return output.Out("Key Management Service SRV record lookup domain set to " +
                      ArgText(command, "domain") + " successfully.\n");
  }
  if (op == "ckms_domain") {
    return output.Out("Key Management Service SRV record lookup domain cleared successfully.\n");
  }
  if (op == "skhc") return output.Out("KMS host caching is enabled.\n");
  if (op == "ckhc") return output.Out("KMS host caching is disabled.\n");
  if (op == "sai") {
    return output.Out("Volume activation interval set to " + ArgText(command, "minutes") +
                      " minutes successfully.\n");
  }
  if (op == "sri") {
    return output.Out("Volume renewal interval set to " + ArgText(command, "minutes") +
                      " minutes successfully.\n");
  }
  if (op == "sprt") {
    return output.Out("KMS port set to " + ArgText(command, "port") +
                      " successfully; open TCP port " + ArgText(command, "port") +
                      " in the firewall.\n");
  }
  if (op == "sdns") return output.Out("DNS publishing enabled.\n");
  if (op == "cdns") return output.Out("DNS publishing disabled.\n");
  if (op == "spri") return output.Out("KMS priority set to Normal.\n");
  if (op == "cpri") return output.Out("KMS priority set to Low.\n");
  output.Out("Command completed successfully.\n");
}

}  // namespace

std::string Output::stdout_text() const {
  std::string text;
  for (const Chunk& c : chunks) {
    if (!c.to_stderr) text += c.text;
  }
  return text;
}

std::string Output::stderr_text() const {
  std::string text;
  for (const Chunk& c : chunks) {
    if (c.to_stderr) text += c.text;
  }
  return text;
}

std::string ErrorLine(std::uint32_t code, std::string_view message) {
  std::string text(message);
  if (text.empty()) {
    std::optional<ResultCode> known = ResultCodeFromValue(code);
    text = known ? std::string(ResultCodeMessage(*known)) : "Unknown error.";
  }
  return "Error: " + FormatCode(code) + " " + text + "\n";
}

std::string LicenseStatusText(std::int64_t status) {
  switch (status) {
    case 0:
      return "Unlicensed";
    case 1:
      return "Licensed";
    case 2:
      return "Initial grace period";
    case 3:
      return "Additional grace period (KMS license expired or hardware out of tolerance)";
    case 4:
      return "Non-genuine grace period";
    case 5:
      return "Notification";
    case 6:
      return "Extended grace period";
    default:
      return "";
  }
}

std::string FormatTime(std::int64_t unix_seconds) { return BareTime(unix_seconds) + " UTC"; }

Output FormatResponse(const Command& command, std::string_view response) {
  Output output;
  if (response.ends_with('\n')) response.remove_suffix(1);
  boost::system::error_code ec;
  json::value parsed = json::parse(response, ec);
  if (ec || !parsed.is_object()) {
    Malformed(output, ec ? "not JSON (" + ec.message() + ")" : std::string("not a JSON object"));
    return output;
  }
  const json::object& object = parsed.get_object();
  std::optional<std::int64_t> result = OptInt(object, "result");
  if (!result || *result < 0 || *result > static_cast<std::int64_t>(UINT32_MAX)) {
    Malformed(output, "\"result\" is missing or not a 32-bit result code");
    return output;
  }
  const std::uint32_t code = static_cast<std::uint32_t>(*result);
  if (command.json) {
    output.Out(json::serialize(object) + "\n");
    if (code != 0) {
      output.Err(ErrorLine(code, Str(object, "message")));
      output.exit_code = 1;
    }
    return output;
  }
  if (command.op == "ato") {
    FormatActivation(command, object, code, output);
    return output;
  }
  if (code != 0) {
    output.Err(ErrorLine(code, Str(object, "message")));
    output.exit_code = 1;
    return output;
  }
  FormatSuccess(command, object, output);
  return output;
}

}  // namespace activa::slmgr
