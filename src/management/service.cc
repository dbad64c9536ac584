#include "management/service.h"

#include <type_traits>
#include <utility>

#include "management/codec.h"
#include "management/operations.h"

namespace activa::management {
namespace {

template <typename T>
Response ToResponse(Result<T> result) {
  if (!result.ok()) return result.status();
  return ResponsePayload(std::move(result).value());
}

}  // namespace

Result<TestAdvanceClockResponse> Service::TestAdvanceClock(const TestAdvanceClockRequest&) {
  return Status(
      ResultCode::kInvalidArgument,
      "unknown operation \"" + std::string(OperationName(Operation::kTestAdvanceClock)) + "\"");
}

void Service::Dispatch(const Request& request, const Peer& peer,
                       std::function<void(Response)> done) {
  if (Status allowed = CheckPermission(OperationOf(request), peer.admin); !allowed.ok()) {
    return done(allowed);
  }
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, AtoRequest>) {
          Ato(r, [done = std::move(done)](Result<AtoResponse> result) {
            done(ToResponse(std::move(result)));
          });
        } else if constexpr (std::is_same_v<T, DliRequest>) {
          done(ToResponse(Dli(r)));
        } else if constexpr (std::is_same_v<T, DlvRequest>) {
          done(ToResponse(Dlv(r)));
        } else if constexpr (std::is_same_v<T, XprRequest>) {
          done(ToResponse(Xpr(r)));
        } else if constexpr (std::is_same_v<T, DlcRequest>) {
          done(ToResponse(Dlc(r)));
        } else if constexpr (std::is_same_v<T, StatusRequest>) {
          done(ToResponse(ProductStatus(r)));
        } else if constexpr (std::is_same_v<T, IpkRequest>) {
          done(ToResponse(Ipk(r)));
        } else if constexpr (std::is_same_v<T, UpkRequest>) {
          done(ToResponse(Upk(r)));
        } else if constexpr (std::is_same_v<T, CpkyRequest>) {
          done(ToResponse(Cpky(r)));
        } else if constexpr (std::is_same_v<T, DtiRequest>) {
          done(ToResponse(Dti(r)));
        } else if constexpr (std::is_same_v<T, AtpRequest>) {
          done(ToResponse(Atp(r)));
        } else if constexpr (std::is_same_v<T, IlcRequest>) {
          done(ToResponse(Ilc(r)));
        } else if constexpr (std::is_same_v<T, RearmRequest>) {
          done(ToResponse(Rearm(r)));
        } else if constexpr (std::is_same_v<T, GeneralizeRequest>) {
          done(ToResponse(Generalize(r)));
        } else if constexpr (std::is_same_v<T, SkmsRequest>) {
          done(ToResponse(Skms(r)));
        } else if constexpr (std::is_same_v<T, CkmsRequest>) {
          done(ToResponse(Ckms(r)));
        } else if constexpr (std::is_same_v<T, SkmsDomainRequest>) {
          done(ToResponse(SkmsDomain(r)));
        } else if constexpr (std::is_same_v<T, CkmsDomainRequest>) {
          done(ToResponse(CkmsDomain(r)));
        } else if constexpr (std::is_same_v<T, SkhcRequest>) {
          done(ToResponse(Skhc(r)));
        } else if constexpr (std::is_same_v<T, CkhcRequest>) {
          done(ToResponse(Ckhc(r)));
        } else if constexpr (std::is_same_v<T, SaiRequest>) {
          done(ToResponse(Sai(r)));
        } else if constexpr (std::is_same_v<T, SriRequest>) {
          done(ToResponse(Sri(r)));
        } else if constexpr (std::is_same_v<T, SprtRequest>) {
          done(ToResponse(Sprt(r)));
        } else if constexpr (std::is_same_v<T, SdnsRequest>) {
          done(ToResponse(Sdns(r)));
        } else if constexpr (std::is_same_v<T, CdnsRequest>) {
          done(ToResponse(Cdns(r)));
        } else if constexpr (std::is_same_v<T, SpriRequest>) {
          done(ToResponse(Spri(r)));
        } else if constexpr (std::is_same_v<T, CpriRequest>) {
          done(ToResponse(Cpri(r)));
        } else if constexpr (std::is_same_v<T, DleRequest>) {
          done(ToResponse(Dle(r)));
        } else {
          static_assert(std::is_same_v<T, TestAdvanceClockRequest>, "an operation has no method");
          done(ToResponse(TestAdvanceClock(r)));
        }
      },
      request);
}

void Service::HandleLine(std::string_view line, const Peer& peer,
                         std::function<void(std::string)> reply) {
  Result<Request> request = DecodeRequest(line);
  if (!request.ok()) return reply(EncodeError(request.status()));
  Dispatch(*request, peer,
           [reply = std::move(reply)](Response response) { reply(EncodeResponse(response)); });
}

std::string Service::HandleLine(std::string_view line, const Peer& peer) {
  std::string out;
  HandleLine(line, peer, [&out](std::string answer) { out = std::move(answer); });
  return out;
}

}  // namespace activa::management
