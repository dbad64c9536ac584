#include "daemon/management_service.h"

#include <algorithm>
#include <cctype>

#include "base/file_util.h"
#include "daemon/count_history.h"
#include "daemon/log.h"
#include "keys/product_key.h"
#include "management/codec.h"
#include "net/dns_name.h"
#include "net/host_address.h"
#include "offline/mak_activation.h"
#include "offline/offline_activation.h"

namespace activa {
namespace m = management;

namespace {

std::string_view KeyKindName(KeyKind k) {
  switch (k) {
    case KeyKind::kSetup:
      return "setup";
    case KeyKind::kHost:
      return "host";
    case KeyKind::kMak:
      return "mak";
  }
  return "unknown";
}

m::ActivationAttempt ToWire(const Uuid& sku, const AttemptReport& r) {
  m::ActivationAttempt a;
  a.activation_id = sku;
  a.result = r.result;
  a.cause = r.cause;
  for (const AttemptStep& step : r.steps) {
    a.tried.push_back(
        {step.kind == AttemptStep::Kind::kDns ? "dns" : "host", step.name, step.result, step.what});
  }
  return a;
}

Status NotInstalled(const Uuid& id) {
  return Status(ResultCode::kNotFound,
                "no product with activation ID " + FormatUuid(id) + " is installed");
}

}  // namespace

ManagementService::ManagementService(DaemonCore& core, AttemptRunner run_attempts)
    : core_(core), run_attempts_(std::move(run_attempts)) {}

// --- What dli shows ------------------------------------------------------------

m::Machine ManagementService::MachineInfo() const {
  const MachineIdentity& id = core_.machine();
  m::Machine out;
  out.name = id.machine_name;
  out.cmid = id.cmid;
  if (id.previous_cmid != Uuid{}) out.previous_cmid = id.previous_cmid;
  out.is_virtual_machine = id.is_virtual_machine;
  return out;
}

m::Product ManagementService::ProductInfo(const ProductRecord& p) const {
  const std::int64_t now = core_.client().Now();  // the latest time seen
  const Catalog* catalog = nullptr;
  const Edition* e = core_.catalogs().FindEdition(p.sku_id, &catalog);
  const Application* app = catalog ? catalog->FindApplication(p.application_id) : nullptr;
  const LicenseState state = ProductState(p, now);
  const HostDiscovery& d = core_.client().discovery();
  m::Product o;
  o.activation_id = p.sku_id;
  o.application_id = p.application_id;
  o.application = app ? app->name : "";
  o.name = e ? e->name : "(edition not in any installed catalog)";
  o.vendor = catalog ? catalog->vendor_name : "";
  o.kind = e && e->kind == EditionKind::kServer ? "server" : "client";
  o.key_kind = KeyKindName(p.key_kind);
  o.partial_product_key = PartialProductKey(p.key_text);
  o.license_status = static_cast<int>(state);
  o.license_status_text = m::LicenseStatusText(o.license_status);
  o.minutes_left = ProductMinutesLeft(p, now);
  o.grace_end = p.license.grace_end;
  o.validity_end = p.license.validity_end;
  if (HoldsMakActivation(p)) {
    // Licensed for good: no end to show, whatever the timers kept from the
    // product's days as a KMS client.
    o.validity_end = 0;
    if (Result<ConfirmationId> cid = ParseConfirmationId(p.mak_confirmation); cid.ok()) {
      o.mak_activated = static_cast<std::int64_t>(cid->issue_day) * 86400;
    }
  }
  o.rearms_left = RearmsLeft(p.license);
  o.last_result = p.license.last_result;
  o.last_result_text = ResultCodeMessage(p.license.last_result);
  o.last_attempt = p.license.last_attempt;
  // A MAK product never asks a host, so nothing is scheduled.
  o.next_attempt = p.key_kind == KeyKind::kMak ? 0 : p.license.next_attempt;
  o.last_activation = p.license.last_activation;
  o.required_count = e ? e->threshold : 0;
  o.last_count = p.last_count;
  o.activation_interval = p.license.activation_interval_minutes;
  o.renewal_interval = p.license.renewal_interval_minutes;
  o.kms.configured = d.kms_host;
  if (!p.host_in_use.empty()) o.kms.in_use = p.host_in_use;
  o.kms.from_dns = p.discovered && !p.host_in_use.empty();
  if (!p.host_address.empty()) o.kms.address = p.host_address;
  o.kms.lookup_domain = d.kms_domain;
  o.kms.host_caching = d.host_caching;
  return o;
}

std::optional<m::Host> ManagementService::HostInfo() const {
  const HostRole& host = core_.host();
  if (!host.key_installed()) return std::nullopt;
  const std::int64_t now = core_.clock().Now();
  const Catalog* catalog = host.catalog();
  const ProductGroup* group = host.group();
  m::Host h;
  h.activated = host.certificate().has_value();
  if (host.certificate() && host.CertificateExpiresSoon(now)) {
    h.certificate_expires = host.certificate()->not_after;
  }
  h.vendor = catalog ? catalog->vendor_name : "";
  h.group = group ? group->name : "";
  if (group != nullptr) h.group_id = group->id;
  h.partial_product_key = PartialProductKey(*host.key_text());
  h.host_id = host.host_id;
  if (catalog != nullptr) {
    // Count() expires records as it reads: the counter is the host's own.
    RequestHandler& requests = core_.host().requests();
    for (const Application& a : catalog->applications) {
      std::uint32_t n = requests.Count(a.id, now);
      m::ApplicationCount count{a.id, a.name, n, KmsReportedCount(n), {}, {}};
      // The thresholds the host applies: its catalog's, for the editions its
      // product group covers (DESIGN.md section 3, point 7).
      for (const Edition& e : catalog->editions) {
        if (e.application_id != a.id) continue;
        if (group != nullptr && std::find(group->editions.begin(), group->editions.end(), e.id) ==
                                    group->editions.end()) {
          continue;
        }
        const auto threshold = static_cast<std::uint32_t>(e.threshold);
        count.editions.push_back({e.id, e.name,
                                  e.kind == EditionKind::kServer ? "server" : "client", threshold,
                                  threshold > n ? threshold - n : 0});
      }
      h.counts.push_back(std::move(count));
    }
  }
  h.port = host.port;
  for (const std::string& a : core_.config().listen) {
    h.listening.push_back(FormatHostPort(a, host.port));
  }
  h.dns_publishing = host.dns_publishing && !core_.config().dns.disable_publishing;
  if (h.dns_publishing && !core_.dns_problem().empty()) h.dns_problem = core_.dns_problem();
  for (const PublishStatus& st : host.publish_status()) {
    h.dns.push_back({st.domain, st.result, st.message, st.time, st.withdrawn});
  }
  if (const auto& problem = core_.clearinghouse().unreachable()) {
    h.clearinghouse_unreachable = m::ClearinghouseProblem{problem->since, problem->cause};
  }
  h.priority = host.low_priority ? m::Priority::kLow : m::Priority::kNormal;
  h.activation_interval = host.settings.activation_interval_minutes;
  h.renewal_interval = host.settings.renewal_interval_minutes;
  const RequestStats& s = host.requests().stats();
  h.requests = {s.total,
                s.failed,
                s.of_state(LicenseState::kUnlicensed),
                s.of_state(LicenseState::kLicensed),
                s.of_state(LicenseState::kInitialGrace),
                s.of_state(LicenseState::kOutOfToleranceGrace),
                s.of_state(LicenseState::kNonGenuineGrace),
                s.of_state(LicenseState::kNotification)};
  return h;
}

// --- Queries ---------------------------------------------------------------------

Result<m::LicenseInfo> ManagementService::License(const m::ProductSelector& selector) {
  m::LicenseInfo info;
  info.machine = MachineInfo();
  for (const ProductRecord& p : core_.client().products()) {
    if (!selector.activation_id || *selector.activation_id == p.sku_id) {
      info.products.push_back(ProductInfo(p));
    }
  }
  if (selector.activation_id && info.products.empty()) return NotInstalled(*selector.activation_id);
  info.host = HostInfo();
  if (info.host) ACTIVA_RETURN_IF_ERROR(AttachHistory(core_, info.host->counts));
  if (const auto& refused = core_.reload_refused()) {
    info.reload_refused = m::ReloadRefusal{refused->time, refused->message};
  }
  info.management = core_.management_listener();
  return info;
}

Result<m::LicenseInfo> ManagementService::Dli(const m::DliRequest& r) {
  return License(r.products);
}
Result<m::LicenseInfo> ManagementService::Dlv(const m::DlvRequest& r) {
  return License(r.products);
}
Result<m::LicenseInfo> ManagementService::Xpr(const m::XprRequest& r) {
  return License(r.products);
}

// One page, read from the database's CMID index: its cost is the page's, not
// the number of clients (a host may hold a million).
Result<m::DlcResponse> ManagementService::Dlc(const m::DlcRequest& r) {
  const std::size_t first = r.first.value_or(m::kDlcDefaultFirst);
  StateStore::ClientSearch search;
  if (r.machine && r.cmid) {
    return Status(ResultCode::kInvalidArgument,
                  "dlc searches by machine or by cmid, not both at once");
  }
  if (r.machine) {
    if (r.machine->empty() || r.machine->size() > 255) {
      return Status(ResultCode::kInvalidArgument,
                    "dlc's machine must be the start of a machine name (1 to 255 bytes)");
    }
    search.machine_prefix = *r.machine;
  }
  if (r.cmid) {
    std::string prefix = *r.cmid;
    for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool shaped = !prefix.empty() && prefix.size() <= 36 &&
                        prefix.find_first_not_of("0123456789abcdef-") == std::string::npos;
    if (!shaped) {
      return Status(ResultCode::kInvalidArgument,
                    "dlc's cmid must be the start of a CMID: hex digits and hyphens, as in "
                    "6f327760-8c5e, not \"" +
                        *r.cmid + "\"");
    }
    search.cmid_prefix = prefix;
  }
  Result<StateStore::ClientPage> page = core_.store().ListClients(r.after, first, search);
  if (!page.ok()) return page.status();
  Result<std::uint64_t> total = core_.store().CountClients();
  if (!total.ok()) return total.status();
  const Catalog* catalog = core_.host().catalog();
  m::DlcResponse out;
  out.total = *total;
  out.is_host = core_.host().key_installed();
  bool more = page->more;
  // Machine names are the clients' (up to 255 bytes each): a page of
  // `first` records may not fit one line, so it ends early, at a machine's
  // first record, and `next_after` carries on from there.
  std::size_t bytes = m::kDlcEnvelopeBytes;
  std::size_t machine_start = 0;  // in out.clients
  for (const ClientEntry& c : page->clients) {
    const Edition* e = catalog ? catalog->FindEdition(c.sku_id) : nullptr;
    m::ClientRecord record{
        c.cmid,          c.machine_name,       c.application_id,
        c.sku_id,        e ? e->name : "",     c.last_seen,
        c.license_state, c.is_virtual_machine, static_cast<std::uint64_t>(c.requests)};
    if (out.clients.empty() || out.clients.back().cmid != c.cmid)
      machine_start = out.clients.size();
    bytes += m::EncodedSize(record);
    if (bytes > m::kMaxLineBytes && machine_start > 0) {
      out.clients.resize(machine_start);
      more = true;
      break;
    }
    out.clients.push_back(std::move(record));
  }
  if (more && !out.clients.empty()) out.next_after = out.clients.back().cmid;
  return out;
}

Result<m::StatusResponse> ManagementService::ProductStatus(const m::StatusRequest& r) {
  const ProductRecord* p = core_.client().Find(r.sku_id);
  if (p == nullptr || p->application_id != r.application_id) {
    return Status(ResultCode::kNotFound,
                  "edition " + FormatUuid(r.sku_id) + " is not installed on this machine");
  }
  m::StatusResponse out{ProductInfo(*p), core_.machine().cmid, std::nullopt};
  if (HoldsMakActivation(*p)) {
    Result<std::string> iid = core_.MakInstallationIdText(p->sku_id);
    if (!iid.ok()) return iid.status();
    out.proof = m::ActivationProof{{}, p->proof_catalog, *iid, p->mak_confirmation};
  } else if (!p->proof_response.empty() && !p->proof_catalog.empty()) {
    out.proof = m::ActivationProof{p->proof_response, p->proof_catalog, {}, {}};
  }
  return out;
}

// --- Keys ------------------------------------------------------------------------

Result<m::IpkResponse> ManagementService::Ipk(const m::IpkRequest& r) {
  Result<ProductKey> key = ParseProductKey(r.key);
  if (!key.ok()) return key.status();
  const Catalog* catalog = core_.catalogs().ForVendorTag(key->vendor_tag);
  if (catalog == nullptr) {
    return Status(ResultCode::kInvalidKey,
                  "the key belongs to a vendor with no catalog in " + core_.paths().catalog_dir);
  }
  const std::string text = FormatProductKey(*key);
  if (key->kind == KeyKind::kHost) {
    const ProductGroup* g = catalog->FindGroupByCode(key->item);
    if (g == nullptr) {
      return Status(ResultCode::kInvalidKey, "the host key names a product group that " +
                                                 catalog->vendor_name +
                                                 "'s catalog does not define");
    }
    ACTIVA_RETURN_IF_ERROR(core_.EnsureHostSigningKey());
    ACTIVA_RETURN_IF_ERROR(core_.settings().SetHostKey(text));
    const bool was_host = core_.host().key_installed();
    core_.host().InstallKey(text);
    core_.MarkListenerChange();
    core_.MarkDnsChange();
    LogInfo("host key installed for product group " + g->name + "; not activated yet");
    return m::IpkResponse{"host", g->name, !was_host};
  }
  if (key->kind == KeyKind::kSetup) {
    const Edition* e = catalog->FindEditionByCode(key->item);
    if (e == nullptr || e->setup_key != text) {
      return Status(ResultCode::kInvalidKey,
                    "the key is not a setup key listed in " + catalog->vendor_name + "'s catalog");
    }
    const HostSettings& local = core_.host().settings;
    ACTIVA_RETURN_IF_ERROR(core_.client().Install(*e, text, local.activation_interval_minutes,
                                                  local.renewal_interval_minutes));
    return m::IpkResponse{"setup", e->name, false};
  }
  // A MAK: the edition's product becomes a MAK client (the deployment
  // guide's conversion), keeping its timers; the vendor checks the MAK
  // itself when it activates it.
  const Edition* e = catalog->FindEditionByCode(key->item);
  if (e == nullptr) {
    return Status(ResultCode::kInvalidKey, "the MAK names an edition that " + catalog->vendor_name +
                                               "'s catalog does not define");
  }
  // The machine's key pair goes into the MAK's installation ID.
  ACTIVA_RETURN_IF_ERROR(core_.EnsureHostSigningKey());
  const HostSettings& local = core_.host().settings;
  ACTIVA_RETURN_IF_ERROR(core_.client().Install(*e, text, local.activation_interval_minutes,
                                                local.renewal_interval_minutes, KeyKind::kMak));
  LogInfo("MAK installed for " + e->name + "; activate it with /ato, or /dti and /atp");
  return m::IpkResponse{"mak", e->name, false};
}

// The MAK product a /dti or /atp without an activation ID means: the only
// one installed.
Result<Uuid> ManagementService::OnlyMakProduct() const {
  std::optional<Uuid> found;
  for (const ProductRecord& p : core_.client().products()) {
    if (p.key_kind != KeyKind::kMak) continue;
    if (found) {
      return Status(ResultCode::kInvalidArgument,
                    "several products have a MAK; name one by its activation ID");
    }
    found = p.sku_id;
  }
  if (!found) {
    return Status(ResultCode::kNotFound,
                  "no host key and no MAK is installed; install one with slmgr /ipk KEY");
  }
  return *found;
}

Result<m::UpkResponse> ManagementService::Upk(const m::UpkRequest& r) {
  HostRole& host = core_.host();
  ClientRole& client = core_.client();
  // The host key's activation ID is its product group's ID.
  std::optional<Uuid> host_group;
  if (const ProductGroup* g = host.group()) host_group = g->id;
  const std::size_t installed = client.products().size() + (host.key_installed() ? 1 : 0);
  std::optional<Uuid> id = r.activation_id;
  if (!id) {
    if (installed == 0) return Status(ResultCode::kNotFound, "no product key is installed");
    if (installed > 1) {
      return Status(ResultCode::kInvalidArgument,
                    "several product keys are installed; name one: /upk ActivationID");
    }
    id = host.key_installed() ? host_group.value_or(Uuid{}) : client.products().front().sku_id;
  }
  if (host.key_installed() && (host_group == id || (installed == 1 && client.products().empty()))) {
    ACTIVA_RETURN_IF_ERROR(core_.settings().RemoveHostKey());
    host.RemoveKey();
    core_.MarkListenerChange();
    core_.MarkDnsChange();
    return m::UpkResponse{"host key"};
  }
  Result<std::string> removed = client.Remove(*id);
  if (!removed.ok()) return removed.status();
  return m::UpkResponse{*removed};
}

// Keys live only in the state database (mode 0700), which only the daemon
// reads; kept for slmgr.vbs users.
Result<m::Empty> ManagementService::Cpky(const m::CpkyRequest&) { return m::Empty{}; }

// --- Activation --------------------------------------------------------------------

void ManagementService::Ato(const m::AtoRequest& r,
                            std::function<void(Result<m::AtoResponse>)> done) {
  ClientRole& client = core_.client();
  std::vector<Uuid> products;
  if (r.products.activation_id) {
    if (client.Find(*r.products.activation_id) == nullptr) {
      return done(NotInstalled(*r.products.activation_id));
    }
    products.push_back(*r.products.activation_id);
  } else {
    for (const ProductRecord& p : client.products()) products.push_back(p.sku_id);
  }
  if (products.empty()) {
    if (core_.host().key_installed()) {
      if (!activate_online_) {
        return done(Status(ResultCode::kInvalidArgument,
                           "online activation needs the daemon's network side: activate by "
                           "phone or file with /dti, activa-vendor confirm and /atp"));
      }
      // At the vendor's clearinghouse; the certificate is installed as /atp
      // installs one (DaemonCore::InstallHostConfirmation).
      return activate_online_(std::nullopt, [done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(m::AtoResponse{Status::Ok(), {}, {}});
      });
    }
    return done(Status(ResultCode::kNotFound, "no product key is installed; use /ipk first"));
  }
  // A MAK product activates at the vendor, never through a host.
  std::vector<Uuid> maks;
  std::vector<Uuid> hosts;
  for (const Uuid& sku : products) {
    const ProductRecord* p = client.Find(sku);
    (p != nullptr && p->key_kind == KeyKind::kMak ? maks : hosts).push_back(sku);
  }
  ActivateMaksThenHosts(std::move(maks), 0, std::move(hosts), std::make_shared<m::AtoResponse>(),
                        std::move(done));
}

void ManagementService::ActivateMaksThenHosts(std::vector<Uuid> maks, std::size_t next,
                                              std::vector<Uuid> hosts,
                                              std::shared_ptr<m::AtoResponse> out,
                                              std::function<void(Result<m::AtoResponse>)> done) {
  auto add_products = [this](m::AtoResponse& response, const std::vector<Uuid>& skus) {
    for (const Uuid& sku : skus) {
      if (const ProductRecord* p = core_.client().Find(sku))
        response.products.push_back(ProductInfo(*p));
    }
  };
  if (next < maks.size()) {
    const Uuid sku = maks[next];
    auto step = [this, maks = std::move(maks), next, hosts = std::move(hosts), out,
                 done = std::move(done), sku](Status s) mutable {
      AttemptReport report{s.code(), s.ok() ? "" : s.message(), {}};
      if (out->outcome.ok() && !s.ok()) out->outcome = Status(s.code(), s.message());
      out->attempts.push_back(ToWire(sku, report));
      ActivateMaksThenHosts(std::move(maks), next + 1, std::move(hosts), out, std::move(done));
    };
    if (!activate_online_) {
      return step(Status(ResultCode::kInvalidArgument,
                         "online MAK activation needs the daemon's network side: activate by "
                         "phone or file with /dti, activa-vendor confirm and /atp"));
    }
    return activate_online_(sku, std::move(step));
  }
  if (hosts.empty()) {
    add_products(*out, maks);
    return done(std::move(*out));
  }
  run_attempts_(hosts, [out, maks = std::move(maks), hosts, add_products,
                        done = std::move(done)](std::vector<AttemptReport> reports) {
    // The first failure is the outcome, its cause the message.
    for (std::size_t i = 0; i < reports.size() && i < hosts.size(); ++i) {
      if (out->outcome.ok() && reports[i].result != ResultCode::kOk) {
        out->outcome = Status(reports[i].result, reports[i].cause);
      }
      out->attempts.push_back(ToWire(hosts[i], reports[i]));
    }
    add_products(*out, maks);
    add_products(*out, hosts);
    done(std::move(*out));
  });
}

// Without an activation ID: the host key's, as before MAKs, or else the only
// MAK product's.
Result<m::DtiResponse> ManagementService::Dti(const m::DtiRequest& r) {
  if (r.activation_id || !core_.host().key_installed()) {
    Result<Uuid> sku = r.activation_id ? Result<Uuid>(*r.activation_id) : OnlyMakProduct();
    if (!sku.ok()) return sku.status();
    Result<std::string> iid = core_.MakInstallationIdText(*sku);
    if (!iid.ok()) return iid.status();
    return m::DtiResponse{*iid};
  }
  Result<std::string> iid = core_.InstallationIdText();
  if (!iid.ok()) return iid.status();
  return m::DtiResponse{*iid};
}

Result<m::IlcResponse> ManagementService::Ilc(const m::IlcRequest& r) {
  Result<std::pair<std::uint64_t, bool>> imported = core_.ImportRevocations(r.revocation_list);
  if (!imported.ok()) return imported.status();
  const auto [serial, replaced] = *imported;
  if (replaced) LogInfo("revocation list " + std::to_string(serial) + " installed");
  return m::IlcResponse{serial, replaced};
}

// A MAK's confirmation ID says so itself (valid_days kMakValidDays), so
// without an activation ID it goes to the only MAK product, and any other to
// the host key.
Result<m::AtpResponse> ManagementService::Atp(const m::AtpRequest& r) {
  Result<ConfirmationId> cid = ParseConfirmationId(r.confirmation_id);
  if (!cid.ok()) return cid.status();
  if (r.activation_id || cid->valid_days == kMakValidDays) {
    Result<Uuid> sku = r.activation_id ? Result<Uuid>(*r.activation_id) : OnlyMakProduct();
    if (!sku.ok()) return sku.status();
    ACTIVA_RETURN_IF_ERROR(core_.InstallMakConfirmation(*sku, r.confirmation_id));
    return m::AtpResponse{std::nullopt, ProductInfo(*core_.client().Find(*sku))};
  }
  ACTIVA_RETURN_IF_ERROR(core_.InstallHostConfirmation(r.confirmation_id, "offline"));
  return m::AtpResponse{HostInfo(), std::nullopt};
}

Result<m::RearmResponse> ManagementService::Rearm(const m::RearmRequest&) {
  Result<int> left = core_.client().RearmAll();
  if (!left.ok()) return left.status();
  return m::RearmResponse{*left};
}

Result<m::GeneralizeResponse> ManagementService::Generalize(const m::GeneralizeRequest&) {
  // A rearm first: with none left, neither the timers nor the CMID change.
  ACTIVA_RETURN_IF_ERROR(core_.client().CheckRearmsLeft());
  MachineIdentity& id = core_.machine();
  const Uuid next = NewRandomUuid();
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetIdentity(next, id.cmid));
  id.previous_cmid = id.cmid;
  id.cmid = next;
  ACTIVA_RETURN_IF_ERROR(core_.client().GeneralizeAll());
  return m::GeneralizeResponse{id.cmid, id.previous_cmid};
}

