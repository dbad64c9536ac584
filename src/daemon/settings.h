// What slmgr sets and the machine's identity, as typed values over the
// state database's settings table (the daemon's "registry").
//
// LoadSettings() reads them all at start-up: a setting that cannot be read,
// or holds what no version of activad writes, is an error naming the
// database and the setting, never "absent" (a transient read error must not
// make the machine a new one, with a new CMID that counts twice on its
// host). Only a CMID or host ID that was never stored is created.
//
// SettingsWriter writes one setting; callers change their state in memory
// only after it returned OK.
#ifndef ACTIVA_DAEMON_SETTINGS_H_
#define ACTIVA_DAEMON_SETTINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/uuid.h"

namespace activa {

// The settings table (StateStore; a fake in tests).
class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual Result<std::optional<std::string>> GetSetting(std::string_view key) = 0;
  virtual Status SetSetting(std::string_view key, std::string_view value) = 0;
  virtual Status DeleteSetting(std::string_view key) = 0;
};

struct Settings {
  Uuid cmid{};
  Uuid previous_cmid{};  // all zero until the first /generalize
  Uuid host_id{};
  std::optional<std::string> host_key;               // slmgr /ipk HOSTKEY
  std::optional<std::string> host_certificate;       // hex, from /atp
  std::optional<std::uint16_t> port;                 // /sprt; absent: the configuration's
  std::optional<std::uint32_t> activation_interval;  // /sai
  std::optional<std::uint32_t> renewal_interval;     // /sri
  bool low_priority = false;                         // /cpri
  bool dns_publishing = true;                        // /sdns, /cdns
  bool host_caching = true;                          // /skhc, /ckhc
  std::optional<std::string> kms_host;               // /skms
  std::optional<std::string> kms_domain;             // /skms-domain
};

// `where` names the database in messages.
Result<Settings> LoadSettings(SettingsStore& store, const std::string& where);

class SettingsWriter {
 public:
  explicit SettingsWriter(SettingsStore& store) : store_(store) {}

  Status SetIdentity(const Uuid& cmid, const Uuid& previous_cmid);
  // A new host key; any certificate of the old one is dropped.
  Status SetHostKey(const std::string& key_text);
  Status RemoveHostKey();
  Status SetHostCertificate(const std::string& hex);
  Status SetPort(std::uint16_t port);
  Status SetInterval(bool activation, std::uint32_t minutes);
  Status SetLowPriority(bool low);
  Status SetDnsPublishing(bool on);
  Status SetHostCaching(bool on);
  Status SetKmsHost(const std::optional<std::string>& host);
  Status SetKmsDomain(const std::optional<std::string>& domain);

 private:
  Status Put(std::string_view key, const std::optional<std::string>& value);
  SettingsStore& store_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_SETTINGS_H_
