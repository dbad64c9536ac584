#include "daemon/daemon_core.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/file_util.h"
#include "base/time_text.h"
#include "crypto/signing.h"
#include "daemon/log.h"
#include "daemon/state_check.h"
#include "keys/product_key.h"
#include "offline/mak_activation.h"
#include "offline/offline_activation.h"

namespace activa {
namespace {

// The settings key of the revocation list imported for a vendor.
std::string RevocationSettingKey(const Uuid& vendor_id) {
  return "revocations/" + FormatUuid(vendor_id);
}

}  // namespace

namespace {

ClientCounter::HashKey RandomHashKey() {
  ClientCounter::HashKey key;
  RandomBytes(key);
  return key;
}

// The state holds the host's signing key and the product keys: its folder
// must be this daemon's own. One that another user owns or may write is
// refused (they could swap the database or the key); one that others may
// only read or enter is closed to them. The database files in it are made
// the daemon's alone too (older versions created them 0644).
// `traversable`: the management socket is inside, so other users must be
// able to pass through (0711); they still cannot list it, and every file in
// it is the daemon's alone (0600).
Status SecureStateFolder(const std::string& dir, bool traversable) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) {
    return Status(ResultCode::kStorage, dir + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": the state folder must be a folder, not a link or a file");
  }
  if (st.st_uid != ::geteuid()) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": the state folder belongs to uid " + std::to_string(st.st_uid) +
                      ", not to the user activad runs as (uid " + std::to_string(::geteuid()) +
                      "); chown it, or choose another --state-dir");
  }
  if ((st.st_mode & 022) != 0) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": others may write in the state folder; run chmod 700 " + dir);
  }
  const mode_t want = traversable ? 0711 : 0700;
  if ((st.st_mode & 0777) != want && ::chmod(dir.c_str(), want) != 0) {
    return Status(ResultCode::kAccessDenied, dir + ": chmod " +
                                                 (traversable ? std::string("711") : "700") + ": " +
                                                 std::strerror(errno));
  }
  for (const char* name : {"/activad.db", "/activad.db-wal", "/activad.db-shm"}) {
    const std::string file = dir + name;
    if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
      ::chmod(file.c_str(), 0600);
    }
  }
  return Status::Ok();
}

}  // namespace

DaemonCore::DaemonCore(DaemonPaths paths, DaemonConfig config, System& system, StateStore store)
    : paths_(std::move(paths)),
      config_(std::move(config)),
      system_(system),
      store_(std::move(store)),
      // Keyed with random bytes so clients cannot choose CMIDs that collide
      // in the counter's table.
      host_(system.clock(), catalogs_, RandomHashKey()),
      client_(system.clock(), store_, catalogs_,
              [this](int id, const std::string& message) { LogEvent(id, message); }) {}

DaemonCore::~DaemonCore() = default;

Result<std::unique_ptr<DaemonCore>> DaemonCore::Open(const DaemonPaths& paths, DaemonConfig config,
                                                     System& system) {
  InitCrypto();
  std::error_code ec;
  std::filesystem::create_directories(paths.state_dir, ec);
  if (ec) return Status(ResultCode::kStorage, paths.state_dir + ": " + ec.message());
  ACTIVA_RETURN_IF_ERROR(SecureStateFolder(
      paths.state_dir,
      !paths.socket_path.empty() && paths.socket_path.starts_with(paths.state_dir + "/")));
  // A missing, empty or damaged state is refused here, before SQLite would
  // create a new database over it (daemon/state_check.h).
  ACTIVA_RETURN_IF_ERROR(CheckStateFiles(paths.state_dir));
  Result<StateStore> store = StateStore::OpenChecked(paths.state_dir + "/activad.db");
  if (!store.ok()) {
    return Status(store.status().code(),
                  store.status().message() + "; " + RestoreAdvice(paths.state_dir));
  }
  return OpenWithStore(paths, std::move(config), system, std::move(store).value());
}