// --- Discovery ---------------------------------------------------------------------

Result<m::Empty> ManagementService::Skms(const m::SkmsRequest& r) {
  Result<HostAddress> a = ParseHostAddress(r.host);
  if (!a.ok()) return a.status();
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetKmsHost(r.host));
  core_.client().discovery().kms_host = r.host;
  // An explicitly set host replaces whatever was cached.
  core_.client().ForgetHosts();
  return m::Empty{};
}

Result<m::Empty> ManagementService::Ckms(const m::CkmsRequest&) {
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetKmsHost(std::nullopt));
  core_.client().discovery().kms_host.reset();
  core_.client().ForgetHosts();
  return m::Empty{};
}

Result<m::Empty> ManagementService::SkmsDomain(const m::SkmsDomainRequest& r) {
  if (!IsValidDnsName(r.domain)) {
    return Status(ResultCode::kInvalidArgument,
                  "\"" + r.domain +
                      "\" is not a DNS name (labels of letters, digits and '-', "
                      "at most 63 bytes each, 253 in all)");
  }
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetKmsDomain(r.domain));
  core_.client().discovery().kms_domain = r.domain;
  return m::Empty{};
}

Result<m::Empty> ManagementService::CkmsDomain(const m::CkmsDomainRequest&) {
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetKmsDomain(std::nullopt));
  core_.client().discovery().kms_domain.reset();
  return m::Empty{};
}

