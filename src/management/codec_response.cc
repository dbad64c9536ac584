// The response half of the codec (codec.h).
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <limits>
#include <type_traits>
#include <utility>

#include "base/intervals.h"
#include "management/codec.h"
#include "management/internal/json_util.h"
#include "management/operations.h"

namespace activa::management {
namespace json = boost::json;
using internal::ParseObject;
using internal::Quote;
using internal::ReadInteger;
namespace {

// --- Responses: writing -------------------------------------------------------

json::value OptText(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object ToJson(const Machine& m) {
  return {{"name", m.name},
          {"cmid", FormatUuid(m.cmid)},
          {"previous_cmid",
           m.previous_cmid ? json::value(FormatUuid(*m.previous_cmid)) : json::value(nullptr)},
          {"is_virtual_machine", m.is_virtual_machine}};
}

json::object ToJson(const KmsClientInfo& k) {
  return {{"configured", OptText(k.configured)},
          {"in_use", OptText(k.in_use)},
          {"from_dns", k.from_dns},
          {"address", OptText(k.address)},
          {"lookup_domain", OptText(k.lookup_domain)},
          {"host_caching", k.host_caching}};
}

json::object ToJson(const Product& p) {
  return {
      {"activation_id", FormatUuid(p.activation_id)},
      {"application_id", FormatUuid(p.application_id)},
      {"application", p.application},
      {"name", p.name},
      {"vendor", p.vendor},
      {"kind", p.kind},
      {"key_kind", p.key_kind},
      {"partial_product_key", p.partial_product_key},
      {"license_status", p.license_status},
      {"license_status_text", p.license_status_text},
      {"minutes_left", p.minutes_left},
      {"grace_end", p.grace_end},
      {"validity_end", p.validity_end},
      {"rearms_left", p.rearms_left},
      {"last_result", static_cast<std::uint32_t>(p.last_result)},
      {"last_result_text", p.last_result_text},
      {"last_attempt", p.last_attempt},
      {"next_attempt", p.next_attempt},
      {"last_activation", p.last_activation},
      {"required_count", p.required_count},
      {"last_count", p.last_count},
      {"activation_interval", p.activation_interval},
      {"renewal_interval", p.renewal_interval},
      {"kms", ToJson(p.kms)},
      {"mak_activated", p.mak_activated ? json::value(*p.mak_activated) : json::value(nullptr)}};
}

json::object ToJson(const Host& h) {
  json::array counts;
  for (const ApplicationCount& c : h.counts) {
    json::array editions;
    for (const EditionThreshold& e : c.editions) {
      editions.push_back(json::object{{"sku_id", FormatUuid(e.sku_id)},
                                      {"name", e.name},
                                      {"kind", e.kind},
                                      {"threshold", e.threshold},
                                      {"missing", e.missing}});
    }
    json::array history;
    for (const DailyCount& d : c.history) {
      history.push_back(json::object{{"day", d.day}, {"count", d.count}});
    }
    counts.push_back(json::object{{"application_id", FormatUuid(c.application_id)},
                                  {"application", c.application},
                                  {"count", c.count},
                                  {"kms_count", c.kms_count},
                                  {"editions", std::move(editions)},
                                  {"history", std::move(history)}});
  }
  json::array listening;
  for (const std::string& a : h.listening) listening.push_back(json::string(a));
  json::array dns;
  for (const DnsPublishStatus& d : h.dns) {
    dns.push_back(json::object{{"domain", d.domain},
                               {"result", static_cast<std::uint32_t>(d.result)},
                               {"message", d.message},
                               {"time", d.time},
                               {"withdrawn", d.withdrawn}});
  }
  const RequestCounts& r = h.requests;
  json::object out{
      {"activated", h.activated},
      {"vendor", h.vendor},
      {"group", h.group},
      // "" rather than null for an unknown group: today's wire format.
      {"group_id", h.group_id ? FormatUuid(*h.group_id) : std::string()},
      {"partial_product_key", h.partial_product_key},
      {"host_id", FormatUuid(h.host_id)},
      {"counts", std::move(counts)},
      {"port", h.port},
      {"listening", std::move(listening)},
      {"dns_publishing", h.dns_publishing},
      {"dns_problem", OptText(h.dns_problem)},
      {"dns", std::move(dns)},
      {"priority", h.priority == Priority::kLow ? "low" : "normal"},
      {"activation_interval", h.activation_interval},
      {"renewal_interval", h.renewal_interval},
      {"certificate_expires",
       h.certificate_expires ? json::value(*h.certificate_expires) : json::value(nullptr)},
      {"requests", json::object{{"total", r.total},
                                {"failed", r.failed},
                                {"unlicensed", r.unlicensed},
                                {"licensed", r.licensed},
                                {"initial_grace", r.initial_grace},
                                {"oot_grace", r.oot_grace},
                                {"non_genuine_grace", r.non_genuine_grace},
                                {"notification", r.notification}}}};
  if (h.clearinghouse_unreachable) {
    out["clearinghouse_unreachable"] = json::object{{"since", h.clearinghouse_unreachable->since},
                                                    {"cause", h.clearinghouse_unreachable->cause}};
  }
  return out;
}

json::value ToJson(const std::optional<Host>& h) {
  return h ? json::value(ToJson(*h)) : json::value(nullptr);
}

json::object ToJson(const ClientRecord& c) {
  return {{"cmid", FormatUuid(c.cmid)},
          {"machine_name", c.machine_name},
          {"application_id", FormatUuid(c.application_id)},
          {"sku_id", FormatUuid(c.sku_id)},
          {"edition", c.edition},
          {"last_seen", c.last_seen},
          {"license_state", c.license_state},
          {"is_virtual_machine", c.is_virtual_machine},
          {"requests", c.requests}};
}

json::array ProductsToJson(const std::vector<Product>& products) {
  json::array a;
  for (const Product& p : products) a.push_back(ToJson(p));
  return a;
}

void AddPayload(const Empty&, json::object&) {}
void AddPayload(const LicenseInfo& d, json::object& o) {
  o["machine"] = ToJson(d.machine);
  o["products"] = ProductsToJson(d.products);
  o["host"] = ToJson(d.host);
  o["reload_refused"] = d.reload_refused
                            ? json::value(json::object{{"time", d.reload_refused->time},
                                                       {"message", d.reload_refused->message}})
                            : json::value(nullptr);
  if (d.management) {
    json::array listening;
    for (const std::string& a : d.management->listening) listening.push_back(json::value(a));
    o["management"] =
        json::object{{"listening", std::move(listening)},
                     {"certificate_fingerprint", d.management->certificate_fingerprint}};
  } else {
    o["management"] = nullptr;
  }
}
void AddPayload(const DlcResponse& d, json::object& o) {
  json::array a;
  for (const ClientRecord& c : d.clients) a.push_back(ToJson(c));
  o["clients"] = std::move(a);
  o["next_after"] = d.next_after ? json::value(FormatUuid(*d.next_after)) : json::value(nullptr);
  o["total"] = d.total;
  o["is_host"] = d.is_host;
}
void AddPayload(const DleResponse& d, json::object& o) {
  json::array a;
  for (const EventRecord& e : d.events) {
    a.push_back(json::object{
        {"id", e.id}, {"time", e.time}, {"event_id", e.event_id}, {"message", e.message}});
  }
  o["events"] = std::move(a);
  o["next_before"] = d.next_before ? json::value(*d.next_before) : json::value(nullptr);
}
void AddPayload(const StatusResponse& d, json::object& o) {
  o["product"] = ToJson(d.product);
  o["cmid"] = FormatUuid(d.cmid);
  if (d.proof) {
    const std::string_view catalog = d.proof->catalog;
    o["proof"] = json::object{
        {"response", Base64Encode(d.proof->response)},
        {"catalog", Base64Encode(ByteSpan(reinterpret_cast<const std::uint8_t*>(catalog.data()),
                                          catalog.size()))}};
    // A MAK activation's proof: its two codes (docs/management.md, "status").
    if (!d.proof->confirmation_id.empty()) {
      o["proof"].as_object()["installation_id"] = d.proof->installation_id;
      o["proof"].as_object()["confirmation_id"] = d.proof->confirmation_id;
    }
  } else {
    o["proof"] = nullptr;
  }
}
void AddPayload(const IpkResponse& d, json::object& o) {
  o["kind"] = d.kind;
  o["name"] = d.name;
  o["becomes_host"] = d.becomes_host;
}
void AddPayload(const UpkResponse& d, json::object& o) { o["removed"] = d.removed; }
void AddPayload(const AtoResponse& d, json::object& o) {
  o["products"] = ProductsToJson(d.products);
  json::array attempts;
  for (const ActivationAttempt& a : d.attempts) {
    json::array tried;
    for (const AttemptStep& t : a.tried) {
      tried.push_back(json::object{{"kind", t.kind},
                                   {"name", t.name},
                                   {"result", static_cast<std::uint32_t>(t.result)},
                                   {"message", t.message}});
    }
    attempts.push_back(json::object{{"activation_id", FormatUuid(a.activation_id)},
                                    {"result", static_cast<std::uint32_t>(a.result)},
                                    {"result_text", ResultCodeMessage(a.result)},
                                    {"cause", a.cause},
                                    {"tried", std::move(tried)}});
  }
  o["attempts"] = std::move(attempts);
}
void AddPayload(const DtiResponse& d, json::object& o) { o["installation_id"] = d.installation_id; }
void AddPayload(const AtpResponse& d, json::object& o) {
  o["host"] = ToJson(d.host);
  if (d.product) o["product"] = ToJson(*d.product);
}
void AddPayload(const IlcResponse& d, json::object& o) {
  o["serial"] = d.serial;
  o["replaced"] = d.replaced;
}
void AddPayload(const RearmResponse& d, json::object& o) { o["rearms_left"] = d.rearms_left; }
void AddPayload(const GeneralizeResponse& d, json::object& o) {
  o["cmid"] = FormatUuid(d.cmid);
  o["previous_cmid"] = FormatUuid(d.previous_cmid);
}
void AddPayload(const TestAdvanceClockResponse& d, json::object& o) { o["now"] = d.now; }

json::object Envelope(const Status& s) {
  // "OK" on success, as activad has always written it. A failure carries
  // the code's one-line text beside the cause, so a script reads both.
  json::object o{{"result", static_cast<std::uint32_t>(s.code())},
                 {"message", s.ok() ? std::string("OK") : s.message()}};
  if (!s.ok()) o["result_text"] = ResultCodeMessage(s.code());
  return o;
}

// --- Responses: reading ---------------------------------------------------------

// Collects what is wrong with a response; only the first problem is kept.
struct Problems {
  std::string first;
  void Add(std::string what) {
    if (first.empty()) first = std::move(what);
  }
};

// Reads the fields of one object. Absent and null fields leave the default;
// a field of the wrong type leaves it too and is recorded as a problem,
// which the caller treats according to FieldCheck.
class Reader {
 public:
  Reader(const json::object& o, std::string path, Problems& problems)
      : o_(o), path_(std::move(path)), problems_(problems) {}

  const json::value* Get(std::string_view key) const {
    const json::value* v = o_.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }
  std::string Name(std::string_view key) const { return Quote(path_ + std::string(key)); }
  void Wrong(std::string_view key, std::string_view what) {
    problems_.Add(Name(key) + " is not " + std::string(what));
  }

  void Text(std::string_view key, std::string& out) {
    if (const json::value* v = Get(key)) {
      if (v->is_string()) {
        out = std::string(v->get_string());
      } else {
        Wrong(key, "a string");
      }
    }
  }
  void Text(std::string_view key, std::optional<std::string>& out) {
    std::string s;
    if (Get(key) == nullptr) return;
    Text(key, s);
    if (Get(key)->is_string()) out = std::move(s);
  }
  void Bool(std::string_view key, bool& out) {
    if (const json::value* v = Get(key)) {
      if (v->is_bool()) {
        out = v->get_bool();
      } else {
        Wrong(key, "true or false");
      }
    }
  }
  template <typename Int>
  void Number(std::string_view key, Int& out) {
    if (const json::value* v = Get(key)) {
      Int n{};
      if (ReadInteger(*v, &n)) {
        out = n;
      } else {
        Wrong(key, "a whole number in range");
      }
    }
  }
  void Code(std::string_view key, ResultCode& out) {
    std::uint32_t n = static_cast<std::uint32_t>(out);
    Number(key, n);
    out = static_cast<ResultCode>(n);
  }
  void Base64(std::string_view key, Bytes& out) {
    if (const json::value* v = Get(key)) {
      if (!v->is_string() || !Base64Decode(v->get_string(), &out)) Wrong(key, "base64");
    }
  }
  // "" counts as absent (Host's group_id).
  void Id(std::string_view key, std::optional<Uuid>& out) {
    const json::value* v = Get(key);
    if (v == nullptr || (v->is_string() && v->get_string().empty())) return;
    std::optional<Uuid> id = v->is_string() ? ParseUuid(v->get_string()) : std::nullopt;
    if (id) {
      out = *id;
    } else {
      Wrong(key, "a UUID");
    }
  }
  void Id(std::string_view key, Uuid& out) {
    std::optional<Uuid> id;
    Id(key, id);
    if (id) out = *id;
  }
  const json::object* Object(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) Wrong(key, "an object");
    return v->if_object();
  }
  const json::array* Array(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) Wrong(key, "a list");
    return v->if_array();
  }
  // The objects of list `key`; other entries are problems and skipped.
  template <typename F>
  void Objects(std::string_view key, F each) {
    const json::array* a = Array(key);
    if (a == nullptr) return;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const json::object* o = (*a)[i].if_object();
      std::string path = path_ + std::string(key) + "[" + std::to_string(i) + "].";
      if (o == nullptr) {
        problems_.Add(Quote(path_ + std::string(key)) + " has an entry that is not an object");
        continue;
      }
      Reader r(*o, std::move(path), problems_);
      each(r);
    }
  }
  Reader Child(const json::object& o, std::string_view key) {
    return Reader(o, path_ + std::string(key) + ".", problems_);
  }

