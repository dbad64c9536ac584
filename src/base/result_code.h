// Result codes shared by the wire protocol, the C API and slmgr.
//
// Where Microsoft's Key Management Service has a code with the same meaning,
// Activa uses the same number, so an operator searching for it finds advice
// that applies. Codes with no KMS counterpart use the matching Win32 HRESULT
// where one exists, else Activa's own facility 0x0AC (0xC0AC....).
#ifndef ACTIVA_BASE_RESULT_CODE_H_
#define ACTIVA_BASE_RESULT_CODE_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace activa {

enum class ResultCode : std::uint32_t {
  kOk = 0x00000000,
  // KMS's own codes (DESIGN.md section 4).
  kGraceExpired = 0xC004F009,
  kCountInsufficient = 0xC004F038,
  kHostNotActivated = 0xC004F041,
  kEditionNotCovered = 0xC004F042,
  kInvalidKey = 0xC004F050,
  kClockSkew = 0xC004F06C,
  kNoHostReachable = 0xC004F074,
  kKeyOverLimit = 0xC004C008,
  kNoRearmsLeft = 0xC004D307,
  kAccessDenied = 0x80070005,
  // Win32 HRESULTs whose meaning matches.
  kFileNotFound = 0x80070002,
  kInvalidData = 0x8007000D,
  kFileExists = 0x80070050,
  kInvalidArgument = 0x80070057,
  kInternal = 0x80004005,
  kLogonFailure = 0x8007052E,  // ERROR_LOGON_FAILURE: unknown user or bad password
  // Activa's own.
  kBadSignature = 0xC0AC0001,
  kUnsupportedVersion = 0xC0AC0002,
  kFrameTooLarge = 0xC0AC0003,
  kKeyRevoked = 0xC0AC0004,
  kStorage = 0xC0AC0005,
  kWrongKeyKind = 0xC0AC0006,
  kNotFound = 0xC0AC0007,
  kDnsUpdateFailed = 0xC0AC0008,
  kThresholdMismatch = 0xC0AC0009,
  kCertificateExpired = 0xC0AC000A,
  kTooManyNewClients = 0xC0AC000B,
  // What libactiva finds when it checks activad's answer itself (DESIGN.md
  // section 3, point 5); numbered from 0x20 to leave room below.
  kProofMissing = 0xC0AC0020,
  kOtherMachine = 0xC0AC0021,
  kProofExpired = 0xC0AC0022,
  kUntrustedService = 0xC0AC0023,
  // The clearinghouse's (activa-vendor serve) own; 0x30..0x37.
  kRateLimited = 0xC0AC0030,
  kRequestTooLarge = 0xC0AC0031,
  // Not a failure (severity bit clear): the state is a grace period, which
  // has no signed proof; its days are activad's word.
  kGraceUnverified = 0x40AC0024,
  // activad's side of the vendor's clearinghouse (docs/activad.md,
  // "Online activation").
  kClearinghouseUnreachable = 0xC0AC0040,
  kClearinghouseUntrusted = 0xC0AC0041,
  kClearinghouseBadAnswer = 0xC0AC0042,
  kClearinghouseBusy = 0xC0AC0043,
  kNoClearinghouse = 0xC0AC0044,
  // Remote management (docs/remote.md); 0x50..0x57.
  kRemoteUnreachable = 0xC0AC0050,
  kRemoteCertificateChanged = 0xC0AC0051,
  kRemoteUntrusted = 0xC0AC0052,
  kSessionExpired = 0xC0AC0053,
  kNoPasswordSource = 0xC0AC0054,
  kLoginUnavailable = 0xC0AC0055,
};

// One line of text for `code`, as slmgr prints it after the number.
std::string_view ResultCodeMessage(ResultCode code);

// The code for a 32-bit value read from the wire or the C API, or nullopt
// when the value is not one Activa defines.
std::optional<ResultCode> ResultCodeFromValue(std::uint32_t value);

// "0xC004F038".
std::string FormatResultCode(ResultCode code);

}  // namespace activa

#endif  // ACTIVA_BASE_RESULT_CODE_H_
