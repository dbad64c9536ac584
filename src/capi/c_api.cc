// The C API (include/activa/activa.h) over the management protocol.
//
// C callers cannot catch C++ exceptions, and an exception crossing an
// extern "C" frame terminates the product. So every entry point either
// cannot throw or runs its body inside Guarded(), which turns anything thrown
// (in practice std::bad_alloc) into ACTIVA_E_INTERNAL.

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <utility>

#include "activa/activa.h"
#include "base/result_code.h"
#include "base/status.h"
#include "base/uuid.h"
#include "capi/license_check.h"
#include "capi/peer_rule.h"
#include "capi/status_message.h"
#include "crypto/signing.h"
#include "management/operations.h"
#include "net/unix_line_client.h"

namespace {

using activa::ResultCode;
using activa::Status;
using activa::capi::LicenseStatus;
using ManagementConnection = activa::net::UnixLineConnection;

// A hung daemon delays the product's start by at most this.
constexpr std::chrono::milliseconds kDefaultTimeout{10000};

activa_result Code(ResultCode code) { return static_cast<activa_result>(code); }

template <typename F>
activa_result Guarded(F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return Code(ResultCode::kInternal);
  }
}

// Connects and makes sure who answers is root or activad's user
// (capi/peer_rule.h) before a byte is sent.
activa::Result<ManagementConnection> Connect(const std::string& path,
                                             std::chrono::milliseconds timeout) {
  activa::Result<ManagementConnection> conn = ManagementConnection::Open(path, timeout);
  if (!conn.ok()) return conn;
  ACTIVA_RETURN_IF_ERROR(
      activa::capi::CheckPeer(conn->peer_uid(), activa::capi::DaemonUser(), path));
  return conn;
}

// activa_open_with_vendor_key's failure in words, per thread: there is no
// client yet to hold it.
thread_local std::string open_error;

}  // namespace

struct activa_client {
  activa::PublicKey vendor_key{};
  std::string path;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  // Empty between a broken connection and the next call, which reconnects.
  std::optional<ManagementConnection> connection;
  std::string last_error;

  activa_result Record(const Status& status) {
    last_error = status.ok() ? std::string() : status.message();
    return Code(status.code());
  }
};

struct activa_license_info {
  LicenseStatus status;
};