 private:
  const json::object& o_;
  std::string path_;
  Problems& problems_;
};

void Read(Reader& r, Machine& m) {
  r.Text("name", m.name);
  r.Id("cmid", m.cmid);
  r.Id("previous_cmid", m.previous_cmid);
  r.Bool("is_virtual_machine", m.is_virtual_machine);
}

void Read(Reader& r, KmsClientInfo& k) {
  r.Text("configured", k.configured);
  r.Text("in_use", k.in_use);
  r.Text("lookup_domain", k.lookup_domain);
  r.Bool("host_caching", k.host_caching);
  r.Bool("from_dns", k.from_dns);
  r.Text("address", k.address);
}

void Read(Reader& r, Product& p) {
  r.Id("activation_id", p.activation_id);
  r.Id("application_id", p.application_id);
  r.Text("application", p.application);
  r.Text("name", p.name);
  r.Text("vendor", p.vendor);
  r.Text("kind", p.kind);
  r.Text("key_kind", p.key_kind);
  r.Text("partial_product_key", p.partial_product_key);
  r.Number("license_status", p.license_status);
  r.Text("license_status_text", p.license_status_text);
  r.Number("minutes_left", p.minutes_left);
  r.Number("grace_end", p.grace_end);
  r.Number("validity_end", p.validity_end);
  r.Number("rearms_left", p.rearms_left);
  r.Code("last_result", p.last_result);
  r.Text("last_result_text", p.last_result_text);
  r.Number("last_attempt", p.last_attempt);
  r.Number("next_attempt", p.next_attempt);
  r.Number("last_activation", p.last_activation);
  r.Number("required_count", p.required_count);
  r.Number("last_count", p.last_count);
  r.Number("activation_interval", p.activation_interval);
  r.Number("renewal_interval", p.renewal_interval);
  if (const json::object* kms = r.Object("kms")) {
    Reader k = r.Child(*kms, "kms");
    Read(k, p.kms);
  }
  if (r.Get("mak_activated") != nullptr) {
    std::int64_t day = 0;
    r.Number("mak_activated", day);
    p.mak_activated = day;
  }
}

