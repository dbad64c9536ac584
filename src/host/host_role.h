// The host role (DESIGN.md section 5, Host): what this machine is as an
// activation host — its host key, the vendor's certificate, its signing key,
// the settings it sends its clients, its port and DNS publishing — and the
// answer to requests (RequestHandler).
//
// State only changes here after the caller has persisted it (the daemon's
// settings); the role itself touches no file and no socket. The signing
// key is loaded by the daemon and handed over.
//
// Thread safety: none; the daemon calls it from its event loop.
#ifndef ACTIVA_HOST_HOST_ROLE_H_
#define ACTIVA_HOST_HOST_ROLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "catalog/catalog_set.h"
#include "host/request_handler.h"
#include "keys/product_key.h"

namespace activa {

// The last DNS publishing outcome for one domain (slmgr /dli).
struct PublishStatus {
  std::string domain;
  ResultCode result = ResultCode::kOk;
  std::string message;
  std::int64_t time = 0;
  bool withdrawn = false;
};

// How long before its certificate ends the host warns (log, slmgr /dli).
inline constexpr std::int64_t kCertificateWarningDays = 30;

class HostRole {
 public:
  // `catalogs` must outlive the role (it may be replaced between calls).
  HostRole(const Clock& clock, const CatalogSet& catalogs, const ClientCounter::HashKey& key);

  // --- What the host is ------------------------------------------------------
  bool key_installed() const { return key_.has_value(); }
  const std::optional<std::string>& key_text() const { return key_; }
  bool activated() const { return certificate_.has_value() && signing_key_.has_value(); }
  const std::optional<HostCertificate>& certificate() const { return certificate_; }
  // True from kCertificateWarningDays before the certificate's not-after on
  // (and after it); false without a certificate.
  bool CertificateExpiresSoon(std::int64_t now) const;
  // True when the newest revocation list of the host key's vendor withdraws
  // this host's certificate (its host key or its public key); the host
  // then answers every request with kKeyRevoked.
  bool revoked() const;
  const std::optional<SigningKey>& signing_key() const { return signing_key_; }
  // The host key's catalog (by the key's vendor tag), and its product group;
  // null when there is no key or no catalog for it.
  const Catalog* catalog() const;
  const ProductGroup* group() const;

  void InstallKey(std::string key_text);  // not activated until Activate()
  void RemoveKey();
  void SetSigningKey(SigningKey key) { signing_key_.emplace(std::move(key)); }
  void Activate(HostCertificate certificate, Bytes encoded);

  // --- Settings sent to clients, and the listener --------------------------
  Uuid host_id{};
  HostSettings settings;
  // The port the host listens on: slmgr /sprt's, else the configuration's.
  // 0 until the first bind means "the kernel chooses"; the daemon then
  // records the port it got here (not stored: a restart chooses again),
  // which /dli reports and DNS publishes.
  std::uint16_t port = 1688;
  bool low_priority = false;
  bool dns_publishing = true;  // slmgr /sdns, /cdns

  // --- Requests ----------------------------------------------------------------
  RequestHandler::Admission Admit(const ActivationRequest& request) const;
  RequestHandler::Answer Respond(const RequestHandler::Admission& admission);
  std::vector<RequestHandler::Answer> RespondBatch(
      std::span<const RequestHandler::Admission> admissions);
  RequestHandler& requests() { return requests_; }
  const RequestHandler& requests() const { return requests_; }

  // --- DNS publishing outcomes -------------------------------------------------
  // Records the outcome for `domain`; returns the event (12294 or 12293)
  // to log for it.
  Event RecordPublishResult(const std::string& service, const std::string& domain,
                            const Status& result, bool withdrawal);
  const std::vector<PublishStatus>& publish_status() const { return publish_status_; }

 private:
  HostContext context() const;

  const Clock& clock_;
  const CatalogSet& catalogs_;
  std::optional<std::string> key_;
  std::optional<ProductKey> parsed_key_;  // key_, parsed (none when it does not parse)
  std::optional<HostCertificate> certificate_;
  Bytes certificate_bytes_;
  std::optional<SigningKey> signing_key_;
  std::vector<PublishStatus> publish_status_;
  RequestHandler requests_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_HOST_ROLE_H_