extern "C" {

const char* activa_result_message(activa_result result) {
  // The table's texts are string literals, so data() is NUL-terminated.
  return activa::ResultCodeMessage(static_cast<ResultCode>(result)).data();
}

const char* activa_open_error_message(void) { return open_error.c_str(); }

activa_result activa_open_with_vendor_key(const uint8_t vendor_key[ACTIVA_VENDOR_KEY_SIZE],
                                          const char* socket_path, activa_client** out) {
  open_error.clear();
  if (out == nullptr || vendor_key == nullptr) {
    open_error = out == nullptr ? "out is NULL" : "vendor_key is NULL";
    if (out != nullptr) *out = nullptr;
    return Code(ResultCode::kInvalidArgument);
  }
  *out = nullptr;
  return Guarded([&]() -> activa_result {
    activa::InitCrypto();
    std::string path;
    if (socket_path != nullptr) {
      path = socket_path;
    } else {
      path = std::string(activa::management::kDefaultSocketPath);
#ifdef ACTIVA_TEST_CONTROLS
      // Only in test builds: in a product's, an environment variable is one
      // more thing an attacker sets for the product (the peer check would
      // still refuse a socket that is not activad's).
      if (const char* env = std::getenv("ACTIVA_SOCKET"); env != nullptr && *env != '\0') {
        path = env;
      }
#endif
    }
    // Connecting now, not at the first query, lets a product tell "activad
    // is not running" apart from "my product is not installed" at once.
    activa::Result<ManagementConnection> conn = Connect(path, kDefaultTimeout);
    if (!conn.ok()) {
      open_error = conn.status().message();
      return Code(conn.status().code());
    }
    open_error.clear();
    auto* client = new activa_client;
    std::memcpy(client->vendor_key.data(), vendor_key, client->vendor_key.size());
    client->path = std::move(path);
    client->connection.emplace(std::move(conn).value());
    *out = client;
    return Code(ResultCode::kOk);
  });
}

void activa_close(activa_client* client) { delete client; }

activa_result activa_set_timeout(activa_client* client, uint32_t milliseconds) {
  if (client == nullptr) return Code(ResultCode::kInvalidArgument);
  client->timeout = milliseconds == 0 ? kDefaultTimeout : std::chrono::milliseconds(milliseconds);
  client->last_error.clear();
  return Code(ResultCode::kOk);
}

const char* activa_last_error_message(const activa_client* client) {
  return client == nullptr ? "" : client->last_error.c_str();
}

activa_result activa_query_license(activa_client* client, const char* application_id,
                                   const char* sku_id, activa_license_info** out) {
  if (out != nullptr) *out = nullptr;
  if (client == nullptr) return Code(ResultCode::kInvalidArgument);
  client->last_error.clear();
  activa_result result = Guarded([&]() -> activa_result {
    if (out == nullptr) {
      return client->Record(Status(ResultCode::kInvalidArgument, "out is NULL."));
    }
    if (application_id == nullptr || sku_id == nullptr) {
      return client->Record(
          Status(ResultCode::kInvalidArgument, "The application ID and the SKU ID are required."));
    }
    std::optional<activa::Uuid> app = activa::ParseUuid(application_id);
    if (!app) {
      return client->Record(
          Status(ResultCode::kInvalidArgument,
                 "The application ID is not a UUID: " + std::string(application_id)));
    }
    std::optional<activa::Uuid> sku = activa::ParseUuid(sku_id);
    if (!sku) {
      return client->Record(
          Status(ResultCode::kInvalidArgument, "The SKU ID is not a UUID: " + std::string(sku_id)));
    }
    const std::string request = activa::capi::StatusRequestLine(*app, *sku);

    // Two tries at most: the first may find that the daemon dropped the idle
    // connection (it restarted, or closes idle clients); `status` only reads,
    // so sending it again is harmless.
    activa::Result<std::string> reply = Status(ResultCode::kInternal, "not sent");
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool fresh = !client->connection.has_value();
      if (fresh) {
        activa::Result<ManagementConnection> conn = Connect(client->path, client->timeout);
        if (!conn.ok()) return client->Record(conn.status());
        client->connection.emplace(std::move(conn).value());
      }
      reply = client->connection->RoundTrip(request, client->timeout);
      if (reply.ok()) break;
      const bool retry = !fresh && client->connection->closed_by_peer();
      client->connection.reset();
      if (!retry) break;
    }
    if (!reply.ok()) return client->Record(reply.status());

    activa::Result<LicenseStatus> status = activa::capi::ParseStatusReply(*reply);
    if (!status.ok()) {
      // A malformed reply leaves the stream's state in doubt.
      if (status.status().code() == ResultCode::kInvalidData) client->connection.reset();
      return client->Record(status.status());
    }
    // Believed only as far as the proof goes (capi/license_check.h).
    activa::capi::JudgeStatus(*status, client->vendor_key, *app, *sku,
                              static_cast<std::int64_t>(std::time(nullptr)));
    *out = new activa_license_info{std::move(status).value()};
    return client->Record(Status::Ok());
  });
  if (result != Code(ResultCode::kOk) && client->last_error.empty()) {
    // Guarded() caught an exception before the failure was recorded. The
    // standard text is a literal; assigning it may still fail for lack of
    // memory, which leaves the message empty.
    try {
      client->last_error = activa_result_message(result);
    } catch (...) {
    }
  }
  return result;
}

void activa_license_info_free(activa_license_info* info) { delete info; }

int activa_license_state(const activa_license_info* info) {
  return info == nullptr ? ACTIVA_STATE_UNLICENSED : info->status.state;
}

int activa_license_is_usable(const activa_license_info* info) {
  if (info == nullptr) return 0;
  switch (info->status.state) {
    case ACTIVA_STATE_LICENSED:
    case ACTIVA_STATE_INITIAL_GRACE:
    case ACTIVA_STATE_OOT_GRACE:
    case ACTIVA_STATE_NON_GENUINE_GRACE:
    case ACTIVA_STATE_EXTENDED_GRACE:
      return 1;
    default:
      return 0;
  }
}

uint32_t activa_license_minutes_left(const activa_license_info* info) {
  return info == nullptr ? 0 : info->status.minutes_left;
}

int activa_license_days_left(const activa_license_info* info) {
  constexpr std::uint32_t kMinutesPerDay = 24 * 60;
  return info == nullptr ? 0 : static_cast<int>(info->status.minutes_left / kMinutesPerDay);
}

activa_result activa_license_last_result(const activa_license_info* info) {
  return info == nullptr ? Code(ResultCode::kInvalidArgument) : info->status.last_result;
}

const char* activa_license_last_result_message(const activa_license_info* info) {
  return info == nullptr ? "" : info->status.last_result_text.c_str();
}

activa_result activa_license_verification(const activa_license_info* info) {
  return info == nullptr ? Code(ResultCode::kInvalidArgument) : Code(info->status.verification);
}

const char* activa_license_verification_message(const activa_license_info* info) {
  if (info == nullptr) return "";
  return info->status.verification_text.empty()
             ? activa_result_message(Code(info->status.verification))
             : info->status.verification_text.c_str();
}

const char* activa_license_product_name(const activa_license_info* info) {
  return info == nullptr ? "" : info->status.name.c_str();
}

}  // extern "C"