void Read(Reader& r, Host& h) {
  r.Bool("activated", h.activated);
  r.Text("vendor", h.vendor);
  r.Text("group", h.group);
  r.Id("group_id", h.group_id);
  r.Text("partial_product_key", h.partial_product_key);
  r.Id("host_id", h.host_id);
  r.Objects("counts", [&](Reader& c) {
    ApplicationCount& n = h.counts.emplace_back();
    c.Id("application_id", n.application_id);
    c.Text("application", n.application);
    c.Number("count", n.count);
    n.kms_count = n.count;  // an older daemon sent only the true count
    c.Number("kms_count", n.kms_count);
    c.Objects("editions", [&](Reader& e) {
      EditionThreshold& t = n.editions.emplace_back();
      e.Id("sku_id", t.sku_id);
      e.Text("name", t.name);
      e.Text("kind", t.kind);
      e.Number("threshold", t.threshold);
      e.Number("missing", t.missing);
    });
    // Absent from an older daemon's answer: no history.
    c.Objects("history", [&](Reader& d) {
      DailyCount& sample = n.history.emplace_back();
      d.Number("day", sample.day);
      d.Number("count", sample.count);
    });
  });
  r.Number("port", h.port);
  if (const json::array* listening = r.Array("listening")) {
    for (const json::value& v : *listening) {
      if (v.is_string()) {
        h.listening.emplace_back(v.get_string());
      } else {
        r.Wrong("listening", "a list of strings");
      }
    }
  }
  r.Bool("dns_publishing", h.dns_publishing);
  r.Text("dns_problem", h.dns_problem);
  r.Objects("dns", [&](Reader& d) {
    DnsPublishStatus& s = h.dns.emplace_back();
    d.Text("domain", s.domain);
    d.Code("result", s.result);
    d.Text("message", s.message);
    d.Number("time", s.time);
    d.Bool("withdrawn", s.withdrawn);
  });
  std::string priority;
  r.Text("priority", priority);
  h.priority = priority == "low" ? Priority::kLow : Priority::kNormal;
  r.Number("activation_interval", h.activation_interval);
  r.Number("renewal_interval", h.renewal_interval);
  if (r.Get("certificate_expires") != nullptr) {
    std::int64_t expires = 0;
    r.Number("certificate_expires", expires);
    h.certificate_expires = expires;
  }
  if (const json::object* ch = r.Object("clearinghouse_unreachable")) {
    Reader c = r.Child(*ch, "clearinghouse_unreachable");
    ClearinghouseProblem& p = h.clearinghouse_unreachable.emplace();
    c.Number("since", p.since);
    c.Text("cause", p.cause);
  }
  if (const json::object* q = r.Object("requests")) {
    Reader c = r.Child(*q, "requests");
    RequestCounts& n = h.requests;
    c.Number("total", n.total);
    c.Number("failed", n.failed);
    c.Number("unlicensed", n.unlicensed);
    c.Number("licensed", n.licensed);
    c.Number("initial_grace", n.initial_grace);
    c.Number("oot_grace", n.oot_grace);
    c.Number("non_genuine_grace", n.non_genuine_grace);
    c.Number("notification", n.notification);
  }
}