Result<m::Empty> ManagementService::SetHostCaching(bool on) {
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetHostCaching(on));
  core_.client().discovery().host_caching = on;
  if (!on) core_.client().ForgetHosts();
  return m::Empty{};
}

Result<m::Empty> ManagementService::Skhc(const m::SkhcRequest&) { return SetHostCaching(true); }
Result<m::Empty> ManagementService::Ckhc(const m::CkhcRequest&) { return SetHostCaching(false); }

// --- Host settings -----------------------------------------------------------------

Result<m::Empty> ManagementService::SetInterval(bool activation, std::uint32_t minutes) {
  ACTIVA_RETURN_IF_ERROR(ValidateInterval(minutes));
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetInterval(activation, minutes));
  HostSettings& s = core_.host().settings;
  (activation ? s.activation_interval_minutes : s.renewal_interval_minutes) = minutes;
  // On a client the value is its local one until a host sends its own.
  ACTIVA_RETURN_IF_ERROR(core_.client().SetInterval(activation, minutes));
  return m::Empty{};
}

Result<m::Empty> ManagementService::Sai(const m::SaiRequest& r) {
  return SetInterval(true, r.minutes);
}
Result<m::Empty> ManagementService::Sri(const m::SriRequest& r) {
  return SetInterval(false, r.minutes);
}

