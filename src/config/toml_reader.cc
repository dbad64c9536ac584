#include "config/toml_reader.h"

namespace activa {
namespace {

thread_local KeyRecorder* recorder = nullptr;

// "[daemon]" -> "daemon", "[[dns.publish]] #2" -> "dns.publish", "top level" -> "".
std::string SectionOf(std::string_view where) {
  if (!where.starts_with('[')) return "";
  std::size_t begin = where.find_first_not_of('[');
  std::size_t end = where.find(']', begin);
  return std::string(where.substr(begin, end == std::string_view::npos ? end : end - begin));
}

const toml::table& EmptyTable() {
  static const toml::table* empty = new toml::table();
  return *empty;
}

}  // namespace

KeyRecorder::KeyRecorder() : previous_(recorder) { recorder = this; }
KeyRecorder::~KeyRecorder() { recorder = previous_; }

Result<toml::table> ParseToml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    // toml++ reports syntax errors by exception; they stop here and go on as
    // a Status.
    return Status(ResultCode::kInvalidData, file + ":" + std::to_string(e.source().begin.line) +
                                                ": " + std::string(e.description()));
  }
}

TableReader::TableReader(const toml::table& table, std::string file, std::string where)
    : table_(table), file_(std::move(file)), where_(std::move(where)) {}

void TableReader::Saw(std::string_view key) {
  seen_.emplace(key);
  if (recorder != nullptr) {
    std::string section = SectionOf(where_);
    recorder->keys_.insert(section.empty() ? std::string(key) : section + "." + std::string(key));
  }
}

void TableReader::Fail(const toml::node* at, const std::string& what) {
  if (!status_.ok() || recorder != nullptr) return;
  const toml::node& node = at != nullptr ? *at : static_cast<const toml::node&>(table_);
  std::string line = node.source().begin ? ":" + std::to_string(node.source().begin.line) : "";
  status_ = Status(ResultCode::kInvalidData, file_ + line + ": " + where_ + ": " + what);
}

std::string TableReader::String(std::string_view key, bool required) {
  std::optional<std::string> s = OptionalString(key);
  if (!s && required) Fail(nullptr, "missing key \"" + std::string(key) + "\"");
  return s.value_or("");
}

std::optional<std::string> TableReader::OptionalString(std::string_view key) {
  Saw(key);
  const toml::node* n = table_.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    Fail(n, "\"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }
  return std::string(*n->as_string());
}

std::optional<std::int64_t> TableReader::Int(std::string_view key) {
  Saw(key);
  const toml::node* n = table_.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_integer()) {
    Fail(n, "\"" + std::string(key) + "\" must be an integer");
    return std::nullopt;
  }
  return n->as_integer()->get();
}

std::optional<bool> TableReader::Bool(std::string_view key) {
  Saw(key);
  const toml::node* n = table_.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_boolean()) {
    Fail(n, "\"" + std::string(key) + "\" must be true or false");
    return std::nullopt;
  }
  return n->as_boolean()->get();
}

Uuid TableReader::Id(std::string_view key) {
  std::string text = String(key);
  if (!status_.ok()) return {};
  std::optional<Uuid> id = ParseUuid(text);
  if (!id) Fail(table_.get(key), "\"" + std::string(key) + "\" is not a UUID: \"" + text + "\"");
  return id.value_or(Uuid{});
}

std::optional<std::vector<std::string>> TableReader::Strings(std::string_view key) {
  Saw(key);
  const toml::node* n = table_.get(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    Fail(n, "\"" + std::string(key) + "\" must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const toml::node& e : *arr) {
    if (!e.is_string()) {
      Fail(&e, "\"" + std::string(key) + "\" must hold only strings");
      return std::nullopt;
    }
    out.emplace_back(*e.as_string());
  }
  return out;
}

const toml::table* TableReader::Table(std::string_view key) {
  seen_.emplace(key);
  const toml::node* n = table_.get(key);
  if (n == nullptr) return recorder != nullptr ? &EmptyTable() : nullptr;
  if (!n->is_table()) {
    Fail(n, "\"" + std::string(key) + "\" must be a table ([" + std::string(key) + "])");
    return nullptr;
  }
  return n->as_table();
}

std::vector<const toml::table*> TableReader::Tables(std::string_view key) {
  seen_.emplace(key);
  std::vector<const toml::table*> out;
  const toml::node* n = table_.get(key);
  if (n == nullptr) {
    if (recorder != nullptr) out.push_back(&EmptyTable());
    return out;
  }
  const toml::array* arr = n->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    Fail(n, "\"" + std::string(key) + "\" must be written as [[" + std::string(key) + "]] tables");
    return out;
  }
  for (const toml::node& t : *arr) out.push_back(t.as_table());
  return out;
}

void TableReader::RejectUnknownKeys() {
  for (const auto& [k, v] : table_) {
    if (!seen_.contains(k.str())) {
      Fail(&v, "unknown key \"" + std::string(k.str()) + "\"");
      return;
    }
  }
}

}  // namespace activa