Result<std::unique_ptr<DaemonCore>> DaemonCore::OpenWithStore(const DaemonPaths& paths,
                                                              DaemonConfig config, System& system,
                                                              StateStore store) {
  InitCrypto();
  std::unique_ptr<DaemonCore> core(
      new DaemonCore(paths, std::move(config), system, std::move(store)));
  core->LoadCatalogs();
  ACTIVA_RETURN_IF_ERROR(core->LoadState());
  return core;
}

std::string DaemonCore::MachineName() {
  return config_.machine_name.empty() ? system_.HostName() : config_.machine_name;
}

void DaemonCore::LoadCatalogs() {
  std::vector<std::string> problems;
  std::vector<TrustedVendor> trusted = LoadTrustedVendors(system_, paths_.trust_dir, &problems);
  catalogs_ = CatalogSet::Load(system_, paths_.catalog_dir, trusted, &problems);
  trusted_keys_.clear();
  for (const TrustedVendor& v : trusted) trusted_keys_.push_back(v.key);
  // Lists imported with /ilc, one per vendor, verified again: the trust
  // folder may have changed since.
  for (const Catalog& c : catalogs_.catalogs()) {
    Result<std::optional<std::string>> text = store_.GetSetting(RevocationSettingKey(c.vendor_id));
    if (!text.ok()) {
      problems.push_back("imported revocation list of " + c.vendor_name +
                         " unreadable: " + text.status().ToString());
      continue;
    }
    if (!text->has_value()) continue;
    Result<RevocationList> list = LoadTrustedRevocationList(**text, trusted_keys_);
    Result<bool> taken =
        list.ok() ? catalogs_.Offer(std::move(list).value()) : Result<bool>(list.status());
    // Older than the one shipped with the catalog: the shipped one decides.
    if (!taken.ok() && taken.status().code() != ResultCode::kInvalidArgument) {
      problems.push_back("imported revocation list of " + c.vendor_name +
                         " refused: " + taken.status().ToString());
    }
  }
  for (const std::string& p : problems) LogWarning(p);
}

Result<std::pair<std::uint64_t, bool>> DaemonCore::ImportRevocations(std::string_view text) {
  Result<RevocationList> list = LoadTrustedRevocationList(text, trusted_keys_);
  if (!list.ok()) return list.status();
  // Decided on a copy: the set in use changes once the list is stored.
  CatalogSet next = catalogs_;
  const Uuid vendor = list->vendor_id;
  const std::uint64_t serial = list->serial;
  Result<bool> taken = next.Offer(std::move(list).value());
  if (!taken.ok()) return taken.status();
  if (!*taken) return std::make_pair(serial, false);
  ACTIVA_RETURN_IF_ERROR(store_.SetSetting(RevocationSettingKey(vendor), text));
  catalogs_ = std::move(next);
  CheckHostStanding();
  return std::make_pair(serial, true);
}

void DaemonCore::CheckHostStanding() {
  const std::optional<HostCertificate>& cert = host_.certificate();
  const std::int64_t now = clock().Now();
  std::string said;
  if (!cert) {
    said.clear();
  } else if (host_.revoked()) {
    said =
        "this host's certificate or host key has been revoked by the vendor (revocation "
        "list " +
        std::to_string(catalogs_.RevocationsFor(*host_.catalog())->serial) +
        "); it answers every client with 0xC0AC0004 until reactivated with another key";
  } else if (now > cert->not_after) {
    said = "this host's certificate expired on " + FormatUtcTime(cert->not_after) +
           "; clients refuse its responses (0xC0AC000A): reactivate the host key (/dti, /atp)";
  } else if (host_.CertificateExpiresSoon(now)) {
    said = "this host's certificate expires on " + FormatUtcTime(cert->not_after) +
           "; reactivate the host key before then (/dti, /atp)";
  }
  if (said.empty()) {
    standing_said_.clear();
    return;
  }
  if (said == standing_said_ && now < standing_said_at_ + 86400) return;
  standing_said_ = said;
  standing_said_at_ = now;
  LogWarning(said);
}

