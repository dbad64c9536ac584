#include "management/operations.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace activa::management {
namespace {

using K = ArgumentKind;
using O = Operation;

constexpr ArgumentSpec kNoArg{};

constexpr OperationSpec Op(std::string_view name, Operation op, bool admin_only,
                           std::initializer_list<ArgumentSpec> args = {}) {
  OperationSpec spec{name, op, admin_only, {}, args.size()};
  std::size_t i = 0;
  for (const ArgumentSpec& a : args) spec.argument_storage[i++] = a;
  for (; i < kMaxArguments; ++i) spec.argument_storage[i] = kNoArg;
  return spec;
}
constexpr OperationSpec Op(std::string_view name, Operation op, bool admin_only, ArgumentSpec a) {
  return Op(name, op, admin_only, {a});
}
constexpr OperationSpec Op(std::string_view name, Operation op, bool admin_only, ArgumentSpec a,
                           ArgumentSpec b) {
  return Op(name, op, admin_only, {a, b});
}

constexpr bool kAnyone = false;
constexpr bool kAdmin = true;

// docs/management.md, "Operations". Keep the order of Operation.
constexpr std::array kTable = {
    Op("dli", O::kDli, kAnyone, {"activation_id", K::kProductSelector, false}),
    Op("dlv", O::kDlv, kAnyone, {"activation_id", K::kProductSelector, false}),
    Op("xpr", O::kXpr, kAnyone, {"activation_id", K::kProductSelector, false}),
    Op("dlc", O::kDlc, kAnyone,
       {{"first", K::kPageSize, false},
        {"after", K::kUuid, false},
        {"machine", K::kText, false},
        {"cmid", K::kText, false}}),
    Op("status", O::kStatus, kAnyone, {"application_id", K::kUuid, true},
       {"sku_id", K::kUuid, true}),
    Op("ipk", O::kIpk, kAdmin, {"key", K::kText, true}),
    Op("upk", O::kUpk, kAdmin, {"activation_id", K::kUuid, false}),
    Op("cpky", O::kCpky, kAdmin),
    Op("ato", O::kAto, kAdmin, {"activation_id", K::kProductSelector, false}),
    Op("dti", O::kDti, kAdmin, {"activation_id", K::kUuid, false}),
    Op("atp", O::kAtp, kAdmin, {"confirmation_id", K::kText, true},
       {"activation_id", K::kUuid, false}),
    Op("ilc", O::kIlc, kAdmin, {"revocation_list", K::kText, true}),
    Op("rearm", O::kRearm, kAdmin),
    Op("generalize", O::kGeneralize, kAdmin),
    Op("skms", O::kSkms, kAdmin, {"host", K::kText, true}),
    Op("ckms", O::kCkms, kAdmin),
    Op("skms_domain", O::kSkmsDomain, kAdmin, {"domain", K::kText, true}),
    Op("ckms_domain", O::kCkmsDomain, kAdmin),
    Op("skhc", O::kSkhc, kAdmin),
    Op("ckhc", O::kCkhc, kAdmin),
    Op("sai", O::kSai, kAdmin, {"minutes", K::kMinutes, true}),
    Op("sri", O::kSri, kAdmin, {"minutes", K::kMinutes, true}),
    Op("sprt", O::kSprt, kAdmin, {"port", K::kPort, true}),
    Op("sdns", O::kSdns, kAdmin),
    Op("cdns", O::kCdns, kAdmin),
    Op("spri", O::kSpri, kAdmin),
    Op("cpri", O::kCpri, kAdmin),
    Op("dle", O::kDle, kAnyone,
       {{"event_id", K::kSeconds, false},
        {"since", K::kSeconds, false},
        {"machine", K::kText, false},
        {"result", K::kResultCode, false},
        {"first", K::kPageSize, false},
        {"before", K::kSeconds, false}}),
    Op("test_advance_clock", O::kTestAdvanceClock, kAdmin, {"seconds", K::kSeconds, true}),
};

constexpr bool InOrder() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].operation) != i) return false;
  }
  return true;
}
static_assert(InOrder(), "kTable must list the operations in the order of Operation");
static_assert(kTable.size() == std::variant_size_v<Request>,
              "one table entry per Request alternative");

// The codec builds a Request by the table's index: alternative I must be
// the request of Operation I.
template <std::size_t... I>
constexpr bool VariantInOrder(std::index_sequence<I...>) {
  return ((static_cast<std::size_t>(std::variant_alternative_t<I, Request>::kOperation) == I) &&
          ...);
}
static_assert(VariantInOrder(std::make_index_sequence<std::variant_size_v<Request>>()),
              "Request's alternatives must be in the order of Operation");

}  // namespace

std::span<const OperationSpec> Operations() { return kTable; }

const OperationSpec& SpecOf(Operation operation) {
  return kTable[static_cast<std::size_t>(operation)];
}

const OperationSpec* FindOperation(std::string_view name) {
  for (const OperationSpec& spec : kTable) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view OperationName(Operation operation) { return SpecOf(operation).name; }

Status CheckPermission(Operation operation, bool admin) {
  const OperationSpec& spec = SpecOf(operation);
  if (!spec.admin_only || admin) return Status::Ok();
  return Status(ResultCode::kAccessDenied,
                "access denied: /" + std::string(spec.name) +
                    " changes this machine; run it as root or as a member of the group " +
                    std::string(kAdminGroup));
}

Operation OperationOf(const Request& request) {
  return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::kOperation; }, request);
}

std::string_view LicenseStatusText(int status) {
  switch (status) {
    case 0:
      return "Unlicensed";
    case 1:
      return "Licensed";
    case 2:
      return "Initial grace period";
    case 3:
      return "Additional grace period (KMS license expired or hardware out of tolerance)";
    case 4:
      return "Non-genuine grace period";
    case 5:
      return "Notification";
    case 6:
      return "Extended grace period";
    default:
      return "";
  }
}

}  // namespace activa::management