void ReadHost(Reader& r, std::optional<Host>& host) {
  if (const json::object* o = r.Object("host")) {
    Reader h = r.Child(*o, "host");
    Read(h, host.emplace());
  }
}

void Read(Reader& r, ClientRecord& c) {
  r.Id("cmid", c.cmid);
  r.Text("machine_name", c.machine_name);
  r.Id("application_id", c.application_id);
  r.Id("sku_id", c.sku_id);
  r.Text("edition", c.edition);
  r.Number("last_seen", c.last_seen);
  r.Number("license_state", c.license_state);
  r.Bool("is_virtual_machine", c.is_virtual_machine);
  r.Number("requests", c.requests);
}

Status Malformed(const std::string& what) {
  return Status(ResultCode::kInvalidData, "activad's response is malformed: " + what);
}

// Payload readers: a Status for what no FieldCheck forgives (the essential
// field), field-level problems through the Reader.
Status Require(Reader& r, std::string_view key, bool is_array) {
  const json::value* v = r.Get(key);
  if (v == nullptr) return Malformed("the response has no " + r.Name(key));
  if (is_array ? !v->is_array() : !v->is_object()) {
    return Malformed(r.Name(key) + " is not " + (is_array ? "a list" : "an object"));
  }
  return Status::Ok();
}

