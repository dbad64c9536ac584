#include "dns/dns_publisher.h"

#include <algorithm>
#include <cctype>

#include "base/bytes.h"

namespace activa::dns {

Result<TsigKey> ParseTsigKey(std::string_view text) {
  auto bad = [](std::string what) {
    return Status(ResultCode::kInvalidArgument, "TSIG key: " + std::move(what));
  };
  // Neither a key name nor base64 contains ':', so the split is unambiguous.
  auto first = text.find(':');
  auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos || text.find(':', second + 1) != std::string_view::npos) {
    return bad("expected \"keyname:algorithm:base64-secret\"");
  }
  TsigKey key;
  key.name = std::string(text.substr(0, first));
  key.algorithm = std::string(text.substr(first + 1, second - first - 1));
  key.secret_base64 = std::string(text.substr(second + 1));
  while (!key.name.empty() && key.name.back() == '.') key.name.pop_back();
  if (key.name.empty()) return bad("the key name is empty");
  for (char c : key.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return bad("the key name \"" + key.name +
                 "\" has a character other than letters, digits, '-', '_' and '.'");
    }
  }
  std::transform(key.algorithm.begin(), key.algorithm.end(), key.algorithm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (key.algorithm == "hmac-md5.sig-alg.reg.int") key.algorithm = "hmac-md5";
  if (std::find(std::begin(kTsigAlgorithms), std::end(kTsigAlgorithms), key.algorithm) ==
      std::end(kTsigAlgorithms)) {
    return bad("unknown algorithm \"" + key.algorithm +
               "\" (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)");
  }
  Bytes secret;
  if (key.secret_base64.empty() || !Base64Decode(key.secret_base64, &secret) || secret.empty()) {
    return bad("the secret of key \"" + key.name + "\" is not base64");
  }
  return key;
}

}  // namespace activa::dns
