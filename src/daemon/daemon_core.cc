#include "daemon/daemon_core.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/file_util.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"
#include "client/client_license.h"
#include "offline/offline_activation.h"
#include "protocol/chain.h"

namespace activa {
namespace json = boost::json;
namespace {

// Settings keys (the state's "registry").
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

ClientCounter::HashKey RandomHashKey() {
  ClientCounter::HashKey key;
  RandomBytes(key);
  return key;
}

std::string_view LicenseStatusText(LicenseState s) {
  switch (s) {
    case LicenseState::kUnlicensed: return "Unlicensed";
    case LicenseState::kLicensed: return "Licensed";
    case LicenseState::kInitialGrace: return "Initial grace period";
    case LicenseState::kOutOfToleranceGrace:
      return "Additional grace period (KMS license expired or hardware out of tolerance)";
    case LicenseState::kNonGenuineGrace: return "Non-genuine grace period";
    case LicenseState::kNotification: return "Notification";
    case LicenseState::kExtendedGrace: return "Extended grace period";
  }
  return "Unknown";
}

std::string_view KeyKindName(KeyKind k) {
  switch (k) {
    case KeyKind::kSetup: return "setup";
    case KeyKind::kHost: return "host";
    case KeyKind::kMak: return "mak";
  }
  return "unknown";
}

std::string LastChars(const std::string& key) {
  return key.size() >= 5 ? key.substr(key.size() - 5) : key;
}

bool ParseUint(std::string_view s, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

// JSON rendering of the core's state (docs/management.md).
struct CoreRenderer {
  static json::object Machine(const DaemonCore& c) {
    json::object m;
    m["name"] = c.machine_name_;
    m["cmid"] = FormatUuid(c.cmid_);
    m["previous_cmid"] =
        c.previous_cmid_ == Uuid{} ? json::value(nullptr) : json::value(FormatUuid(c.previous_cmid_));
    m["is_virtual_machine"] = c.is_virtual_machine_;
    return m;
  }

  static json::object Product(const DaemonCore& c, const ProductRecord& p) {
    const std::int64_t now = c.clock_.Now();
    const Catalog* catalog = nullptr;
    const Edition* e = c.FindEdition(p.sku_id, &catalog);
    const Application* app = catalog ? catalog->FindApplication(p.application_id) : nullptr;
    LicenseState state = StateAt(p.license, now);
    json::object o;
    o["activation_id"] = FormatUuid(p.sku_id);
    o["application_id"] = FormatUuid(p.application_id);
    o["application"] = app ? app->name : "";
    o["name"] = e ? e->name : "(edition not in any installed catalog)";
    o["vendor"] = catalog ? catalog->vendor_name : "";
    o["kind"] = e && e->kind == EditionKind::kServer ? "server" : "client";
    o["key_kind"] = KeyKindName(p.key_kind);
    o["partial_product_key"] = LastChars(p.key_text);
    o["license_status"] = static_cast<int>(state);
    o["license_status_text"] = LicenseStatusText(state);
    o["minutes_left"] = MinutesLeft(p.license, now);
    o["grace_end"] = p.license.grace_end;
    o["validity_end"] = p.license.validity_end;
    o["rearms_left"] = RearmsLeft(p.license);
    o["last_result"] = static_cast<std::uint32_t>(p.license.last_result);
    o["last_result_text"] = ResultCodeMessage(p.license.last_result);
    o["last_attempt"] = p.license.last_attempt;
    o["next_attempt"] = p.license.next_attempt;
    o["last_activation"] = p.license.last_activation;
    o["required_count"] = e ? e->threshold : 0;
    o["last_count"] = p.last_count;
    o["activation_interval"] = p.license.activation_interval_minutes;
    o["renewal_interval"] = p.license.renewal_interval_minutes;
    json::object kms;
    kms["configured"] = c.kms_host_ ? json::value(*c.kms_host_) : json::value(nullptr);
    kms["in_use"] = p.host_in_use.empty() ? json::value(nullptr) : json::value(p.host_in_use);
    kms["from_dns"] = p.discovered && !p.host_in_use.empty();
    kms["address"] = p.host_address.empty() ? json::value(nullptr) : json::value(p.host_address);
    kms["lookup_domain"] = c.kms_domain_ ? json::value(*c.kms_domain_) : json::value(nullptr);
    kms["host_caching"] = c.host_caching_;
    o["kms"] = std::move(kms);
    return o;
  }

  static json::value Host(const DaemonCore& c) {
    if (!c.host_key_) return nullptr;
    const std::int64_t now = c.clock_.Now();
    const Catalog* catalog = c.HostCatalog();
    Result<ProductKey> key = ParseProductKey(*c.host_key_);
    const ProductGroup* group =
        catalog && key.ok() ? catalog->FindGroupByCode(key->item) : nullptr;
    json::object h;
    h["activated"] = c.certificate_.has_value();
    h["vendor"] = catalog ? catalog->vendor_name : "";
    h["group"] = group ? group->name : "";
    h["group_id"] = group ? FormatUuid(group->id) : "";
    h["partial_product_key"] = LastChars(*c.host_key_);
    h["host_id"] = FormatUuid(c.host_id_);
    json::array counts;
    if (catalog != nullptr) {
      for (const Application& a : catalog->applications) {
        std::uint32_t n = c.requests_.Count(a.id, now);
        counts.push_back(json::object{{"application_id", FormatUuid(a.id)},
                                      {"application", a.name},
                                      {"count", n},
                                      {"kms_count", std::min(n, kKmsReportedCountCap)}});
      }
    }
    h["counts"] = std::move(counts);
    h["port"] = c.port_;
    json::array listening;
    for (const std::string& a : c.config_.listen) {
      listening.push_back(json::string(HostAddress{a, c.port_}.ToString()));
    }
    h["listening"] = std::move(listening);
    h["dns_publishing"] = c.dns_publishing_ && !c.config_.dns.disable_publishing;
    json::array dns;
    for (const auto& st : c.publish_status_) {
      dns.push_back(json::object{{"domain", st.domain},
                                 {"result", static_cast<std::uint32_t>(st.result)},
                                 {"message", st.message},
                                 {"time", st.time},
                                 {"withdrawn", st.withdrawn}});
    }
    h["dns"] = std::move(dns);
    h["priority"] = c.low_priority_ ? "low" : "normal";
    h["activation_interval"] = c.host_settings_.activation_interval_minutes;
    h["renewal_interval"] = c.host_settings_.renewal_interval_minutes;
    const RequestStats& s = c.requests_.stats();
    h["requests"] = json::object{
        {"total", s.total},
        {"failed", s.failed},
        {"unlicensed", s.of_state(LicenseState::kUnlicensed)},
        {"licensed", s.of_state(LicenseState::kLicensed)},
        {"initial_grace", s.of_state(LicenseState::kInitialGrace)},
        {"oot_grace", s.of_state(LicenseState::kOutOfToleranceGrace)},
        {"non_genuine_grace", s.of_state(LicenseState::kNonGenuineGrace)},
        {"notification", s.of_state(LicenseState::kNotification)}};
    return h;
  }

  static json::object Response(const Status& s) {
    return json::object{{"result", static_cast<std::uint32_t>(s.code())},
                        {"message", s.ok() ? std::string("OK") : s.message()}};
  }

  static std::string Line(json::object o) { return json::serialize(o); }
};

std::string DaemonCore::ErrorLine(const Status& status) {
  return CoreRenderer::Line(CoreRenderer::Response(status));
}

DaemonCore::DaemonCore(DaemonPaths paths, DaemonConfig config, System& system,
                       StateStore store)
    : paths_(std::move(paths)),
      config_(std::move(config)),
      system_(system),
      clock_(system.clock()),
      store_(std::move(store)),
      requests_(RandomHashKey()) {}

DaemonCore::~DaemonCore() = default;

Result<std::unique_ptr<DaemonCore>> DaemonCore::Open(const DaemonPaths& paths,
                                                     DaemonConfig config, System& system) {
  InitCrypto();
  std::error_code ec;
  std::filesystem::create_directories(paths.state_dir, ec);
  if (ec) return Status(ResultCode::kStorage, paths.state_dir + ": " + ec.message());
  // The state holds the host's signing key and product keys.
  ::chmod(paths.state_dir.c_str(), 0700);
  Result<StateStore> store = StateStore::Open(paths.state_dir + "/activad.db");
  if (!store.ok()) return store.status();
  std::unique_ptr<DaemonCore> core(
      new DaemonCore(paths, std::move(config), system, std::move(store).value()));
  core->LoadCatalogs();
  ACTIVA_RETURN_IF_ERROR(core->LoadState());
  return core;
}

void DaemonCore::LoadCatalogs() {
  catalogs_.clear();
  Result<std::vector<std::string>> names = system_.ListFiles(paths_.catalog_dir);
  if (!names.ok()) {
    LogEvent(0, "no catalogs: " + names.status().message());
    return;
  }
  for (const std::string& name : *names) {
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    const std::string path = paths_.catalog_dir + "/" + name;
    Result<std::string> text = system_.ReadFile(path);
    Result<Catalog> c = text.ok() ? LoadCatalog(*text) : Result<Catalog>(text.status());
    if (!c.ok()) {
      LogEvent(0, "catalog " + path + " refused: " + c.status().ToString());
      continue;
    }
    catalogs_.push_back(std::move(c).value());
  }
}

void DaemonCore::Reload(DaemonConfig config) {
  config_ = std::move(config);
  dns_change_ = true;
  machine_name_ = config_.machine_name.empty() ? system_.HostName() : config_.machine_name;
  LoadCatalogs();
}

void DaemonCore::LogEvent(int event_id, const std::string& message) {
  Event e{0, clock_.Now(), event_id, message};
  Status s = store_.AppendEvent(e);
  if (!s.ok()) {
    // The log is where errors go; when it cannot be written, standard
    // error (the journal under systemd) is what is left.
    std::cerr << "activad: event " << event_id << " not stored (" << s.ToString()
              << "): " << message << "\n";
  }
  if (event_sink) event_sink(e);
}

Status DaemonCore::UpdateProduct(ProductRecord& live, ProductRecord updated) {
  ACTIVA_RETURN_IF_ERROR(store_.SaveProduct(updated));
  live = std::move(updated);
  return Status::Ok();
}

Status DaemonCore::SaveSetting(std::string_view key, std::string_view value) {
  return store_.SetSetting(key, value);
}

Status DaemonCore::LoadState() {
  const std::string db_path = paths_.state_dir + "/activad.db";
  // A setting that cannot be read is a start-up failure, never "absent": a
  // transient error must not make this machine a new one (a new CMID would
  // count it twice) or drop its host key. The first error wins.
  Status read_error;
  auto get = [&](std::string_view key) -> std::optional<std::string> {
    Result<std::optional<std::string>> v = store_.GetSetting(key);
    if (v.ok()) return *v;
    if (read_error.ok()) {
      read_error = Status(v.status().code(), db_path + ": cannot read the setting \"" +
                                                 std::string(key) + "\": " +
                                                 v.status().message());
    }
    return std::nullopt;
  };
  auto get_or_new_id = [&](std::string_view key, Uuid& out) -> Status {
    std::optional<std::string> v = get(key);
    ACTIVA_RETURN_IF_ERROR(read_error);
    if (!v) {
      out = NewRandomUuid();
      return SaveSetting(key, FormatUuid(out));
    }
    std::optional<Uuid> id = ParseUuid(*v);
    if (!id) {
      return Status(ResultCode::kInvalidData,
                    db_path + ": the stored " + std::string(key) + " \"" + *v +
                        "\" is not a UUID; restore the state from a backup");
    }
    out = *id;
    return Status::Ok();
  };
  ACTIVA_RETURN_IF_ERROR(get_or_new_id(kCmid, cmid_));
  ACTIVA_RETURN_IF_ERROR(get_or_new_id(kHostId, host_id_));
  if (auto v = get(kPreviousCmid)) previous_cmid_ = ParseUuid(*v).value_or(Uuid{});
  machine_name_ = config_.machine_name.empty() ? system_.HostName() : config_.machine_name;
  is_virtual_machine_ = system_.IsVirtualMachine();

  auto number = [&](std::string_view key, std::uint64_t fallback) {
    std::uint64_t n = 0;
    std::optional<std::string> v = get(key);
    return v && ParseUint(*v, n) ? n : fallback;
  };
  port_ = static_cast<std::uint16_t>(number(kPort, config_.port));
  host_settings_.activation_interval_minutes =
      static_cast<std::uint32_t>(number(kActivationInterval, kDefaultActivationIntervalMinutes));
  host_settings_.renewal_interval_minutes =
      static_cast<std::uint32_t>(number(kRenewalInterval, kDefaultRenewalIntervalMinutes));
  low_priority_ = get(kPriority).value_or("normal") == "low";
  dns_publishing_ = number(kDnsPublishing, 1) != 0;
  host_caching_ = number(kHostCaching, 1) != 0;
  kms_host_ = get(kKmsHost);
  kms_domain_ = get(kKmsDomain);
  host_key_ = get(kHostKey);
  std::optional<std::string> certificate_hex = get(kHostCertificate);
  ACTIVA_RETURN_IF_ERROR(read_error);

  Result<std::vector<ProductRecord>> products = store_.LoadProducts();
  if (!products.ok()) return products.status();
  products_ = std::move(products).value();

  if (host_key_) {
    ACTIVA_RETURN_IF_ERROR(EnsureHostSigningKey());
    if (const std::optional<std::string>& hex = certificate_hex) {
      Bytes raw;
      Result<HostCertificate> cert = HexDecode(*hex, &raw) ? DecodeCertificate(raw)
                                                           : Result<HostCertificate>(Status(
                                                                 ResultCode::kInvalidData, "hex"));
      if (cert.ok()) {
        certificate_ = *cert;
        certificate_bytes_ = raw;
      } else {
        LogEvent(0, "stored host certificate unreadable: " + cert.status().ToString());
      }
    }
  }
  Result<std::vector<ClientEntry>> clients = store_.LoadClients();
  if (!clients.ok()) return clients.status();
  for (const ClientEntry& c : *clients) requests_.Load(c);
  Result<RequestStats> stats = store_.LoadStats();
  if (!stats.ok()) return stats.status();
  requests_.LoadStats(*stats);
  return Status::Ok();
}

Status DaemonCore::EnsureHostSigningKey() {
  if (host_signing_key_) return Status::Ok();
  const std::string path = paths_.state_dir + "/host.key";
  Result<SigningKey> key = LoadSigningKey(path);
  if (key.status().code() == ResultCode::kFileNotFound) {
    ACTIVA_RETURN_IF_ERROR(SaveSigningKey(SigningKey::Generate(), path));
    key = LoadSigningKey(path);
  }
  if (!key.ok()) return key.status();
  host_signing_key_.emplace(std::move(key).value());
  return Status::Ok();
}

const Catalog* DaemonCore::CatalogForVendorTag(std::uint16_t tag) const {
  for (const Catalog& c : catalogs_) {
    if (c.vendor_tag() == tag) return &c;
  }
  return nullptr;
}

const Catalog* DaemonCore::HostCatalog() const {
  if (!host_key_) return nullptr;
  Result<ProductKey> key = ParseProductKey(*host_key_);
  return key.ok() ? CatalogForVendorTag(key->vendor_tag) : nullptr;
}

const Edition* DaemonCore::FindEdition(const Uuid& sku, const Catalog** catalog) const {
  for (const Catalog& c : catalogs_) {
    if (const Edition* e = c.FindEdition(sku)) {
      if (catalog) *catalog = &c;
      return e;
    }
  }
  return nullptr;
}

ProductRecord* DaemonCore::FindProduct(const Uuid& sku) {
  for (ProductRecord& p : products_) {
    if (p.sku_id == sku) return &p;
  }
  return nullptr;
}

MachineTag DaemonCore::machine_tag() const {
  std::array<std::uint8_t, 16> h;
  Blake2b(h, host_id_);
  MachineTag tag;
  std::copy_n(h.begin(), tag.size(), tag.begin());
  return tag;
}

bool DaemonCore::TakeListenerChange() { return std::exchange(listener_change_, false); }

// --- Host role -------------------------------------------------------------

HostContext DaemonCore::host_context() const {
  HostContext h;
  h.catalog = HostCatalog();
  h.certificate = certificate_ ? &*certificate_ : nullptr;
  h.certificate_bytes = certificate_bytes_;
  h.signing_key = host_signing_key_ ? &*host_signing_key_ : nullptr;
  h.host_id = host_id_;
  h.settings = host_settings_;
  return h;
}

RequestHandler::Admission DaemonCore::AdmitRequest(const ActivationRequest& request) const {
  return requests_.Admit(request, clock_.Now(), host_context());
}

RequestHandler::Answer DaemonCore::RespondTo(const RequestHandler::Admission& admission) {
  return requests_.Respond(admission, host_context());
}

// --- Client role -----------------------------------------------------------

std::vector<Uuid> DaemonCore::DueProducts() {
  std::vector<Uuid> due;
  const std::int64_t now = clock_.Now();
  for (const ProductRecord& p : products_) {
    if (AttemptDue(p.license, now)) due.push_back(p.sku_id);
  }
  return due;
}

std::int64_t DaemonCore::NextAttemptTime() const {
  std::int64_t next = 0;
  for (const ProductRecord& p : products_) {
    if (next == 0 || p.license.next_attempt < next) next = p.license.next_attempt;
  }
  return next;
}

Result<DaemonCore::Attempt> DaemonCore::PrepareAttempt(const Uuid& sku_id) {
  const std::int64_t now = clock_.Now();
  ProductRecord* p = FindProduct(sku_id);
  if (p == nullptr) return Status(ResultCode::kNotFound, "no product " + FormatUuid(sku_id));
  const Catalog* catalog = nullptr;
  const Edition* e = FindEdition(sku_id, &catalog);
  if (e == nullptr) {
    Status s(ResultCode::kInvalidKey,
             "edition " + FormatUuid(sku_id) + " is in no installed catalog (" +
                 paths_.catalog_dir + ")");
    ProductRecord next = *p;
    ApplyFailure(next.license, s.code(), now);
    ACTIVA_RETURN_IF_ERROR(UpdateProduct(*p, std::move(next)));
    return s;
  }
  Attempt a;
  a.sku_id = sku_id;
  if (kms_host_) {
    Result<HostAddress> h = ParseHostAddress(*kms_host_);
    if (h.ok()) a.hosts.push_back(*h);
  } else {
    a.discover = true;
    a.service = config_.dns.service;
    if (kms_domain_) a.lookup_domains.push_back(*kms_domain_);
    // Host caching: the host that answered last is tried first, and DNS is
    // asked again only when it fails.
    if (host_caching_ && !p->host_in_use.empty()) {
      Result<HostAddress> h = ParseHostAddress(p->host_in_use);
      if (h.ok()) a.hosts.push_back(*h);
    }
  }
  ActivationRequest& r = a.request;
  r.cmid = cmid_;
  r.previous_cmid = previous_cmid_;
  r.application_id = e->application_id;
  r.sku_id = sku_id;
  r.machine_name = machine_name_.substr(0, kMaxMachineNameSize);
  r.is_virtual_machine = is_virtual_machine_;
  r.license_state = StateAt(p->license, now);
  r.minutes_left = MinutesLeft(p->license, now);
  r.required_count = static_cast<std::uint16_t>(e->threshold);
  r.client_time = now;
  RandomBytes(r.nonce);
  LogEvent(kEventClientRequest,
           "An activation request has been sent. Host: " +
               (a.hosts.empty() ? std::string("(from DNS)") : a.hosts.front().ToString()) +
               "; CMID: " + FormatUuid(cmid_) + "; client time: " + std::to_string(now) +
               "; license state: " + std::to_string(static_cast<int>(r.license_state)) +
               "; minutes left: " + std::to_string(r.minutes_left) + "; edition: " + e->name +
               "; required count: " + std::to_string(r.required_count));
  return a;
}

ResultCode DaemonCore::DiscoveryFailed(const Attempt& attempt, const std::string& why) {
  ProductRecord* p = FindProduct(attempt.sku_id);
  if (p == nullptr) return ResultCode::kNotFound;  // uninstalled meanwhile
  ProductRecord next = *p;
  ApplyFailure(next.license, ResultCode::kNoHostReachable, clock_.Now());
  next.host_in_use.clear();
  Status saved = UpdateProduct(*p, std::move(next));
  if (!saved.ok()) return saved.code();
  const Edition* e = FindEdition(attempt.sku_id, nullptr);
  LogEvent(kEventClientResult, "Activation of " + (e ? e->name : FormatUuid(attempt.sku_id)) +
                                   " failed. Result: 0xC004F074 " +
                                   std::string(ResultCodeMessage(ResultCode::kNoHostReachable)) +
                                   "; " + why);
  return ResultCode::kNoHostReachable;
}

ResultCode DaemonCore::FinishAttempt(const Attempt& attempt, const std::optional<Message>& answer,
                                     const HostAddress& host, const std::string& transport_error,
                                     const std::string& address, bool discovered) {
  const std::int64_t now = clock_.Now();
  ProductRecord* live = FindProduct(attempt.sku_id);
  if (live == nullptr) return ResultCode::kNotFound;  // uninstalled meanwhile
  // Worked on a copy: the product in memory changes once it is saved.
  ProductRecord next = *live;
  ProductRecord* p = &next;
  const Catalog* catalog = nullptr;
  const Edition* e = FindEdition(attempt.sku_id, &catalog);
  std::string name = e ? e->name : FormatUuid(attempt.sku_id);
  ResultCode result;
  std::string detail;
  if (!answer) {
    result = ResultCode::kNoHostReachable;
    detail = transport_error;
    ApplyFailure(p->license, result, now);
    p->host_in_use.clear();  // a cached host that failed is forgotten
  } else if (const auto* err = std::get_if<ErrorMessage>(&*answer)) {
    // Unsigned: it may only make us retry later, never change the license.
    result = err->result;
    detail = "the host answered with an error: " + err->message;
    ApplyFailure(p->license, result, now);
  } else if (const auto* resp = std::get_if<ActivationResponse>(&*answer)) {
    Result<HostCertificate> chain =
        catalog ? VerifyResponseChain(*resp, attempt.request, *catalog, now)
                : Result<HostCertificate>(Status(ResultCode::kInvalidKey, "no catalog"));
    if (!chain.ok()) {
      result = chain.status().code();
      detail = "the response from " + host.ToString() +
               " was rejected and changed nothing: " + chain.status().message();
      ApplyFailure(p->license, result, now);
    } else {
      result = resp->result;
      ApplyResponse(p->license, *resp, now);
      p->last_count = resp->current_count;
      p->host_in_use = host.ToString();
      p->host_address = address;
      p->discovered = discovered;
      detail = "count " + std::to_string(resp->current_count) + ", activation interval " +
               std::to_string(resp->activation_interval_minutes) + " min, renewal interval " +
               std::to_string(resp->renewal_interval_minutes) + " min";
    }
  } else {
    result = ResultCode::kInvalidData;
    detail = "the host sent a request instead of a response";
    ApplyFailure(p->license, result, now);
  }
  Status saved = UpdateProduct(*live, std::move(next));
  if (!saved.ok()) return saved.code();
  LogEvent(kEventClientResult, std::string("Activation of ") + name +
                                   (result == ResultCode::kOk ? " succeeded" : " failed") +
                                   ". Result: " + FormatResultCode(result) + " " +
                                   std::string(ResultCodeMessage(result)) + "; " + detail);
  return result;
}

// --- DNS publishing ----------------------------------------------------------

DaemonCore::PublishPlan DaemonCore::DnsPlan(const std::vector<std::string>& search_domains) const {
  PublishPlan plan;
  plan.service = config_.dns.service;
  plan.port = port_;
  if (!host_key_) {
    plan.why_not = "no host key is installed";
  } else if (!certificate_) {
    plan.why_not = "the host is not activated";
  } else if (config_.dns.disable_publishing) {
    plan.why_not = "disable_publishing is set in the configuration";
    plan.withdraw_all = true;
  } else if (!dns_publishing_) {
    plan.why_not = "publishing is off (slmgr /cdns)";
    plan.withdraw_all = true;
  } else {
    plan.publish = true;
  }
  // This host's name: configured, or the host name completed with the
  // machine's domain.
  plan.target = config_.dns.host_name;
  if (plan.target.empty()) {
    plan.target = system_.HostName();
    if (plan.target.find('.') == std::string::npos && !search_domains.empty()) {
      plan.target += "." + search_domains.front();
    }
  }
  while (!plan.target.empty() && plan.target.back() == '.') plan.target.pop_back();
  plan.entries = config_.dns.publish;
  if (plan.entries.empty()) {
    std::size_t dot = plan.target.find('.');
    std::string own = dot != std::string::npos ? plan.target.substr(dot + 1)
                      : search_domains.empty() ? std::string()
                                               : search_domains.front();
    if (own.empty()) {
      if (plan.publish) plan.why_not = "this machine has no DNS domain; set [[dns.publish]]";
      plan.publish = false;
    } else {
      DnsPublishEntry e;
      e.domain = own;
      plan.entries.push_back(e);
    }
  }
  return plan;
}

void DaemonCore::RecordPublishResult(const std::string& domain, const Status& result,
                                     bool withdrawal) {
  PublishStatus* st = nullptr;
  for (PublishStatus& x : publish_status_) {
    if (x.domain == domain) st = &x;
  }
  if (st == nullptr) {
    publish_status_.push_back(PublishStatus{domain, ResultCode::kOk, "", 0, false});
    st = &publish_status_.back();
  }
  st->result = result.code();
  st->message = result.ok() ? (withdrawal ? "withdrawn" : "published") : result.message();
  st->time = clock_.Now();
  st->withdrawn = withdrawal && result.ok();
  const std::string record = config_.dns.service + "." + domain;
  if (result.ok()) {
    LogEvent(kEventDnsPublished, (withdrawal ? "Withdrew this host's SRV record from "
                                             : "Published this host's SRV record in ") +
                                     record);
  } else {
    LogEvent(kEventDnsFailed, std::string("Could not ") + (withdrawal ? "withdraw" : "publish") +
                                  " this host's SRV record in " + record + ": " +
                                  result.message());
  }
}

// --- Management ------------------------------------------------------------

namespace {

struct Request {
  json::object args;
  std::string op;
  std::string Arg(std::string_view key) const {
    const json::value* v = args.if_contains(key);
    if (v == nullptr) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    return {};
  }
  bool Has(std::string_view key) const { return args.contains(key); }
};

Result<Request> ParseRequest(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status(ResultCode::kInvalidData, "the request is not a JSON object");
  }
  Request r;
  r.args = std::move(v.as_object());
  const json::value* op = r.args.if_contains("op");
  if (op == nullptr || !op->is_string()) {
    return Status(ResultCode::kInvalidData, "the request has no \"op\"");
  }
  r.op = std::string(op->as_string());
  return r;
}

}  // namespace

std::string DaemonCore::OperationOf(std::string_view request_json) {
  Result<Request> r = ParseRequest(request_json);
  return r.ok() ? r->op : "";
}

namespace {

bool ReadOnly(std::string_view op) {
  return op == "dli" || op == "dlv" || op == "xpr" || op == "dlc" || op == "status";
}

Status NeedsAdmin(std::string_view op) {
  return Status(ResultCode::kAccessDenied,
                "access denied: /" + std::string(op) +
                    " changes this machine; run it as root or as a member of the group "
                    "activa-admin");
}

}  // namespace

std::string DaemonCore::Execute(std::string_view request_json, bool admin) {
  Result<Request> req = ParseRequest(request_json);
  if (!req.ok()) return ErrorLine(req.status());
  const std::string& op = req->op;
  if (!ReadOnly(op) && !admin) return ErrorLine(NeedsAdmin(op));
  auto ok = [&](json::object data = {}) {
    json::object o = CoreRenderer::Response(Status::Ok());
    for (auto& [k, v] : data) o[k] = v;
    return CoreRenderer::Line(std::move(o));
  };
  auto set_flag = [&](std::string_view key, bool& field, bool value) {
    Status s = SaveSetting(key, value ? "1" : "0");
    if (!s.ok()) return ErrorLine(s);
    field = value;
    return ok();
  };
  auto interval = [&](std::string_view key, bool activation) {
    std::uint64_t minutes = 0;
    if (!ParseUint(req->Arg("minutes"), minutes) || minutes < kMinIntervalMinutes ||
        minutes > kMaxIntervalMinutes) {
      return ErrorLine(Status(ResultCode::kInvalidArgument,
                              "the interval must be 15 to 43200 minutes"));
    }
    Status s = SaveSetting(key, std::to_string(minutes));
    if (!s.ok()) return ErrorLine(s);
    auto m = static_cast<std::uint32_t>(minutes);
    (activation ? host_settings_.activation_interval_minutes
                : host_settings_.renewal_interval_minutes) = m;
    // On a client the value is its local one until a host sends its own.
    for (ProductRecord& p : products_) {
      ProductRecord next = p;
      (activation ? next.license.activation_interval_minutes
                  : next.license.renewal_interval_minutes) = m;
      Status saved = UpdateProduct(p, std::move(next));
      if (!saved.ok()) return ErrorLine(saved);
    }
    return ok();
  };

  if (op == "dli" || op == "dlv" || op == "xpr") return DoDli(req->Arg("activation_id"));
  if (op == "dlc") return DoDlc();
  if (op == "status") return DoStatus(req->Arg("application_id"), req->Arg("sku_id"));
  if (op == "ipk") return DoIpk(req->Arg("key"));
  if (op == "upk") return DoUpk(req->Arg("activation_id"));
  if (op == "cpky") return ok();
  if (op == "dti") return DoDti();
  if (op == "atp") return DoAtp(req->Arg("confirmation_id"));
  if (op == "rearm") return DoRearm();
  if (op == "generalize") return DoGeneralize();
  if (op == "skms") {
    std::string host = req->Arg("host");
    Result<HostAddress> a = ParseHostAddress(host);
    if (!a.ok()) return ErrorLine(a.status());
    Status s = SaveSetting(kKmsHost, host);
    if (!s.ok()) return ErrorLine(s);
    kms_host_ = host;
    // An explicitly set host replaces whatever was cached.
    for (ProductRecord& p : products_) p.host_in_use.clear();
    return ok();
  }
  if (op == "ckms") {
    Status s = store_.DeleteSetting(kKmsHost);
    if (!s.ok()) return ErrorLine(s);
    kms_host_.reset();
    for (ProductRecord& p : products_) p.host_in_use.clear();
    return ok();
  }
  if (op == "skms_domain") {
    std::string domain = req->Arg("domain");
    if (domain.empty() || domain.size() > 253) {
      return ErrorLine(Status(ResultCode::kInvalidArgument, "the domain must be a DNS name"));
    }
    Status s = SaveSetting(kKmsDomain, domain);
    if (!s.ok()) return ErrorLine(s);
    kms_domain_ = domain;
    return ok();
  }
  if (op == "ckms_domain") {
    Status s = store_.DeleteSetting(kKmsDomain);
    if (!s.ok()) return ErrorLine(s);
    kms_domain_.reset();
    return ok();
  }
  if (op == "skhc") return set_flag(kHostCaching, host_caching_, true);
  if (op == "ckhc") {
    for (ProductRecord& p : products_) p.host_in_use.clear();
    return set_flag(kHostCaching, host_caching_, false);
  }
  if (op == "sdns" || op == "cdns") {
    dns_change_ = true;
    return set_flag(kDnsPublishing, dns_publishing_, op == "sdns");
  }
  if (op == "spri" || op == "cpri") {
    Status s = SaveSetting(kPriority, op == "cpri" ? "low" : "normal");
    if (!s.ok()) return ErrorLine(s);
    low_priority_ = op == "cpri";
    listener_change_ = true;  // the daemon applies the priority
    return ok();
  }
  if (op == "sai") return interval(kActivationInterval, true);
  if (op == "sri") return interval(kRenewalInterval, false);
  if (op == "sprt") {
    std::uint64_t port = 0;
    if (!ParseUint(req->Arg("port"), port) || port < 1 || port > 65535) {
      return ErrorLine(Status(ResultCode::kInvalidArgument, "the port must be 1 to 65535"));
    }
    Status s = SaveSetting(kPort, std::to_string(port));
    if (!s.ok()) return ErrorLine(s);
    port_ = static_cast<std::uint16_t>(port);
    listener_change_ = true;
    dns_change_ = true;
    return ok();
  }
  if (op == "test_advance_clock" && advance_clock) {
    std::string text = req->Arg("seconds");
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return ErrorLine(Status(ResultCode::kInvalidArgument, "seconds must be a whole number"));
    }
    advance_clock(seconds);
    return ok({{"now", clock_.Now()}});
  }
  return ErrorLine(Status(ResultCode::kInvalidArgument, "unknown operation \"" + op + "\""));
}

std::string DaemonCore::DoDli(std::string_view activation_id) {
  json::object o = CoreRenderer::Response(Status::Ok());
  o["machine"] = CoreRenderer::Machine(*this);
  json::array products;
  std::optional<Uuid> only;
  if (!activation_id.empty() && activation_id != "all" && activation_id != "All") {
    only = ParseUuid(activation_id);
    if (!only) {
      return ErrorLine(Status(ResultCode::kInvalidArgument,
                              "\"" + std::string(activation_id) + "\" is not an activation ID"));
    }
  }
  for (const ProductRecord& p : products_) {
    if (!only || *only == p.sku_id) products.push_back(CoreRenderer::Product(*this, p));
  }
  if (only && products.empty()) {
    return ErrorLine(Status(ResultCode::kNotFound,
                            "no product with activation ID " + FormatUuid(*only) + " is installed"));
  }
  o["products"] = std::move(products);
  o["host"] = CoreRenderer::Host(*this);
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoDlc() {
  Result<std::vector<ClientEntry>> clients = store_.LoadClients();
  if (!clients.ok()) return ErrorLine(clients.status());
  const Catalog* catalog = HostCatalog();
  json::array list;
  for (const ClientEntry& c : *clients) {
    const Edition* e = catalog ? catalog->FindEdition(c.sku_id) : nullptr;
    list.push_back(json::object{{"cmid", FormatUuid(c.cmid)},
                                {"machine_name", c.machine_name},
                                {"application_id", FormatUuid(c.application_id)},
                                {"sku_id", FormatUuid(c.sku_id)},
                                {"edition", e ? e->name : ""},
                                {"last_seen", c.last_seen},
                                {"license_state", c.license_state},
                                {"is_virtual_machine", c.is_virtual_machine},
                                {"requests", c.requests}});
  }
  json::object o = CoreRenderer::Response(Status::Ok());
  o["clients"] = std::move(list);
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoStatus(std::string_view application_id, std::string_view sku_id) {
  std::optional<Uuid> sku = ParseUuid(sku_id);
  std::optional<Uuid> app = ParseUuid(application_id);
  if (!sku || !app) {
    return ErrorLine(Status(ResultCode::kInvalidArgument,
                            "application_id and sku_id must be UUIDs"));
  }
  ProductRecord* p = FindProduct(*sku);
  if (p == nullptr || p->application_id != *app) {
    return ErrorLine(Status(ResultCode::kNotFound,
                            "edition " + FormatUuid(*sku) + " is not installed on this machine"));
  }
  json::object o = CoreRenderer::Response(Status::Ok());
  o["product"] = CoreRenderer::Product(*this, *p);
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoIpk(std::string_view key_text) {
  Result<ProductKey> key = ParseProductKey(key_text);
  if (!key.ok()) return ErrorLine(key.status());
  const Catalog* catalog = CatalogForVendorTag(key->vendor_tag);
  if (catalog == nullptr) {
    return ErrorLine(Status(ResultCode::kInvalidKey,
                            "the key belongs to a vendor with no catalog in " +
                                paths_.catalog_dir));
  }
  std::string text = FormatProductKey(*key);
  const std::int64_t now = clock_.Now();
  json::object data;
  if (key->kind == KeyKind::kHost) {
    const ProductGroup* g = catalog->FindGroupByCode(key->item);
    if (g == nullptr) {
      return ErrorLine(Status(ResultCode::kInvalidKey,
                              "the host key names a product group that " + catalog->vendor_name +
                                  "'s catalog does not define"));
    }
    Status s = EnsureHostSigningKey();
    if (s.ok()) s = SaveSetting(kHostKey, text);
    if (s.ok()) s = store_.DeleteSetting(kHostCertificate);
    if (!s.ok()) return ErrorLine(s);
    bool was_host = host_key_.has_value();
    host_key_ = text;
    certificate_.reset();
    certificate_bytes_.clear();
    listener_change_ = true;
    dns_change_ = true;
    LogEvent(0, "host key installed for product group " + g->name + "; not activated yet");
    data = {{"kind", "host"}, {"name", g->name}, {"becomes_host", !was_host}};
  } else if (key->kind == KeyKind::kSetup) {
    const Edition* e = catalog->FindEditionByCode(key->item);
    if (e == nullptr || e->setup_key != text) {
      return ErrorLine(Status(ResultCode::kInvalidKey,
                              "the key is not a setup key listed in " + catalog->vendor_name +
                                  "'s catalog"));
    }
    ProductRecord* existing = FindProduct(e->id);
    ProductRecord p;
    if (existing != nullptr) {
      p = *existing;  // reinstalling the same edition keeps its license
    } else {
      p.sku_id = e->id;
      p.license = NewClientLicense(now);
      p.license.activation_interval_minutes = host_settings_.activation_interval_minutes;
      p.license.renewal_interval_minutes = host_settings_.renewal_interval_minutes;
    }
    p.application_id = e->application_id;
    p.key_text = text;
    p.key_kind = KeyKind::kSetup;
    Status s = store_.SaveProduct(p);
    if (!s.ok()) return ErrorLine(s);
    if (existing != nullptr) {
      *existing = p;
    } else {
      products_.push_back(p);
    }
    data = {{"kind", "setup"}, {"name", e->name}, {"becomes_host", false}};
  } else {
    return ErrorLine(Status(ResultCode::kWrongKeyKind,
                            "this is a MAK: MAKs are activated at the vendor's clearinghouse, "
                            "which this version does not include; install the edition's setup "
                            "key to activate through a host"));
  }
  json::object o = CoreRenderer::Response(Status::Ok());
  for (auto& [k, v] : data) o[k] = v;
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoUpk(std::string_view activation_id) {
  std::optional<Uuid> id;
  if (!activation_id.empty()) {
    id = ParseUuid(activation_id);
    if (!id) {
      return ErrorLine(Status(ResultCode::kInvalidArgument,
                              "\"" + std::string(activation_id) + "\" is not an activation ID"));
    }
  }
  // The host key's activation ID is its product group's ID.
  const Catalog* hc = HostCatalog();
  std::optional<Uuid> host_group;
  if (host_key_ && hc) {
    Result<ProductKey> k = ParseProductKey(*host_key_);
    if (const ProductGroup* g = k.ok() ? hc->FindGroupByCode(k->item) : nullptr) host_group = g->id;
  }
  std::size_t installed = products_.size() + (host_key_ ? 1 : 0);
  if (!id) {
    if (installed == 0) return ErrorLine(Status(ResultCode::kNotFound, "no product key is installed"));
    if (installed > 1) {
      return ErrorLine(Status(ResultCode::kInvalidArgument,
                              "several product keys are installed; name one: /upk ActivationID"));
    }
    id = host_key_ ? host_group.value_or(Uuid{}) : products_.front().sku_id;
  }
  if (host_key_ && (host_group == id || (installed == 1 && products_.empty()))) {
    Status s = store_.DeleteSetting(kHostKey);
    if (s.ok()) s = store_.DeleteSetting(kHostCertificate);
    if (!s.ok()) return ErrorLine(s);
    host_key_.reset();
    certificate_.reset();
    certificate_bytes_.clear();
    listener_change_ = true;
    dns_change_ = true;
    json::object o = CoreRenderer::Response(Status::Ok());
    o["removed"] = "host key";
    return CoreRenderer::Line(std::move(o));
  }
  for (auto it = products_.begin(); it != products_.end(); ++it) {
    if (it->sku_id != *id) continue;
    Status s = store_.DeleteProduct(it->sku_id);
    if (!s.ok()) return ErrorLine(s);
    const Edition* e = FindEdition(it->sku_id, nullptr);
    json::object o = CoreRenderer::Response(Status::Ok());
    o["removed"] = e ? e->name : FormatUuid(it->sku_id);
    products_.erase(it);
    return CoreRenderer::Line(std::move(o));
  }
  return ErrorLine(Status(ResultCode::kNotFound,
                          "no product key with activation ID " + FormatUuid(*id) + " is installed"));
}

Result<std::string> DaemonCore::InstallationIdText() const {
  if (!host_key_ || !host_signing_key_) {
    return Status(ResultCode::kNotFound,
                  "no host key is installed; install one with slmgr /ipk HOSTKEY");
  }
  Result<ProductKey> key = ParseProductKey(*host_key_);
  if (!key.ok()) return key.status();
  InstallationId iid;
  iid.machine_tag = machine_tag();
  iid.host_public_key = host_signing_key_->public_key();
  iid.host_key = *key;
  return FormatInstallationId(iid);
}

std::string DaemonCore::DoDti() {
  Result<std::string> iid = InstallationIdText();
  if (!iid.ok()) return ErrorLine(iid.status());
  json::object o = CoreRenderer::Response(Status::Ok());
  o["installation_id"] = *iid;
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoAtp(std::string_view confirmation_id) {
  Result<std::string> iid_text = InstallationIdText();
  if (!iid_text.ok()) return ErrorLine(iid_text.status());
  Result<ConfirmationId> cid = ParseConfirmationId(confirmation_id);
  if (!cid.ok()) return ErrorLine(cid.status());
  const Catalog* catalog = HostCatalog();
  if (catalog == nullptr) {
    return ErrorLine(Status(ResultCode::kInvalidKey, "the host key's vendor has no catalog here"));
  }
  Result<HostCertificate> cert =
      CertificateFromConfirmation(*ParseInstallationId(*iid_text), *cid, *catalog);
  if (!cert.ok()) return ErrorLine(cert.status());
  Bytes bytes = EncodeCertificate(*cert);
  Status s = SaveSetting(kHostCertificate, HexEncode(bytes));
  if (!s.ok()) return ErrorLine(s);
  certificate_ = *cert;
  certificate_bytes_ = std::move(bytes);
  dns_change_ = true;
  LogEvent(0, "host activated by " + catalog->vendor_name + " (offline)");
  json::object o = CoreRenderer::Response(Status::Ok());
  o["host"] = CoreRenderer::Host(*this);
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoRearm() {
  if (products_.empty()) return ErrorLine(Status(ResultCode::kNotFound, "no product is installed"));
  const std::int64_t now = clock_.Now();
  // All or nothing, as slmgr.vbs's rearm is one operation for the machine.
  for (const ProductRecord& p : products_) {
    if (RearmsLeft(p.license) <= 0) {
      return ErrorLine(Status(ResultCode::kNoRearmsLeft, ""));
    }
  }
  int left = 0;
  for (ProductRecord& p : products_) {
    ProductRecord next = p;
    Status s = Rearm(next.license, now);
    if (!s.ok()) return ErrorLine(s);
    Status saved = UpdateProduct(p, std::move(next));
    if (!saved.ok()) return ErrorLine(saved);
    left = RearmsLeft(p.license);
  }
  json::object o = CoreRenderer::Response(Status::Ok());
  o["rearms_left"] = left;
  return CoreRenderer::Line(std::move(o));
}

std::string DaemonCore::DoGeneralize() {
  const std::int64_t now = clock_.Now();
  Uuid next = NewRandomUuid();
  Status s = SaveSetting(kPreviousCmid, FormatUuid(cmid_));
  if (s.ok()) s = SaveSetting(kCmid, FormatUuid(next));
  if (!s.ok()) return ErrorLine(s);
  previous_cmid_ = cmid_;
  cmid_ = next;
  for (ProductRecord& p : products_) {
    ProductRecord next = p;
    Generalize(next.license, now);
    next.host_in_use.clear();
    next.last_count = 0;
    Status saved = UpdateProduct(p, std::move(next));
    if (!saved.ok()) return ErrorLine(saved);
  }
  json::object o = CoreRenderer::Response(Status::Ok());
  o["cmid"] = FormatUuid(cmid_);
  o["previous_cmid"] = FormatUuid(previous_cmid_);
  return CoreRenderer::Line(std::move(o));
}

Result<std::vector<Uuid>> DaemonCore::ProductsForActivation(std::string_view request_json,
                                                            bool admin) {
  Result<Request> req = ParseRequest(request_json);
  if (!req.ok()) return req.status();
  if (!admin) return NeedsAdmin("ato");
  std::string id = req->Arg("activation_id");
  std::vector<Uuid> out;
  if (!id.empty() && id != "all" && id != "All") {
    std::optional<Uuid> sku = ParseUuid(id);
    if (!sku) return Status(ResultCode::kInvalidArgument, "\"" + id + "\" is not an activation ID");
    if (FindProduct(*sku) == nullptr) {
      return Status(ResultCode::kNotFound, "no product with activation ID " + id + " is installed");
    }
    out.push_back(*sku);
    return out;
  }
  for (const ProductRecord& p : products_) out.push_back(p.sku_id);
  if (out.empty()) {
    if (host_key_) {
      return Status(ResultCode::kInvalidArgument,
                    "online activation of a host needs the vendor's clearinghouse, which this "
                    "version does not include: activate by phone or file with /dti, "
                    "activa-vendor confirm and /atp");
    }
    return Status(ResultCode::kNotFound, "no product key is installed; use /ipk first");
  }
  return out;
}

std::string DaemonCore::RenderActivation(const std::vector<Uuid>& tried, ResultCode result) {
  json::object o = CoreRenderer::Response(Status(result, ""));
  json::array list;
  for (const Uuid& sku : tried) {
    if (const ProductRecord* p = FindProduct(sku)) list.push_back(CoreRenderer::Product(*this, *p));
  }
  o["products"] = std::move(list);
  return CoreRenderer::Line(std::move(o));
}

}  // namespace activa
