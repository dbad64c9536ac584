#include "vendor/vendor_definition.h"

#include <set>
#include <toml++/toml.h>

#include "crypto/signing.h"

namespace activa {
namespace {

std::string RandomUuid() {
  Uuid id;
  RandomBytes(id);
  id[6] = static_cast<std::uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<std::uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return FormatUuid(id);
}

class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string where)
      : table_(table), file_(std::move(file)), where_(std::move(where)) {}

  std::string String(std::string_view key, bool required = true) {
    seen_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (n == nullptr) {
      if (required) Fail(table_, "missing key \"" + std::string(key) + "\"");
      return {};
    }
    if (!n->is_string()) {
      Fail(*n, "\"" + std::string(key) + "\" must be a string");
      return {};
    }
    return std::string(*n->as_string());
  }

  std::optional<std::int64_t> Int(std::string_view key) {
    seen_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_integer()) {
      Fail(*n, "\"" + std::string(key) + "\" must be an integer");
      return std::nullopt;
    }
    return n->as_integer()->get();
  }

  Uuid Id(std::string_view key) {
    std::string text = String(key);
    if (!status_.ok()) return {};
    std::optional<Uuid> id = ParseUuid(text);
    if (!id) Fail(*table_.get(key), "\"" + std::string(key) + "\" is not a UUID: \"" + text + "\"");
    return id.value_or(Uuid{});
  }

  std::vector<std::string> Strings(std::string_view key) {
    seen_.insert(std::string(key));
    std::vector<std::string> out;
    const toml::node* n = table_.get(key);
    if (n == nullptr) {
      Fail(table_, "missing key \"" + std::string(key) + "\"");
      return out;
    }
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      Fail(*n, "\"" + std::string(key) + "\" must be an array of strings");
      return out;
    }
    for (const toml::node& e : *arr) {
      if (!e.is_string()) {
        Fail(e, "\"" + std::string(key) + "\" must hold only strings");
        return out;
      }
      out.emplace_back(*e.as_string());
    }
    return out;
  }

  // Call last: any key not read is a typing error worth reporting.
  void RejectUnknownKeys() {
    for (const auto& [k, v] : table_) {
      if (!seen_.contains(std::string(k.str()))) {
        Fail(v, "unknown key \"" + std::string(k.str()) + "\"");
        return;
      }
    }
  }

  void Fail(const toml::node& at, const std::string& what) {
    if (!status_.ok()) return;
    std::string line = at.source().begin ? ":" + std::to_string(at.source().begin.line) : "";
    status_ = Status(ResultCode::kInvalidData, file_ + line + ": " + where_ + ": " + what);
  }

  const Status& status() const { return status_; }

 private:
  const toml::table& table_;
  std::string file_;
  std::string where_;
  std::set<std::string> seen_;
  Status status_;
};

// Reads an array of tables [[name]]; fn(TableReader&) returns nothing and
// reports through the reader.
template <typename Fn>
Status EachTable(const toml::table& root, std::string_view name, const std::string& file, Fn fn) {
  const toml::node* n = root.get(name);
  if (n == nullptr) return Status::Ok();
  const toml::array* arr = n->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    return Status(ResultCode::kInvalidData,
                  file + ": \"" + std::string(name) + "\" must be written as [[" +
                      std::string(name) + "]] tables");
  }
  std::size_t i = 0;
  for (const toml::node& t : *arr) {
    TableReader r(*t.as_table(), file, std::string(name) + " #" + std::to_string(++i));
    fn(r);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  return Status::Ok();
}

}  // namespace

