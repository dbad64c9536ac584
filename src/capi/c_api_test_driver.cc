// Runs the C tests of c_api_test.c against a fake activad: a thread that
// answers `status` requests on a Unix socket in a temporary folder with
// canned replies, some of them broken on purpose.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "activa/activa.h"
#include "base/result_code.h"
#include "capi/c_api_test.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace activa::capi {
namespace {

namespace json = boost::json;

// The C macros are the numbers of result_code.h, one for one.
static_assert(ACTIVA_OK == static_cast<uint32_t>(ResultCode::kOk));
static_assert(ACTIVA_E_GRACE_EXPIRED == static_cast<uint32_t>(ResultCode::kGraceExpired));
static_assert(ACTIVA_E_COUNT_INSUFFICIENT == static_cast<uint32_t>(ResultCode::kCountInsufficient));
static_assert(ACTIVA_E_HOST_NOT_ACTIVATED == static_cast<uint32_t>(ResultCode::kHostNotActivated));
static_assert(ACTIVA_E_EDITION_NOT_COVERED ==
              static_cast<uint32_t>(ResultCode::kEditionNotCovered));
static_assert(ACTIVA_E_INVALID_KEY == static_cast<uint32_t>(ResultCode::kInvalidKey));
static_assert(ACTIVA_E_CLOCK_SKEW == static_cast<uint32_t>(ResultCode::kClockSkew));
static_assert(ACTIVA_E_NO_HOST_REACHABLE == static_cast<uint32_t>(ResultCode::kNoHostReachable));
static_assert(ACTIVA_E_KEY_OVER_LIMIT == static_cast<uint32_t>(ResultCode::kKeyOverLimit));
static_assert(ACTIVA_E_NO_REARMS_LEFT == static_cast<uint32_t>(ResultCode::kNoRearmsLeft));
static_assert(ACTIVA_E_ACCESS_DENIED == static_cast<uint32_t>(ResultCode::kAccessDenied));
static_assert(ACTIVA_E_FILE_NOT_FOUND == static_cast<uint32_t>(ResultCode::kFileNotFound));
static_assert(ACTIVA_E_INVALID_DATA == static_cast<uint32_t>(ResultCode::kInvalidData));
static_assert(ACTIVA_E_FILE_EXISTS == static_cast<uint32_t>(ResultCode::kFileExists));
static_assert(ACTIVA_E_INVALID_ARGUMENT == static_cast<uint32_t>(ResultCode::kInvalidArgument));
static_assert(ACTIVA_E_INTERNAL == static_cast<uint32_t>(ResultCode::kInternal));
static_assert(ACTIVA_E_BAD_SIGNATURE == static_cast<uint32_t>(ResultCode::kBadSignature));
static_assert(ACTIVA_E_UNSUPPORTED_VERSION ==
              static_cast<uint32_t>(ResultCode::kUnsupportedVersion));
static_assert(ACTIVA_E_FRAME_TOO_LARGE == static_cast<uint32_t>(ResultCode::kFrameTooLarge));
static_assert(ACTIVA_E_KEY_REVOKED == static_cast<uint32_t>(ResultCode::kKeyRevoked));
static_assert(ACTIVA_E_STORAGE == static_cast<uint32_t>(ResultCode::kStorage));
static_assert(ACTIVA_E_WRONG_KEY_KIND == static_cast<uint32_t>(ResultCode::kWrongKeyKind));
static_assert(ACTIVA_E_NOT_FOUND == static_cast<uint32_t>(ResultCode::kNotFound));
static_assert(ACTIVA_E_THRESHOLD_MISMATCH == static_cast<uint32_t>(ResultCode::kThresholdMismatch));
static_assert(ACTIVA_E_CERTIFICATE_EXPIRED ==
              static_cast<uint32_t>(ResultCode::kCertificateExpired));
static_assert(ACTIVA_E_TOO_MANY_NEW_CLIENTS ==
              static_cast<uint32_t>(ResultCode::kTooManyNewClients));
static_assert(ACTIVA_E_PROOF_MISSING == static_cast<uint32_t>(ResultCode::kProofMissing));
static_assert(ACTIVA_E_OTHER_MACHINE == static_cast<uint32_t>(ResultCode::kOtherMachine));
static_assert(ACTIVA_E_PROOF_EXPIRED == static_cast<uint32_t>(ResultCode::kProofExpired));
static_assert(ACTIVA_E_UNTRUSTED_SERVICE == static_cast<uint32_t>(ResultCode::kUntrustedService));
static_assert(ACTIVA_GRACE_UNVERIFIED == static_cast<uint32_t>(ResultCode::kGraceUnverified));

std::string Product(int state, std::uint32_t minutes, std::uint32_t last_result,
                    const char* last_result_text, const char* name) {
  // The C API reads only the status fields; the activation ID must still be
  // a UUID, as the codec checks every field it knows.
  json::object product{{"activation_id", "0f8c2d9e-1b7a-4c3e-9d2f-5a6b7c8d9e0f"},
                       {"application_id", CTEST_APP},
                       {"license_status", state},
                       {"minutes_left", minutes},
                       {"last_result", last_result},
                       {"rearms_left", 3},
                       {"kms", {{"configured", nullptr}, {"host_caching", true}}}};
  if (last_result_text != nullptr) product["last_result_text"] = last_result_text;
  if (name != nullptr) product["name"] = name;
  return json::serialize(json::object{{"result", 0},
                                      {"message", "The operation completed successfully."},
                                      {"product", product}}) +
         "\n";
}

// A fake activad on a Unix socket: one thread accepts, one thread per
// connection answers lines until the peer closes or the fake stops.
class FakeActivad {
 public:
  explicit FakeActivad(const std::string& path) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 8) != 0 || ::pipe2(stop_, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "fake activad cannot listen on " << path << ": " << std::strerror(errno);
      return;
    }
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~FakeActivad() {
    if (stop_[1] >= 0) ::close(stop_[1]);  // wakes every poll() below
    if (acceptor_.joinable()) acceptor_.join();
    for (std::thread& t : handlers_) t.join();
    if (stop_[0] >= 0) ::close(stop_[0]);
    ::close(listen_fd_);
  }

