// activad's management::Service: every operation of docs/management.md over
// the daemon's parts (DaemonCore's settings, identity, catalogs and roles).
//
// Each changing operation writes the state database first and changes the
// roles in memory only after the write succeeded. Operations that need the
// daemon to act (rebind the listeners, republish in DNS, wake the client
// loop) mark it on the core; the daemon takes the marks after each request.
// `ato` runs its attempts through `run_attempts`, which the daemon supplies
// (it needs the network and completes later on the event loop).
//
// Thread safety: none; the event loop's.
#ifndef ACTIVA_DAEMON_MANAGEMENT_SERVICE_H_
#define ACTIVA_DAEMON_MANAGEMENT_SERVICE_H_

#include <functional>
#include <vector>

#include "daemon/daemon_core.h"
#include "management/service.h"

namespace activa {

class ManagementService final : public management::Service {
 public:
  // Runs an attempt for each product in turn; calls `done` once, with each
  // product's report in the order of `products`.
  using AttemptRunner = std::function<void(std::vector<Uuid> products,
                                           std::function<void(std::vector<AttemptReport>)> done)>;

  // `core` must outlive the service.
  ManagementService(DaemonCore& core, AttemptRunner run_attempts);

  Result<management::LicenseInfo> Dli(const management::DliRequest& request) override;
  Result<management::LicenseInfo> Dlv(const management::DlvRequest& request) override;
  Result<management::LicenseInfo> Xpr(const management::XprRequest& request) override;
  Result<management::DlcResponse> Dlc(const management::DlcRequest& request) override;
  Result<management::StatusResponse> ProductStatus(
      const management::StatusRequest& request) override;
  Result<management::IpkResponse> Ipk(const management::IpkRequest& request) override;
  Result<management::UpkResponse> Upk(const management::UpkRequest& request) override;
  Result<management::Empty> Cpky(const management::CpkyRequest& request) override;
  void Ato(const management::AtoRequest& request,
           std::function<void(Result<management::AtoResponse>)> done) override;
  Result<management::DtiResponse> Dti(const management::DtiRequest& request) override;
  Result<management::AtpResponse> Atp(const management::AtpRequest& request) override;
  Result<management::IlcResponse> Ilc(const management::IlcRequest& request) override;
  Result<management::RearmResponse> Rearm(const management::RearmRequest& request) override;
  Result<management::GeneralizeResponse> Generalize(
      const management::GeneralizeRequest& request) override;
  Result<management::Empty> Skms(const management::SkmsRequest& request) override;
  Result<management::Empty> Ckms(const management::CkmsRequest& request) override;
  Result<management::Empty> SkmsDomain(const management::SkmsDomainRequest& request) override;
  Result<management::Empty> CkmsDomain(const management::CkmsDomainRequest& request) override;
  Result<management::Empty> Skhc(const management::SkhcRequest& request) override;
  Result<management::Empty> Ckhc(const management::CkhcRequest& request) override;
  Result<management::Empty> Sai(const management::SaiRequest& request) override;
  Result<management::Empty> Sri(const management::SriRequest& request) override;
  Result<management::Empty> Sprt(const management::SprtRequest& request) override;
  Result<management::Empty> Sdns(const management::SdnsRequest& request) override;
  Result<management::Empty> Cdns(const management::CdnsRequest& request) override;
  Result<management::Empty> Spri(const management::SpriRequest& request) override;
  Result<management::Empty> Cpri(const management::CpriRequest& request) override;
  Result<management::DleResponse> Dle(const management::DleRequest& request) override;
  Result<management::TestAdvanceClockResponse> TestAdvanceClock(
      const management::TestAdvanceClockRequest& request) override;

  // The parts of responses, as dli shows them.
  management::Machine MachineInfo() const;
  management::Product ProductInfo(const ProductRecord& product) const;
  std::optional<management::Host> HostInfo() const;

 private:
  Result<management::LicenseInfo> License(const management::ProductSelector& products);
  Result<management::Empty> SetInterval(bool activation, std::uint32_t minutes);
  Result<management::Empty> SetPublishing(bool on);
  Result<management::Empty> SetPriority(bool low);
  Result<management::Empty> SetHostCaching(bool on);
  Result<Uuid> OnlyMakProduct() const;

  DaemonCore& core_;
  AttemptRunner run_attempts_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_MANAGEMENT_SERVICE_H_
