// The management protocol's messages as types (docs/management.md): one
// request struct per operation, the response payloads, and their parts.
//
// These are plain values: no JSON here (management/codec.h turns them into
// lines and back), no sockets, no checks beyond what the types express.
// Where the wire has a null, the struct has a std::optional; numbers keep
// the width the protocol gives them.
//
// License states and result codes are numbers the peer may not know (a
// client on the network sends its state; a newer daemon may send a new
// code), so they are kept as `int` and `ResultCode` (whose unnamed values
// are still valid), never narrowed to the names this build knows.
#ifndef ACTIVA_MANAGEMENT_TYPES_H_
#define ACTIVA_MANAGEMENT_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result_code.h"
#include "base/status.h"
#include "base/uuid.h"

namespace activa::management {

// Every operation of docs/management.md, in the order of its table.
enum class Operation {
  kDli,
  kDlv,
  kXpr,
  kDlc,
  kStatus,
  kIpk,
  kUpk,
  kCpky,
  kAto,
  kDti,
  kAtp,
  kIlc,
  kRearm,
  kGeneralize,
  kSkms,
  kCkms,
  kSkmsDomain,
  kCkmsDomain,
  kSkhc,
  kCkhc,
  kSai,
  kSri,
  kSprt,
  kSdns,
  kCdns,
  kSpri,
  kCpri,
  kDle,
  kTestAdvanceClock,
};

// --- Requests ----------------------------------------------------------------

// Which products an operation is about: one activation (SKU) ID, "all", or
// nothing said (the same as all for dli/dlv/xpr/ato).
struct ProductSelector {
  std::optional<Uuid> activation_id;  // set: that product only
  bool all = false;                   // the request said "all" (implies no id)

