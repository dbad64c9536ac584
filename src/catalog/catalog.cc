#include "catalog/catalog.h"

#include <boost/json.hpp>
#include <set>

namespace activa {
namespace json = boost::json;
namespace {

constexpr std::int64_t kFormatVersion = 1;

Status Malformed(const std::string& what) {
  return Status(ResultCode::kInvalidData, "catalog: " + what);
}

// Field readers over untrusted JSON: each names the field it wanted.
struct Reader {
  const json::object& obj;
  std::string where;
  Status status;

  const json::value* Get(std::string_view key) {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr && status.ok())
      status = Malformed(where + ": missing \"" + std::string(key) + "\"");
    return v;
  }
  std::string String(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      if (status.ok()) status = Malformed(where + ": \"" + std::string(key) + "\" is not a string");
      return {};
    }
    return std::string(v->as_string());
  }
  std::int64_t Int(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return 0;
    if (!v->is_int64()) {
      if (status.ok())
        status = Malformed(where + ": \"" + std::string(key) + "\" is not an integer");
      return 0;
    }
    return v->as_int64();
  }
  Uuid Id(std::string_view key) {
    std::string text = String(key);
    if (!status.ok()) return {};
    std::optional<Uuid> id = ParseUuid(text);
    if (!id) {
      status = Malformed(where + ": \"" + std::string(key) + "\" is not a UUID: " + text);
      return {};
    }
    return *id;
  }
  const json::array* Array(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      if (status.ok()) status = Malformed(where + ": \"" + std::string(key) + "\" is not an array");
      return nullptr;
    }
    return &v->as_array();
  }
};

