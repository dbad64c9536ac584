#include "clearinghouse_client/https_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace activa::clearinghouse {
namespace {

// A P-256 certificate for localhost; its pin computed independently with
// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`.
constexpr char kCert[] = R"(-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUXonwLhSprp121FZ63YIbh7JVF7IwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTA5NDIzNFoYDzIxMjYxMTA3
MDk0MjM0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASJytJlV2vRBsj49K4RYGCa7jYYIsj8qIIFMEOIEp/IC4lyFrPInz9f
LppzToBG6xIqNo+8qqCdSO6disork0nfo28wbTAdBgNVHQ4EFgQUEJ2rPG+L4J4X
T5u8iUsczKc0YFQwHwYDVR0jBBgwFoAUEJ2rPG+L4J4XT5u8iUsczKc0YFQwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAKnrngalKPeccXUM2TpjXZDstf058bKr3B4RfSznQnZnAiEA
0WZQrdM+PQLk2oS6OkZ3WCIp4tJUUuRdOnuCqsk5I68=
-----END CERTIFICATE-----
)";

TEST(HttpsClientTest, PinIsSha256OfTheSubjectPublicKeyInfo) {
  Result<std::string> pin = SpkiPinOfPem(kCert);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  EXPECT_EQ(*pin, "sha256:82132f19fa78bc06d3ab2b070b6e498ae8fc1e21bfd865a5f8f652695b4e6722");
  EXPECT_EQ(SpkiPinOfPem("not a certificate").status().code(), ResultCode::kInvalidData);
}

// A port on loopback that nothing listens on: bound, never listened.
TEST(HttpsClientTest, ARefusedConnectionIsUnreachableNamingTheStep) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  HttpsOptions o;
  o.server = {"127.0.0.1", ntohs(a.sin_port)};
  Result<HttpsAnswer> r = SendHttps(o, {"GET", "/healthz", ""});
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kClearinghouseUnreachable);
  EXPECT_NE(r.status().message().find("connecting to 127.0.0.1:"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace activa::clearinghouse
