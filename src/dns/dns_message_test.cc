#include "dns/dns_message.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace activa::dns {
namespace {

// Builds DNS responses by hand (RFC 1035 4.1), without name compression.
class Response {
 public:
  Response(const std::string& qname, std::uint16_t qtype, std::uint8_t rcode = 0) {
    w_.U16(0x1234);
    w_.U16(static_cast<std::uint16_t>(0x8400 | rcode));  // QR, AA
    counts_at_ = w_.size();
    for (int i = 0; i < 4; ++i) w_.U16(0);
    Name(qname);
    w_.U16(qtype);
    w_.U16(1);
    qdcount_ = 1;
  }
  Response& Srv(const std::string& owner, std::uint16_t prio, std::uint16_t weight,
                std::uint16_t port, const std::string& target) {
    ByteWriter rdata;
    rdata.U16(prio);
    rdata.U16(weight);
    rdata.U16(port);
    NameTo(rdata, target);
    return Rr(owner, 33, rdata.bytes());
  }
  Response& A(const std::string& owner, Bytes addr) {
    return Rr(owner, addr.size() == 4 ? 1 : 28, addr);
  }
  Response& Cname(const std::string& owner, const std::string& to) {
    ByteWriter rdata;
    NameTo(rdata, to);
    return Rr(owner, 5, rdata.bytes());
  }
  Response& Soa(const std::string& owner, const std::string& mname, bool authority) {
    ByteWriter rdata;
    NameTo(rdata, mname);
    NameTo(rdata, "hostmaster." + owner);
    for (int i = 0; i < 5; ++i) rdata.U32(300);
    in_authority_ = authority;
    return Rr(owner, 6, rdata.bytes());
  }
  Bytes Build() const {
    Bytes b = w_.bytes();
    b[counts_at_ + 1] = static_cast<std::uint8_t>(qdcount_);
    b[counts_at_ + 3] = static_cast<std::uint8_t>(ancount_);
    b[counts_at_ + 5] = static_cast<std::uint8_t>(nscount_);
    return b;
  }

 private:
  static void NameTo(ByteWriter& w, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
      std::size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      w.String8(std::string_view(name).substr(start, dot - start));
      start = dot + 1;
    }
    w.U8(0);
  }
  void Name(const std::string& name) { NameTo(w_, name); }
  Response& Rr(const std::string& owner, std::uint16_t type, const Bytes& rdata) {
    Name(owner);
    w_.U16(type);
    w_.U16(1);
    w_.U32(600);
    w_.Blob16(rdata);
    (in_authority_ ? nscount_ : ancount_)++;
    return *this;
  }

  ByteWriter w_;
  std::size_t counts_at_ = 0;
  int qdcount_ = 0, ancount_ = 0, nscount_ = 0;
  bool in_authority_ = false;
};

constexpr std::uint16_t kSrv = 33;

TEST(ParseSrvAnswerTest, ReadsRecordsOfTheQuestionsName) {
  Bytes wire = Response("_activa._tcp.corp.example", kSrv)
                   .Srv("_activa._tcp.corp.example", 10, 50, 1688, "kms1.corp.example")
                   .Srv("_activa._tcp.corp.example", 20, 0, 1700, "kms2.corp.example")
                   .Srv("_other._tcp.corp.example", 0, 0, 1, "evil.example")
                   .Build();
  auto records = ParseSrvAnswer(wire);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0], (SrvRecord{10, 50, 1688, "kms1.corp.example"}));
  EXPECT_EQ((*records)[1], (SrvRecord{20, 0, 1700, "kms2.corp.example"}));
}

TEST(ParseSrvAnswerTest, FollowsCnames) {
  Bytes wire = Response("_activa._tcp.a.example", kSrv)
                   .Cname("_activa._tcp.a.example", "_activa._tcp.b.example")
                   .Srv("_activa._tcp.b.example", 0, 0, 1688, "kms.b.example")
                   .Build();
  auto records = ParseSrvAnswer(wire);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].target, "kms.b.example");
}

TEST(ParseSrvAnswerTest, RootTargetStaysADot) {
  Bytes wire =
      Response("_activa._tcp.x.example", kSrv).Srv("_activa._tcp.x.example", 0, 0, 0, "").Build();
  auto records = ParseSrvAnswer(wire);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].target, ".");
}

