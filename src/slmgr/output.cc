#include "slmgr/output.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "base/result_code.h"
#include "base/time_text.h"
#include "keys/product_key.h"
#include "management/codec.h"

namespace activa::slmgr {
namespace {

namespace m = management;

constexpr std::uint32_t kHostNotActivated =
    static_cast<std::uint32_t>(ResultCode::kHostNotActivated);

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

std::string Minutes(std::int64_t minutes) {
  return std::to_string(minutes) + " minute(s) (" + std::to_string(minutes / 1440) + " day(s))";
}

std::string TimeOrNever(std::int64_t unix_seconds, std::string_view never = "never") {
  return unix_seconds == 0 ? std::string(never) : FormatTime(unix_seconds);
}

std::string FormatCode(std::uint32_t code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", code);
  return buf;
}

std::uint32_t CodeOf(ResultCode code) { return static_cast<std::uint32_t>(code); }

std::string Or(const std::string& text, std::string_view fallback) {
  return text.empty() ? std::string(fallback) : text;
}

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

std::string StatusText(const m::Product& p) {
  std::string text = LicenseStatusText(p.license_status);
  return text.empty() ? Or(Printable(p.license_status_text), "Unknown") : text;
}

std::string ProductText(const m::Product& p, const m::Machine* machine, bool verbose) {
  std::string out;
  const std::string& key_kind = p.key_kind;
  const int status = p.license_status;
  const std::int64_t minutes = p.minutes_left;
  out += "Name: " + Or(Printable(p.name), "(unnamed product)") + "\n";
  std::string description = Printable(p.vendor);
  std::string application = Printable(p.application);
  // "Example Software Suite" by "Example Software" is not written
  // "Example Software Example Software Suite".
  if (!description.empty() && application.starts_with(description)) description.clear();
  if (!application.empty()) description += (description.empty() ? "" : " ") + application;
  if (!description.empty()) description += ", ";
  out += "Description: " + description + Channel(key_kind) + " channel\n";
  if (verbose) {
    out += "Activation ID: " + FormatUuid(p.activation_id) + "\n";
    out += "Application ID: " + FormatUuid(p.application_id) + "\n";
    out += "Edition kind: " + Or(Printable(p.kind), "unknown") + "\n";
  }
  if (!p.partial_product_key.empty()) {
    out += "Partial Product Key: " + Printable(p.partial_product_key) + "\n";
  }
  out += "License Status: " + StatusText(p) + "\n";
  if (IsGrace(status)) {
    out += "Time remaining: " + Minutes(minutes) + "\n";
  } else if (status == 1 && minutes > 0) {
    out += "Volume activation expiration: " + Minutes(minutes) + "\n";
  }
  const std::uint32_t last_result = CodeOf(p.last_result);
  const std::string last_text = Printable(p.last_result_text);
  if ((status == 0 || status == 5) && last_result != 0) {
    out += "Notification Reason: " + FormatCode(last_result) + " " + last_text + "\n";
  }
  if (verbose) {
    out += "Remaining rearm count: " + std::to_string(p.rearms_left) + "\n";
    if (IsGrace(status) && p.grace_end != 0)
      out += "Grace period ends: " + FormatTime(p.grace_end) + "\n";
    if (p.validity_end != 0) out += "Activation valid until: " + FormatTime(p.validity_end) + "\n";
    out += "Last activation: " + TimeOrNever(p.last_activation) + "\n";
    out += "Last attempt: " + TimeOrNever(p.last_attempt) + "\n";
    if (p.last_attempt != 0) {
      out += "Last result: " + FormatCode(last_result) + " " + last_text + "\n";
    }
    out += "Next attempt: " + TimeOrNever(p.next_attempt, "none scheduled") + "\n";
    if (key_kind == "setup") {
      out += "Required host count: " + std::to_string(p.required_count) + "\n";
      out += "Host count at last contact: " + std::to_string(p.last_count) + "\n";
    }
  }
  if (key_kind == "setup") {
    out += "\nKey Management Service client information\n";
    if (machine != nullptr) {
      out += "    Client Machine ID (CMID): " + FormatUuid(machine->cmid) + "\n";
    }
    const m::KmsClientInfo& kms = p.kms;
    std::string configured = Printable(kms.configured.value_or(""));
    std::string in_use = Printable(kms.in_use.value_or(""));
    if (!configured.empty()) {
      out += "    Registered KMS machine name: " + configured + "\n";
    } else if (!in_use.empty()) {
      out += "    KMS machine name from DNS: " + in_use + "\n";
    } else {
      out += "    KMS machine name: not set; DNS auto-discovery\n";
    }
    std::string address = Printable(kms.address.value_or(""));
    if (!address.empty()) out += "    KMS host IP address: " + address + "\n";
    std::string domain = Printable(kms.lookup_domain.value_or(""));
    if (!domain.empty()) out += "    KMS SRV record lookup domain: " + domain + "\n";
    out += std::string("    KMS host caching is ") + (kms.host_caching ? "enabled" : "disabled") +
           "\n";
    out += "    Activation interval: " + std::to_string(p.activation_interval) + " minutes\n";
    out += "    Renewal interval: " + std::to_string(p.renewal_interval) + " minutes\n";
  }
  if (key_kind == "mak") {
    out += "\nMAK activation information\n";
    if (machine != nullptr) {
      out += "    Client Machine ID (CMID): " + FormatUuid(machine->cmid) + "\n";
    }
    if (p.mak_activated) {
      out += "    Activated by the vendor on " + FormatUtcTime(*p.mak_activated).substr(0, 10) +
             "; the activation does not expire\n";
    } else {
      out +=
          "    Not activated by the vendor yet: /ato, or /dti, the vendor's confirmation "
          "ID and /atp\n";
    }
  }
  return out;
}

std::string MachineText(const m::Machine& machine) {
  std::string out = "Machine name: " + Printable(machine.name) + "\n";
  out += "Client Machine ID (CMID): " + FormatUuid(machine.cmid) + "\n";
  if (machine.previous_cmid) out += "Previous CMID: " + FormatUuid(*machine.previous_cmid) + "\n";
  out += std::string("Virtual machine: ") + (machine.is_virtual_machine ? "yes" : "no") + "\n";
  return out;
}

std::string HostText(const m::Host& host, bool verbose) {
  std::string out;
  if (host.activated) {
    out += "Key Management Service is enabled on this machine\n";
  } else {
    out += "Key Management Service host key is installed but the host is not activated (" +
           FormatCode(kHostNotActivated) + "); activate it with /ato or /dti and /atp\n";
  }
  if (verbose) {
    out += "    Vendor: " + Printable(host.vendor) + "\n";
    out += "    Product group: " + Printable(host.group) + " (" +
           (host.group_id ? FormatUuid(*host.group_id) : std::string()) + ")\n";
    out += "    Partial Product Key: " + Printable(host.partial_product_key) + "\n";
    out += "    Host ID: " + FormatUuid(host.host_id) + "\n";
  }
  if (host.certificate_expires) {
    out += "    Host certificate expires: " + FormatUtcTime(*host.certificate_expires) +
           "; reactivate the host key before then (/dti, then /atp with the vendor's answer)\n";
  }
  if (host.clearinghouse_unreachable) {
    out += "    Clearinghouse: unreachable since " +
           FormatUtcTime(host.clearinghouse_unreachable->since) + ": " +
           Printable(host.clearinghouse_unreachable->cause) +
           "; the host works on its certificate meanwhile\n";
  }
  if (host.counts.empty()) {
    out += "    Current count: 0\n";
  } else {
    for (const m::ApplicationCount& c : host.counts) {
      std::string label = "Current count";
      // One application is the usual case; name it only when there are more.
      if (host.counts.size() > 1) {
        label += " (" + Or(Printable(c.application), FormatUuid(c.application_id)) + ")";
      }
      out += "    " + label + ": " + std::to_string(c.count);
      if (c.kms_count != c.count) {
        out += " (KMS would show " + std::to_string(c.kms_count) + "; capped at 50)";
      }
      out += "\n";
      // What the host applies: each edition's threshold from its catalog.
      for (const m::EditionThreshold& e : c.editions) {
        out += "        " + Or(Printable(e.name), FormatUuid(e.sku_id)) + " (" +
               Or(Printable(e.kind), "unknown") + " edition): threshold " +
               std::to_string(e.threshold) + ", " +
               (e.missing == 0 ? std::string("reached")
                               : std::to_string(e.missing) + " more machine(s) needed") +
               "\n";
      }
    }
  }
  out += "    Listening on Port: " + std::to_string(host.port) + "\n";
  if (verbose) {
    std::string addresses;
    for (const std::string& a : host.listening) {
      if (!addresses.empty()) addresses += ", ";
      addresses += Printable(a);
    }
    out += "    Listening on: " + (addresses.empty() ? std::string("(not listening)") : addresses) +
           "\n";
  }
  out += std::string("    DNS publishing ") + (host.dns_publishing ? "enabled" : "disabled") + "\n";
  if (host.dns_problem) {
    out += "        but nothing is published: " + Printable(*host.dns_problem) + "\n";
  }
  // Per domain, the last publishing result (events 12294 / 12293).
  for (const m::DnsPublishStatus& d : host.dns) {
    const std::uint32_t code = CodeOf(d.result);
    out += "        " + Printable(d.domain) + ": " +
           (code == 0 ? Printable(d.message) : FormatCode(code) + " " + Printable(d.message)) +
           " (" + FormatTime(d.time) + ")\n";
  }
  out += std::string("    KMS priority: ") +
         (host.priority == m::Priority::kLow ? "Low" : "Normal") + "\n";
  if (verbose) {
    out += "    Activation interval sent to clients: " + std::to_string(host.activation_interval) +
           " minutes\n";
    out += "    Renewal interval sent to clients: " + std::to_string(host.renewal_interval) +
           " minutes\n";
  }
  const m::RequestCounts& r = host.requests;
  const std::pair<std::uint64_t, std::string_view> rows[] = {
      {r.total, "Total requests received"},
      {r.failed, "Failed requests received"},
      {r.unlicensed, "Requests with License Status Unlicensed"},
      {r.licensed, "Requests with License Status Licensed"},
      {r.initial_grace, "Requests with License Status Initial grace period"},
      {r.oot_grace, "Requests with License Status License expired or Hardware out of tolerance"},
      {r.non_genuine_grace, "Requests with License Status Non-genuine grace period"},
      {r.notification, "Requests with License Status Notification"},
  };
  out += "\nKey Management Service cumulative requests received from clients\n";
  for (const auto& [count, label] : rows) {
    out += "    " + std::string(label) + ": " + std::to_string(count) + "\n";
  }
  return out;
}

void Fail(Output& output, const Status& status) {
  output.Err(ErrorLine(CodeOf(status.code()), status.message()));
  output.exit_code = 1;
}

void FormatLicenses(const m::LicenseInfo& data, bool verbose, Output& output) {
  std::string out;
  if (verbose) out += MachineText(data.machine);
  for (const m::Product& p : data.products) {
    if (!out.empty()) out += "\n";
    out += ProductText(p, &data.machine, verbose);
  }
  if (data.host) {
    if (!out.empty()) out += "\n";
    out += HostText(*data.host, verbose);
  }
  if (data.products.empty() && !data.host) out += "No product key is installed.\n";
  if (verbose && data.management) {
    // What an operator compares with slmgr's first-use note (docs/remote.md).
    std::string where;
    for (const std::string& a : data.management->listening) {
      where += (where.empty() ? "" : ", ") + Printable(a);
    }
    out += "\nRemote management\n    Listening on: " + where +
           "\n    TLS certificate fingerprint: " +
           Printable(data.management->certificate_fingerprint) + "\n";
  }
  if (data.reload_refused) {
    out += "\nThe running configuration is older than its file: the reload of " +
           FormatTime(data.reload_refused->time) + " was refused (" +
           Printable(data.reload_refused->message) +
           "); fix the file and reload again (systemctl reload activad).\n";
  }
  output.Out(std::move(out));
}

std::string Expiration(const m::Product& p) {
  const int status = p.license_status;
  if (status == 1) {
    if (p.validity_end != 0) return "Volume activation will expire " + FormatTime(p.validity_end);
    // A KMS-style activation always ends; only a MAK or other permanent
    // activation may say "permanently".
    if (p.key_kind != "setup") return "The machine is permanently activated.";
    return "Volume activation will expire in " + Minutes(p.minutes_left);
  }
  if (IsGrace(status)) {
    std::string text = LicenseStatusText(status);
    if (!text.empty())
      text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    if (p.grace_end != 0) return "Is in " + text + ", which ends " + FormatTime(p.grace_end);
    return "Is in " + text + ", which ends in " + Minutes(p.minutes_left);
  }
  if (status == 5) return "Is in notification mode: the product is not activated.";
  return "Is not licensed: the product is not activated.";
}

void FormatExpiration(const m::LicenseInfo& data, Output& output) {
  std::string out;
  for (const m::Product& p : data.products) {
    out += Or(Printable(p.name), "(unnamed product)") + ":\n    " + Expiration(p) + "\n";
  }
  if (data.host) {
    out += "Host key for " + Or(Printable(data.host->group), "(unknown product group)") +
           ":\n    " +
           (data.host->activated ? "The activation host is activated.\n"
                                 : "The activation host is not activated.\n");
  }
  if (out.empty()) out = "No product key is installed.\n";
  output.Out(std::move(out));
}

// Columns padded to their widest cell, two spaces apart.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
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
  return out;
}

void FormatClients(const m::DlcResponse& data, Output& output) {
  if (!data.is_host && data.total == 0) {
    output.Out(
        "This machine is not an activation host (no host key is installed), so no client "
        "records are kept here. Run /dlc on the activation host.\n");
    return;
  }
  if (data.clients.empty()) {
    output.Out(data.total == 0 ? "No client has contacted this activation host.\n"
                               : "No client after the given CMID (" + std::to_string(data.total) +
                                     " client(s) in all).\n");
    return;
  }
  // The license status is what the client said in its last request, at
  // the time of that request: not the client's state now.
  std::vector<std::vector<std::string>> rows = {
      {"Machine name", "CMID", "Edition", "Last request (UTC)",
       "License status reported with the last request", "VM", "Requests"}};
  for (const m::ClientRecord& c : data.clients) {
    std::string status = LicenseStatusText(c.license_state);
    if (status.empty()) status = std::to_string(c.license_state);
    rows.push_back({Printable(c.machine_name), FormatUuid(c.cmid),
                    Or(Printable(c.edition), FormatUuid(c.sku_id)), FormatUtcTimeBare(c.last_seen),
                    status, c.is_virtual_machine ? "yes" : "no", std::to_string(c.requests)});
  }
  std::string out;
  if (!data.is_host) {
    out +=
        "No host key is installed now; these records are from when this machine was an "
        "activation host.\n";
  }
  out += Table(rows);
  out += std::to_string(data.clients.size()) + " client(s) shown, " + std::to_string(data.total) +
         " in all\n";
  if (data.next_after) {
    out += "More follow: slmgr /dlc --after " + FormatUuid(*data.next_after) + "\n";
  }
  output.Out(std::move(out));
}

// The flags of a /dle command line, to repeat them for the next page.
std::string EventFlagsText(const Command& command) {
  std::string out;
  const std::pair<std::string_view, std::string_view> flags[] = {
      {"event_id", "--id"}, {"since", "--since"}, {"machine", "--machine"}, {"first", "--first"}};
  for (const auto& [name, flag] : flags) {
    const Argument* a = command.Find(name);
    if (a == nullptr) continue;
    std::string value = std::holds_alternative<std::string>(a->value)
                            ? std::get<std::string>(a->value)
                            : std::to_string(std::get<std::int64_t>(a->value));
    if (value.find(' ') != std::string::npos) value = "\"" + value + "\"";
    out += " " + std::string(flag) + " " + Printable(value);
  }
  if (const Argument* r = command.Find("result")) {
    out += " --result " + FormatCode(static_cast<std::uint32_t>(std::get<std::int64_t>(r->value)));
  }
  return out;
}

// /dle: each event on its own lines, newest first, as a reader of the
// Windows Event Viewer's Key Management Service log would scan them.
void FormatEvents(const Command& command, const m::DleResponse& data, Output& output) {
  const bool filtered = command.Find("event_id") || command.Find("since") ||
                        command.Find("machine") || command.Find("result");
  if (data.events.empty()) {
    output.Out(command.Find("before") != nullptr ? "No older event matches.\n"
               : filtered                        ? "No stored event matches.\n"
                                                 : "No event is stored.\n");
    return;
  }
  std::string out;
  for (const m::EventRecord& e : data.events) {
    // Messages hold what clients sent (machine names): shown as text only.
    out += "Event " + std::to_string(e.event_id) + "  " + FormatTime(e.time) + "  (#" +
           std::to_string(e.id) + ")\n    " + Printable(e.message) + "\n";
  }
  out += std::to_string(data.events.size()) + " event(s) shown, newest first\n";
  if (data.next_before) {
    out += "More follow: slmgr /dle" + EventFlagsText(command) + " --before " +
           std::to_string(*data.next_before) + "\n";
  }
  output.Out(std::move(out));
}

bool SameId(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// One step of an attempt, as a line under its error.
std::string StepLine(const m::AttemptStep& step) {
  std::string code;
  const std::uint32_t result = CodeOf(step.result);
  // A host's own refusal code is worth its number; "not reachable" is the
  // error line's already.
  if (result != 0 && step.result != ResultCode::kNoHostReachable) code = FormatCode(result) + " ";
  if (step.kind == "dns") {
    if (step.name.empty()) return "    " + code + Printable(step.message) + "\n";
    return "    SRV lookup of " + Printable(step.name) + ": " + code + Printable(step.message) +
           "\n";
  }
  return "    " + Printable(step.name) + ": " + code + Printable(step.message) + "\n";
}

// A failed attempt: the code and its text, then what was tried in order,
// or the cause when nothing was.
void FailedAttempt(const m::ActivationAttempt& a, Output& output) {
  std::string text = ErrorLine(CodeOf(a.result), "");
  if (a.tried.empty()) {
    if (!a.cause.empty()) text += "    Cause: " + Printable(a.cause) + "\n";
  } else {
    text += "    Tried in order:\n";
    for (const m::AttemptStep& step : a.tried) text += "    " + StepLine(step);
  }
  output.Err(std::move(text));
  output.exit_code = 1;
}

// /ato: one "Activating" line per product, then its outcome, as slmgr.vbs.
void FormatActivation(const Command& command, const m::AtoResponse& response, Output& output) {
  const std::uint32_t result = CodeOf(response.outcome.code());
  const std::string message = response.outcome.message();
  std::string wanted;
  if (const Argument* id = command.Find("activation_id")) {
    wanted = std::get<std::string>(id->value);
  }
  bool reported_overall = false;
  bool printed_any = false;
  for (const m::Product& p : response.products) {
    std::string id = FormatUuid(p.activation_id);
    if (!wanted.empty() && !SameId(id, wanted)) continue;
    printed_any = true;
    output.Out("Activating " + Or(Printable(p.name), "(unnamed product)") + " (" + id + ") ...\n");
    const m::ActivationAttempt* attempt = nullptr;
    for (const m::ActivationAttempt& a : response.attempts) {
      if (a.activation_id == p.activation_id) attempt = &a;
    }
    if (attempt != nullptr && attempt->result != ResultCode::kOk) {
      FailedAttempt(*attempt, output);
      if (CodeOf(attempt->result) == result) reported_overall = true;
      continue;
    }
    std::uint32_t last = CodeOf(p.last_result);
    if (last == 0 && p.license_status == 1) {
      output.Out("Product activated successfully.\n");
      continue;
    }
    if (last == 0) last = result;
    if (last == 0) {
      output.Out("Product not activated: its license status is " + StatusText(p) + ".\n");
      continue;
    }
    output.Err(ErrorLine(last, last == result ? message : Printable(p.last_result_text)));
    output.exit_code = 1;
    if (last == result) reported_overall = true;
  }
  if (result != 0 && !reported_overall) {
    output.Err(ErrorLine(result, message));
    output.exit_code = 1;
  } else if (result == 0 && !printed_any) {
    output.Out("Product activated successfully.\n");
  }
}

// The partial product key of the key as typed: slmgr never prints a whole key.
std::string PartialKey(const Command& command) {
  const Argument* key = command.Find("key");
  return key == nullptr ? ""
                        : PartialProductKey(std::string_view(std::get<std::string>(key->value)));
}

std::string ArgText(const Command& command, std::string_view name) {
  const Argument* a = command.Find(name);
  if (a == nullptr) return "";
  if (const auto* s = std::get_if<std::string>(&a->value)) return *s;
  return std::to_string(std::get<std::int64_t>(a->value));
}

// The confirmation printed for an operation that succeeded.
void FormatSuccess(const Command& command, const m::ResponsePayload& data, Output& output) {
  const std::string& op = command.op;
  if (const auto* info = std::get_if<m::LicenseInfo>(&data)) {
    if (op == "xpr") return FormatExpiration(*info, output);
    return FormatLicenses(*info, op == "dlv", output);
  }
  if (const auto* clients = std::get_if<m::DlcResponse>(&data)) {
    return FormatClients(*clients, output);
  }
  if (const auto* events = std::get_if<m::DleResponse>(&data)) {
    return FormatEvents(command, *events, output);
  }
  if (const auto* ipk = std::get_if<m::IpkResponse>(&data)) {
    std::string out = "Product key " + PartialKey(command) + " installed successfully";
    const std::string name = Printable(ipk->name);
    out += name.empty() ? ".\n" : " (" + name + ").\n";
    if (ipk->becomes_host) {
      // The deployment guide warns against making a host by accident; this
      // is the one place where that happens, so say it plainly.
      out += "Note: this machine is now an activation host for " +
             (name.empty() ? std::string("its product group") : name) +
             " and will answer clients once the host key is activated (/ato, or /dti and /atp); "
             "if that was not intended, remove the key with /upk.\n";
    } else if (ipk->kind == "mak") {
      out += "Activate it with /ato.\n";
    }
    return output.Out(std::move(out));
  }
  if (const auto* upk = std::get_if<m::UpkResponse>(&data)) {
    const std::string name = Printable(upk->removed);
    return output.Out(name.empty() ? "Uninstalled product key successfully.\n"
                                   : "Uninstalled product key for " + name + " successfully.\n");
  }
  if (op == "cpky") {
    return output.Out(
        "Nothing to clear: activad keeps product keys only in its state database, which only the "
        "daemon may read (and which /dti needs); no other copy is kept.\n");
  }
  if (const auto* dti = std::get_if<m::DtiResponse>(&data)) {
    std::string out = "Installation ID: " + Printable(dti->installation_id) + "\n";
    if (command.out_file.empty()) {
      out +=
          "Give it to the vendor (activa-vendor confirm VENDORDIR INSTALLATION_ID) and enter the "
          "confirmation ID with /atp.\n";
    } else {
      const std::string file = Printable(command.out_file);
      out += "Written to " + file + ". Give the file to the vendor (activa-vendor confirm " +
             "VENDORDIR --in " + file + " --out CONFIRMATION-FILE) and deposit the answer with " +
             "/atp --in CONFIRMATION-FILE.\n";
    }
    if (!command.qr_png.empty()) {
      out += "QR code of the installation ID written to " + Printable(command.qr_png) + ".\n";
    }
    return output.Out(std::move(out));
  }
  if (const auto* ilc = std::get_if<m::IlcResponse>(&data)) {
    return output.Out(ilc->replaced
                          ? "Installed revocation list " + std::to_string(ilc->serial) + ".\n"
                          : "Revocation list " + std::to_string(ilc->serial) +
                                " is already installed; nothing changed.\n");
  }
  if (const auto* atp = std::get_if<m::AtpResponse>(&data)) {
    std::string out = "Confirmation ID deposited successfully.\n";
    if (atp->product) {
      out += "The MAK activation of " + Or(Printable(atp->product->name), "the product") +
             " is installed; it does not expire.\n";
    }
    if (atp->host) {
      out += atp->host->activated
                 ? "The activation host for " + Printable(atp->host->group) + " is activated.\n"
                 : "The activation host is still not activated.\n";
    }
    return output.Out(std::move(out));
  }
  if (const auto* rearm = std::get_if<m::RearmResponse>(&data)) {
    return output.Out(
        "Command completed successfully; the grace period starts again.\nRemaining rearm count: " +
        std::to_string(rearm->rearms_left) + "\n");
  }
  if (const auto* g = std::get_if<m::GeneralizeResponse>(&data)) {
    return output.Out("Client Machine ID (CMID) is now " + FormatUuid(g->cmid) + " (was " +
                      FormatUuid(g->previous_cmid) + "); the grace period starts again.\n");
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
  std::optional<ResultCode> known = ResultCodeFromValue(code);
  const std::string cause = Printable(message);
  if (!known) return "Error: " + FormatCode(code) + " " + Or(cause, "Unknown error.") + "\n";
  const std::string text(ResultCodeMessage(*known));
  std::string out = "Error: " + FormatCode(code) + " " + text + "\n";
  if (!cause.empty() && cause != text) out += "    Cause: " + cause + "\n";
  return out;
}

std::string LicenseStatusText(std::int64_t status) {
  if (status < 0 || status > 255) return "";
  return std::string(m::LicenseStatusText(static_cast<int>(status)));
}

std::string FormatTime(std::int64_t unix_seconds) { return FormatUtcTime(unix_seconds); }

Output FormatResponse(const Command& command, std::string_view response) {
  Output output;
  Result<m::ResponseHead> head = m::DecodeResponseHead(response);
  if (!head.ok()) {
    Fail(output, head.status());
    return output;
  }
  const std::uint32_t code = CodeOf(head->result);
  if (command.json) {
    output.Out(head->json + "\n");
    if (code != 0) Fail(output, Status(head->result, head->message));
    return output;
  }
  const m::OperationSpec* spec = m::FindOperation(command.op);
  if (spec == nullptr) {
    if (code != 0) Fail(output, Status(head->result, head->message));
    if (code == 0) output.Out("Command completed successfully.\n");
    return output;
  }
  // Tolerant: a field of an unexpected type (another daemon version) must
  // not keep the administrator from reading the rest.
  Result<m::ResponsePayload> payload =
      m::DecodeResponse(spec->operation, response, m::FieldCheck::kTolerant);
  if (!payload.ok()) {
    Fail(output, payload.status());
    return output;
  }
  if (const auto* ato = std::get_if<m::AtoResponse>(&*payload)) {
    FormatActivation(command, *ato, output);
    return output;
  }
  FormatSuccess(command, *payload, output);
  return output;
}

}  // namespace activa::slmgr
