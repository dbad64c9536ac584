// The request half of the codec (codec.h).
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

// --- Requests ------------------------------------------------------------------

// One decoded argument, by ArgumentKind.
using ArgValue = std::variant<std::monostate, std::string, Uuid, ProductSelector, std::int64_t>;
using ArgValues = std::array<ArgValue, kMaxArguments>;

template <Operation Op>
void Fill(LicenseQuery<Op>& r, const ArgValues& v) {
  if (const auto* s = std::get_if<ProductSelector>(&v[0])) r.products = *s;
}
template <Operation Op>
void Fill(NoArguments<Op>&, const ArgValues&) {}
void Fill(DlcRequest& r, const ArgValues& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v[0])) r.first = static_cast<std::uint32_t>(*n);
  if (const auto* id = std::get_if<Uuid>(&v[1])) r.after = *id;
  if (const auto* t = std::get_if<std::string>(&v[2])) r.machine = *t;
  if (const auto* t = std::get_if<std::string>(&v[3])) r.cmid = *t;
}
void Fill(StatusRequest& r, const ArgValues& v) {
  r.application_id = std::get<Uuid>(v[0]);
  r.sku_id = std::get<Uuid>(v[1]);
}
void Fill(IpkRequest& r, const ArgValues& v) { r.key = std::get<std::string>(v[0]); }
void Fill(UpkRequest& r, const ArgValues& v) {
  if (const auto* id = std::get_if<Uuid>(&v[0])) r.activation_id = *id;
}
void Fill(AtoRequest& r, const ArgValues& v) {
  if (const auto* s = std::get_if<ProductSelector>(&v[0])) r.products = *s;
}
void Fill(DtiRequest& r, const ArgValues& v) {
  if (const auto* id = std::get_if<Uuid>(&v[0])) r.activation_id = *id;
}
void Fill(AtpRequest& r, const ArgValues& v) {
  r.confirmation_id = std::get<std::string>(v[0]);
  if (const auto* id = std::get_if<Uuid>(&v[1])) r.activation_id = *id;
}
void Fill(IlcRequest& r, const ArgValues& v) { r.revocation_list = std::get<std::string>(v[0]); }
void Fill(SkmsRequest& r, const ArgValues& v) { r.host = std::get<std::string>(v[0]); }
void Fill(SkmsDomainRequest& r, const ArgValues& v) { r.domain = std::get<std::string>(v[0]); }
template <Operation Op>
void Fill(IntervalRequest<Op>& r, const ArgValues& v) {
  r.minutes = static_cast<std::uint32_t>(std::get<std::int64_t>(v[0]));
}
void Fill(SprtRequest& r, const ArgValues& v) {
  r.port = static_cast<std::uint16_t>(std::get<std::int64_t>(v[0]));
}
void Fill(DleRequest& r, const ArgValues& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v[0])) r.event_id = *n;
  if (const auto* n = std::get_if<std::int64_t>(&v[1])) r.since = *n;
  if (const auto* s = std::get_if<std::string>(&v[2])) r.machine = *s;
  if (const auto* n = std::get_if<std::int64_t>(&v[3])) r.result = static_cast<ResultCode>(*n);
  if (const auto* n = std::get_if<std::int64_t>(&v[4])) r.first = static_cast<std::uint32_t>(*n);
  if (const auto* n = std::get_if<std::int64_t>(&v[5])) r.before = *n;
}
void Fill(TestAdvanceClockRequest& r, const ArgValues& v) {
  r.seconds = std::get<std::int64_t>(v[0]);
}

