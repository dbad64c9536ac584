// management::Service: the management protocol's operations as one
// interface (DESIGN.md section 7). activad implements it; the Unix socket,
// the remote TLS listener and the web console all call it through Dispatch
// or HandleLine, so each operation and its permission check exist once.
//
// Asynchronous work: every operation but `ato` is answered at once. `ato`
// needs the network (activation hosts, DNS), so Ato() takes a completion
// callback that the implementation calls once, when the attempts end,
// possibly after Ato() returned and from its own event loop. Dispatch and
// HandleLine therefore report through a callback too; the string-returning
// HandleLine is the synchronous form for callers that never pass `ato`
// lines or whose Ato() completes before returning (tests' fakes).
//
// Thread safety: that of the implementation; Dispatch and HandleLine add no
// state of their own.
#ifndef ACTIVA_MANAGEMENT_SERVICE_H_
#define ACTIVA_MANAGEMENT_SERVICE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "management/types.h"

namespace activa::management {

// Who sent a request: from SO_PEERCRED locally, from the login remotely.
struct Peer {
  bool admin = false;  // root or a member of activa-admin
  std::uint32_t uid = 0;
  std::string user;    // for logs
  std::string source;  // "unix", or the remote address
};

class Service {
 public:
  virtual ~Service() = default;

  // One method per operation. Each returns its payload or an error Status
  // (the daemon's code and message for the administrator). The permission
  // check is done before these are called.
  virtual Result<LicenseInfo> Dli(const DliRequest& request) = 0;
  virtual Result<LicenseInfo> Dlv(const DlvRequest& request) = 0;
  virtual Result<LicenseInfo> Xpr(const XprRequest& request) = 0;
  virtual Result<DlcResponse> Dlc(const DlcRequest& request) = 0;
  virtual Result<StatusResponse> ProductStatus(const StatusRequest& request) = 0;
  virtual Result<IpkResponse> Ipk(const IpkRequest& request) = 0;
  virtual Result<UpkResponse> Upk(const UpkRequest& request) = 0;
  virtual Result<Empty> Cpky(const CpkyRequest& request) = 0;
  // Calls `done` exactly once (see the header comment).
  virtual void Ato(const AtoRequest& request, std::function<void(Result<AtoResponse>)> done) = 0;
  virtual Result<DtiResponse> Dti(const DtiRequest& request) = 0;
  virtual Result<AtpResponse> Atp(const AtpRequest& request) = 0;
  virtual Result<IlcResponse> Ilc(const IlcRequest& request) = 0;
  virtual Result<RearmResponse> Rearm(const RearmRequest& request) = 0;
  virtual Result<GeneralizeResponse> Generalize(const GeneralizeRequest& request) = 0;
  virtual Result<Empty> Skms(const SkmsRequest& request) = 0;
  virtual Result<Empty> Ckms(const CkmsRequest& request) = 0;
  virtual Result<Empty> SkmsDomain(const SkmsDomainRequest& request) = 0;
  virtual Result<Empty> CkmsDomain(const CkmsDomainRequest& request) = 0;
  virtual Result<Empty> Skhc(const SkhcRequest& request) = 0;
  virtual Result<Empty> Ckhc(const CkhcRequest& request) = 0;
  virtual Result<Empty> Sai(const SaiRequest& request) = 0;
  virtual Result<Empty> Sri(const SriRequest& request) = 0;
  virtual Result<Empty> Sprt(const SprtRequest& request) = 0;
  virtual Result<Empty> Sdns(const SdnsRequest& request) = 0;
  virtual Result<Empty> Cdns(const CdnsRequest& request) = 0;
  virtual Result<Empty> Spri(const SpriRequest& request) = 0;
  virtual Result<Empty> Cpri(const CpriRequest& request) = 0;
  virtual Result<DleResponse> Dle(const DleRequest& request) = 0;
  // Builds without test controls keep this default: 0x80070057 "unknown
  // operation", exactly as for a name no build knows.
  virtual Result<TestAdvanceClockResponse> TestAdvanceClock(const TestAdvanceClockRequest& request);

  // Checks the peer's permission (operations.h) and calls the operation's
  // method; `done` receives the response once (for ato, possibly later).
  void Dispatch(const Request& request, const Peer& peer, std::function<void(Response)> done);

  // Decode + Dispatch + encode: `reply` receives the response line (no
  // newline) once. A line that does not decode gets its error response. A
  // line over the protocol's 64 KiB is the caller's to refuse before this.
  void HandleLine(std::string_view line, const Peer& peer, std::function<void(std::string)> reply);

  // The synchronous form: the response line, or "" when the operation
  // (ato) did not complete before its method returned; such callers must
  // use the callback form.
  std::string HandleLine(std::string_view line, const Peer& peer);
};

}  // namespace activa::management

#endif  // ACTIVA_MANAGEMENT_SERVICE_H_