void DaemonCore::Reload(DaemonConfig config) {
  config_ = std::move(config);
  reload_refused_.reset();
  dns_change_ = true;
  machine_.machine_name = MachineName();
  client_.discovery().service = config_.dns.service;
  LoadCatalogs();
  CheckHostStanding();
}

void DaemonCore::LogEvent(int event_id, const std::string& message) {
  if (!IsKmsEventId(event_id)) {
    LogError("event " + std::to_string(event_id) + " is not a KMS event; not stored: " + message);
    return;
  }
  Event e{0, clock().Now(), event_id, message};
  Status s = store_.AppendEvent(e);
  if (!s.ok()) {
    // The event table is where events go; when it cannot be written, the
    // log is what is left.
    LogError("event " + std::to_string(event_id) + " not stored (" + s.ToString() +
             "): " + message);
  }
  if (event_sink) event_sink(e);
}

Status DaemonCore::LoadState() {
  Result<Settings> loaded = LoadSettings(store_, paths_.state_dir + "/activad.db");
  if (!loaded.ok()) return loaded.status();
  const Settings& s = *loaded;
  machine_.cmid = s.cmid;
  machine_.previous_cmid = s.previous_cmid;
  machine_.machine_name = MachineName();
  machine_.is_virtual_machine = system_.IsVirtualMachine();

  host_.host_id = s.host_id;
  host_.port = s.port.value_or(config_.port);
  host_.settings.activation_interval_minutes =
      s.activation_interval.value_or(kDefaultActivationIntervalMinutes);
  host_.settings.renewal_interval_minutes =
      s.renewal_interval.value_or(kDefaultRenewalIntervalMinutes);
  host_.low_priority = s.low_priority;
  host_.dns_publishing = s.dns_publishing;

  HostDiscovery& d = client_.discovery();
  d.kms_host = s.kms_host;
  d.kms_domain = s.kms_domain;
  d.host_caching = s.host_caching;
  d.service = config_.dns.service;

  Result<std::vector<ProductRecord>> products = store_.LoadProducts();
  if (!products.ok()) return products.status();
  Result<LicenseClock> seen = store_.LoadLicenseClock();
  if (!seen.ok()) return seen.status();
  client_.Load(std::move(products).value(), *seen);

  if (s.host_key) {
    host_.InstallKey(*s.host_key);
    // The certificate names the host's public key: a new key pair in place
    // of a lost one would sign responses that every client refuses, while
    // /dli says "activated". So a lost key is an error, never replaced.
    const std::string key_path = paths_.state_dir + "/host.key";
    if (s.host_certificate && system_.Stat(key_path).status().code() == ResultCode::kFileNotFound) {
      return Status(ResultCode::kStorage,
                    key_path +
                        ": the host's signing key is missing, but the state holds the vendor's "
                        "certificate for it; restore host.key from a backup (it cannot be made "
                        "again), or reinstall and reactivate the host key on a new machine "
                        "(move every file out of " +
                        paths_.state_dir + ")");
    }
    ACTIVA_RETURN_IF_ERROR(EnsureHostSigningKey());
    if (s.host_certificate) {
      Bytes raw;
      Result<HostCertificate> cert =
          HexDecode(*s.host_certificate, &raw)
              ? DecodeCertificate(raw)
              : Result<HostCertificate>(Status(ResultCode::kInvalidData, "not hex"));
      if (cert.ok() && cert->host_public_key != host_.signing_key()->public_key()) {
        return Status(ResultCode::kStorage,
                      key_path +
                          ": this signing key is not the one the stored host certificate names "
                          "(host.key was replaced); restore the host.key that belongs with " +
                          paths_.state_dir + "/activad.db from a backup");
      }
      if (cert.ok()) {
        host_.Activate(std::move(cert).value(), std::move(raw));
      } else {
        LogWarning("stored host certificate unreadable: " + cert.status().ToString());
      }
    }
  }
  ACTIVA_RETURN_IF_ERROR(LoadClientRecords());
  Result<RequestStats> stats = store_.LoadStats();
  if (!stats.ok()) return stats.status();
  host_.requests().LoadStats(*stats);
  CheckHostStanding();
  return Status::Ok();
}

