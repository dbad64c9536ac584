#include "dns/dns_message.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <memory>

namespace activa::dns {
namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

// A CNAME chain longer than this in one answer is not followed further
// (resolvers stop around 8-16 links; a loop would otherwise never end).
constexpr int kMaxCnameLinks = 16;

Result<PktPtr> ParseResponse(ByteSpan wire) {
  ldns_pkt* raw = nullptr;
  if (wire.empty() || ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) {
    if (raw != nullptr) ldns_pkt_free(raw);
    return Status(ResultCode::kInvalidData, "malformed DNS answer");
  }
  PktPtr pkt(raw);
  if (!ldns_pkt_qr(pkt.get())) return Status(ResultCode::kInvalidData, "not a DNS response");
  const ldns_rr_list* question = ldns_pkt_question(pkt.get());
  if (question == nullptr || ldns_rr_list_rr_count(question) != 1 ||
      ldns_rr_owner(ldns_rr_list_rr(question, 0)) == nullptr) {
    return Status(ResultCode::kInvalidData, "DNS answer without exactly one question");
  }
  return pkt;
}

// NOERROR and NXDOMAIN are answers (records, or none); anything else is the
// server failing to answer.
Status CheckRcode(const ldns_pkt* pkt) {
  int rcode = ldns_pkt_get_rcode(pkt);
  if (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN) return Status::Ok();
  return Status(ResultCode::kNoHostReachable, "DNS error " + RcodeName(rcode));
}

std::string NameText(const ldns_rdf* rdf) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return "";
  char* text = ldns_rdf2str(rdf);
  if (text == nullptr) return "";
  std::string out(text);
  LDNS_FREE(text);
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  return out;
}

bool Contains(const std::vector<const ldns_rdf*>& names, const ldns_rdf* name) {
  if (name == nullptr) return false;
  for (const ldns_rdf* n : names) {
    if (ldns_dname_compare(n, name) == 0) return true;
  }
  return false;
}

// The question's name and the names CNAMEs in the answer lead to from it.
std::vector<const ldns_rdf*> AnswerOwners(const ldns_pkt* pkt) {
  std::vector<const ldns_rdf*> names = {ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt), 0))};
  const ldns_rr_list* answer = ldns_pkt_answer(pkt);
  if (answer == nullptr) return names;
  // Repeated passes, because a server may list the chain in any order.
  for (int pass = 0; pass < kMaxCnameLinks; ++pass) {
    bool grew = false;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(answer, i);
      if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_rd_count(rr) != 1) continue;
      const ldns_rdf* to = ldns_rr_rdf(rr, 0);
      if (Contains(names, ldns_rr_owner(rr)) && to != nullptr &&
          ldns_rdf_get_type(to) == LDNS_RDF_TYPE_DNAME && !Contains(names, to)) {
        names.push_back(to);
        grew = true;
      }
    }
    if (!grew || names.size() > kMaxCnameLinks) break;
  }
  return names;
}

bool Int16(const ldns_rdf* rdf, std::uint16_t* out) {
  if (rdf == nullptr || ldns_rdf_size(rdf) != 2) return false;
  *out = ldns_rdf2native_int16(rdf);
  return true;
}

// RFC 1035 4.1.1: ID (2), flags (2), QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
constexpr std::size_t kHeaderSize = 12;
// RFC 1035 3.1: at most 255 bytes in a name on the wire, 63 in a label.
constexpr std::size_t kMaxNameSize = 255;
constexpr std::uint8_t kMaxLabelSize = 63;

// The one question of `message` (name, QTYPE, QCLASS), and the size of its
// name within it; an empty span when the message has not exactly one
// question or the question does not decode.
ByteSpan OnlyQuestion(ByteSpan message, std::size_t* name_size) {
  if (message.size() < kHeaderSize || message[4] != 0 || message[5] != 1) return {};
  std::size_t at = kHeaderSize;
  for (;;) {
    if (at >= message.size()) return {};
    const std::uint8_t length = message[at];
    // A length above 63 is a compression pointer (0xC0) or reserved.
    if (length > kMaxLabelSize) return {};
    at += 1 + length;
    if (at - kHeaderSize > kMaxNameSize) return {};
    if (length == 0) break;
  }
  *name_size = at - kHeaderSize;
  if (message.size() - at < 4) return {};
  return message.subspan(kHeaderSize, *name_size + 4);
}

std::uint8_t Lower(std::uint8_t c) {
  return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c - 'A' + 'a') : c;
}

}  // namespace

