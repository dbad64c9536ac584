#include "dns/dns_publisher.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/bytes.h"

namespace activa::dns {

namespace {

Status BadKey(std::string what) {
  return Status(ResultCode::kInvalidArgument, "TSIG key: " + std::move(what));
}

// Checks the three parts and puts the algorithm into BIND's lower-case name.
Result<TsigKey> Validated(TsigKey key) {
  while (!key.name.empty() && key.name.back() == '.') key.name.pop_back();
  if (key.name.empty()) return BadKey("the key name is empty");
  for (char c : key.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return BadKey("the key name \"" + key.name +
                    "\" has a character other than letters, digits, '-', '_' and '.'");
    }
  }
  std::transform(key.algorithm.begin(), key.algorithm.end(), key.algorithm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (key.algorithm == "hmac-md5.sig-alg.reg.int") key.algorithm = "hmac-md5";
  if (std::find(std::begin(kTsigAlgorithms), std::end(kTsigAlgorithms), key.algorithm) ==
      std::end(kTsigAlgorithms)) {
    return BadKey("unknown algorithm \"" + key.algorithm +
                  "\" (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)");
  }
  Bytes secret;
  if (key.secret_base64.empty() || !Base64Decode(key.secret_base64, &secret) || secret.empty()) {
    return BadKey("the secret of key \"" + key.name + "\" is not base64");
  }
  return key;
}

// The tokens of a BIND `key` statement: words, quoted strings (without
// their quotes) and the punctuation `{`, `}` and `;`, with comments (`#`,
// `//`, `/* */`) dropped. False when a string or a comment does not end.
struct Token {
  std::string text;
  bool quoted = false;
};
bool Tokenize(std::string_view text, std::vector<Token>* out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || text.substr(i, 2) == "//") {
      i = text.find('\n', i);
      if (i == std::string_view::npos) i = text.size();
    } else if (text.substr(i, 2) == "/*") {
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
    } else if (c == '"') {
      std::size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) return false;
      out->push_back({std::string(text.substr(i + 1, end - i - 1)), true});
      i = end + 1;
    } else if (c == '{' || c == '}' || c == ';') {
      out->push_back({std::string(1, c), false});
      ++i;
    } else {
      std::size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
             text[end] != '{' && text[end] != '}' && text[end] != ';' && text[end] != '"') {
        ++end;
      }
      out->push_back({std::string(text.substr(i, end - i)), false});
      i = end;
    }
  }
  return true;
}

// key "NAME" { algorithm ALG; secret "BASE64"; }; as tsig-keygen writes it.
// Errors never quote a token: any of them may be the secret.
Result<TsigKey> ParseBindKey(std::string_view text) {
  const Status bad = BadKey(
      "expected one BIND key statement: key \"NAME\" { algorithm ALGORITHM; secret \"BASE64\"; };");
  std::vector<Token> t;
  if (!Tokenize(text, &t)) return bad;
  std::size_t i = 0;
  auto next_is = [&](std::string_view s) {
    if (i < t.size() && !t[i].quoted && t[i].text == s) {
      ++i;
      return true;
    }
    return false;
  };
  auto word = [&](std::string* out) {
    if (i >= t.size() ||
        (!t[i].quoted && (t[i].text == "{" || t[i].text == "}" || t[i].text == ";"))) {
      return false;
    }
    *out = t[i++].text;
    return true;
  };
  TsigKey key;
  key.algorithm.clear();
  if (!next_is("key") || !word(&key.name) || !next_is("{")) return bad;
  bool have_algorithm = false;
  bool have_secret = false;
  while (!next_is("}")) {
    if (next_is("algorithm") && !have_algorithm) {
      if (!word(&key.algorithm) || !next_is(";")) return bad;
      have_algorithm = true;
    } else if (next_is("secret") && !have_secret) {
      if (!word(&key.secret_base64) || !next_is(";")) return bad;
      have_secret = true;
    } else {
      return bad;
    }
  }
  if (!next_is(";") || i != t.size() || !have_algorithm || !have_secret) return bad;
  return Validated(std::move(key));
}

}  // namespace

Result<TsigKey> ParseTsigKey(std::string_view text) {
  // Neither a key name nor base64 contains ':', so the split is unambiguous.
  auto first = text.find(':');
  auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos || text.find(':', second + 1) != std::string_view::npos) {
    return BadKey("expected \"keyname:algorithm:base64-secret\"");
  }
  TsigKey key;
  key.name = std::string(text.substr(0, first));
  key.algorithm = std::string(text.substr(first + 1, second - first - 1));
  key.secret_base64 = std::string(text.substr(second + 1));
  return Validated(std::move(key));
}

Result<TsigKey> ParseTsigKeyFile(std::string_view text) {
  if (text.find('{') != std::string_view::npos) return ParseBindKey(text);
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.find('\n') != std::string_view::npos) {
    return BadKey("expected one line \"keyname:algorithm:base64-secret\" or a BIND key statement");
  }
  return ParseTsigKey(text);
}

}  // namespace activa::dns
