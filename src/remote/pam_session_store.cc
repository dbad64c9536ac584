#include "remote/pam_session_store.h"

#include <security/pam_appl.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>

#include "base/bytes.h"
#include "base/event.h"
#include "crypto/signing.h"
#include "remote/admin_rule.h"
#include "remote/login_throttle.h"

namespace activa::remote {
namespace asio = boost::asio;
namespace {

struct Conversation {
  const std::string* user;
  const std::string* password;
};

// Answers PAM's prompts: the password for a hidden prompt, the user name
// for a visible one; messages are dropped (there is nobody to show them to).
int Converse(int n, const pam_message** messages, pam_response** responses, void* data) {
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  const auto* c = static_cast<const Conversation*>(data);
  auto* out =
      static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    const char* answer = nullptr;
    if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF) answer = c->password->c_str();
    if (messages[i]->msg_style == PAM_PROMPT_ECHO_ON) answer = c->user->c_str();
    if (answer == nullptr) continue;
    out[i].resp = ::strdup(answer);
    if (out[i].resp == nullptr) {
      for (int j = 0; j < i; ++j) {
        if (out[j].resp != nullptr) {
          sodium_memzero(out[j].resp, std::strlen(out[j].resp));
          std::free(out[j].resp);
        }
      }
      std::free(out);
      return PAM_BUF_ERR;
    }
  }
  *responses = out;
  return PAM_SUCCESS;
}

// PAM's own failure delay (pam_unix's two seconds) would hold a worker
// thread for every wrong guess; the LoginThrottle delays on the event
// loop's timer instead, growing per source and user.
void NoFailDelay(int, unsigned, void*) {}

bool HasPamConfig(const std::string& service) {
  std::error_code ec;
  return std::filesystem::exists("/etc/pam.d/" + service, ec) ||
         std::filesystem::exists("/usr/lib/pam.d/" + service, ec) ||
         std::filesystem::exists("/etc/pam.conf", ec);
}

// pam_unix checks another user's password only when it can read
// /etc/shadow: as root, or with the group shadow (its helper unix_chkpwd
// checks the caller's own password only).
bool CannotReadShadow() {
  return ::geteuid() != 0 && std::filesystem::exists("/etc/shadow") &&
         ::access("/etc/shadow", R_OK) != 0;
}

// Escapes what a log line must not carry from an untrusted user name.
std::string Printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 256)) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string RandomHex() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string hex = HexEncode(ByteSpan(bytes, sizeof bytes));
  sodium_memzero(bytes, sizeof bytes);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return hex;
}