bool IsAnswerTo(ByteSpan query, ByteSpan answer) {
  if (query.size() < kHeaderSize || answer.size() < kHeaderSize) return false;
  // ID, then QR set and the same opcode (bits 1-4 of byte 2).
  if (answer[0] != query[0] || answer[1] != query[1]) return false;
  if ((answer[2] & 0x80) == 0 || (answer[2] & 0x78) != (query[2] & 0x78)) return false;
  std::size_t query_name = 0;
  std::size_t answer_name = 0;
  ByteSpan asked = OnlyQuestion(query, &query_name);
  ByteSpan got = OnlyQuestion(answer, &answer_name);
  if (asked.empty() || got.size() != asked.size() || answer_name != query_name) return false;
  // The names have the same length; folding the case of every byte leaves
  // the length bytes (at most 63, below 'A') alone, so equal folded bytes
  // mean equal labels. QTYPE and QCLASS are compared exactly.
  for (std::size_t i = 0; i < query_name; ++i) {
    if (Lower(got[i]) != Lower(asked[i])) return false;
  }
  return std::equal(asked.begin() + query_name, asked.end(), got.begin() + query_name);
}

Result<std::vector<SrvRecord>> ParseSrvAnswer(ByteSpan wire) {
  auto pkt = ParseResponse(wire);
  if (!pkt.ok()) return pkt.status();
  ACTIVA_RETURN_IF_ERROR(CheckRcode(pkt->get()));
  std::vector<SrvRecord> out;
  const ldns_rr_list* answer = ldns_pkt_answer(pkt->get());
  if (answer == nullptr) return out;
  const std::vector<const ldns_rdf*> owners = AnswerOwners(pkt->get());
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SRV || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
        ldns_rr_rd_count(rr) != 4 || !Contains(owners, ldns_rr_owner(rr))) {
      continue;
    }
    SrvRecord r;
    r.target = NameText(ldns_rr_rdf(rr, 3));
    // A record whose fields do not decode is skipped, not fatal: the others
    // may still lead to a host.
    if (!Int16(ldns_rr_rdf(rr, 0), &r.priority) || !Int16(ldns_rr_rdf(rr, 1), &r.weight) ||
        !Int16(ldns_rr_rdf(rr, 2), &r.port) || r.target.empty()) {
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::string>> ParseAddressAnswer(ByteSpan wire) {
  auto pkt = ParseResponse(wire);
  if (!pkt.ok()) return pkt.status();
  ACTIVA_RETURN_IF_ERROR(CheckRcode(pkt->get()));
  std::vector<std::string> out;
  const ldns_rr_list* answer = ldns_pkt_answer(pkt->get());
  if (answer == nullptr) return out;
  const std::vector<const ldns_rdf*> owners = AnswerOwners(pkt->get());
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    const ldns_rr_type type = ldns_rr_get_type(rr);
    if ((type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA) || ldns_rr_rd_count(rr) != 1 ||
        !Contains(owners, ldns_rr_owner(rr))) {
      continue;
    }
    const ldns_rdf* rdf = ldns_rr_rdf(rr, 0);
    const std::size_t want = type == LDNS_RR_TYPE_A ? 4 : 16;
    if (rdf == nullptr || ldns_rdf_size(rdf) != want) continue;
    char text[INET6_ADDRSTRLEN];
    if (::inet_ntop(type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6, ldns_rdf_data(rdf), text,
                    sizeof text) != nullptr) {
      out.emplace_back(text);
    }
  }
  return out;
}

Result<SoaInfo> ParseSoaAnswer(ByteSpan wire) {
  auto pkt = ParseResponse(wire);
  if (!pkt.ok()) return pkt.status();
  ACTIVA_RETURN_IF_ERROR(CheckRcode(pkt->get()));
  for (const ldns_rr_list* section :
       {ldns_pkt_answer(pkt->get()), ldns_pkt_authority(pkt->get())}) {
    if (section == nullptr) continue;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(section, i);
      if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 1) continue;
      SoaInfo info{NameText(ldns_rr_owner(rr)), NameText(ldns_rr_rdf(rr, 0))};
      if (!info.zone.empty() && !info.primary.empty()) return info;
    }
  }
  return Status(ResultCode::kNotFound, "no SOA record in the DNS answer");
}

std::string RcodeName(int rcode) {
  static constexpr const char* kNames[] = {"NOERROR", "FORMERR",  "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                           "REFUSED", "YXDOMAIN", "YXRRSET",  "NXRRSET",  "NOTAUTH",
                                           "NOTZONE", nullptr,    nullptr,    nullptr,    nullptr,
                                           nullptr,   "BADSIG",   "BADKEY",   "BADTIME"};
  if (rcode >= 0 && rcode < static_cast<int>(std::size(kNames)) && kNames[rcode] != nullptr) {
    return kNames[rcode];
  }
  return "RCODE " + std::to_string(rcode);
}

}  // namespace activa::dns