TEST(ParseSrvAnswerTest, NxdomainAndNodataAreEmpty) {
  EXPECT_TRUE(ParseSrvAnswer(Response("_activa._tcp.none.example", kSrv, 3).Build())->empty());
  EXPECT_TRUE(ParseSrvAnswer(Response("_activa._tcp.none.example", kSrv, 0).Build())->empty());
}

TEST(ParseSrvAnswerTest, ServerErrorsAreNamed) {
  auto r = ParseSrvAnswer(Response("_activa._tcp.x.example", kSrv, 2).Build());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kNoHostReachable);
  EXPECT_NE(r.status().message().find("SERVFAIL"), std::string::npos);
  r = ParseSrvAnswer(Response("_activa._tcp.x.example", kSrv, 5).Build());
  EXPECT_NE(r.status().message().find("REFUSED"), std::string::npos);
}

TEST(ParseSrvAnswerTest, MalformedBytesAreInvalidData) {
  Bytes good = Response("_activa._tcp.corp.example", kSrv)
                   .Srv("_activa._tcp.corp.example", 10, 50, 1688, "kms1.corp.example")
                   .Build();
  EXPECT_EQ(ParseSrvAnswer({}).status().code(), ResultCode::kInvalidData);
  // Every truncation of a good answer is an error or a shorter answer, never a crash.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = ParseSrvAnswer(ByteSpan(good.data(), n));
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ResultCode::kInvalidData) << n;
    }
  }
  Bytes query = good;
  query[2] &= 0x7f;  // QR clear: a query, not a response
  EXPECT_EQ(ParseSrvAnswer(query).status().code(), ResultCode::kInvalidData);
}

TEST(ParseAddressAnswerTest, ReadsAAndAaaa) {
  Bytes v4 = Response("kms1.corp.example", 1).A("kms1.corp.example", {192, 0, 2, 1}).Build();
  EXPECT_EQ(*ParseAddressAnswer(v4), std::vector<std::string>{"192.0.2.1"});
  Bytes addr6(16, 0);
  addr6[0] = 0x20;
  addr6[1] = 0x01;
  addr6[2] = 0x0d;
  addr6[3] = 0xb8;
  addr6[15] = 1;
  Bytes v6 = Response("kms1.corp.example", 28).A("kms1.corp.example", addr6).Build();
  EXPECT_EQ(*ParseAddressAnswer(v6), std::vector<std::string>{"2001:db8::1"});
}

TEST(ParseSoaAnswerTest, FromAnswerOrAuthority) {
  auto apex = ParseSoaAnswer(
      Response("corp.example", 6).Soa("corp.example", "ns.corp.example", false).Build());
  ASSERT_TRUE(apex.ok()) << apex.status().ToString();
  EXPECT_EQ(apex->zone, "corp.example");
  EXPECT_EQ(apex->primary, "ns.corp.example");
  auto below = ParseSoaAnswer(Response("_activa._tcp.corp.example", 6, 3)
                                  .Soa("corp.example", "ns1.corp.example", true)
                                  .Build());
  ASSERT_TRUE(below.ok()) << below.status().ToString();
  EXPECT_EQ(below->zone, "corp.example");
  EXPECT_EQ(below->primary, "ns1.corp.example");
  EXPECT_EQ(ParseSoaAnswer(Response("x.example", 6).Build()).status().code(),
            ResultCode::kNotFound);
}

// A query as a client sends it: ID 0x1234, RD, one question of class IN.
Bytes Query(const std::string& qname, std::uint16_t qtype) {
  Bytes q = Response(qname, qtype).Build();
  q[2] = 0x01;  // QR clear, opcode QUERY, RD
  q[3] = 0x00;
  return q;
}

TEST(IsAnswerToTest, TheAnswerToTheQuestionAsked) {
  Bytes query = Query("_activa._tcp.corp.example", kSrv);
  Bytes answer = Response("_activa._tcp.corp.example", kSrv)
                     .Srv("_activa._tcp.corp.example", 0, 0, 1688, "kms1.corp.example")
                     .Build();
  EXPECT_TRUE(IsAnswerTo(query, answer));
  // A server may echo the name in another case (RFC 4343; "0x20" randomization).
  EXPECT_TRUE(IsAnswerTo(query, Response("_ACTIVA._Tcp.CORP.example", kSrv).Build()));
}