void ReadProducts(Reader& r, std::vector<Product>& out) {
  r.Objects("products", [&](Reader& p) { Read(p, out.emplace_back()); });
}

Status ReadPayload(Reader&, Empty&) { return Status::Ok(); }
Status ReadPayload(Reader& r, LicenseInfo& d) {
  ACTIVA_RETURN_IF_ERROR(Require(r, "products", true));
  if (const json::object* m = r.Object("machine")) {
    Reader c = r.Child(*m, "machine");
    Read(c, d.machine);
  }
  ReadProducts(r, d.products);
  ReadHost(r, d.host);
  if (const json::object* o = r.Object("reload_refused")) {
    Reader c = r.Child(*o, "reload_refused");
    ReloadRefusal& refusal = d.reload_refused.emplace();
    c.Number("time", refusal.time);
    c.Text("message", refusal.message);
  }
  if (const json::object* o = r.Object("management")) {
    Reader c = r.Child(*o, "management");
    ManagementListenerInfo& m = d.management.emplace();
    if (const json::array* listening = c.Array("listening")) {
      for (const json::value& v : *listening) {
        if (v.is_string()) {
          m.listening.emplace_back(v.get_string());
        } else {
          c.Wrong("listening", "a list of strings");
        }
      }
    }
    c.Text("certificate_fingerprint", m.certificate_fingerprint);
  }
  return Status::Ok();
}
Status ReadPayload(Reader& r, DlcResponse& d) {
  ACTIVA_RETURN_IF_ERROR(Require(r, "clients", true));
  r.Objects("clients", [&](Reader& c) { Read(c, d.clients.emplace_back()); });
  r.Id("next_after", d.next_after);
  r.Number("total", d.total);
  r.Bool("is_host", d.is_host);
  return Status::Ok();
}
Status ReadPayload(Reader& r, DleResponse& d) {
  ACTIVA_RETURN_IF_ERROR(Require(r, "events", true));
  r.Objects("events", [&](Reader& e) {
    EventRecord& x = d.events.emplace_back();
    e.Number("id", x.id);
    e.Number("time", x.time);
    e.Number("event_id", x.event_id);
    e.Text("message", x.message);
  });
  if (r.Get("next_before") != nullptr) {
    std::int64_t before = 0;
    r.Number("next_before", before);
    d.next_before = before;
  }
  return Status::Ok();
}
Status ReadPayload(Reader& r, StatusResponse& d) {
  ACTIVA_RETURN_IF_ERROR(Require(r, "product", false));
  const json::object& o = r.Get("product")->get_object();
  Reader p = r.Child(o, "product");
  // What a product acts on must be there, whatever the FieldCheck.
  for (std::string_view key : {"license_status", "minutes_left", "last_result"}) {
    if (p.Get(key) == nullptr) return Malformed("the response has no " + p.Name(key));
  }
  Read(p, d.product);
  r.Id("cmid", d.cmid);
  if (const json::object* proof = r.Object("proof")) {
    Reader q = r.Child(*proof, "proof");
    ActivationProof& out = d.proof.emplace();
    q.Base64("response", out.response);
    Bytes catalog;
    q.Base64("catalog", catalog);
    out.catalog.assign(catalog.begin(), catalog.end());
    q.Text("installation_id", out.installation_id);
    q.Text("confirmation_id", out.confirmation_id);
  }
  return Status::Ok();
}
Status ReadPayload(Reader& r, IpkResponse& d) {
  r.Text("kind", d.kind);
  r.Text("name", d.name);
  r.Bool("becomes_host", d.becomes_host);
  return Status::Ok();
}
Status ReadPayload(Reader& r, UpkResponse& d) {
  r.Text("removed", d.removed);
  return Status::Ok();
}
Status ReadPayload(Reader& r, AtoResponse& d) {
  ReadProducts(r, d.products);
  r.Objects("attempts", [&](Reader& a) {
    ActivationAttempt& x = d.attempts.emplace_back();
    a.Id("activation_id", x.activation_id);
    a.Code("result", x.result);
    a.Text("cause", x.cause);
    a.Objects("tried", [&](Reader& t) {
      AttemptStep& step = x.tried.emplace_back();
      t.Text("kind", step.kind);
      t.Text("name", step.name);
      t.Code("result", step.result);
      t.Text("message", step.message);
    });
  });
  return Status::Ok();
}
Status ReadPayload(Reader& r, DtiResponse& d) {
  r.Text("installation_id", d.installation_id);
  if (d.installation_id.empty()) return Malformed("the response has no \"installation_id\"");
  return Status::Ok();
}
Status ReadPayload(Reader& r, IlcResponse& d) {
  r.Number("serial", d.serial);
  r.Bool("replaced", d.replaced);
  return Status::Ok();
}
Status ReadPayload(Reader& r, AtpResponse& d) {
  ReadHost(r, d.host);
  if (const json::object* product = r.Object("product")) {
    Reader p = r.Child(*product, "product");
    Read(p, d.product.emplace());
  }
  return Status::Ok();
}
Status ReadPayload(Reader& r, RearmResponse& d) {
  r.Number("rearms_left", d.rearms_left);
  return Status::Ok();
}
Status ReadPayload(Reader& r, GeneralizeResponse& d) {
  r.Id("cmid", d.cmid);
  r.Id("previous_cmid", d.previous_cmid);
  return Status::Ok();
}
Status ReadPayload(Reader& r, TestAdvanceClockResponse& d) {
  r.Number("now", d.now);
  return Status::Ok();
}

