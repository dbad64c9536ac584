// The one table of the management protocol's operations (docs/management.md):
// each operation's wire name, its arguments and who may run it. Name lookup
// and the permission rule come from this table only, so the Unix socket,
// the remote listener and the web console cannot disagree about them.
#ifndef ACTIVA_MANAGEMENT_OPERATIONS_H_
#define ACTIVA_MANAGEMENT_OPERATIONS_H_

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "base/status.h"
#include "management/types.h"

namespace activa::management {

// Where activad listens when neither --socket nor --state-dir says
// otherwise, and where slmgr and the C API look by default.
inline constexpr std::string_view kDefaultSocketPath = "/run/activa/activad.sock";

// The group whose members may run every operation (DESIGN.md section 7).
inline constexpr std::string_view kAdminGroup = "activa-admin";

// What one argument holds on the wire.
enum class ArgumentKind {
  kText,             // a JSON string
  kUuid,             // a JSON string holding a UUID
  kProductSelector,  // a UUID or "all" (any case)
  kMinutes,          // an interval, 15..43200 (base/intervals.h)
  kPort,             // 1..65535
  kSeconds,          // any signed 64-bit number
  kPageSize,         // 1..kDlcMaxFirst
  kResultCode,       // a 32-bit result code: a number, or "0xC004F038"
};

struct ArgumentSpec {
  std::string_view name;
  ArgumentKind kind;
  bool required;
};

inline constexpr std::size_t kMaxArguments = 6;  // dle's filters and paging

struct OperationSpec {
  std::string_view name;  // the wire's "op"
  Operation operation;
  // False only for the reading operations (dli, dlv, xpr, dlc, dle, status),
  // which every local user may run.
  bool admin_only;
  std::array<ArgumentSpec, kMaxArguments> argument_storage;
  std::size_t argument_count;

  std::span<const ArgumentSpec> arguments() const {
    return {argument_storage.data(), argument_count};
  }
};

// Every operation, in the order of Operation.
std::span<const OperationSpec> Operations();

// The entry for `operation` (every Operation has one).
const OperationSpec& SpecOf(Operation operation);
// The entry whose wire name is exactly `name`, or nullptr.
const OperationSpec* FindOperation(std::string_view name);
// "dli", "skms_domain".
std::string_view OperationName(Operation operation);

// OK when a peer that is (or is not) an administrator may run `operation`;
// otherwise kAccessDenied with the message administrators know: "access
// denied: /OP changes this machine; run it as root or as a member of the
// group activa-admin".
Status CheckPermission(Operation operation, bool admin);

}  // namespace activa::management

#endif  // ACTIVA_MANAGEMENT_OPERATIONS_H_