  void set_close_after_reply(bool on) { close_after_reply_ = on; }
  int connections() const { return connections_; }
  std::vector<json::object> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  enum class Action { kSend, kHang, kClose };

  // Waits until `fd` is readable; false when the fake is stopping.
  bool Wait(int fd) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    while (::poll(p, 2, -1) < 0) {
    }
    return (p[1].revents == 0);
  }

  void Accept() {
    while (Wait(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      handlers_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    while (Wait(fd)) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buffer.append(chunk, n);
      std::size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        std::string reply;
        switch (Answer(line, &reply)) {
          case Action::kClose:
            return;
          case Action::kHang:
            while (Wait(fd) && ::recv(fd, chunk, sizeof chunk, 0) > 0) {
            }
            return;
          case Action::kSend:
            if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(reply.size())) {
              return;
            }
            if (close_after_reply_) return;
        }
      }
    }
  }

  Action Answer(const std::string& line, std::string* reply) {
    json::error_code ec;
    json::value request = json::parse(line, ec);
    if (ec || !request.is_object()) {
      *reply = R"({"result":2147942413,"message":"The data is malformed."})"
               "\n";
      return Action::kSend;
    }
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request.as_object());
    }
    const json::value* sku_value = request.as_object().if_contains("sku_id");
    std::string sku = sku_value && sku_value->is_string() ? sku_value->as_string().c_str() : "";
    if (sku == CTEST_SKU_GRACE) {
      *reply = Product(2, 43200, 0xC004F074, "No activation host could be contacted.",
                       "Example Suite Professional");
    } else if (sku == CTEST_SKU_LICENSED) {
      *reply = Product(1, 258000, 0, "The operation completed successfully.",
                       "Example Suite Professional");
    } else if (sku == CTEST_SKU_NOTIFICATION) {
      *reply = Product(5, 0, 0xC004F009, nullptr, nullptr);
    } else if (sku == CTEST_SKU_GARBAGE) {
      *reply = "this is not JSON\n";
    } else if (sku == CTEST_SKU_HUGE) {
      *reply = R"({"result":0,"message":")" + std::string(70000, 'x') + "\"}\n";
    } else if (sku == CTEST_SKU_MISSING_FIELD) {
      *reply = R"({"result":0,"message":"ok","product":{"license_status":1,"last_result":0}})"
               "\n";
    } else if (sku == CTEST_SKU_BAD_STATE) {
      *reply = Product(9, 0, 0, "", "");
    } else if (sku == CTEST_SKU_TWO_LINES) {
      *reply = Product(1, 1, 0, "", "") + Product(1, 1, 0, "", "");
    } else if (sku == CTEST_SKU_NOT_OBJECT) {
      *reply = "[0, \"ok\"]\n";
    } else if (sku == CTEST_SKU_HANG) {
      return Action::kHang;
    } else if (sku == CTEST_SKU_CLOSE) {
      return Action::kClose;
    } else {
      *reply = json::serialize(
                   json::object{{"result", 0xC0AC0007u}, {"message", CTEST_NOT_FOUND_MESSAGE}}) +
               "\n";
    }
    return Action::kSend;
  }

  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  std::thread acceptor_;
  std::vector<std::thread> handlers_;  // touched by acceptor_, then joined
  std::atomic<int> connections_{0};
  std::atomic<bool> close_after_reply_{false};
  mutable std::mutex mu_;
  std::vector<json::object> requests_;
};

class CApiTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string path_ = dir_ / "activad.sock";
  FakeActivad daemon_{path_};
};

TEST_F(CApiTest, QueryGracePeriod) {
  EXPECT_EQ(0, c_test_query_grace_period(path_.c_str()));
  std::vector<json::object> requests = daemon_.requests();
  ASSERT_EQ(1u, requests.size());
  EXPECT_EQ(json::value("status"), requests[0].at("op"));
  // Sent in lower case although the product passed upper case in braces.
  EXPECT_EQ(json::value(CTEST_APP), requests[0].at("application_id"));
  EXPECT_EQ(json::value(CTEST_SKU_GRACE), requests[0].at("sku_id"));
}

TEST_F(CApiTest, SeveralProductsOneClient) {
  EXPECT_EQ(0, c_test_several_products_one_client(path_.c_str()));
  EXPECT_EQ(2u, daemon_.requests().size());
  EXPECT_EQ(1, daemon_.connections());  // one connection carries both
}

TEST_F(CApiTest, UnknownProduct) { EXPECT_EQ(0, c_test_unknown_product(path_.c_str())); }

TEST_F(CApiTest, NullAndBadArguments) {
  EXPECT_EQ(0, c_test_null_and_bad_arguments(path_.c_str()));
  EXPECT_TRUE(daemon_.requests().empty());  // nothing invalid reaches the daemon
}

TEST_F(CApiTest, NoDaemon) {
  // A socket file with nobody listening: bound, never listened on.
  std::string refused = dir_ / "stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, refused.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  ::close(fd);
  EXPECT_EQ(0, c_test_no_daemon((dir_ / "missing.sock").c_str(), refused.c_str()));
}

TEST_F(CApiTest, MalformedReplies) { EXPECT_EQ(0, c_test_malformed_replies(path_.c_str())); }

TEST_F(CApiTest, TimeoutAndDroppedConnection) {
  EXPECT_EQ(0, c_test_timeout_and_dropped_connection(path_.c_str()));
}

TEST_F(CApiTest, ReconnectsAfterDaemonCloses) {
  daemon_.set_close_after_reply(true);
  EXPECT_EQ(0, c_test_reconnects_after_daemon_closes(path_.c_str()));
  EXPECT_EQ(3u, daemon_.requests().size());
  EXPECT_EQ(3, daemon_.connections());
}

TEST_F(CApiTest, SocketFromEnvironment) {
  EXPECT_EQ(0, c_test_socket_from_environment(path_.c_str()));
}

TEST(CApiMessages, ResultMessagesAreSlmgrs) {
  EXPECT_EQ(0, c_test_result_messages());
  EXPECT_STREQ(std::string(ResultCodeMessage(ResultCode::kKeyRevoked)).c_str(),
               activa_result_message(ACTIVA_E_KEY_REVOKED));
}

}  // namespace
}  // namespace activa::capi