  bool operator==(const ProductSelector&) const = default;
};

// dli, dlv and xpr take the same argument; one template keeps them distinct
// alternatives of Request.
template <Operation Op>
struct LicenseQuery {
  static constexpr Operation kOperation = Op;
  ProductSelector products;
  bool operator==(const LicenseQuery&) const = default;
};
using DliRequest = LicenseQuery<Operation::kDli>;
using DlvRequest = LicenseQuery<Operation::kDlv>;
using XprRequest = LicenseQuery<Operation::kXpr>;

// An operation without arguments.
template <Operation Op>
struct NoArguments {
  static constexpr Operation kOperation = Op;
  bool operator==(const NoArguments&) const = default;
};
using CpkyRequest = NoArguments<Operation::kCpky>;
using RearmRequest = NoArguments<Operation::kRearm>;
using GeneralizeRequest = NoArguments<Operation::kGeneralize>;
using CkmsRequest = NoArguments<Operation::kCkms>;
using CkmsDomainRequest = NoArguments<Operation::kCkmsDomain>;
using SkhcRequest = NoArguments<Operation::kSkhc>;
using CkhcRequest = NoArguments<Operation::kCkhc>;
using SdnsRequest = NoArguments<Operation::kSdns>;
using CdnsRequest = NoArguments<Operation::kCdns>;
using SpriRequest = NoArguments<Operation::kSpri>;
using CpriRequest = NoArguments<Operation::kCpri>;

// A line's limit, either way (docs/management.md, "Framing").
inline constexpr std::size_t kMaxLineBytes = 65536;

// dlc: one page of the host's client records, in CMID order.
inline constexpr std::uint32_t kDlcDefaultFirst = 100;
inline constexpr std::uint32_t kDlcMaxFirst = 1000;  // checked by the codec
struct DlcRequest {
  static constexpr Operation kOperation = Operation::kDlc;
  std::optional<std::uint32_t> first;  // how many; null: kDlcDefaultFirst
  std::optional<Uuid> after;           // only records whose CMID comes after it
  // A search, at most one of the two: the records whose machine name starts
  // with `machine` (any case; then in name order), or whose CMID starts with
  // `cmid` (hex digits and hyphens, as the CMID is written).
  std::optional<std::string> machine;
  std::optional<std::string> cmid;
  bool operator==(const DlcRequest&) const = default;
};

// dle: one page of the daemon's stored events (base/event.h), newest
// first, each filter narrowing the page.
inline constexpr std::uint32_t kDleDefaultFirst = 50;
struct DleRequest {
  static constexpr Operation kOperation = Operation::kDle;
  std::optional<std::int64_t> event_id;  // 12288, 12289, 12290, 12293, 12294
  std::optional<std::int64_t> since;     // Unix seconds: events at or after it
  // The client machine name a host's 12290 events name (any case).
  std::optional<std::string> machine;
  // The result code the event reports (12289, 12290).
  std::optional<ResultCode> result;
  std::optional<std::uint32_t> first;  // how many; null: kDleDefaultFirst, at most kDlcMaxFirst
  std::optional<std::int64_t> before;  // only events whose id is below it (the next page)
  bool operator==(const DleRequest&) const = default;
};

struct StatusRequest {
  static constexpr Operation kOperation = Operation::kStatus;
  Uuid application_id{};
  Uuid sku_id{};
  bool operator==(const StatusRequest&) const = default;
};

struct IpkRequest {
  static constexpr Operation kOperation = Operation::kIpk;
  std::string key;  // as typed; the daemon parses and checks it
  bool operator==(const IpkRequest&) const = default;
};

struct UpkRequest {
  static constexpr Operation kOperation = Operation::kUpk;
  // Required by the daemon when more than one product key is installed; the
  // host key's activation ID is its product group's ID.
  std::optional<Uuid> activation_id;
  bool operator==(const UpkRequest&) const = default;
};

struct AtoRequest {
  static constexpr Operation kOperation = Operation::kAto;
  ProductSelector products;
  bool operator==(const AtoRequest&) const = default;
};

// The installation ID of the host key, or of the MAK product
// `activation_id` (docs/management.md, "dti").
struct DtiRequest {
  static constexpr Operation kOperation = Operation::kDti;
  std::optional<Uuid> activation_id;
  bool operator==(const DtiRequest&) const = default;
};

struct AtpRequest {
  static constexpr Operation kOperation = Operation::kAtp;
  std::string confirmation_id;
  // The MAK product the confirmation ID is for; may be left out (see
  // docs/management.md, "atp").
  std::optional<Uuid> activation_id;
  bool operator==(const AtpRequest&) const = default;
};

// Installs a vendor-signed revocation list (slmgr /ilc FILE): the file's
// text; the daemon verifies it.
struct IlcRequest {
  static constexpr Operation kOperation = Operation::kIlc;
  std::string revocation_list;
  bool operator==(const IlcRequest&) const = default;
};

struct SkmsRequest {
  static constexpr Operation kOperation = Operation::kSkms;
  // name[:port], IPv4[:port] or [IPv6][:port] (net/host_address.h), kept as
  // text: the daemon stores it as given.
  std::string host;
  bool operator==(const SkmsRequest&) const = default;
};

struct SkmsDomainRequest {
  static constexpr Operation kOperation = Operation::kSkmsDomain;
  std::string domain;
  bool operator==(const SkmsDomainRequest&) const = default;
};

// sai and sri: minutes in 15..43200 (base/intervals.h), checked by the codec.
template <Operation Op>
struct IntervalRequest {
  static constexpr Operation kOperation = Op;
  std::uint32_t minutes = 0;
  bool operator==(const IntervalRequest&) const = default;
};
using SaiRequest = IntervalRequest<Operation::kSai>;
using SriRequest = IntervalRequest<Operation::kSri>;

struct SprtRequest {
  static constexpr Operation kOperation = Operation::kSprt;
  std::uint16_t port = 1688;  // 1..65535, checked by the codec
  bool operator==(const SprtRequest&) const = default;
};

// Only builds with ACTIVA_TEST_CONTROLS act on it; others answer
// 0x80070057 "unknown operation" (Service's default).
struct TestAdvanceClockRequest {
  static constexpr Operation kOperation = Operation::kTestAdvanceClock;
  std::int64_t seconds = 0;
  bool operator==(const TestAdvanceClockRequest&) const = default;
};

// One request; the alternatives are in the order of Operation.
using Request =
    std::variant<DliRequest, DlvRequest, XprRequest, DlcRequest, StatusRequest, IpkRequest,
                 UpkRequest, CpkyRequest, AtoRequest, DtiRequest, AtpRequest, IlcRequest,
                 RearmRequest, GeneralizeRequest, SkmsRequest, CkmsRequest, SkmsDomainRequest,
                 CkmsDomainRequest, SkhcRequest, CkhcRequest, SaiRequest, SriRequest, SprtRequest,
                 SdnsRequest, CdnsRequest, SpriRequest, CpriRequest, DleRequest,
                 TestAdvanceClockRequest>;

// The operation of `request`.
Operation OperationOf(const Request& request);

// --- Response parts ----------------------------------------------------------

struct Machine {
  std::string name;
  Uuid cmid{};
  std::optional<Uuid> previous_cmid;  // null until the first /generalize
  bool is_virtual_machine = false;
  bool operator==(const Machine&) const = default;
};

// A product's view of its activation host (the `kms` object).
struct KmsClientInfo {
  std::optional<std::string> configured;     // slmgr /skms, host:port
  std::optional<std::string> in_use;         // the host that answered last
  std::optional<std::string> lookup_domain;  // slmgr /skms-domain
  bool host_caching = true;
  bool from_dns = false;               // `in_use` came from an SRV record
  std::optional<std::string> address;  // the IP `in_use` answered from
  bool operator==(const KmsClientInfo&) const = default;
};

struct Product {
  Uuid activation_id{};  // the edition's SKU ID
  Uuid application_id{};
  std::string application;
  std::string name;
  std::string vendor;
  std::string kind;      // "client" or "server"
  std::string key_kind;  // "setup", "host" or "mak"
  std::string partial_product_key;
  int license_status = 0;  // KMS numbering: LicenseStatusText()
  std::string license_status_text;
  std::int64_t minutes_left = 0;
  std::int64_t grace_end = 0;  // Unix seconds, 0 for never
  std::int64_t validity_end = 0;
  int rearms_left = 0;
  ResultCode last_result = ResultCode::kOk;
  std::string last_result_text;
  std::int64_t last_attempt = 0;
  std::int64_t next_attempt = 0;
  std::int64_t last_activation = 0;
  std::uint32_t required_count = 0;
  std::uint32_t last_count = 0;
  std::uint32_t activation_interval = 0;  // minutes, the ones in force
  std::uint32_t renewal_interval = 0;
  KmsClientInfo kms;
  // A MAK product's activation by the vendor: the first second of its issue
  // day (UTC). Null for a MAK not activated yet and for every other kind.
  // A MAK activation does not expire.
  std::optional<std::int64_t> mak_activated;
  bool operator==(const Product&) const = default;
};

// An edition's threshold as the host applies it (from its catalog).
struct EditionThreshold {
  Uuid sku_id{};
  std::string name;
  std::string kind;  // "client" or "server"
  std::uint32_t threshold = 0;
  std::uint32_t missing = 0;  // machines still needed: threshold - count, or 0
  bool operator==(const EditionThreshold&) const = default;
};

// The host's count of one application on one UTC day (the daemon samples
// it daily; the web console plots it).
struct DailyCount {
  std::int64_t day = 0;  // Unix seconds of the day's first second (UTC)
  std::uint32_t count = 0;
  bool operator==(const DailyCount&) const = default;
};

struct ApplicationCount {
  Uuid application_id{};
  std::string application;
  std::uint32_t count = 0;      // distinct clients in the last 30 days
  std::uint32_t kms_count = 0;  // what KMS would show (capped at 50)
  // The editions of the application the host's certificate (or, not yet
  // activated, its product group) covers.
  std::vector<EditionThreshold> editions;
  // The daily samples of `count` in the last 30 days, oldest first; days
  // the daemon did not run have none.
  std::vector<DailyCount> history;
  bool operator==(const ApplicationCount&) const = default;
};

// The last DNS publishing outcome for one domain.
struct DnsPublishStatus {
  std::string domain;
  ResultCode result = ResultCode::kOk;
  std::string message;
  std::int64_t time = 0;
  bool withdrawn = false;
  bool operator==(const DnsPublishStatus&) const = default;
};

// Requests the host has answered, by the client's license state.
struct RequestCounts {
  std::uint64_t total = 0;
  std::uint64_t failed = 0;
  std::uint64_t unlicensed = 0;
  std::uint64_t licensed = 0;
  std::uint64_t initial_grace = 0;
  std::uint64_t oot_grace = 0;
  std::uint64_t non_genuine_grace = 0;
  std::uint64_t notification = 0;
  bool operator==(const RequestCounts&) const = default;
};

enum class Priority { kNormal, kLow };

struct ClearinghouseProblem {
  std::int64_t since = 0;  // Unix seconds of the first failure in a row
  std::string cause;       // the last failure's message
  bool operator==(const ClearinghouseProblem&) const = default;
};

struct Host {
  bool activated = false;
  std::string vendor;
  std::string group;
  // Today's wire writes "" (not null) when the group is unknown; kept.
  std::optional<Uuid> group_id;
  std::string partial_product_key;
  Uuid host_id{};
  std::vector<ApplicationCount> counts;
  std::uint16_t port = 1688;
  std::vector<std::string> listening;  // host:port
  bool dns_publishing = false;
  // Publishing is on but cannot happen, and why ("no domain to publish in:
  // ..."); null when publishing is off or has somewhere to go.
  std::optional<std::string> dns_problem;
  std::vector<DnsPublishStatus> dns;
  Priority priority = Priority::kNormal;
  std::uint32_t activation_interval = 0;  // minutes, sent to clients
  std::uint32_t renewal_interval = 0;
  RequestCounts requests;
  // The host certificate's not-after (Unix seconds), from 30 days before it
  // on; null before then and when the host is not activated.
  std::optional<std::int64_t> certificate_expires;
  // Set while the vendor's clearinghouse cannot be reached (renewal, the
  // daily revocation list): since when and why. Absent from the wire
  // otherwise.
  std::optional<ClearinghouseProblem> clearinghouse_unreachable;
  bool operator==(const Host&) const = default;
};

// One client the host has seen (dlc).
struct ClientRecord {
  Uuid cmid{};
  std::string machine_name;  // as the client sent it: untrusted text
  Uuid application_id{};
  Uuid sku_id{};
  std::string edition;
  std::int64_t last_seen = 0;
  int license_state = 0;
  bool is_virtual_machine = false;
  std::uint64_t requests = 0;
  bool operator==(const ClientRecord&) const = default;
};

// A SIGHUP reload the daemon refused: the file on disk is newer than the
// configuration it runs with.
struct ReloadRefusal {
  std::int64_t time = 0;  // Unix seconds
  std::string message;    // "reload refused: FILE:LINE: ..."
  bool operator==(const ReloadRefusal&) const = default;
};

// One stored event (dle).
struct EventRecord {
  std::int64_t id = 0;  // increasing; pass the last as the next page's `before`
  std::int64_t time = 0;
  std::int64_t event_id = 0;
  std::string message;
  bool operator==(const EventRecord&) const = default;
};

// One thing an activation attempt did (ato): a DNS lookup or a host tried.
struct AttemptStep {
  std::string kind;  // "dns" or "host"
  // The SRV name asked ("" when there was no domain to look in), or the
  // host as host:port.
  std::string name;
  ResultCode result = ResultCode::kOk;  // 0: records found, or the host activated us
  std::string message;                  // what happened
  bool operator==(const AttemptStep&) const = default;
};

// One product's attempt (ato).
struct ActivationAttempt {
  Uuid activation_id{};
  ResultCode result = ResultCode::kOk;
  std::string cause;  // "" on success
  std::vector<AttemptStep> tried;
  bool operator==(const ActivationAttempt&) const = default;
};

// --- Response payloads ---------------------------------------------------------

// The remote management listener ([management] listen), when it is on
// (docs/remote.md).
struct ManagementListenerInfo {
  std::vector<std::string> listening;   // "127.0.0.1:1689", "[::]:1689"
  std::string certificate_fingerprint;  // "SHA256:" + base64, as slmgr pins it
  bool operator==(const ManagementListenerInfo&) const = default;
};

// dli, dlv, xpr.
struct LicenseInfo {
  Machine machine;
  std::vector<Product> products;
  std::optional<Host> host;  // null when no host key is installed
  // The last SIGHUP reload, when it was refused (null once one succeeds).
  std::optional<ReloadRefusal> reload_refused;
  // Null when remote management is off.
  std::optional<ManagementListenerInfo> management;
  bool operator==(const LicenseInfo&) const = default;
};
using DliResponse = LicenseInfo;

// A page never splits one machine's records, and always fits one line: it
// may end before `first` records (then `next_after` is set) and may hold a
// few more (the rest of its last machine's applications).
struct DlcResponse {
  std::vector<ClientRecord> clients;
  std::optional<Uuid> next_after;  // the last CMID when more follow, else null
  std::uint64_t total = 0;         // client records the host holds
  bool is_host = true;             // false: no host key is installed here
  bool operator==(const DlcResponse&) const = default;
};

// A page is newest first; `next_before` is set when older events follow.
struct DleResponse {
  std::vector<EventRecord> events;
  std::optional<std::int64_t> next_before;
  bool operator==(const DleResponse&) const = default;
};

// What backs a licensed state, for the product to check itself (DESIGN.md
// section 3, point 5): the last verified success of a host, and the catalog
// it was verified against. On the wire both are base64.
struct ActivationProof {
  Bytes response;       // the host-signed response frame (protocol/codec.h)
  std::string catalog;  // the vendor-signed catalog file, byte for byte
  // A MAK activation's proof instead of `response` (offline/mak_activation.h):
  // the machine's installation ID and the vendor's confirmation ID, as text.
  std::string installation_id;
  std::string confirmation_id;
  bool operator==(const ActivationProof&) const = default;
};

struct StatusResponse {
  Product product;
  Uuid cmid{};  // this machine's client machine ID
  // Null until a host has activated the product.
  std::optional<ActivationProof> proof;
  bool operator==(const StatusResponse&) const = default;
};

struct IpkResponse {
  std::string kind;  // "setup", "host", "mak"
  std::string name;  // the edition or product group
  bool becomes_host = false;
  bool operator==(const IpkResponse&) const = default;
};

struct UpkResponse {
  std::string removed;
  bool operator==(const UpkResponse&) const = default;
};

// ato is the one operation whose outcome is not the exchange's: the
// attempts may fail (`outcome` not OK) and the response still carries the
// products as they are after them. On the wire `outcome` is the top-level
// result and message. A failure before any attempt (no such product, access
// denied) is an error Response like any other.
// `attempts` holds each product's attempt in order, with its cause and the
// hosts tried; the outcome's message is the first failure's cause.
struct AtoResponse {
  Status outcome;
  std::vector<Product> products;
  std::vector<ActivationAttempt> attempts;
  bool operator==(const AtoResponse& o) const {
    return outcome.code() == o.outcome.code() && outcome.message() == o.outcome.message() &&
           products == o.products && attempts == o.attempts;
  }
};

struct DtiResponse {
  std::string installation_id;
  bool operator==(const DtiResponse&) const = default;
};

struct AtpResponse {
  std::optional<Host> host;
  std::optional<Product> product;  // the MAK product activated
  bool operator==(const AtpResponse&) const = default;
};

struct IlcResponse {
  std::uint64_t serial = 0;  // the list's
  bool replaced = false;     // false: this machine already held that serial
  bool operator==(const IlcResponse&) const = default;
};

struct RearmResponse {
  int rearms_left = 0;
  bool operator==(const RearmResponse&) const = default;
};

struct GeneralizeResponse {
  Uuid cmid{};
  Uuid previous_cmid{};
  bool operator==(const GeneralizeResponse&) const = default;
};

struct TestAdvanceClockResponse {
  std::int64_t now = 0;
  bool operator==(const TestAdvanceClockResponse&) const = default;
};

// The payload of operations that answer only result and message.
struct Empty {
  bool operator==(const Empty&) const = default;
};

using ResponsePayload =
    std::variant<Empty, LicenseInfo, DlcResponse, StatusResponse, IpkResponse, UpkResponse,
                 AtoResponse, DtiResponse, AtpResponse, IlcResponse, RearmResponse,
                 GeneralizeResponse, TestAdvanceClockResponse, DleResponse>;

// A response: a payload on success, or an error Status (code and message,
// no payload). On the wire a payload is `{"result":0,"message":"OK",...}`
// (AtoResponse: its outcome's code and message) and an error is
// `{"result":CODE,"message":TEXT}`.
using Response = Result<ResponsePayload>;

// The KMS text for a license status number ("Initial grace period"), or ""
// for a number KMS does not define. The one copy of these labels, for slmgr
// and the daemon's `license_status_text`.
std::string_view LicenseStatusText(int status);

}  // namespace activa::management

#endif  // ACTIVA_MANAGEMENT_TYPES_H_