// "sha256:" and 64 lower-case hex digits (docs/catalog.md).
bool IsWellFormedPin(std::string_view pin) {
  if (pin.size() != 7 + 64 || !pin.starts_with("sha256:")) return false;
  for (char ch : pin.substr(7)) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

const json::object* AsObject(const json::value& v) {
  return v.is_object() ? &v.as_object() : nullptr;
}

std::string_view KindName(EditionKind k) { return k == EditionKind::kServer ? "server" : "client"; }

json::value BodyToJson(const Catalog& c) {
  json::array keys;
  for (const PublicKey& k : c.vendor_keys) {
    keys.push_back(
        json::object{{"key_id", HexEncode(KeyIdOf(k))}, {"public_key", Base64Encode(k)}});
  }
  json::array apps;
  for (const Application& a : c.applications) {
    apps.push_back(json::object{{"id", FormatUuid(a.id)}, {"name", a.name}});
  }
  json::array editions;
  for (const Edition& e : c.editions) {
    editions.push_back(json::object{{"id", FormatUuid(e.id)},
                                    {"application", FormatUuid(e.application_id)},
                                    {"name", e.name},
                                    {"kind", KindName(e.kind)},
                                    {"threshold", e.threshold},
                                    {"code", e.code},
                                    {"setup_key", e.setup_key}});
  }
  json::array groups;
  for (const ProductGroup& g : c.groups) {
    json::array members;
    for (const Uuid& e : g.editions) members.push_back(json::string(FormatUuid(e)));
    groups.push_back(json::object{
        {"id", FormatUuid(g.id)}, {"name", g.name}, {"code", g.code}, {"editions", members}});
  }
  json::object vendor{{"id", FormatUuid(c.vendor_id)},
                      {"name", c.vendor_name},
                      {"clearinghouse", c.clearinghouse_url}};
  // Only when there are pins: a catalog without them stays byte for byte
  // what older versions wrote.
  if (!c.clearinghouse_pins.empty()) {
    json::array pins;
    for (const std::string& p : c.clearinghouse_pins) pins.push_back(json::string(p));
    vendor["clearinghouse_pins"] = std::move(pins);
  }
  return json::object{{"format", "activa-catalog"},
                      {"version", kFormatVersion},
                      {"vendor", std::move(vendor)},
                      {"issued", c.issued},
                      {"keys", keys},
                      {"applications", apps},
                      {"editions", editions},
                      {"groups", groups}};
}

Result<Catalog> BodyFromJson(const json::value& root) {
  const json::object* obj = AsObject(root);
  if (obj == nullptr) return Malformed("body is not a JSON object");
  Reader r{*obj, "body", {}};
  Catalog c;
  if (r.String("format") != "activa-catalog" && r.status.ok()) {
    return Malformed("body: \"format\" is not \"activa-catalog\"");
  }
  std::int64_t version = r.Int("version");
  if (r.status.ok() && version != kFormatVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "catalog: format version " + std::to_string(version) + " is not supported");
  }
  c.issued = r.Int("issued");
  if (const json::value* vendor = r.Get("vendor")) {
    const json::object* vo = AsObject(*vendor);
    if (vo == nullptr) return Malformed("body: \"vendor\" is not an object");
    Reader vr{*vo, "vendor", {}};
    c.vendor_id = vr.Id("id");
    c.vendor_name = vr.String("name");
    c.clearinghouse_url = vr.String("clearinghouse");
    ACTIVA_RETURN_IF_ERROR(vr.status);
    // Optional: catalogs from before the clearinghouse have none.
    if (const json::value* pins = vo->if_contains("clearinghouse_pins")) {
      if (!pins->is_array()) return Malformed("vendor: \"clearinghouse_pins\" is not an array");
      std::size_t i = 0;
      for (const json::value& p : pins->as_array()) {
        std::string where = "vendor: \"clearinghouse_pins\"[" + std::to_string(i++) + "]";
        if (!p.is_string() || !IsWellFormedPin(p.as_string())) {
          return Malformed(where + " is not \"sha256:\" and 64 lower-case hex digits");
        }
        c.clearinghouse_pins.emplace_back(p.as_string());
      }
    }
  }
  ACTIVA_RETURN_IF_ERROR(r.status);

  auto each = [&](std::string_view key, auto&& fn) -> Status {
    const json::array* arr = r.Array(key);
    if (arr == nullptr) return r.status;
    std::size_t i = 0;
    for (const json::value& v : *arr) {
      std::string where = std::string(key) + "[" + std::to_string(i++) + "]";
      const json::object* o = AsObject(v);
      if (o == nullptr) return Malformed(where + " is not an object");
      Reader er{*o, where, {}};
      fn(er);
      ACTIVA_RETURN_IF_ERROR(er.status);
    }
    return Status::Ok();
  };

  ACTIVA_RETURN_IF_ERROR(each("keys", [&](Reader& kr) {
    std::string b64 = kr.String("public_key");
    std::string id_hex = kr.String("key_id");
    if (!kr.status.ok()) return;
    Bytes raw;
    if (!Base64Decode(b64, &raw) || raw.size() != 32) {
      kr.status = Malformed(kr.where + ": \"public_key\" is not a 32-byte base64 key");
      return;
    }
    PublicKey key;
    std::copy(raw.begin(), raw.end(), key.begin());
    if (HexEncode(KeyIdOf(key)) != id_hex) {
      kr.status = Malformed(kr.where + ": \"key_id\" does not match the public key");
      return;
    }
    c.vendor_keys.push_back(key);
  }));
  ACTIVA_RETURN_IF_ERROR(each("applications", [&](Reader& ar) {
    Application a;
    a.id = ar.Id("id");
    a.name = ar.String("name");
    c.applications.push_back(std::move(a));
  }));
  ACTIVA_RETURN_IF_ERROR(each("editions", [&](Reader& er) {
    Edition e;
    e.id = er.Id("id");
    e.application_id = er.Id("application");
    e.name = er.String("name");
    std::string kind = er.String("kind");
    if (er.status.ok() && kind != "client" && kind != "server") {
      er.status = Malformed(er.where + ": \"kind\" must be \"client\" or \"server\"");
    }
    e.kind = kind == "server" ? EditionKind::kServer : EditionKind::kClient;
    std::int64_t threshold = er.Int("threshold");
    std::int64_t code = er.Int("code");
    if (er.status.ok() && (threshold < 1 || threshold > 1000)) {
      er.status = Malformed(er.where + ": \"threshold\" must be 1..1000");
    }
    if (er.status.ok() && (code < 0 || code > 4095)) {
      er.status = Malformed(er.where + ": \"code\" must be 0..4095");
    }
    e.threshold = static_cast<int>(threshold);
    e.code = static_cast<std::uint16_t>(code);
    e.setup_key = er.String("setup_key");
    c.editions.push_back(std::move(e));
  }));
  ACTIVA_RETURN_IF_ERROR(each("groups", [&](Reader& gr) {
    ProductGroup g;
    g.id = gr.Id("id");
    g.name = gr.String("name");
    std::int64_t code = gr.Int("code");
    if (gr.status.ok() && (code < 0 || code > 4095)) {
      gr.status = Malformed(gr.where + ": \"code\" must be 0..4095");
    }
    g.code = static_cast<std::uint16_t>(code);
    const json::array* members = gr.Array("editions");
    if (members == nullptr) return;
    for (const json::value& m : *members) {
      std::optional<Uuid> id = m.is_string() ? ParseUuid(m.as_string()) : std::nullopt;
      if (!id) {
        gr.status = Malformed(gr.where + ": \"editions\" holds something that is not a UUID");
        return;
      }
      g.editions.push_back(*id);
    }
    c.groups.push_back(std::move(g));
  }));
  ACTIVA_RETURN_IF_ERROR(ValidateCatalog(c));
  return c;
}

}  // namespace