struct Envelope_ {
  json::object object;
  ResultCode result = ResultCode::kOk;
  std::string message;
};

Result<Envelope_> ReadEnvelope(std::string_view line) {
  std::string why;
  std::optional<json::object> o = ParseObject(line, &why);
  if (!o) return Malformed(why);
  Envelope_ e;
  const json::value* result = o->if_contains("result");
  std::uint32_t code = 0;
  if (result == nullptr || !ReadInteger(*result, &code)) {
    return Malformed("\"result\" is missing or not a 32-bit result code");
  }
  e.result = static_cast<ResultCode>(code);
  if (const json::value* m = o->if_contains("message"); m != nullptr && !m->is_null()) {
    if (!m->is_string()) return Malformed("\"message\" is not a string");
    e.message = std::string(m->get_string());
  }
  e.object = std::move(*o);
  return e;
}

}  // namespace

std::string EncodeResponse(const Response& response) {
  if (!response.ok()) return EncodeError(response.status());
  return std::visit(
      [](const auto& payload) {
        json::object o;
        if constexpr (std::is_same_v<std::decay_t<decltype(payload)>, AtoResponse>) {
          o = Envelope(payload.outcome);
        } else {
          o = Envelope(Status::Ok());
        }
        AddPayload(payload, o);
        return json::serialize(o);
      },
      *response);
}

