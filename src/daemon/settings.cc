#include "daemon/settings.h"

#include <charconv>
#include <limits>

namespace activa {
namespace {

// The keys of the settings table.
constexpr std::string_view kCmid = "cmid";
constexpr std::string_view kPreviousCmid = "previous_cmid";
constexpr std::string_view kHostId = "host_id";
constexpr std::string_view kHostKey = "host_key";
constexpr std::string_view kHostCertificate = "host_certificate";
constexpr std::string_view kPort = "port";
constexpr std::string_view kActivationInterval = "activation_interval";
constexpr std::string_view kRenewalInterval = "renewal_interval";
constexpr std::string_view kPriority = "priority";
constexpr std::string_view kDnsPublishing = "dns_publishing";
constexpr std::string_view kKmsHost = "kms_host";
constexpr std::string_view kKmsDomain = "kms_domain";
constexpr std::string_view kHostCaching = "host_caching";

class Reader {
 public:
  Reader(SettingsStore& store, const std::string& where) : store_(store), where_(where) {}

  std::optional<std::string> Text(std::string_view key) {
    Result<std::optional<std::string>> v = store_.GetSetting(key);
    if (v.ok()) return *v;
    Fail(v.status().code(), key, "cannot be read: " + v.status().message());
    return std::nullopt;
  }
  std::optional<std::uint64_t> Number(std::string_view key, std::uint64_t max) {
    std::optional<std::string> v = Text(key);
    if (!v) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || v->empty() || n > max) {
      Fail(ResultCode::kInvalidData, key,
           "holds \"" + *v + "\", not a number up to " + std::to_string(max));
      return std::nullopt;
    }
    return n;
  }
  bool Flag(std::string_view key, bool fallback) {
    std::optional<std::uint64_t> n = Number(key, 1);
    return n ? *n != 0 : fallback;
  }
  // The stored ID, or a new one stored now when there is none.
  Uuid Id(std::string_view key) {
    std::optional<std::string> v = Text(key);
    if (!error.ok()) return Uuid{};
    if (!v) {
      Uuid id = NewRandomUuid();
      Status s = store_.SetSetting(key, FormatUuid(id));
      if (!s.ok()) Fail(s.code(), key, "cannot be stored: " + s.message());
      return id;
    }
    std::optional<Uuid> id = ParseUuid(*v);
    if (!id) Fail(ResultCode::kInvalidData, key, "holds \"" + *v + "\", not a UUID");
    return id.value_or(Uuid{});
  }

  Status error;

 private:
  void Fail(ResultCode code, std::string_view key, const std::string& what) {
    if (!error.ok()) return;  // the first error says the most
    error = Status(code, where_ + ": the setting \"" + std::string(key) + "\" " + what +
                             "; restore the state folder from a backup, or move it away to "
                             "start as a new machine");
  }
  SettingsStore& store_;
  const std::string& where_;
};

}  // namespace

Result<Settings> LoadSettings(SettingsStore& store, const std::string& where) {
  Reader r(store, where);
  Settings s;
  // Identity first: nothing is created while any read fails.
  std::optional<std::string> cmid = r.Text(kCmid);
  std::optional<std::string> host_id = r.Text(kHostId);
  std::optional<std::string> previous = r.Text(kPreviousCmid);
  if (!r.error.ok()) return r.error;
  s.cmid = r.Id(kCmid);
  s.host_id = r.Id(kHostId);
  if (previous) {
    std::optional<Uuid> id = ParseUuid(*previous);
    if (!id) {
      return Status(ResultCode::kInvalidData, where + ": the setting \"previous_cmid\" holds \"" +
                                                  *previous + "\", not a UUID");
    }
    s.previous_cmid = *id;
  }
  s.host_key = r.Text(kHostKey);
  s.host_certificate = r.Text(kHostCertificate);
  if (auto p = r.Number(kPort, 65535)) s.port = static_cast<std::uint16_t>(*p);
  if (auto m = r.Number(kActivationInterval, std::numeric_limits<std::uint32_t>::max())) {
    s.activation_interval = static_cast<std::uint32_t>(*m);
  }
  if (auto m = r.Number(kRenewalInterval, std::numeric_limits<std::uint32_t>::max())) {
    s.renewal_interval = static_cast<std::uint32_t>(*m);
  }
  s.low_priority = r.Text(kPriority).value_or("normal") == "low";
  s.dns_publishing = r.Flag(kDnsPublishing, true);
  s.host_caching = r.Flag(kHostCaching, true);
  s.kms_host = r.Text(kKmsHost);
  s.kms_domain = r.Text(kKmsDomain);
  if (!r.error.ok()) return r.error;
  return s;
}

Status SettingsWriter::Put(std::string_view key, const std::optional<std::string>& value) {
  return value ? store_.SetSetting(key, *value) : store_.DeleteSetting(key);
}

Status SettingsWriter::SetIdentity(const Uuid& cmid, const Uuid& previous_cmid) {
  ACTIVA_RETURN_IF_ERROR(store_.SetSetting(kPreviousCmid, FormatUuid(previous_cmid)));
  return store_.SetSetting(kCmid, FormatUuid(cmid));
}

Status SettingsWriter::SetHostKey(const std::string& key_text) {
  ACTIVA_RETURN_IF_ERROR(store_.SetSetting(kHostKey, key_text));
  return store_.DeleteSetting(kHostCertificate);
}

Status SettingsWriter::RemoveHostKey() {
  ACTIVA_RETURN_IF_ERROR(store_.DeleteSetting(kHostKey));
  return store_.DeleteSetting(kHostCertificate);
}

Status SettingsWriter::SetHostCertificate(const std::string& hex) {
  return store_.SetSetting(kHostCertificate, hex);
}

Status SettingsWriter::SetPort(std::uint16_t port) {
  return store_.SetSetting(kPort, std::to_string(port));
}

Status SettingsWriter::SetInterval(bool activation, std::uint32_t minutes) {
  return store_.SetSetting(activation ? kActivationInterval : kRenewalInterval,
                           std::to_string(minutes));
}

Status SettingsWriter::SetLowPriority(bool low) {
  return store_.SetSetting(kPriority, low ? "low" : "normal");
}

Status SettingsWriter::SetDnsPublishing(bool on) {
  return store_.SetSetting(kDnsPublishing, on ? "1" : "0");
}

Status SettingsWriter::SetHostCaching(bool on) {
  return store_.SetSetting(kHostCaching, on ? "1" : "0");
}

Status SettingsWriter::SetKmsHost(const std::optional<std::string>& host) {
  return Put(kKmsHost, host);
}

Status SettingsWriter::SetKmsDomain(const std::optional<std::string>& domain) {
  return Put(kKmsDomain, domain);
}

}  // namespace activa