const Edition* Catalog::FindEdition(const Uuid& sku) const {
  for (const Edition& e : editions) {
    if (e.id == sku) return &e;
  }
  return nullptr;
}

const Edition* Catalog::FindEditionByCode(std::uint16_t code) const {
  for (const Edition& e : editions) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

const Edition* Catalog::FindEditionByName(std::string_view name) const {
  for (const Edition& e : editions) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const ProductGroup* Catalog::FindGroupByCode(std::uint16_t code) const {
  for (const ProductGroup& g : groups) {
    if (g.code == code) return &g;
  }
  return nullptr;
}

const ProductGroup* Catalog::FindGroupByName(std::string_view name) const {
  for (const ProductGroup& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

const Application* Catalog::FindApplication(const Uuid& id) const {
  for (const Application& a : applications) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

bool Catalog::GroupCovers(std::uint16_t group_code, const Uuid& sku) const {
  const ProductGroup* g = FindGroupByCode(group_code);
  if (g == nullptr) return false;
  for (const Uuid& e : g->editions) {
    if (e == sku) return true;
  }
  return false;
}

std::uint16_t Catalog::vendor_tag() const {
  if (vendor_keys.empty()) return 0;
  KeyId id = KeyIdOf(vendor_keys.front());
  return static_cast<std::uint16_t>(id[0] << 8 | id[1]);
}

std::uint16_t ItemCode(const Uuid& id) {
  Bytes m;
  constexpr std::string_view kContext = "activa/item-code/v1";
  m.insert(m.end(), kContext.begin(), kContext.end());
  m.push_back(0);
  m.insert(m.end(), id.begin(), id.end());
  std::array<std::uint8_t, 16> h;
  Blake2b(h, m);
  return static_cast<std::uint16_t>((h[0] << 4) | (h[1] >> 4));
}

Status ValidateCatalog(const Catalog& c) {
  if (c.vendor_keys.empty()) return Malformed("no vendor keys");
  if (c.vendor_name.empty()) return Malformed("the vendor has no name");
  std::set<Uuid> ids;
  std::set<std::string> names;
  for (const Application& a : c.applications) {
    if (!ids.insert(a.id).second) return Malformed("ID " + FormatUuid(a.id) + " is used twice");
    if (a.name.empty()) return Malformed("an application has no name");
  }
  std::set<std::uint16_t> edition_codes;
  for (const Edition& e : c.editions) {
    if (!ids.insert(e.id).second) return Malformed("ID " + FormatUuid(e.id) + " is used twice");
    if (e.name.empty() || !names.insert(e.name).second) {
      return Malformed("edition name \"" + e.name + "\" is empty or used twice");
    }
    if (c.FindApplication(e.application_id) == nullptr) {
      return Malformed("edition \"" + e.name + "\" names an unknown application");
    }
    if (e.threshold < 1 || e.threshold > 1000) {
      return Malformed("edition \"" + e.name + "\": threshold must be 1..1000");
    }
    if (!edition_codes.insert(e.code).second) {
      return Malformed("edition \"" + e.name + "\" has the same key code as another edition; " +
                       "give it a new ID");
    }
  }
  std::set<std::uint16_t> group_codes;
  std::set<std::string> group_names;
  for (const ProductGroup& g : c.groups) {
    if (!ids.insert(g.id).second) return Malformed("ID " + FormatUuid(g.id) + " is used twice");
    if (g.name.empty() || !group_names.insert(g.name).second) {
      return Malformed("group name \"" + g.name + "\" is empty or used twice");
    }
    if (!group_codes.insert(g.code).second) {
      return Malformed("group \"" + g.name + "\" has the same key code as another group; " +
                       "give it a new ID");
    }
    if (g.editions.empty()) return Malformed("group \"" + g.name + "\" covers no edition");
    for (const Uuid& e : g.editions) {
      if (c.FindEdition(e) == nullptr) {
        return Malformed("group \"" + g.name + "\" names unknown edition " + FormatUuid(e));
      }
    }
  }
  return Status::Ok();
}

Result<std::string> SignCatalog(const Catalog& catalog, const SigningKey& key) {
  ACTIVA_RETURN_IF_ERROR(ValidateCatalog(catalog));
  if (catalog.vendor_keys.front() != key.public_key()) {
    return Status(ResultCode::kInvalidArgument,
                  "catalog: the signing key is not the catalog's first vendor key");
  }
  std::string body = json::serialize(BodyToJson(catalog));
  Signature sig = key.Sign(
      kCatalogContext, ByteSpan(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  json::object envelope{
      {"activa_catalog", kFormatVersion},
      {"body", body},
      {"signatures", json::array{json::object{{"key_id", HexEncode(key.key_id())},
                                              {"signature", Base64Encode(sig)}}}}};
  return json::serialize(envelope) + "\n";
}

namespace {

// Parses the file and checks its signature. With `trusted`, only those keys
// count (each must also be listed in the body); without, the body's own.
Result<Catalog> Load(std::string_view file_text, const std::vector<PublicKey>* trusted) {
  // Both documents live only in this call, and nothing in them is freed
  // before it ends: their values come from blocks of one arena, released
  // together, instead of an allocation per value.
  json::monotonic_resource arena;
  json::error_code ec;
  json::value root = json::parse(file_text, ec, &arena);
  if (ec) return Malformed("not valid JSON: " + ec.message());
  const json::object* env = AsObject(root);
  if (env == nullptr) return Malformed("the file is not a JSON object");
  Reader r{*env, "catalog file", {}};
  std::int64_t version = r.Int("activa_catalog");
  ACTIVA_RETURN_IF_ERROR(r.status);
  if (version != kFormatVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "catalog: file version " + std::to_string(version) + " is not supported");
  }
  std::string body = r.String("body");
  const json::array* sigs = r.Array("signatures");
  ACTIVA_RETURN_IF_ERROR(r.status);

  // Parse the body first to learn its keys, then insist that one of them
  // signed these exact bytes. Nothing from the body is returned unless the
  // signature holds.
  json::value body_json = json::parse(body, ec, &arena);
  if (ec) return Malformed("body is not valid JSON: " + ec.message());
  Result<Catalog> parsed = BodyFromJson(body_json);
  if (!parsed.ok()) {
    // A body that does not parse may simply have been altered; say so.
    return Status(parsed.status().code(),
                  parsed.status().message() + " (the file may be damaged or altered)");
  }
  ByteSpan body_bytes(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  bool self_signed = false;  // verified, but only under a key nobody pinned
  for (const json::value& s : *sigs) {
    const json::object* so = AsObject(s);
    if (so == nullptr) continue;
    Reader sr{*so, "signature", {}};
    std::string key_id = sr.String("key_id");
    std::string sig_b64 = sr.String("signature");
    Bytes sig_raw;
    if (!sr.status.ok() || !Base64Decode(sig_b64, &sig_raw) || sig_raw.size() != 64) continue;
    Signature sig;
    std::copy(sig_raw.begin(), sig_raw.end(), sig.begin());
    for (const PublicKey& k : parsed->vendor_keys) {
      if (HexEncode(KeyIdOf(k)) != key_id || !Verify(k, kCatalogContext, body_bytes, sig)) {
        continue;
      }
      if (trusted == nullptr) return parsed;
      for (const PublicKey& t : *trusted) {
        if (t == k) return parsed;
      }
      self_signed = true;
    }
  }
  if (self_signed) {
    return Status(ResultCode::kBadSignature,
                  "catalog of \"" + parsed->vendor_name +
                      "\": signed by a key this machine does not trust (no trust file pins "
                      "it); a catalog's own keys never vouch for it");
  }
  return Status(ResultCode::kBadSignature,
                "catalog: the signature does not verify; the file was altered or damaged");
}

}  // namespace

Result<Catalog> LoadCatalog(std::string_view file_text) { return Load(file_text, nullptr); }

Result<Catalog> LoadTrustedCatalog(std::string_view file_text,
                                   const std::vector<PublicKey>& trusted) {
  return Load(file_text, &trusted);
}

}  // namespace activa