template <Operation Op>
ArgValues Extract(const LicenseQuery<Op>& r) {
  return {r.products, {}};
}
template <Operation Op>
ArgValues Extract(const NoArguments<Op>&) {
  return {};
}
ArgValues Extract(const DlcRequest& r) {
  return {r.first ? ArgValue(std::int64_t{*r.first}) : ArgValue(),
          r.after ? ArgValue(*r.after) : ArgValue(), r.machine ? ArgValue(*r.machine) : ArgValue(),
          r.cmid ? ArgValue(*r.cmid) : ArgValue()};
}
ArgValues Extract(const StatusRequest& r) { return {r.application_id, r.sku_id}; }
ArgValues Extract(const IpkRequest& r) { return {r.key, {}}; }
ArgValues Extract(const UpkRequest& r) {
  return {r.activation_id ? ArgValue(*r.activation_id) : ArgValue(), {}};
}
ArgValues Extract(const AtoRequest& r) { return {r.products, {}}; }
ArgValues Extract(const DtiRequest& r) {
  return {r.activation_id ? ArgValue(*r.activation_id) : ArgValue(), {}};
}
ArgValues Extract(const AtpRequest& r) {
  return {r.confirmation_id, r.activation_id ? ArgValue(*r.activation_id) : ArgValue()};
}
ArgValues Extract(const IlcRequest& r) { return {r.revocation_list, {}}; }
ArgValues Extract(const SkmsRequest& r) { return {r.host, {}}; }
ArgValues Extract(const SkmsDomainRequest& r) { return {r.domain, {}}; }
template <Operation Op>
ArgValues Extract(const IntervalRequest<Op>& r) {
  return {std::int64_t{r.minutes}, {}};
}
ArgValues Extract(const SprtRequest& r) { return {std::int64_t{r.port}, {}}; }
ArgValues Extract(const DleRequest& r) {
  auto number = [](const auto& n) { return n ? ArgValue(std::int64_t(*n)) : ArgValue(); };
  return {number(r.event_id),
          number(r.since),
          r.machine ? ArgValue(*r.machine) : ArgValue(),
          r.result ? ArgValue(std::int64_t{static_cast<std::uint32_t>(*r.result)}) : ArgValue(),
          number(r.first),
          number(r.before)};
}
ArgValues Extract(const TestAdvanceClockRequest& r) { return {r.seconds, {}}; }

template <std::size_t I>
Request Make(const ArgValues& values) {
  std::variant_alternative_t<I, Request> r;
  Fill(r, values);
  return Request(std::in_place_index<I>, std::move(r));
}

template <std::size_t... I>
constexpr auto MakeTable(std::index_sequence<I...>) {
  return std::array<Request (*)(const ArgValues&), sizeof...(I)>{&Make<I>...};
}
constexpr auto kMakers = MakeTable(std::make_index_sequence<std::variant_size_v<Request>>());

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A JSON integer, or a decimal string (see codec.h).
bool ReadWhole(const json::value& v, std::int64_t* out) {
  if (ReadInteger(v, out)) return true;
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

Status BadArgument(const OperationSpec& op, const ArgumentSpec& arg, const std::string& why) {
  return Status(ResultCode::kInvalidArgument,
                std::string(op.name) + ": argument " + Quote(arg.name) + " " + why);
}

// Decodes one argument that is present and not null.
Result<ArgValue> DecodeArgument(const OperationSpec& op, const ArgumentSpec& arg,
                                const json::value& v) {
  switch (arg.kind) {
    case ArgumentKind::kText:
      if (!v.is_string()) return BadArgument(op, arg, "must be a string");
      return ArgValue(std::string(v.get_string()));
    case ArgumentKind::kUuid: {
      if (!v.is_string()) return BadArgument(op, arg, "must be a UUID string");
      std::optional<Uuid> id = ParseUuid(v.get_string());
      if (!id) return BadArgument(op, arg, "is not a UUID: " + Quote(v.get_string()));
      return ArgValue(*id);
    }
    case ArgumentKind::kProductSelector: {
      if (!v.is_string()) return BadArgument(op, arg, "must be an activation ID or \"all\"");
      std::string_view s = v.get_string();
      ProductSelector sel;
      if (EqualsIgnoreCase(s, "all")) {
        sel.all = true;
      } else if (std::optional<Uuid> id = ParseUuid(s)) {
        sel.activation_id = *id;
      } else {
        return BadArgument(op, arg, "is not an activation ID or \"all\": " + Quote(s));
      }
      return ArgValue(sel);
    }
    case ArgumentKind::kMinutes: {
      std::int64_t n = 0;
      if (!ReadWhole(v, &n)) return BadArgument(op, arg, "must be a whole number of minutes");
      if (Status s = ValidateInterval(n); !s.ok())
        return BadArgument(op, arg, "is out of range: " + s.message());
      return ArgValue(n);
    }
    case ArgumentKind::kPort: {
      std::int64_t n = 0;
      if (!ReadWhole(v, &n) || n < 1 || n > 65535) {
        return BadArgument(op, arg, "must be a port number from 1 to 65535");
      }
      return ArgValue(n);
    }
    case ArgumentKind::kPageSize: {
      std::int64_t n = 0;
      if (!ReadWhole(v, &n) || n < 1 || n > kDlcMaxFirst) {
        return BadArgument(op, arg, "must be a number from 1 to " + std::to_string(kDlcMaxFirst));
      }
      return ArgValue(n);
    }
    case ArgumentKind::kResultCode: {
      std::int64_t n = -1;
      if (v.is_string() && (v.get_string().starts_with("0x") || v.get_string().starts_with("0X"))) {
        std::string_view hex = std::string_view(v.get_string()).substr(2);
        std::uint32_t code = 0;
        auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), code, 16);
        if (!hex.empty() && ec == std::errc() && end == hex.data() + hex.size()) n = code;
      } else if (!ReadWhole(v, &n)) {
        n = -1;
      }
      if (n < 0 || n > 0xFFFFFFFFll) {
        return BadArgument(op, arg, "must be a result code, a number or \"0x\" and 8 hex digits");
      }
      return ArgValue(n);
    }
    case ArgumentKind::kSeconds: {
      std::int64_t n = 0;
      if (!ReadWhole(v, &n)) return BadArgument(op, arg, "must be a whole number of seconds");
      return ArgValue(n);
    }
  }
  return BadArgument(op, arg, "has an unknown kind");
}

