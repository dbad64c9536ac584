#include "capi/license_check.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "catalog/catalog.h"
#include "licensing/license_state.h"
#include "protocol/chain.h"
#include "protocol/codec.h"

namespace activa::capi {
namespace {

Status CheckProof(const LicenseStatus& status, const PublicKey& vendor_key,
                  const Uuid& application_id, const Uuid& sku, std::int64_t now,
                  std::int64_t* validity_end, std::int64_t* host_time) {
  if (!status.proof) {
    return Status(ResultCode::kProofMissing,
                  "activad says the product is activated but sent "
                  "no signed response to prove it");
  }
  // The product's key alone decides: the catalog's own keys never vouch for
  // it (DESIGN.md section 3, point 4).
  Result<Catalog> catalog = LoadTrustedCatalog(status.proof->catalog, {vendor_key});
  if (!catalog.ok()) {
    return Status(catalog.status().code(),
                  "the proof's catalog is not the vendor's: " + catalog.status().message());
  }
  const Edition* edition = catalog->FindEdition(sku);
  if (edition == nullptr || edition->application_id != application_id) {
    return Status(ResultCode::kEditionNotCovered, "the vendor's catalog lists no edition " +
                                                      FormatUuid(sku) + " of application " +
                                                      FormatUuid(application_id));
  }
  Result<Message> frame = DecodeFrame(status.proof->response);
  if (!frame.ok()) {
    return Status(frame.status().code(),
                  "the proof's response does not decode: " + frame.status().message());
  }
  const auto* response = std::get_if<ActivationResponse>(&*frame);
  if (response == nullptr) {
    return Status(ResultCode::kInvalidData, "the proof is not an activation response");
  }
  Result<HostCertificate> chain = VerifyResponseProof(*response, status.cmid, sku, *catalog, now);
  if (!chain.ok()) return chain.status();
  *validity_end = response->validity_end;
  *host_time = response->host_time;
  return Status::Ok();
}

}  // namespace

void JudgeStatus(LicenseStatus& status, const PublicKey& vendor_key, const Uuid& application_id,
                 const Uuid& sku, std::int64_t now) {
  switch (static_cast<LicenseState>(status.state)) {
    case LicenseState::kUnlicensed:
    case LicenseState::kNotification:
      status.verification = ResultCode::kOk;  // grants nothing, so needs no proof
      status.verification_text.clear();
      return;
    case LicenseState::kLicensed:
      break;
    default:
      status.verification = ResultCode::kGraceUnverified;
      status.verification_text = std::string(ResultCodeMessage(ResultCode::kGraceUnverified));
      return;
  }
  std::int64_t validity_end = 0, host_time = 0;
  Status proof =
      CheckProof(status, vendor_key, application_id, sku, now, &validity_end, &host_time);
  // A clock set back gains nothing: the days count from the host's signed
  // time at the earliest. validity_end is within 180 days of host_time
  // (checked), so the subtraction cannot overflow.
  const std::int64_t from = std::max(now, host_time);
  if (proof.ok() && validity_end <= from) {
    proof = Status(ResultCode::kProofExpired, "the signed validity ended " +
                                                  std::to_string((from - validity_end) / 60) +
                                                  " minutes ago by this machine's clock");
  }
  if (!proof.ok()) {
    status.state = static_cast<int>(LicenseState::kUnlicensed);
    status.minutes_left = 0;
    status.verification = proof.code();
    status.verification_text = proof.message();
    return;
  }
  status.minutes_left = static_cast<std::uint32_t>(std::min<std::int64_t>(
      (validity_end - from) / 60, std::numeric_limits<std::uint32_t>::max()));
  status.verification = ResultCode::kOk;
  status.verification_text.clear();
}

}  // namespace activa::capi
