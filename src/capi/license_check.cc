#include "capi/license_check.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "catalog/catalog.h"
#include "keys/activation_codes.h"
#include "licensing/license_state.h"
#include "offline/mak_activation.h"
#include "protocol/chain.h"
#include "protocol/codec.h"

namespace activa::capi {
namespace {

// A MAK activation (offline/mak_activation.h): the vendor's signature over
// this machine (the tag of the reply's CMID) and this edition. It does not
// expire.
Status CheckMakProof(const management::ActivationProof& proof, const Catalog& catalog,
                     const Uuid& cmid, const Uuid& sku) {
  Result<InstallationId> iid = ParseInstallationId(proof.installation_id);
  if (!iid.ok()) {
    return Status(ResultCode::kInvalidData,
                  "the MAK proof's installation ID does not parse: " + iid.status().message());
  }
  Result<ConfirmationId> cid = ParseConfirmationId(proof.confirmation_id);
  if (!cid.ok()) {
    return Status(ResultCode::kInvalidData,
                  "the MAK proof's confirmation ID does not parse: " + cid.status().message());
  }
  if (iid->host_key.kind != KeyKind::kMak) {
    return Status(ResultCode::kBadSignature, "the MAK proof holds no MAK");
  }
  if (iid->machine_tag != MachineTagOf(cmid)) {
    return Status(ResultCode::kOtherMachine,
                  "the MAK activation is for another machine than CMID " + FormatUuid(cmid));
  }
  Result<MakActivation> activation = MakActivationFromConfirmation(*iid, *cid, catalog);
  if (!activation.ok()) {
    return Status(activation.status().code() == ResultCode::kBadSignature
                      ? ResultCode::kBadSignature
                      : ResultCode::kEditionNotCovered,
                  "the MAK activation does not verify: " + activation.status().message());
  }
  if (activation->edition_id != sku) {
    return Status(ResultCode::kEditionNotCovered, "the MAK activation is for edition " +
                                                      FormatUuid(activation->edition_id) +
                                                      ", not " + FormatUuid(sku));
  }
  return Status::Ok();
}

// `*permanent` is set for a MAK activation, which has no validity end.
Status CheckProof(const LicenseStatus& status, const PublicKey& vendor_key,
                  const Uuid& application_id, const Uuid& sku, std::int64_t now,
                  std::int64_t* validity_end, std::int64_t* host_time, bool* permanent) {
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
  if (!status.proof->confirmation_id.empty()) {
    ACTIVA_RETURN_IF_ERROR(CheckMakProof(*status.proof, *catalog, status.cmid, sku));
    *permanent = true;
    return Status::Ok();
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
  bool permanent = false;
  Status proof = CheckProof(status, vendor_key, application_id, sku, now, &validity_end, &host_time,
                            &permanent);
  if (proof.ok() && permanent) {
    // A MAK activation never ends: no minutes run down.
    status.minutes_left = 0;
    status.verification = ResultCode::kOk;
    status.verification_text.clear();
    return;
  }
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