void EncodeArgument(const ArgumentSpec& arg, const ArgValue& value, json::object& out) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    out[arg.name] = *s;
  } else if (const auto* id = std::get_if<Uuid>(&value)) {
    out[arg.name] = FormatUuid(*id);
  } else if (const auto* sel = std::get_if<ProductSelector>(&value)) {
    if (sel->activation_id) {
      out[arg.name] = FormatUuid(*sel->activation_id);
    } else if (sel->all) {
      out[arg.name] = "all";
    }
  } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
    out[arg.name] = *n;
  }
}

}  // namespace

std::string EncodeRequest(const Request& request) {
  return std::visit(
      [](const auto& r) {
        const OperationSpec& spec = SpecOf(std::decay_t<decltype(r)>::kOperation);
        json::object o;
        o["op"] = spec.name;
        ArgValues values = Extract(r);
        std::span<const ArgumentSpec> args = spec.arguments();
        for (std::size_t i = 0; i < args.size(); ++i) EncodeArgument(args[i], values[i], o);
        return json::serialize(o);
      },
      request);
}

Result<Request> DecodeRequest(std::string_view line) {
  std::string why;
  std::optional<json::object> o = ParseObject(line, &why);
  if (!o) return Status(ResultCode::kInvalidData, "the request is not a JSON object");
  const json::value* op = o->if_contains("op");
  if (op == nullptr || !op->is_string()) {
    return Status(ResultCode::kInvalidData, "the request has no \"op\"");
  }
  const OperationSpec* spec = FindOperation(op->get_string());
  if (spec == nullptr) {
    return Status(ResultCode::kInvalidArgument, "unknown operation " + Quote(op->get_string()));
  }
  std::span<const ArgumentSpec> args = spec->arguments();
  // (No structured binding: clang 14 cannot capture one in the lambda.)
  for (const auto& member : *o) {
    const std::string_view key = member.key();
    if (key == "op") continue;
    bool known =
        std::any_of(args.begin(), args.end(), [&](const ArgumentSpec& a) { return a.name == key; });
    if (!known) {
      return Status(ResultCode::kInvalidArgument,
                    std::string(spec->name) + " takes no argument " + Quote(key));
    }
  }
  ArgValues values;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const json::value* v = o->if_contains(args[i].name);
    // An empty activation ID is "not given", as activad always read it.
    bool empty_id = v != nullptr && args[i].kind != ArgumentKind::kText && v->is_string() &&
                    v->get_string().empty() && !args[i].required;
    if (v == nullptr || v->is_null() || empty_id) {
      if (args[i].required) {
        return Status(ResultCode::kInvalidArgument,
                      std::string(spec->name) + " needs the argument " + Quote(args[i].name));
      }
      continue;
    }
    Result<ArgValue> value = DecodeArgument(*spec, args[i], *v);
    if (!value.ok()) return value.status();
    values[i] = std::move(value).value();
  }
  return kMakers[static_cast<std::size_t>(spec->operation)](values);
}

}  // namespace activa::management
