// libFuzzer target over the clearinghouse's request parser: the first byte
// picks the method and path, the rest is the body. Nothing may crash, and
// every refusal must be a 4xx that serializes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "clearinghouse/api_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::string_view kMethods[] = {"POST", "GET", "PUT", "DELETE"};
  static constexpr std::string_view kTargets[] = {
      "/v1/activations", "/v1/renewals", "/v1/revocations", "/healthz", "/readyz", "/metrics", "/",
      "/v1/activations/"};
  if (size == 0) return 0;
  std::string_view method = kMethods[data[0] & 3];
  std::string_view target = kTargets[(data[0] >> 2) & 7];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  activa::ParsedApiRequest p = activa::ParseApiRequest(method, target, body);
  if (!p.request) {
    if (p.error.http_status < 400 || p.error.http_status > 499) std::abort();
    if (activa::ApiErrorJson(p.error).empty()) std::abort();
  }
  return 0;
}
