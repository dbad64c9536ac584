#include "protocol/chain.h"

#include <optional>

#include "base/time_text.h"

namespace activa {

namespace {

// Steps 2 to 5 of chain.h, shared by the client's check and the product's.
// `asked` is the required count the request named; none for a proof.
Result<HostCertificate> VerifySignedChain(const ActivationResponse& response, const Uuid& sku,
                                          std::optional<std::uint16_t> asked,
                                          const Catalog& catalog,
                                          const RevocationList* revocations) {
  // 2. The certificate, from a vendor key the catalog trusts.
  Result<HostCertificate> cert = DecodeCertificate(response.host_certificate);
  if (!cert.ok()) return cert.status();
  const PublicKey* vendor_key = nullptr;
  for (const PublicKey& k : catalog.vendor_keys) {
    if (KeyIdOf(k) == cert->vendor_key_id) vendor_key = &k;
  }
  if (vendor_key == nullptr || !VerifyCertificate(*cert, *vendor_key)) {
    return Status(ResultCode::kBadSignature, "the host's certificate was not issued by " +
                                                 catalog.vendor_name +
                                                 "; the host was never activated by the vendor");
  }

  // The vendor withdrew this host (its key, or its key pair).
  if (revocations != nullptr &&
      revocations->RevokesHost(cert->host_public_key, cert->host_key_id)) {
    return Status(ResultCode::kKeyRevoked, "the host's certificate has been revoked by " +
                                               catalog.vendor_name + " (revocation list " +
                                               std::to_string(revocations->serial) + ")");
  }

  // 3. The certificate must cover this edition.
  bool covered = false;
  for (std::uint16_t g : cert->group_codes) covered = covered || catalog.GroupCovers(g, sku);
  if (!covered) {
    return Status(ResultCode::kEditionNotCovered,
                  "the host's key does not cover edition " + FormatUuid(sku));
  }

  // 4. The response itself, signed by the certified host.
  ACTIVA_RETURN_IF_ERROR(VerifyResponseSignature(response, cert->host_public_key));

  // 5. The threshold the host applied is the one this machine's catalog
  // gives the edition, and the one the request asked for. Checked after the
  // signature, so a number altered on the way reads as what it is.
  // A refusal may say 0 (the host's catalog lacks the edition): it applied
  // no threshold, and its own result tells why.
  const Edition* edition = catalog.FindEdition(sku);
  const bool applied = response.required_count != 0 || response.result == ResultCode::kOk;
  if (applied && (edition == nullptr || response.required_count != edition->threshold ||
                  (asked && response.required_count != *asked))) {
    return Status(ResultCode::kThresholdMismatch,
                  "the host applied a threshold of " + std::to_string(response.required_count) +
                      "; this machine's catalog gives edition " + FormatUuid(sku) + " " +
                      (edition ? std::to_string(edition->threshold) : std::string("none")) +
                      (asked ? " and the request asked for " + std::to_string(*asked) : ""));
  }

  return cert;
}

// A success's validity must end within 180 days of the host's time.
// host_time and validity_end come from the network: compared with bounds,
// never subtracted (a hostile value would overflow).
Status CheckValidity(const ActivationResponse& response) {
  if (response.validity_end <= response.host_time ||
      response.validity_end > response.host_time + kValidityDays * 86400) {
    return Status(ResultCode::kInvalidData,
                  "the response's validity end is not within 180 days of the host time");
  }
  return Status::Ok();
}

// The certificate's dates, by this machine's clock. Certificates carry
// their issue day; a day of slack covers time zones of the vendor's day
// boundary, the skew covers the clocks. The client's own clock decides the
// expiry, not the host's: a host whose clock is set back must not make its
// certificate last longer.
Status CheckCertificateDates(const HostCertificate& cert, std::int64_t now) {
  if (cert.issued > now + 86400 + kMaxClockSkewSeconds) {
    return Status(ResultCode::kInvalidData, "the host's certificate is dated in the future");
  }
  if (now > cert.not_after) {
    return Status(ResultCode::kCertificateExpired, "the host's certificate expired on " +
                                                       FormatUtcTime(cert.not_after) +
                                                       "; the host must be reactivated");
  }
  return Status::Ok();
}

}  // namespace

Result<HostCertificate> VerifyResponseChain(const ActivationResponse& response,
                                            const ActivationRequest& request,
                                            const Catalog& catalog, std::int64_t now,
                                            const RevocationList* revocations) {
  // 1. An answer to another request (or another machine) is a replay.
  if (response.nonce != request.nonce) {
    return Status(ResultCode::kBadSignature, "the response echoes another request's nonce");
  }
  if (response.cmid != request.cmid) {
    return Status(ResultCode::kBadSignature, "the response is for another client machine ID");
  }
  if (response.sku_id != request.sku_id) {
    return Status(ResultCode::kBadSignature, "the response is for another edition");
  }

  Result<HostCertificate> cert =
      VerifySignedChain(response, request.sku_id, request.required_count, catalog, revocations);
  if (!cert.ok()) return cert;

  // 6. Times.
  // host_time and validity_end come from the network: compare them with
  // bounds computed from our own clock, never subtract them (a hostile value
  // would overflow).
  if (response.host_time > now + kMaxClockSkewSeconds ||
      response.host_time < now - kMaxClockSkewSeconds) {
    return Status(ResultCode::kClockSkew,
                  "the host's clock is more than 4 hours away from this machine's");
  }
  if (response.result == ResultCode::kOk) ACTIVA_RETURN_IF_ERROR(CheckValidity(response));
  ACTIVA_RETURN_IF_ERROR(CheckCertificateDates(*cert, now));
  return cert;
}

Result<HostCertificate> VerifyResponseProof(const ActivationResponse& response, const Uuid& cmid,
                                            const Uuid& sku, const Catalog& catalog,
                                            std::int64_t now) {
  if (response.result != ResultCode::kOk) {
    return Status(ResultCode::kNotFound, "the response is a refusal, which proves no activation");
  }
  if (response.cmid != cmid) {
    return Status(ResultCode::kOtherMachine, "the response is for client machine ID " +
                                                 FormatUuid(response.cmid) +
                                                 ", not this machine's " + FormatUuid(cmid));
  }
  if (response.sku_id != sku) {
    return Status(ResultCode::kBadSignature, "the response is for another edition");
  }
  Result<HostCertificate> cert =
      VerifySignedChain(response, sku, std::nullopt, catalog, /*revocations=*/nullptr);
  if (!cert.ok()) return cert;
  // Compared with bounds from our own clock, never subtracted (see above).
  if (response.host_time > now + kMaxClockSkewSeconds) {
    return Status(ResultCode::kClockSkew,
                  "the response is dated more than 4 hours in this machine's future");
  }
  ACTIVA_RETURN_IF_ERROR(CheckValidity(response));
  ACTIVA_RETURN_IF_ERROR(CheckCertificateDates(*cert, now));
  return cert;
}

}  // namespace activa