std::string EncodeError(const Status& status) { return json::serialize(Envelope(status)); }

std::size_t EncodedSize(const ClientRecord& record) {
  return json::serialize(ToJson(record)).size() + 1;
}

Result<ResponseHead> DecodeResponseHead(std::string_view line) {
  Result<Envelope_> e = ReadEnvelope(line);
  if (!e.ok()) return e.status();
  return ResponseHead{e->result, e->message, json::serialize(e->object)};
}

template <typename T>
Result<T> DecodeResponseAs(std::string_view line, FieldCheck check) {
  Result<Envelope_> e = ReadEnvelope(line);
  if (!e.ok()) return e.status();
  Problems problems;
  Reader r(e->object, "", problems);
  T payload;
  if constexpr (std::is_same_v<T, AtoResponse>) {
    // Failed attempts still report the products; a failure before any
    // attempt has none and is a plain error.
    if (e->result != ResultCode::kOk && r.Get("products") == nullptr) {
      return Status(e->result, e->message);
    }
    ACTIVA_RETURN_IF_ERROR(Require(r, "products", true));
    if (e->result != ResultCode::kOk) payload.outcome = Status(e->result, e->message);
  } else {
    if (e->result != ResultCode::kOk) return Status(e->result, e->message);
  }
  ACTIVA_RETURN_IF_ERROR(ReadPayload(r, payload));
  if (check == FieldCheck::kStrict && !problems.first.empty()) return Malformed(problems.first);
  return payload;
}