// Sessions are found by a hash of their token, so a lookup's timing tells
// nothing about the token; the token itself is then compared in constant
// time.
std::string TokenKey(std::string_view token) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::int64_t SteadySeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Authenticator PamAuthenticator(std::string service) {
  return [service = std::move(service)](const std::string& user,
                                        const std::string& password) -> Result<Identity> {
    if (!HasPamConfig(service)) {
      return Status(ResultCode::kLoginUnavailable,
                    "this machine has no PAM configuration for the service \"" + service +
                        "\": install /etc/pam.d/" + service + " (see docs/remote.md)");
    }
    Conversation data{&user, &password};
    pam_conv conv{&Converse, &data};
    pam_handle_t* handle = nullptr;
    int rc = ::pam_start(service.c_str(), user.c_str(), &conv, &handle);
    if (rc != PAM_SUCCESS) {
      return Status(ResultCode::kLoginUnavailable,
                    std::string("PAM could not start: ") + ::pam_strerror(handle, rc));
    }
    ::pam_set_item(handle, PAM_FAIL_DELAY, reinterpret_cast<const void*>(&NoFailDelay));
    rc = ::pam_authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    bool account_step = false;
    if (rc == PAM_SUCCESS) {
      account_step = true;
      rc = ::pam_acct_mgmt(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    }
    std::string why = ::pam_strerror(handle, rc);
    ::pam_end(handle, rc);
    if (rc == PAM_SUCCESS) {
      Identity id;
      id.admin = IsAdminUser(user, &id.uid);
      return id;
    }
    switch (rc) {
      case PAM_AUTH_ERR:
      case PAM_USER_UNKNOWN:
      case PAM_MAXTRIES:
      case PAM_CRED_INSUFFICIENT:
        if (CannotReadShadow()) {
          return Status(ResultCode::kLoginUnavailable,
                        "activad (uid " + std::to_string(::geteuid()) +
                            ") cannot read /etc/shadow, so PAM cannot check the password; give "
                            "the service the supplementary group shadow "
                            "(SupplementaryGroups=shadow, see docs/remote.md)");
        }
        return Status(ResultCode::kLogonFailure, "the user name or password is incorrect");
      case PAM_ACCT_EXPIRED:
      case PAM_NEW_AUTHTOK_REQD:
      case PAM_PERM_DENIED:
        if (account_step) {
          return Status(ResultCode::kLogonFailure,
                        "the account may not log in now (PAM account check: " + why + ")");
        }
        return Status(ResultCode::kLogonFailure, "the user name or password is incorrect");
      default:
        return Status(ResultCode::kLoginUnavailable, "PAM failed: " + why);
    }
  };
}

struct PamSessionStore::Impl {
  Impl(asio::io_context& i, Options o, Authenticator a, EventLog l, Now n)
      : io(i), options(o), authenticate(std::move(a)), log(std::move(l)), now(std::move(n)) {}

  void Finish(const std::string& user, const std::string& source, Result<Identity> outcome,
              const std::function<void(Result<http::Session>)>& done);
  void Evict();

  asio::io_context& io;
  Options options;
  Authenticator authenticate;
  EventLog log;
  Now now;
  // Two threads: a slow PAM module (LDAP, a network check) holds up one
  // login, not all.
  asio::thread_pool pool{2};
  LoginThrottle throttle;
  struct Entry {
    http::Session session;
    std::int64_t last_used = 0;
  };
  std::map<std::string, Entry> sessions;  // by TokenKey
  bool stopped = false;
};

void PamSessionStore::Impl::Finish(const std::string& user, const std::string& source,
                                   Result<Identity> outcome,
                                   const std::function<void(Result<http::Session>)>& done) {
  if (!outcome.ok()) {
    throttle.Failed(source, user, now());
    log(kEventRemoteLoginFailed, "remote login failed: user \"" + Printable(user) + "\" from " +
                                     source + ": " + outcome.status().message());
    done(outcome.status());
    return;
  }
  throttle.Succeeded(source, user);
  Evict();
  http::Session s;
  s.token = RandomHex();
  s.csrf_token = RandomHex();
  s.peer.admin = outcome->admin;
  s.peer.uid = outcome->uid;
  s.peer.user = user;
  s.peer.source = source;
  sessions[TokenKey(s.token)] = Entry{s, now()};
  done(std::move(s));
}

void PamSessionStore::Impl::Evict() {
  const std::int64_t t = now();
  for (auto it = sessions.begin(); it != sessions.end();) {
    it = t - it->second.last_used > options.idle_seconds ? sessions.erase(it) : std::next(it);
  }
  while (sessions.size() >= options.max_sessions) {
    auto oldest = sessions.begin();
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    sessions.erase(oldest);
  }
}

PamSessionStore::PamSessionStore(asio::io_context& io, Options options, Authenticator authenticate,
                                 EventLog log, Now now) {
  if (sodium_init() < 0) std::abort();  // no randomness: no tokens
  if (!now) now = SteadySeconds;
  impl_ =
      std::make_shared<Impl>(io, options, std::move(authenticate), std::move(log), std::move(now));
}

PamSessionStore::~PamSessionStore() {
  impl_->stopped = true;
  impl_->pool.join();
}

int PamSessionStore::idle_seconds() const { return impl_->options.idle_seconds; }

void PamSessionStore::Login(const std::string& user, const std::string& password,
                            const std::string& source,
                            std::function<void(Result<http::Session>)> done) {
  std::shared_ptr<Impl> self = impl_;
  const int delay = self->throttle.Begin(source, user, self->now());
  auto timer = std::make_shared<asio::steady_timer>(self->io, std::chrono::seconds(delay));
  // The password lives here until the check, then is wiped.
  auto secret = std::make_shared<std::string>(password);
  timer->async_wait([self, timer, user, source, secret,
                     done = std::move(done)](const boost::system::error_code&) mutable {
    if (self->stopped) return;
    asio::post(self->pool, [self, user, source, secret, done = std::move(done)]() mutable {
      Result<Identity> outcome = self->authenticate(user, *secret);
      sodium_memzero(secret->data(), secret->size());
      asio::post(self->io, [self, user, source, outcome = std::move(outcome),
                            done = std::move(done)]() mutable {
        if (self->stopped) return;
        self->Finish(user, source, std::move(outcome), done);
      });
    });
  });
}

std::optional<http::Session> PamSessionStore::Find(std::string_view token) {
  if (token.size() != 64) return std::nullopt;
  auto it = impl_->sessions.find(TokenKey(token));
  if (it == impl_->sessions.end()) return std::nullopt;
  const std::string& known = it->second.session.token;
  if (!ConstantTimeEqual(known, token)) return std::nullopt;
  const std::int64_t t = impl_->now();
  if (t - it->second.last_used > impl_->options.idle_seconds) {
    impl_->sessions.erase(it);
    return std::nullopt;
  }
  it->second.last_used = t;
  return it->second.session;
}

void PamSessionStore::Logout(std::string_view token) {
  if (Find(token)) impl_->sessions.erase(TokenKey(token));
}

}  // namespace activa::remote