Result<Catalog> ParseVendorDefinition(std::string_view toml_text, std::string_view file_name) {
  std::string file(file_name);
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    return Status(ResultCode::kInvalidData, file + ":" + std::to_string(e.source().begin.line) +
                                                ": " + std::string(e.description()));
  }
  Catalog c;
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (key != "vendor" && key != "application" && key != "edition" && key != "group") {
      return Status(ResultCode::kInvalidData,
                    file + ":" + std::to_string(v.source().begin.line) + ": unknown section \"" +
                        key + "\" (expected [vendor], [[application]], [[edition]], [[group]])");
    }
  }
  const toml::table* vendor = root["vendor"].as_table();
  if (vendor == nullptr) return Status(ResultCode::kInvalidData, file + ": missing [vendor]");
  {
    TableReader r(*vendor, file, "[vendor]");
    c.vendor_id = r.Id("id");
    c.vendor_name = r.String("name");
    c.clearinghouse_url = r.String("clearinghouse", /*required=*/false);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  ACTIVA_RETURN_IF_ERROR(EachTable(root, "application", file, [&](TableReader& r) {
    Application a;
    a.id = r.Id("id");
    a.name = r.String("name");
    c.applications.push_back(std::move(a));
  }));
  ACTIVA_RETURN_IF_ERROR(EachTable(root, "edition", file, [&](TableReader& r) {
    Edition e;
    e.id = r.Id("id");
    e.name = r.String("name");
    std::string app = r.String("application");
    std::string kind = r.String("kind");
    std::optional<std::int64_t> threshold = r.Int("threshold");
    std::optional<std::int64_t> code = r.Int("code");
    if (!r.status().ok()) return;
    const toml::table& self = *root["edition"].as_array()->at(c.editions.size()).as_table();
    auto where = [&]() -> const toml::node& { return self; };
    for (const Application& a : c.applications) {
      if (a.name == app) e.application_id = a.id;
    }
    if (e.application_id == Uuid{}) {
      r.Fail(where(), "no [[application]] is named \"" + app + "\"");
    }
    if (kind == "client") {
      e.kind = EditionKind::kClient;
      e.threshold = kClientThreshold;
    } else if (kind == "server") {
      e.kind = EditionKind::kServer;
      e.threshold = kServerThreshold;
    } else {
      r.Fail(*self.get("kind"), "\"kind\" must be \"client\" or \"server\", not \"" + kind + "\"");
    }
    if (threshold) {
      if (*threshold < 1 || *threshold > 1000) {
        r.Fail(*self.get("threshold"), "\"threshold\" must be 1 to 1000");
      }
      e.threshold = static_cast<int>(*threshold);
    }
    if (code && (*code < 0 || *code > 4095)) r.Fail(*self.get("code"), "\"code\" must be 0 to 4095");
    e.code = code ? static_cast<std::uint16_t>(*code) : ItemCode(e.id);
    c.editions.push_back(std::move(e));
  }));
  ACTIVA_RETURN_IF_ERROR(EachTable(root, "group", file, [&](TableReader& r) {
    ProductGroup g;
    g.id = r.Id("id");
    g.name = r.String("name");
    std::vector<std::string> editions = r.Strings("editions");
    std::optional<std::int64_t> code = r.Int("code");
    if (!r.status().ok()) return;
    const toml::table& self = *root["group"].as_array()->at(c.groups.size()).as_table();
    for (const std::string& name : editions) {
      const Edition* e = c.FindEditionByName(name);
      if (e == nullptr) {
        r.Fail(*self.get("editions"), "no [[edition]] is named \"" + name + "\"");
        return;
      }
      g.editions.push_back(e->id);
    }
    if (code && (*code < 0 || *code > 4095)) r.Fail(*self.get("code"), "\"code\" must be 0 to 4095");
    g.code = code ? static_cast<std::uint16_t>(*code) : ItemCode(g.id);
    c.groups.push_back(std::move(g));
  }));
  if (c.editions.empty()) return Status(ResultCode::kInvalidData, file + ": no [[edition]]");
  if (c.groups.empty()) return Status(ResultCode::kInvalidData, file + ": no [[group]]");
  return c;
}

std::string VendorDefinitionTemplate(std::string_view vendor_name) {
  // The name goes inside TOML basic strings: escape what would end them.
  std::string n;
  for (char ch : vendor_name) {
    if (ch == '"' || ch == '\\') n.push_back('\\');
    n.push_back(ch);
  }
  std::string out;
  out += "# What " + n + " sells, for `activa-vendor catalog`, which turns this file\n";
  out += "# into the signed catalog that ships inside the product.\n";
  out += "# IDs are UUIDs: keep them once keys are minted; keys name editions and\n";
  out += "# groups by a 12-bit code derived from the ID (or set `code = N` to choose).\n\n";
  out += "[vendor]\n";
  out += "id = \"" + RandomUuid() + "\"\n";
  out += "name = \"" + n + "\"\n";
  out += "clearinghouse = \"https://activation.example.com\"  # where hosts activate online\n\n";
  out += "[[application]]\n";
  out += "id = \"" + RandomUuid() + "\"\n";
  out += "name = \"" + n + " Suite\"\n\n";
  out += "[[edition]]\n";
  out += "id = \"" + RandomUuid() + "\"  # the SKU ID\n";
  out += "application = \"" + n + " Suite\"\n";
  out += "name = \"" + n + " Suite Professional\"\n";
  out += "kind = \"client\"  # activates once 25 machines have asked (set threshold to change)\n\n";
  out += "[[edition]]\n";
  out += "id = \"" + RandomUuid() + "\"\n";
  out += "application = \"" + n + " Suite\"\n";
  out += "name = \"" + n + " Suite Server\"\n";
  out += "kind = \"server\"  # activates once 5 machines have asked\n\n";
  out += "[[group]]  # a host key of this group may activate these editions\n";
  out += "id = \"" + RandomUuid() + "\"\n";
  out += "name = \"" + n + " Suite Volume\"\n";
  out += "editions = [\"" + n + " Suite Professional\", \"" + n + " Suite Server\"]\n";
  return out;
}

}  // namespace activa
