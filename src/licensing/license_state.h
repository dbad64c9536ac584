// The domain's vocabulary shared by the protocol, the host and the client
// (DESIGN.md section 5): a client's license state, numbered as in KMS.
// (The intervals' limits are in base/intervals.h, their defaults in
// licensing/intervals.h.)
//
// Header only, no dependencies: the activation protocol (protocol/codec.h)
// puts these on the wire; the host and client roles decide with them.
#ifndef ACTIVA_LICENSING_LICENSE_STATE_H_
#define ACTIVA_LICENSING_LICENSE_STATE_H_

#include <cstdint>

namespace activa {

// A client's license state, as a request reports it and slmgr shows it.
enum class LicenseState : std::uint8_t {
  kUnlicensed = 0,
  kLicensed = 1,
  kInitialGrace = 2,
  kOutOfToleranceGrace = 3,
  kNonGenuineGrace = 4,
  kNotification = 5,
  kExtendedGrace = 6,
};

}  // namespace activa

#endif  // ACTIVA_LICENSING_LICENSE_STATE_H_
