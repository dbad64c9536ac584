#include "vendor/vendor_definition.h"

#include "config/toml_reader.h"

namespace activa {
Result<Catalog> ParseVendorDefinition(std::string_view toml_text, std::string_view file_name) {
  std::string file(file_name);
  Result<toml::table> parsed = ParseToml(toml_text, file);
  if (!parsed.ok()) return parsed.status();
  TableReader root(*parsed, file, "top level");
  const toml::table* vendor = root.Table("vendor");
  std::vector<const toml::table*> applications = root.Tables("application");
  std::vector<const toml::table*> editions = root.Tables("edition");
  std::vector<const toml::table*> groups = root.Tables("group");
  if (root.status().ok()) root.RejectUnknownKeys();
  if (root.status().ok() && vendor == nullptr) root.Fail(nullptr, "missing [vendor]");
  if (root.status().ok() && editions.empty()) root.Fail(nullptr, "no [[edition]]");
  if (root.status().ok() && groups.empty()) root.Fail(nullptr, "no [[group]]");
  ACTIVA_RETURN_IF_ERROR(root.status());

  Catalog c;
  {
    TableReader r(*vendor, file, "[vendor]");
    c.vendor_id = r.Id("id");
    c.vendor_name = r.String("name");
    c.clearinghouse_url = r.String("clearinghouse", /*required=*/false);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  for (std::size_t i = 0; i < applications.size(); ++i) {
    TableReader r(*applications[i], file, "application #" + std::to_string(i + 1));
    Application a;
    a.id = r.Id("id");
    a.name = r.String("name");
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
    c.applications.push_back(std::move(a));
  }
  for (std::size_t i = 0; i < editions.size(); ++i) {
    TableReader r(*editions[i], file, "edition #" + std::to_string(i + 1));
    Edition e;
    e.id = r.Id("id");
    e.name = r.String("name");
    std::string app = r.String("application");
    std::string kind = r.String("kind");
    std::optional<std::int64_t> threshold = r.Int("threshold");
    std::optional<std::int64_t> code = r.Int("code");
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
    for (const Application& a : c.applications) {
      if (a.name == app) e.application_id = a.id;
    }
    if (e.application_id == Uuid{}) {
      r.Fail("application", "no [[application]] is named \"" + app + "\"");
    }
    if (kind == "client") {
      e.kind = EditionKind::kClient;
      e.threshold = kClientThreshold;
    } else if (kind == "server") {
      e.kind = EditionKind::kServer;
      e.threshold = kServerThreshold;
    } else {
      r.Fail("kind", "\"kind\" must be \"client\" or \"server\", not \"" + kind + "\"");
    }
    if (threshold) {
      if (*threshold < 1 || *threshold > 1000)
        r.Fail("threshold", "\"threshold\" must be 1 to 1000");
      e.threshold = static_cast<int>(*threshold);
    }
    if (code && (*code < 0 || *code > 4095)) r.Fail("code", "\"code\" must be 0 to 4095");
    e.code = code ? static_cast<std::uint16_t>(*code) : ItemCode(e.id);
    ACTIVA_RETURN_IF_ERROR(r.status());
    c.editions.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    TableReader r(*groups[i], file, "group #" + std::to_string(i + 1));
    ProductGroup g;
    g.id = r.Id("id");
    g.name = r.String("name");
    std::optional<std::vector<std::string>> members = r.Strings("editions");
    std::optional<std::int64_t> code = r.Int("code");
    if (r.status().ok()) r.RejectUnknownKeys();
    if (r.status().ok() && !members) r.Fail(nullptr, "missing key \"editions\"");
    ACTIVA_RETURN_IF_ERROR(r.status());
    for (const std::string& name : *members) {
      const Edition* e = c.FindEditionByName(name);
      if (e == nullptr) {
        r.Fail("editions", "no [[edition]] is named \"" + name + "\"");
        break;
      }
      g.editions.push_back(e->id);
    }
    if (code && (*code < 0 || *code > 4095)) r.Fail("code", "\"code\" must be 0 to 4095");
    g.code = code ? static_cast<std::uint16_t>(*code) : ItemCode(g.id);
    ACTIVA_RETURN_IF_ERROR(r.status());
    c.groups.push_back(std::move(g));
  }
  return c;
}

std::string VendorDefinitionTemplate(std::string_view vendor_name) {
  // The name goes inside TOML basic strings: escape what would end them.
  std::string n;
  for (char ch : vendor_name) {
    if (ch == '"' || ch == '\\') n.push_back('\\');
    n.push_back(ch);
  }
  // Keys name editions by a 12-bit code derived from the ID, so two random
  // IDs collide once in 4,096 templates: draw the second until it differs.
  const Uuid professional_id = NewRandomUuid();
  Uuid server_id = NewRandomUuid();
  while (ItemCode(server_id) == ItemCode(professional_id)) server_id = NewRandomUuid();
  std::string out;
  out += "# What " + n + " sells, for `activa-vendor catalog`, which turns this file\n";
  out += "# into the signed catalog that ships inside the product.\n";
  out += "# IDs are UUIDs: keep them once keys are minted; keys name editions and\n";
  out += "# groups by a 12-bit code derived from the ID (or set `code = N` to choose).\n\n";
  out += "[vendor]\n";
  out += "id = \"" + FormatUuid(NewRandomUuid()) + "\"\n";
  out += "name = \"" + n + "\"\n";
  out += "# Where hosts and MAK clients activate online (activa-vendor serve); without\n";
  out += "# it they activate by phone or file only.\n";
  out += "# clearinghouse = \"https://activation.example.com\"\n\n";
  out += "[[application]]\n";
  out += "id = \"" + FormatUuid(NewRandomUuid()) + "\"\n";
  out += "name = \"" + n + " Suite\"\n\n";
  out += "[[edition]]\n";
  out += "id = \"" + FormatUuid(professional_id) + "\"  # the SKU ID\n";
  out += "application = \"" + n + " Suite\"\n";
  out += "name = \"" + n + " Suite Professional\"\n";
  out += "kind = \"client\"  # activates once 25 machines have asked (set threshold to change)\n\n";
  out += "[[edition]]\n";
  out += "id = \"" + FormatUuid(server_id) + "\"\n";
  out += "application = \"" + n + " Suite\"\n";
  out += "name = \"" + n + " Suite Server\"\n";
  out += "kind = \"server\"  # activates once 5 machines have asked\n\n";
  out += "[[group]]  # a host key of this group may activate these editions\n";
  out += "id = \"" + FormatUuid(NewRandomUuid()) + "\"\n";
  out += "name = \"" + n + " Suite Volume\"\n";
  out += "editions = [\"" + n + " Suite Professional\", \"" + n + " Suite Server\"]\n";
  return out;
}

}  // namespace activa
