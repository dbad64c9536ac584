#include "catalog/revocation_list.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/bytes.h"

namespace activa {
namespace json = boost::json;
namespace {

constexpr std::int64_t kFileVersion = 1;
constexpr std::int64_t kBodyVersion = 1;

Status Malformed(const std::string& why) {
  return Status(ResultCode::kInvalidData, "revocation list: " + why);
}

ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

template <std::size_t N>
bool DecodeFixed(std::string_view text, bool base64, std::array<std::uint8_t, N>& out) {
  Bytes raw;
  if (!(base64 ? Base64Decode(text, &raw) : HexDecode(text, &raw)) || raw.size() != N) return false;
  std::copy(raw.begin(), raw.end(), out.begin());
  return true;
}

// Reads list `key` of `body` into `out`: hex key IDs or base64 public keys.
template <std::size_t N>
Status ReadList(const json::object& body, std::string_view key, bool base64,
                std::vector<std::array<std::uint8_t, N>>& out) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || !v->is_array())
    return Malformed("\"" + std::string(key) + "\" is not a list");
  const json::array& a = v->get_array();
  if (a.size() > kMaxRevocationEntries) {
    return Malformed("\"" + std::string(key) + "\" has more than 100000 entries");
  }
  for (const json::value& e : a) {
    std::array<std::uint8_t, N> item{};
    if (!e.is_string() || !DecodeFixed(e.get_string(), base64, item)) {
      return Malformed("an entry of \"" + std::string(key) + "\" is not " +
                       (base64 ? "a base64 public key" : "a hex key ID"));
    }
    out.push_back(item);
  }
  return Status::Ok();
}

bool Int(const json::object& o, std::string_view key, std::int64_t* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_int64()) {
    *out = v->get_int64();
    return true;
  }
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    *out = static_cast<std::int64_t>(v->get_uint64());
    return true;
  }
  return false;
}

std::string_view String(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

Result<RevocationList> BodyFromJson(const json::object& body) {
  if (String(body, "format") != "activa-revocations") {
    return Malformed("the body is not a revocation list");
  }
  std::int64_t version = 0;
  if (!Int(body, "version", &version)) return Malformed("no version");
  if (version != kBodyVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "revocation list: version " + std::to_string(version) + " is not supported");
  }
  RevocationList list;
  std::optional<Uuid> vendor = ParseUuid(String(body, "vendor"));
  if (!vendor) return Malformed("\"vendor\" is not a UUID");
  list.vendor_id = *vendor;
  std::int64_t serial = 0;
  if (!Int(body, "serial", &serial) || serial < 1) {
    return Malformed("\"serial\" is not a number from 1");
  }
  list.serial = static_cast<std::uint64_t>(serial);
  if (!Int(body, "issued", &list.issued)) return Malformed("\"issued\" is not a time");
  ACTIVA_RETURN_IF_ERROR(ReadList(body, "host_keys", false, list.host_keys));
  ACTIVA_RETURN_IF_ERROR(ReadList(body, "host_certificates", true, list.host_certificates));
  ACTIVA_RETURN_IF_ERROR(ReadList(body, "maks", false, list.maks));
  return list;
}

}  // namespace

bool RevocationList::RevokesHost(const PublicKey& host_public_key,
                                 const ProductKeyIdBytes& host_key_id) const {
  return std::find(host_keys.begin(), host_keys.end(), host_key_id) != host_keys.end() ||
         std::find(host_certificates.begin(), host_certificates.end(), host_public_key) !=
             host_certificates.end();
}

bool RevocationList::RevokesMak(const ProductKeyIdBytes& mak_id) const {
  return std::find(maks.begin(), maks.end(), mak_id) != maks.end();
}

std::string SignRevocationList(const RevocationList& list, const SigningKey& key) {
  json::array host_keys, host_certificates, maks;
  for (const auto& id : list.host_keys) host_keys.push_back(json::string(HexEncode(id)));
  for (const auto& k : list.host_certificates) {
    host_certificates.push_back(json::string(Base64Encode(k)));
  }
  for (const auto& id : list.maks) maks.push_back(json::string(HexEncode(id)));
  json::object body{{"format", "activa-revocations"},
                    {"version", kBodyVersion},
                    {"vendor", FormatUuid(list.vendor_id)},
                    {"serial", list.serial},
                    {"issued", list.issued},
                    {"host_keys", std::move(host_keys)},
                    {"host_certificates", std::move(host_certificates)},
                    {"maks", std::move(maks)}};
  std::string text = json::serialize(body);
  Signature sig = key.Sign(kRevocationListContext, AsBytes(text));
  json::object envelope{{"activa_revocations", kFileVersion},
                        {"body", text},
                        {"signature", json::object{{"key_id", HexEncode(key.key_id())},
                                                   {"signature", Base64Encode(sig)}}}};
  return json::serialize(envelope) + "\n";
}

Result<RevocationList> LoadTrustedRevocationList(std::string_view file_text,
                                                 const std::vector<PublicKey>& trusted) {
  json::error_code ec;
  json::value root = json::parse(file_text, ec);
  if (ec) return Malformed("not valid JSON: " + ec.message());
  const json::object* env = root.if_object();
  if (env == nullptr) return Malformed("the file is not a JSON object");
  std::int64_t version = 0;
  if (!Int(*env, "activa_revocations", &version)) return Malformed("not a revocation list file");
  if (version != kFileVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "revocation list: file version " + std::to_string(version) + " is not supported");
  }
  const json::value* body_value = env->if_contains("body");
  const json::value* sig_value = env->if_contains("signature");
  if (body_value == nullptr || !body_value->is_string() || sig_value == nullptr ||
      !sig_value->is_object()) {
    return Malformed("no body or no signature");
  }
  const std::string_view body = body_value->get_string();
  const json::object& so = sig_value->get_object();
  KeyId key_id{};
  Signature sig{};
  if (!DecodeFixed(String(so, "key_id"), false, key_id) ||
      !DecodeFixed(String(so, "signature"), true, sig)) {
    return Malformed("the signature is malformed");
  }
  // The signature first: nothing of an unverified body is read further.
  const PublicKey* signer = nullptr;
  for (const PublicKey& k : trusted) {
    if (KeyIdOf(k) == key_id && Verify(k, kRevocationListContext, AsBytes(body), sig)) {
      signer = &k;
    }
  }
  if (signer == nullptr) {
    return Status(ResultCode::kBadSignature,
                  "revocation list: not signed by a vendor key this machine trusts, or altered");
  }
  json::value body_json = json::parse(body, ec);
  if (ec || !body_json.is_object()) return Malformed("the body is not a JSON object");
  Result<RevocationList> list = BodyFromJson(body_json.get_object());
  if (!list.ok()) return list.status();
  list->signer = *signer;
  return list;
}

}  // namespace activa
