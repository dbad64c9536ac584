// The host role's answer to one activation request (DESIGN.md section 5,
// Host), in two steps around the commit that makes the client's record
// durable:
//
//   Admit()    builds the record to write; counts and decides nothing.
//   Respond()  runs once that record is on disk: counts the client, decides
//              (host_policy.h), signs the response and returns the event.
//
// Only editions of the host's own catalog get a record: a request for any
// other edition has no count to join and is answered at once (0xC004F042),
// without a commit, so made-up editions cannot fill the database with
// clients of made-up applications.
//
// So the count only ever includes durable records: a request whose commit
// failed is answered with CommitFailed() and counts nowhere, and a client
// is never told "licensed" on the strength of a record that was lost.
//
// The handler owns the count (ClientCounter) and the request counters that
// `slmgr /dli` shows; the host's key, certificate and catalog are the
// caller's, passed in a HostContext on every call (they change with /ipk,
// /atp and reloads, between the two steps too).
//
// Thread safety: none; the daemon calls it from its event loop.
#ifndef ACTIVA_HOST_REQUEST_HANDLER_H_
#define ACTIVA_HOST_REQUEST_HANDLER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/event.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "cert/host_certificate.h"
#include "crypto/signing.h"
#include "host/client_counter.h"
#include "host/client_entry.h"
#include "host/host_policy.h"
#include "protocol/codec.h"

namespace activa {

// What the host is, at the moment of a call. Pointers may be null: no
// catalog for the host key's vendor, not activated, no signing key.
struct HostContext {
  const Catalog* catalog = nullptr;
  const HostCertificate* certificate = nullptr;
  ByteSpan certificate_bytes;
  const SigningKey* signing_key = nullptr;
  // The vendor's revocation list, as this host holds it, withdraws its own
  // certificate: it answers nobody (kKeyRevoked).
  bool revoked = false;
  Uuid host_id{};
  HostSettings settings;
};

class RequestHandler {
 public:
  explicit RequestHandler(const ClientCounter::HashKey& hash_key);

  struct Admission {
    ActivationRequest request;
    std::int64_t now = 0;
    // The catalog's application for the edition, so a client cannot pick
    // the count it joins; nil when the edition is unknown (then nothing is
    // counted or stored).
    Uuid application{};
    bool known_edition = false;
    std::string edition_name;  // the catalog's, or the SKU ID
    // The edition's threshold in the host's catalog, 0 when the edition is
    // unknown. The count is compared with this, never with the request's
    // required count, which must equal it (host_policy.h).
    std::uint16_t threshold = 0;
    bool covered = false;  // the certificate's groups hold the edition
    // To make durable before Respond(); empty when the edition is not in the
    // host's catalog (then Respond() may run at once).
    std::optional<ClientEntry> record;
    // The request frame's protocol version: a version-2 request is answered
    // with a response signed on its own, a version-3 one in its batch.
    std::uint8_t version = kProtocolVersion;
  };
  Admission Admit(const ActivationRequest& request, std::int64_t now,
                  const HostContext& host) const;

  struct Answer {
    Bytes frame;  // the response (or error) frame to send
    ResultCode result = ResultCode::kOk;
    std::uint32_t count = 0;
    Event event;         // 12290, to log
    RequestStats delta;  // this request, for the stored counters
  };
  // The admission's record (if any) is durable: count, decide, sign.
  Answer Respond(const Admission& admission, const HostContext& host);
  // The same for the admissions of one commit, in order, with one signature
  // over all their version-3 responses (protocol/batch_tree.h; a new tree
  // per kMaxBatchSize responses).
  std::vector<Answer> RespondBatch(std::span<const Admission> admissions, const HostContext& host);

  // The frame for a request whose record could not be made durable.
  static Bytes CommitFailed(const Status& why);

  // Start-up: a stored client record (or what the count needs of one).
  void Load(const ClientEntry& entry);
  void Load(const Uuid& application, const Uuid& cmid, std::int64_t last_seen) {
    counter_.Load(application, cmid, last_seen);
  }
  // Start-up, before the records: how many `application` has.
  void Reserve(const Uuid& application, std::size_t clients) {
    counter_.Reserve(application, clients);
  }
  // Counters loaded at start-up.
  void LoadStats(const RequestStats& stats) { stats_ = stats; }

  // The application's count now (expires old records as it reads).
  std::uint32_t Count(const Uuid& application, std::int64_t now) {
    return counter_.Count(application, now);
  }
  // True when the admission's machine is already counted for its
  // application (seen within the count window): it is not a new client.
  bool Knows(const Admission& admission) const {
    return admission.known_edition &&
           counter_.Contains(admission.application, admission.request.cmid, admission.now);
  }
  const RequestStats& stats() const { return stats_; }
  std::size_t tracked() const { return counter_.tracked(); }

 private:
  // Counts and decides; leaves `response` unsigned (empty for an error frame,
  // which the answer then holds).
  Answer Decide(const Admission& admission, const HostContext& host,
                std::optional<ActivationResponse>& response);

  ClientCounter counter_;
  RequestStats stats_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_REQUEST_HANDLER_H_