// Row by row from the store into the counter, its tables sized first: a
// million records once held as a vector beside the counter doubled the
// host's peak memory, and the tables' growth added rehashes and copies.
Status DaemonCore::LoadClientRecords() {
  Result<std::vector<StateStore::ApplicationClients>> sizes = store_.CountClientsByApplication();
  if (!sizes.ok()) return sizes.status();
  RequestHandler& requests = host_.requests();
  for (const StateStore::ApplicationClients& a : *sizes) {
    requests.Reserve(a.application_id, static_cast<std::size_t>(a.clients));
  }
  return store_.LoadClients([&](const StateStore::ClientStamp& c) {
    requests.Load(c.application_id, c.cmid, c.last_seen);
  });
}

Status DaemonCore::EnsureHostSigningKey() {
  if (host_.signing_key()) return Status::Ok();
  const std::string path = paths_.state_dir + "/host.key";
  Result<std::string> text = system_.ReadPrivateFile(path);
  if (text.status().code() == ResultCode::kFileNotFound) {
    std::string fresh = SigningKeyFileText(SigningKey::Generate());
    Status created = system_.CreatePrivateFile(path, fresh);
    sodium_memzero(fresh.data(), fresh.size());
    ACTIVA_RETURN_IF_ERROR(created);
    text = system_.ReadPrivateFile(path);
  }
  if (!text.ok()) return text.status();
  Result<SigningKey> key = ParseSigningKeyFile(std::move(text).value(), path);
  if (!key.ok()) return key.status();
  host_.SetSigningKey(std::move(key).value());
  return Status::Ok();
}

Status DaemonCore::InstallHostConfirmation(std::string_view confirmation_id, std::string_view how) {
  Result<std::string> iid_text = InstallationIdText();
  if (!iid_text.ok()) return iid_text.status();
  Result<ConfirmationId> cid = ParseConfirmationId(confirmation_id);
  if (!cid.ok()) return cid.status();
  const Catalog* catalog = host_.catalog();
  if (catalog == nullptr) {
    return Status(ResultCode::kInvalidKey, "the host key's vendor has no catalog here");
  }
  Result<InstallationId> iid = ParseInstallationId(*iid_text);
  if (!iid.ok()) return iid.status();
  Result<HostCertificate> cert = CertificateFromConfirmation(*iid, *cid, *catalog);
  if (!cert.ok()) return cert.status();
  Bytes bytes = EncodeCertificate(*cert);
  ACTIVA_RETURN_IF_ERROR(settings_.SetHostCertificate(HexEncode(bytes)));
  host_.Activate(std::move(cert).value(), std::move(bytes));
  MarkDnsChange();
  LogInfo("host activated by " + catalog->vendor_name + " (" + std::string(how) + ")");
  CheckHostStanding();
  return Status::Ok();
}

// From the CMID, which a product learns from activad too: a MAK activation
// names this tag, and libactiva recomputes it to bind the activation to this
// machine. A host is counted by its key pair, never by its tag.
MachineTag DaemonCore::machine_tag() const { return MachineTagOf(machine_.cmid); }

Result<std::string> DaemonCore::MakInstallationIdText(const Uuid& sku) {
  const ProductRecord* p = client_.Find(sku);
  if (p == nullptr) {
    return Status(ResultCode::kNotFound,
                  "no product with activation ID " + FormatUuid(sku) + " is installed");
  }
  if (p->key_kind != KeyKind::kMak) {
    return Status(ResultCode::kWrongKeyKind,
                  "the product " + FormatUuid(sku) +
                      " has no MAK; install one with slmgr /ipk MAK to activate it at the vendor");
  }
  Result<ProductKey> key = ParseProductKey(p->key_text);
  if (!key.ok()) return key.status();
  ACTIVA_RETURN_IF_ERROR(EnsureHostSigningKey());
  InstallationId iid;
  iid.machine_tag = machine_tag();
  iid.host_public_key = host_.signing_key()->public_key();
  iid.host_key = *key;
  return FormatInstallationId(iid);
}

