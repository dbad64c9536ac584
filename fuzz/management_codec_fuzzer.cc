// Feeds arbitrary bytes to the management codec's decoders (requests and
// every response type, strict and tolerant): each must return a value or a
// Status, never crash or throw. A request that decodes must re-encode to a
// line that decodes to the same request.
//
// The first byte picks the response type and the check; the rest is the
// line. Decoding the line as every type in turn made each input cost some
// 60 parses (about 1,300 inputs a second); one type per input lets the
// fuzzer reach each type as often, at dozens of times the rate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "management/codec.h"
#include "management/operations.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace m = activa::management;
  if (size == 0) return 0;
  const auto& operations = m::Operations();
  const m::OperationSpec& spec = operations[data[0] % operations.size()];
  const m::FieldCheck check =
      (data[0] / operations.size()) % 2 == 0 ? m::FieldCheck::kStrict : m::FieldCheck::kTolerant;
  std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  activa::Result<m::Request> request = m::DecodeRequest(line);
  if (request.ok()) {
    activa::Result<m::Request> again = m::DecodeRequest(m::EncodeRequest(*request));
    if (!again.ok() || !(*again == *request)) std::abort();
  }
  activa::Result<m::ResponsePayload> r = m::DecodeResponse(spec.operation, line, check);
  if (r.ok()) (void)m::EncodeResponse(r);
  (void)m::DecodeResponseHead(line).ok();
  return 0;
}
