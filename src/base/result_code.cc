#include "base/result_code.h"

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace activa {
namespace {

struct Entry {
  ResultCode code;
  std::string_view message;
};

// One table, so the wire, the C API and slmgr cannot drift apart.
constexpr std::array kEntries = {
    Entry{ResultCode::kOk, "The operation completed successfully."},
    Entry{ResultCode::kGraceExpired, "The grace period has expired; the product is not activated."},
    Entry{ResultCode::kCountInsufficient,
          "The activation host's count is below the threshold for this edition."},
    Entry{ResultCode::kHostNotActivated, "The activation host is not activated by the vendor."},
    Entry{ResultCode::kEditionNotCovered,
          "The activation host's key does not cover this product edition."},
    Entry{ResultCode::kInvalidKey, "The product key is invalid."},
    Entry{ResultCode::kClockSkew,
          "The client's clock differs from the activation host's by more than 4 hours."},
    Entry{ResultCode::kNoHostReachable, "No activation host could be contacted."},
    Entry{ResultCode::kKeyOverLimit, "The product key has exceeded its activation limit."},
    Entry{ResultCode::kNoRearmsLeft, "No rearms are left; the grace period cannot be extended."},
    Entry{ResultCode::kAccessDenied, "Access denied: this operation needs an administrator."},
    Entry{ResultCode::kFileNotFound, "The file was not found."},
    Entry{ResultCode::kInvalidData, "The data is malformed."},
    Entry{ResultCode::kFileExists, "The file already exists."},
    Entry{ResultCode::kInvalidArgument, "A parameter is incorrect."},
    Entry{ResultCode::kInternal, "An internal error occurred."},
    Entry{ResultCode::kLogonFailure, "The user name or password is incorrect."},
    Entry{ResultCode::kBadSignature, "A signature does not verify."},
    Entry{ResultCode::kUnsupportedVersion, "The format or protocol version is not supported."},
    Entry{ResultCode::kFrameTooLarge, "The message is larger than 64 KiB."},
    Entry{ResultCode::kKeyRevoked, "The product key has been revoked by the vendor."},
    Entry{ResultCode::kStorage, "The state database could not be read or written."},
    Entry{ResultCode::kWrongKeyKind, "The product key is of the wrong kind for this operation."},
    Entry{ResultCode::kNotFound, "The requested item does not exist."},
    Entry{ResultCode::kDnsUpdateFailed, "A DNS update was refused or failed."},
    Entry{ResultCode::kThresholdMismatch,
          "The request's required count does not match the edition's threshold in the host's "
          "catalog."},
    Entry{ResultCode::kCertificateExpired,
          "The activation host's certificate has expired; the host must be reactivated."},
    Entry{ResultCode::kTooManyNewClients,
          "The activation host refused a new client machine: too many new machines from this "
          "address in the last minute."},
    Entry{ResultCode::kProofMissing,
          "The licensing service gave no activation proof for a product it says is activated."},
    Entry{ResultCode::kOtherMachine, "The activation proof is for another machine."},
    Entry{ResultCode::kProofExpired, "The activation proof has expired."},
    Entry{ResultCode::kUntrustedService,
          "The licensing service's socket is not served by root or activad's user."},
    Entry{ResultCode::kRateLimited,
          "Too many requests from this address or for this key; retry after the time given."},
    Entry{ResultCode::kRequestTooLarge, "The request body is larger than 16 KiB."},
    Entry{ResultCode::kGraceUnverified,
          "The product is in a grace period; its days left are the licensing service's word, "
          "not signed."},
    Entry{ResultCode::kClearinghouseUnreachable,
          "The vendor's clearinghouse could not be reached."},
    Entry{ResultCode::kClearinghouseUntrusted,
          "The clearinghouse's TLS certificate is not trusted: neither the catalog's pin nor the "
          "trust store vouches for it."},
    Entry{ResultCode::kClearinghouseBadAnswer, "The clearinghouse's answer is malformed."},
    Entry{ResultCode::kClearinghouseBusy,
          "The clearinghouse is limiting this machine's requests; it retries later."},
    Entry{ResultCode::kNoClearinghouse,
          "No clearinghouse is known: the catalog names none and [client] clearinghouse is not "
          "set."},
    Entry{ResultCode::kRemoteUnreachable,
          "The remote machine's management port could not be reached."},
    Entry{ResultCode::kRemoteCertificateChanged,
          "The remote machine's TLS certificate is not the one pinned in known_hosts."},
    Entry{ResultCode::kRemoteUntrusted,
          "The remote machine's TLS certificate does not verify against the CA file."},
    Entry{ResultCode::kSessionExpired, "The session is unknown or has timed out; log in again."},
    Entry{ResultCode::kNoPasswordSource,
          "No password was given and there is no terminal to ask for it."},
    Entry{ResultCode::kLoginUnavailable,
          "The remote machine cannot check passwords (PAM or its configuration)."},
};

}  // namespace

std::string_view ResultCodeMessage(ResultCode code) {
  for (const Entry& e : kEntries) {
    if (e.code == code) return e.message;
  }
  return "Unknown result code.";
}

std::optional<ResultCode> ResultCodeFromValue(std::uint32_t value) {
  for (const Entry& e : kEntries) {
    if (static_cast<std::uint32_t>(e.code) == value) return e.code;
  }
  return std::nullopt;
}

std::string FormatResultCode(ResultCode code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(code));
  return buf;
}

}  // namespace activa