Status DaemonCore::InstallMakConfirmation(const Uuid& sku, std::string_view confirmation_id) {
  Result<ConfirmationId> cid = ParseConfirmationId(confirmation_id);
  if (!cid.ok()) return cid.status();
  Result<std::string> iid_text = MakInstallationIdText(sku);
  if (!iid_text.ok()) return iid_text.status();
  Result<InstallationId> iid = ParseInstallationId(*iid_text);
  if (!iid.ok()) return iid.status();
  const Catalog* catalog = nullptr;
  if (catalogs_.FindEdition(sku, &catalog) == nullptr || catalog == nullptr) {
    return Status(ResultCode::kInvalidKey,
                  "edition " + FormatUuid(sku) + " is in no installed catalog");
  }
  Result<MakActivation> activation = MakActivationFromConfirmation(*iid, *cid, *catalog);
  if (!activation.ok()) return activation.status();
  if (activation->edition_id != sku) {
    return Status(ResultCode::kBadSignature, "the confirmation ID is for another edition");
  }
  // Kept in its canonical text, the form the product's proof carries.
  ACTIVA_RETURN_IF_ERROR(
      client_.SetMakActivation(sku, FormatConfirmationId(*cid), catalogs_.SignedText(*catalog)));
  LogInfo("MAK activation of " + FormatUuid(sku) + " by " + catalog->vendor_name +
          " installed; it does not expire");
  return Status::Ok();
}

Result<std::string> DaemonCore::InstallationIdText() const {
  if (!host_.key_text() || !host_.signing_key()) {
    return Status(ResultCode::kNotFound,
                  "no host key is installed; install one with slmgr /ipk HOSTKEY");
  }
  Result<ProductKey> key = ParseProductKey(*host_.key_text());
  if (!key.ok()) return key.status();
  InstallationId iid;
  iid.machine_tag = machine_tag();
  iid.host_public_key = host_.signing_key()->public_key();
  iid.host_key = *key;
  return FormatInstallationId(iid);
}

dns::PublishPlan DaemonCore::DnsPlan(const std::vector<std::string>& search_domains) {
  // Parsed configurations are checked already; one built in code may not be.
  Result<std::vector<dns::PublishTarget>> targets = ToPublishTargets(config_.dns.publish);
  if (!targets.ok()) {
    dns::PublishPlan plan;
    plan.why_not = targets.status().message();
    return plan;
  }
  dns::PublishPlanInput in;
  in.host_key_installed = host_.key_installed();
  in.activated = host_.certificate().has_value();
  in.disable_publishing = config_.dns.disable_publishing;
  in.publishing_on = host_.dns_publishing;
  in.configured_host_name = config_.dns.host_name;
  in.machine_host_name = system_.HostName();
  in.search_domains = search_domains;
  in.service = config_.dns.service;
  in.port = host_.port;
  in.targets = std::move(targets).value();
  // Without `server`, the zone's primary (found through the resolver) takes
  // the update on the resolver's port: 53 for the system resolver, PORT for
  // `[dns] resolver = "ADDRESS:PORT"` (docs/dns.md, "What a host sends").
  for (dns::PublishTarget& t : in.targets) {
    if (t.server.empty()) t.server_port = config_.dns.resolver_port;
  }
  dns::PublishPlan plan = dns::PlanPublishing(in);
  std::string problem = plan.no_domain ? plan.why_not : std::string();
  // Said once when it starts (and again if the reason changes), not at
  // every pass of the DNS loop.
  if (!problem.empty() && problem != dns_problem_) {
    LogEvent(kEventDnsFailed, "Could not publish this host's SRV record: " + problem);
  }
  dns_problem_ = std::move(problem);
  return plan;
}

void DaemonCore::RecordPublishResult(const std::string& domain, const Status& result,
                                     bool withdrawal) {
  Event e = host_.RecordPublishResult(config_.dns.service, domain, result, withdrawal);
  LogEvent(e.event_id, e.message);
}

}  // namespace activa
