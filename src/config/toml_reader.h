// Strict reading of TOML tables: every error names the file, the line and
// the key, and keys nobody asked for are errors (they are usually typos).
//
// Only the .cc files that parse configuration include this header (it pulls
// in toml++).
#ifndef ACTIVA_CONFIG_TOML_READER_H_
#define ACTIVA_CONFIG_TOML_READER_H_

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/uuid.h"

namespace activa {

// Parses `text`; syntax errors become kInvalidData "FILE:LINE: what".
Result<toml::table> ParseToml(std::string_view text, const std::string& file);

// Reads the keys of one table. Errors are collected (the first one wins) so
// a caller may read every field and check status() once.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string where);

  // Missing keys are errors when `required`; absent optional ones give {} /
  // nullopt.
  std::string String(std::string_view key, bool required = true);
  std::optional<std::string> OptionalString(std::string_view key);
  std::optional<std::int64_t> Int(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  Uuid Id(std::string_view key);
  // nullopt when absent.
  std::optional<std::vector<std::string>> Strings(std::string_view key);
  // A sub-table; nullptr when absent (an error when present but not a table).
  const toml::table* Table(std::string_view key);
  // An array of tables ([[key]]); empty when absent.
  std::vector<const toml::table*> Tables(std::string_view key);

  // Call last: reports the first key that no call above asked for.
  void RejectUnknownKeys();
  // Records an error at `at` (or at the table when `at` is null).
  void Fail(const toml::node* at, const std::string& what);
  void Fail(std::string_view key, const std::string& what) { Fail(table_.get(key), what); }

  const Status& status() const { return status_; }
  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }

 private:
  // Every read goes through here, so a KeyRecorder sees it.
  void Saw(std::string_view key);

  const toml::table& table_;
  std::string file_;
  std::string where_;
  std::set<std::string, std::less<>> seen_;
  Status status_;
};

// Lists the keys a parser asks for, so documentation and tests can be
// checked against the code instead of a hand-kept list. While one is alive
// on this thread, every TableReader records each key it reads (as
// "section.key", "dns.publish.domain" for [[dns.publish]] entries; the
// section comes from the reader's `where`), an absent sub-table reads as an
// empty one and an absent [[array]] as one empty entry, so every branch of
// the parser runs, and no error is recorded, so none stops it early. What
// the parser returns meanwhile is meaningless; only keys() counts.
class KeyRecorder {
 public:
  KeyRecorder();
  ~KeyRecorder();
  KeyRecorder(const KeyRecorder&) = delete;
  KeyRecorder& operator=(const KeyRecorder&) = delete;

  // Sorted, each once.
  std::vector<std::string> keys() const { return {keys_.begin(), keys_.end()}; }

 private:
  friend class TableReader;
  std::set<std::string> keys_;
  KeyRecorder* previous_;
};

}  // namespace activa

#endif  // ACTIVA_CONFIG_TOML_READER_H_