TEST(IsAnswerToTest, AnotherIdIsNotTheAnswer) {
  Bytes query = Query("_activa._tcp.corp.example", kSrv);
  Bytes answer = Response("_activa._tcp.corp.example", kSrv).Build();
  answer[1] ^= 0x01;
  EXPECT_FALSE(IsAnswerTo(query, answer));
}

TEST(IsAnswerToTest, TheRightIdWithAnotherQuestionIsNotTheAnswer) {
  Bytes query = Query("_activa._tcp.corp.example", kSrv);
  // Same ID, QR set, but for a name, type or class that was not asked.
  EXPECT_FALSE(IsAnswerTo(query, Response("_activa._tcp.evil.example", kSrv)
                                     .Srv("_activa._tcp.evil.example", 0, 0, 1688, "evil.example")
                                     .Build()));
  EXPECT_FALSE(IsAnswerTo(query, Response("_activa._tcp.corp.example.evil", kSrv).Build()));
  EXPECT_FALSE(IsAnswerTo(query, Response("_activa._tcp.corp.exampl", kSrv).Build()));
  EXPECT_FALSE(IsAnswerTo(query, Response("_activa._tcp.corp.example", 1).Build()));
  Bytes chaos = Response("_activa._tcp.corp.example", kSrv).Build();
  chaos[chaos.size() - 1] = 3;  // QCLASS CH
  EXPECT_FALSE(IsAnswerTo(query, chaos));
}

TEST(IsAnswerToTest, OnlyAResponseWithExactlyTheOneQuestion) {
  Bytes query = Query("_activa._tcp.corp.example", kSrv);
  // The query itself, reflected: QR clear.
  EXPECT_FALSE(IsAnswerTo(query, query));
  // Another opcode (NOTIFY).
  Bytes notify = Response("_activa._tcp.corp.example", kSrv).Build();
  notify[2] = static_cast<std::uint8_t>(0x80 | (4 << 3));
  EXPECT_FALSE(IsAnswerTo(query, notify));
  // No question (a bare header, as some servers send with FORMERR).
  Bytes bare = Response("_activa._tcp.corp.example", kSrv).Build();
  bare.resize(12);
  bare[5] = 0;
  EXPECT_FALSE(IsAnswerTo(query, bare));
  // Two questions, the first one ours.
  Bytes two = Response("_activa._tcp.corp.example", kSrv).Build();
  two[5] = 2;
  Bytes second = Query("_activa._tcp.evil.example", kSrv);
  two.insert(two.end(), second.begin() + 12, second.end());
  EXPECT_FALSE(IsAnswerTo(query, two));
  // The question's name as a compression pointer back into the header.
  Bytes pointer(query.begin(), query.begin() + 12);
  pointer[2] |= 0x80;
  for (std::uint8_t b : {0xc0, 0x00, 0x00, 0x21, 0x00, 0x01}) pointer.push_back(b);
  EXPECT_FALSE(IsAnswerTo(query, pointer));
}

TEST(IsAnswerToTest, TruncatedBytesNeverMatch) {
  Bytes query = Query("_activa._tcp.corp.example", kSrv);
  Bytes answer = Response("_activa._tcp.corp.example", kSrv).Build();
  for (std::size_t n = 0; n < answer.size(); ++n) {
    EXPECT_FALSE(IsAnswerTo(query, ByteSpan(answer.data(), n))) << n;
    EXPECT_FALSE(IsAnswerTo(ByteSpan(query.data(), n), answer)) << n;
  }
}

TEST(RcodeNameTest, Names) {
  EXPECT_EQ(RcodeName(9), "NOTAUTH");
  EXPECT_EQ(RcodeName(10), "NOTZONE");
  EXPECT_EQ(RcodeName(16), "BADSIG");
  EXPECT_EQ(RcodeName(11), "RCODE 11");
}

}  // namespace
}  // namespace activa::dns