Result<m::Empty> ManagementService::Sprt(const m::SprtRequest& r) {
  if (r.port == 0) return Status(ResultCode::kInvalidArgument, "the port must be 1 to 65535");
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetPort(r.port));
  core_.host().port = r.port;
  core_.MarkListenerChange();
  core_.MarkDnsChange();
  return m::Empty{};
}

Result<m::Empty> ManagementService::SetPublishing(bool on) {
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetDnsPublishing(on));
  core_.host().dns_publishing = on;
  core_.MarkDnsChange();
  return m::Empty{};
}

Result<m::Empty> ManagementService::Sdns(const m::SdnsRequest&) { return SetPublishing(true); }
Result<m::Empty> ManagementService::Cdns(const m::CdnsRequest&) { return SetPublishing(false); }

Result<m::Empty> ManagementService::SetPriority(bool low) {
  ACTIVA_RETURN_IF_ERROR(core_.settings().SetLowPriority(low));
  core_.host().low_priority = low;
  core_.MarkListenerChange();  // the daemon applies the priority
  return m::Empty{};
}

Result<m::Empty> ManagementService::Spri(const m::SpriRequest&) { return SetPriority(false); }
Result<m::Empty> ManagementService::Cpri(const m::CpriRequest&) { return SetPriority(true); }