template Result<Empty> DecodeResponseAs<Empty>(std::string_view, FieldCheck);
template Result<LicenseInfo> DecodeResponseAs<LicenseInfo>(std::string_view, FieldCheck);
template Result<DlcResponse> DecodeResponseAs<DlcResponse>(std::string_view, FieldCheck);
template Result<StatusResponse> DecodeResponseAs<StatusResponse>(std::string_view, FieldCheck);
template Result<IpkResponse> DecodeResponseAs<IpkResponse>(std::string_view, FieldCheck);
template Result<UpkResponse> DecodeResponseAs<UpkResponse>(std::string_view, FieldCheck);
template Result<AtoResponse> DecodeResponseAs<AtoResponse>(std::string_view, FieldCheck);
template Result<DtiResponse> DecodeResponseAs<DtiResponse>(std::string_view, FieldCheck);
template Result<AtpResponse> DecodeResponseAs<AtpResponse>(std::string_view, FieldCheck);
template Result<IlcResponse> DecodeResponseAs<IlcResponse>(std::string_view, FieldCheck);
template Result<RearmResponse> DecodeResponseAs<RearmResponse>(std::string_view, FieldCheck);
template Result<GeneralizeResponse> DecodeResponseAs<GeneralizeResponse>(std::string_view,
                                                                         FieldCheck);
template Result<TestAdvanceClockResponse> DecodeResponseAs<TestAdvanceClockResponse>(
    std::string_view, FieldCheck);
template Result<DleResponse> DecodeResponseAs<DleResponse>(std::string_view, FieldCheck);

Result<ResponsePayload> DecodeResponse(Operation operation, std::string_view line,
                                       FieldCheck check) {
  auto as = [&](auto tag) -> Result<ResponsePayload> {
    using T = decltype(tag);
    Result<T> r = DecodeResponseAs<T>(line, check);
    if (!r.ok()) return r.status();
    return ResponsePayload(std::move(r).value());
  };
  switch (operation) {
    case Operation::kDli:
    case Operation::kDlv:
    case Operation::kXpr:
      return as(LicenseInfo{});
    case Operation::kDlc:
      return as(DlcResponse{});
    case Operation::kStatus:
      return as(StatusResponse{});
    case Operation::kIpk:
      return as(IpkResponse{});
    case Operation::kUpk:
      return as(UpkResponse{});
    case Operation::kAto:
      return as(AtoResponse{});
    case Operation::kDti:
      return as(DtiResponse{});
    case Operation::kAtp:
      return as(AtpResponse{});
    case Operation::kIlc:
      return as(IlcResponse{});
    case Operation::kRearm:
      return as(RearmResponse{});
    case Operation::kGeneralize:
      return as(GeneralizeResponse{});
    case Operation::kTestAdvanceClock:
      return as(TestAdvanceClockResponse{});
    case Operation::kDle:
      return as(DleResponse{});
    default:
      return as(Empty{});
  }
}

}  // namespace activa::management
