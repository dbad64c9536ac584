#include "host/request_handler.h"

#include <algorithm>
#include <utility>

namespace activa {

RequestHandler::RequestHandler(const ClientCounter::HashKey& hash_key) : counter_(hash_key) {}

RequestHandler::Admission RequestHandler::Admit(const ActivationRequest& request, std::int64_t now,
                                                const HostContext& host) const {
  Admission a;
  a.request = request;
  a.now = now;
  a.version = request.version;
  const Edition* edition = host.catalog ? host.catalog->FindEdition(request.sku_id) : nullptr;
  a.known_edition = edition != nullptr;
  a.application = edition ? edition->application_id : Uuid{};
  a.edition_name = edition ? edition->name : FormatUuid(request.sku_id);
  // ValidateCatalog() keeps thresholds within 1..1000.
  a.threshold = edition ? static_cast<std::uint16_t>(edition->threshold) : 0;
  if (host.certificate != nullptr && host.catalog != nullptr) {
    for (std::uint16_t g : host.certificate->group_codes) {
      a.covered = a.covered || host.catalog->GroupCovers(g, request.sku_id);
    }
  }
  if (edition == nullptr) return a;  // no record: see the header
  ClientEntry& e = a.record.emplace();
  e.application_id = a.application;
  e.cmid = request.cmid;
  e.machine_name = request.machine_name;
  e.sku_id = request.sku_id;
  e.last_seen = now;
  e.license_state = static_cast<std::uint8_t>(request.license_state);
  e.is_virtual_machine = request.is_virtual_machine;
  return a;
}

RequestHandler::Answer RequestHandler::Respond(const Admission& a, const HostContext& host) {
  std::vector<Answer> answers = RespondBatch(std::span<const Admission>(&a, 1), host);
  return std::move(answers[0]);
}

std::vector<RequestHandler::Answer> RequestHandler::RespondBatch(
    std::span<const Admission> admissions, const HostContext& host) {
  std::vector<Answer> answers(admissions.size());
  std::vector<std::optional<ActivationResponse>> responses(admissions.size());
  for (std::size_t i = 0; i < admissions.size(); ++i) {
    answers[i] = Decide(admissions[i], host, responses[i]);
  }
  // One signature for the batch (protocol/batch_tree.h): the signature is
  // most of a request's work on the event loop, the tree's hashes are a few
  // hundred nanoseconds per response.
  std::vector<ActivationResponse*> to_sign;
  for (auto& r : responses) {
    if (r) to_sign.push_back(&*r);
  }
  for (std::size_t at = 0; at < to_sign.size(); at += kMaxBatchSize) {
    std::size_t n = std::min(kMaxBatchSize, to_sign.size() - at);
    SignResponseBatch(std::span<ActivationResponse*>(to_sign.data() + at, n), *host.signing_key);
  }
  for (std::size_t i = 0; i < admissions.size(); ++i) {
    if (responses[i]) answers[i].frame = EncodeResponse(*responses[i]);
  }
  return answers;
}

RequestHandler::Answer RequestHandler::Decide(const Admission& a, const HostContext& host,
                                              std::optional<ActivationResponse>& response) {
  const ActivationRequest& request = a.request;
  Answer answer;
  // Every request counts, whether or not it activates; an edition the host
  // does not know has no count to join (and must not make the counter grow
  // tables for invented IDs).
  std::uint32_t count = a.known_edition ? counter_.Record(a.application, request.cmid, a.now) : 0;
  const bool activated = host.certificate != nullptr && host.signing_key != nullptr;
  HostDecision d = DecideActivation(request, activated, a.covered, a.threshold, count, a.now);
  // Revoked goes before everything: nothing this host signs is worth
  // believing once the vendor withdrew it.
  if (activated && host.revoked) d = HostDecision{ResultCode::kKeyRevoked, count, 0, 0};
  answer.result = d.result;
  answer.count = d.current_count;
  answer.delta.Count(request, d.result);
  stats_ += answer.delta;

  if (d.result == ResultCode::kHostNotActivated) {
    // Without a certificate nothing can be signed that a client would
    // believe; say so in an error message.
    answer.frame = EncodeError(
        MakeErrorMessage(Status(ResultCode::kHostNotActivated,
                                "this activation host's key is not activated by the vendor yet")));
  } else if (d.result == ResultCode::kKeyRevoked) {
    answer.frame = EncodeError(MakeErrorMessage(
        Status(ResultCode::kKeyRevoked,
               "the vendor has revoked this activation host's certificate or host key")));
  } else {
    ActivationResponse& r = response.emplace();
    // A version-2 client gets the response it can verify: signed on its own.
    r.version =
        a.version == kPerResponseSignatureVersion ? kPerResponseSignatureVersion : kProtocolVersion;
    r.result = d.result;
    r.cmid = request.cmid;
    r.nonce = request.nonce;
    r.sku_id = request.sku_id;
    r.current_count = d.current_count;
    r.required_count = d.required_count;  // the threshold applied, signed with the rest
    r.activation_interval_minutes = host.settings.activation_interval_minutes;
    r.renewal_interval_minutes = host.settings.renewal_interval_minutes;
    r.validity_end = d.validity_end;
    r.host_time = a.now;
    r.host_id = host.host_id;
    r.host_certificate.assign(host.certificate_bytes.begin(), host.certificate_bytes.end());
  }

  // The event's fields only: the sentence is rendered when it is read
  // (base/event.h), not here on the event loop for every request.
  answer.event.time = a.now;
  answer.event.event_id = kEventHostRequest;
  HostRequestEvent& ev = answer.event.request.emplace();
  ev.result = d.result;
  ev.count = d.current_count;
  ev.required_count = request.required_count;
  ev.threshold = a.known_edition ? a.threshold : 0;
  ev.machine_name = request.machine_name;
  ev.cmid = request.cmid;
  ev.edition = a.edition_name;
  ev.client_time = request.client_time;
  ev.license_state = static_cast<int>(request.license_state);
  ev.minutes_left = request.minutes_left;
  ev.is_virtual_machine = request.is_virtual_machine;
  return answer;
}

Bytes RequestHandler::CommitFailed(const Status& why) {
  return EncodeError(MakeErrorMessage(Status(
      why.code(), "the host could not record this request and changed nothing: " + why.message())));
}

void RequestHandler::Load(const ClientEntry& entry) {
  counter_.Load(entry.application_id, entry.cmid, entry.last_seen);
}

}  // namespace activa
