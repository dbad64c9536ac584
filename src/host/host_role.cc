#include "host/host_role.h"

#include <utility>

namespace activa {

HostRole::HostRole(const Clock& clock, const CatalogSet& catalogs,
                   const ClientCounter::HashKey& key)
    : clock_(clock), catalogs_(catalogs), requests_(key) {}

// The key is parsed once, when installed: catalog() runs for every request.
const Catalog* HostRole::catalog() const {
  return parsed_key_ ? catalogs_.ForVendorTag(parsed_key_->vendor_tag) : nullptr;
}

const ProductGroup* HostRole::group() const {
  const Catalog* c = catalog();
  return c != nullptr ? c->FindGroupByCode(parsed_key_->item) : nullptr;
}

void HostRole::InstallKey(std::string key_text) {
  Result<ProductKey> parsed = ParseProductKey(key_text);
  parsed_key_.reset();
  if (parsed.ok()) parsed_key_ = *parsed;
  key_ = std::move(key_text);
  certificate_.reset();
  certificate_bytes_.clear();
}

void HostRole::RemoveKey() {
  key_.reset();
  parsed_key_.reset();
  certificate_.reset();
  certificate_bytes_.clear();
}

void HostRole::Activate(HostCertificate certificate, Bytes encoded) {
  certificate_ = std::move(certificate);
  certificate_bytes_ = std::move(encoded);
}

bool HostRole::CertificateExpiresSoon(std::int64_t now) const {
  // The margin is added to our clock, never subtracted from a decoded
  // value, which could overflow.
  return certificate_.has_value() &&
         now + kCertificateWarningDays * 86400 >= certificate_->not_after;
}

bool HostRole::revoked() const {
  if (!certificate_) return false;
  const Catalog* c = catalog();
  const RevocationList* list = c ? catalogs_.RevocationsFor(*c) : nullptr;
  return list != nullptr &&
         list->RevokesHost(certificate_->host_public_key, certificate_->host_key_id);
}

HostContext HostRole::context() const {
  HostContext h;
  h.catalog = catalog();
  h.certificate = certificate_ ? &*certificate_ : nullptr;
  h.certificate_bytes = certificate_bytes_;
  h.signing_key = signing_key_ ? &*signing_key_ : nullptr;
  h.revoked = revoked();
  h.host_id = host_id;
  h.settings = settings;
  return h;
}

RequestHandler::Admission HostRole::Admit(const ActivationRequest& request) const {
  return requests_.Admit(request, clock_.Now(), context());
}

RequestHandler::Answer HostRole::Respond(const RequestHandler::Admission& admission) {
  return requests_.Respond(admission, context());
}

std::vector<RequestHandler::Answer> HostRole::RespondBatch(
    std::span<const RequestHandler::Admission> admissions) {
  return requests_.RespondBatch(admissions, context());
}

Event HostRole::RecordPublishResult(const std::string& service, const std::string& domain,
                                    const Status& result, bool withdrawal) {
  PublishStatus* st = nullptr;
  for (PublishStatus& x : publish_status_) {
    if (x.domain == domain) st = &x;
  }
  if (st == nullptr) {
    publish_status_.push_back(PublishStatus{domain, ResultCode::kOk, "", 0, false});
    st = &publish_status_.back();
  }
  const std::int64_t now = clock_.Now();
  st->result = result.code();
  st->message = result.ok() ? (withdrawal ? "withdrawn" : "published") : result.message();
  st->time = now;
  st->withdrawn = withdrawal && result.ok();
  const std::string record = service + "." + domain;
  if (result.ok()) {
    return Event{0, now, kEventDnsPublished,
                 (withdrawal ? "Withdrew this host's SRV record from "
                             : "Published this host's SRV record in ") +
                     record};
  }
  return Event{0, now, kEventDnsFailed,
               std::string("Could not ") + (withdrawal ? "withdraw" : "publish") +
                   " this host's SRV record in " + record + ": " + result.message()};
}

}  // namespace activa
