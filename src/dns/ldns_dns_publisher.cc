#include "dns/ldns_dns_publisher.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "dns/dns_message.h"
#include "dns/internal/transport.h"
#include "dns/ldns_srv_resolver.h"
#include "net/host_address.h"

namespace activa::dns {
namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RrListFree {
  void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

// TSIG's allowed clock difference (RFC 8945 5.2.3 recommends 300 s).
constexpr std::uint16_t kTsigFudgeSeconds = 300;

std::string WithoutDot(std::string name) {
  while (name.size() > 1 && name.back() == '.') name.pop_back();
  return name;
}

bool SameName(std::string a, std::string b) {
  auto lower = [](std::string& s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  lower(a);
  lower(b);
  return WithoutDot(a) == WithoutDot(b);
}

Status Failed(std::string message) {
  return Status(ResultCode::kDnsUpdateFailed, std::move(message));
}

// ldns's name for the algorithm on the wire (RFC 8945 6).
std::string WireAlgorithm(const std::string& algorithm) {
  if (algorithm == "hmac-md5") return "hmac-md5.sig-alg.reg.int.";
  return algorithm + ".";
}

// The record as one line of zone text, for ldns to parse; the target is in
// presentation form already (escapes included), as ParseSrvAnswer gives it.
ldns_rr* MakeSrv(const std::string& owner, std::uint32_t ttl, const SrvRecord& r,
                 ldns_rr_class rr_class) {
  std::string line = owner + ". " + std::to_string(ttl) + " IN SRV " + std::to_string(r.priority) +
                     " " + std::to_string(r.weight) + " " + std::to_string(r.port) + " " +
                     r.target + ".";
  ldns_rr* rr = nullptr;
  if (ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) return nullptr;
  // RFC 2136 2.5.4: "Delete An RR From An RRset" is class NONE, TTL 0.
  ldns_rr_set_class(rr, rr_class);
  if (rr_class == LDNS_RR_CLASS_NONE) ldns_rr_set_ttl(rr, 0);
  return rr;
}

}  // namespace

Status LdnsDnsPublisher::Publish(const PublishTarget& target, const SrvRegistration& registration) {
  return Update(target, registration, /*add=*/true);
}

Status LdnsDnsPublisher::Withdraw(const PublishTarget& target,
                                  const SrvRegistration& registration) {
  return Update(target, registration, /*add=*/false);
}

Status LdnsDnsPublisher::Update(const PublishTarget& target, const SrvRegistration& registration,
                                bool add) {
  const std::string domain = WithoutDot(target.domain);
  const std::string service = WithoutDot(registration.service);
  const std::string host = WithoutDot(registration.target);
  if (domain.empty() || service.empty() || host.empty() || host == ".") {
    return Status(ResultCode::kInvalidArgument,
                  "DNS publishing needs a domain, a service label and a target host name");
  }
  const std::string name = service + "." + domain;
  const int timeout_ms = resolver_.timeout_ms;

  // 1. The server that takes the update, and the zone (RFC 2136 4.1 lets a
  // requestor find the zone by asking for the name's SOA).
  std::string server_host;
  std::uint16_t server_port = target.server_port;
  SoaInfo soa;
  auto take_soa = [&](ByteSpan answer) {
    auto parsed = ParseSoaAnswer(answer);
    if (!parsed.ok()) return parsed.status();
    soa = std::move(*parsed);
    return Status::Ok();
  };
  if (!target.server.empty()) {
    auto address = ParseServerAddress(target.server, target.server_port);
    if (!address.ok()) return address.status();
    server_host = address->host;
    server_port = address->port;
    ResolverConfig direct = resolver_;
    direct.nameserver = server_host;
    direct.port = server_port;
    Status found = internal::AskServers(direct, name, LDNS_RR_TYPE_SOA, take_soa);
    if (!found.ok()) return Failed("cannot find the zone of " + name + ": " + found.message());
  } else {
    Status found = internal::AskServers(resolver_, name, LDNS_RR_TYPE_SOA, take_soa);
    if (!found.ok()) return Failed("cannot find the zone of " + name + ": " + found.message());
    auto resolver = LdnsSrvResolver::Create(resolver_);
    if (!resolver.ok()) return resolver.status();
    auto addresses = (*resolver)->ResolveAddresses(soa.primary);
    if (!addresses.ok()) {
      return Failed("cannot find the address of " + soa.primary + ", the primary of zone " +
                    soa.zone + ": " + addresses.status().message());
    }
    if (addresses->empty()) {
      return Failed("the primary of zone " + soa.zone + ", " + soa.primary + ", has no address");
    }
    server_host = addresses->front();
  }
  const std::string server = FormatHostPort(server_host, server_port);
  const std::string what = "DNS update of " + name + " (zone " + soa.zone + ") at " + server;

  // 2. This host's records as they are now, from the server itself, because
  // deleting one record of an RRset needs its exact rdata (RFC 2136 2.5.4).
  std::vector<SrvRecord> own;
  {
    ResolverConfig direct = resolver_;
    direct.nameserver = server_host;
    direct.port = server_port;
    Status asked = internal::AskServers(direct, name, LDNS_RR_TYPE_SRV, [&](ByteSpan answer) {
      auto parsed = ParseSrvAnswer(answer);
      if (!parsed.ok()) return parsed.status();
      for (SrvRecord& r : *parsed) {
        if (r.port == registration.port && SameName(r.target, host)) own.push_back(std::move(r));
      }
      return Status::Ok();
    });
    if (!asked.ok()) return Failed(what + " failed: " + asked.message());
  }
  if (!add && own.empty()) return Status::Ok();

  // 3. One update: delete our records, add the new one. Other hosts'
  // records at the name are not touched.
  std::unique_ptr<ldns_rr_list, RrListFree> updates(ldns_rr_list_new());
  for (const SrvRecord& r : own) {
    ldns_rr* rr = MakeSrv(name, 0, r, LDNS_RR_CLASS_NONE);
    if (rr == nullptr) return Failed(what + ": cannot encode the record of " + r.target);
    ldns_rr_list_push_rr(updates.get(), rr);
  }
  if (add) {
    SrvRecord mine{target.priority, target.weight, registration.port, host};
    ldns_rr* rr = MakeSrv(name, registration.ttl, mine, LDNS_RR_CLASS_IN);
    if (rr == nullptr) {
      return Status(ResultCode::kInvalidArgument,
                    "\"" + name + "\" or \"" + host + "\" is not a domain name");
    }
    ldns_rr_list_push_rr(updates.get(), rr);
  }
  ldns_rdf* zone = ldns_dname_new_frm_str((soa.zone + ".").c_str());
  if (zone == nullptr) return Failed(what + ": the zone name does not encode");
  // ldns_update_pkt_new takes `zone` and copies the lists.
  PktPtr update(ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, nullptr, updates.get(), nullptr));
  if (!update) return Failed(what + ": cannot build the update");
  ldns_pkt_set_rd(update.get(), false);
  ldns_pkt_set_id(update.get(), internal::NewQueryId());

  std::unique_ptr<ldns_rdf, RdfFree> request_mac;
  if (target.tsig) {
    const TsigKey& key = *target.tsig;
    if (ldns_pkt_tsig_sign(update.get(), (key.name + ".").c_str(), key.secret_base64.c_str(),
                           kTsigFudgeSeconds, WireAlgorithm(key.algorithm).c_str(),
                           nullptr) != LDNS_STATUS_OK) {
      return Status(ResultCode::kInvalidArgument,
                    "cannot sign with TSIG key \"" + key.name + "\" (" + key.algorithm + ")");
    }
    // The answer's MAC covers ours (RFC 8945 5.3.1), so keep it to verify.
    request_mac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(update.get()), 3)));
  }
  std::uint8_t* wire = nullptr;
  std::size_t wire_size = 0;
  if (ldns_pkt2wire(&wire, update.get(), &wire_size) != LDNS_STATUS_OK) {
    return Failed(what + ": cannot encode the update");
  }
  Bytes request(wire, wire + wire_size);
  LDNS_FREE(wire);

  auto reply = internal::Exchange(server_host, server_port, request, timeout_ms);
  if (!reply.ok()) return Failed(what + " failed: " + reply.status().message());
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, reply->data(), reply->size()) != LDNS_STATUS_OK) {
    if (raw != nullptr) ldns_pkt_free(raw);
    return Failed(what + " failed: malformed answer");
  }
  PktPtr answer(raw);
  const int rcode = ldns_pkt_get_rcode(answer.get());
  const ldns_rr* answer_tsig = ldns_pkt_tsig(answer.get());
  if (rcode != LDNS_RCODE_NOERROR) {
    std::string error = RcodeName(rcode);
    // A refused signature is told in the TSIG record's error field
    // (RFC 8945 5.2: BADSIG, BADKEY, BADTIME), the answer itself unsigned.
    if (answer_tsig != nullptr && ldns_rr_rd_count(answer_tsig) > 5) {
      const ldns_rdf* field = ldns_rr_rdf(answer_tsig, 5);
      if (field != nullptr && ldns_rdf_size(field) == 2 && ldns_rdf2native_int16(field) != 0) {
        error += " (TSIG " + RcodeName(ldns_rdf2native_int16(field)) + ")";
      }
    }
    return Failed(what + " failed: " + error);
  }
  if (target.tsig) {
    // ldns_pkt_tsig_verify takes the parsed answer and its wire bytes.
    bool ok = answer_tsig != nullptr &&
              ldns_pkt_tsig_verify(answer.get(), reply->data(), reply->size(),
                                   (target.tsig->name + ".").c_str(),
                                   target.tsig->secret_base64.c_str(), request_mac.get());
    if (!ok) return Failed(what + ": the answer's TSIG signature does not verify");
  }
  return Status::Ok();
}

}  // namespace activa::dns