// --- Events --------------------------------------------------------------------

Result<m::DleResponse> ManagementService::Dle(const m::DleRequest& r) {
  StateStore::EventFilter filter;
  if (r.event_id) {
    if (*r.event_id < 1 || *r.event_id > 65535 || !IsKmsEventId(static_cast<int>(*r.event_id))) {
      return Status(ResultCode::kInvalidArgument,
                    "event ID " + std::to_string(*r.event_id) +
                        " is not one activad stores: 12288, 12289, 12290, 12293 or 12294");
    }
    filter.event_id = static_cast<int>(*r.event_id);
  }
  filter.since = r.since;
  filter.before = r.before;
  filter.machine = r.machine.value_or("");
  if (r.result) filter.result = FormatResultCode(*r.result);
  Result<StateStore::EventPage> page =
      core_.store().ListEvents(filter, r.first.value_or(m::kDleDefaultFirst));
  if (!page.ok()) return page.status();
  m::DleResponse out;
  for (const Event& e : page->events) out.events.push_back({e.id, e.time, e.event_id, e.message});
  if (page->more && !out.events.empty()) out.next_before = out.events.back().id;
  return out;
}

Result<m::TestAdvanceClockResponse> ManagementService::TestAdvanceClock(
    const m::TestAdvanceClockRequest& r) {
  if (!core_.advance_clock) return m::Service::TestAdvanceClock(r);
  core_.advance_clock(r.seconds);
  return m::TestAdvanceClockResponse{core_.clock().Now()};
}

}  // namespace activa
