// Feeds arbitrary bytes to the management codec's decoders (requests and
// every response type, strict and tolerant): each must return a value or a
// Status, never crash or throw. A request that decodes must re-encode to a
// line that decodes to the same request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "management/codec.h"
#include "management/operations.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace m = activa::management;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  activa::Result<m::Request> request = m::DecodeRequest(line);
  if (request.ok()) {
    activa::Result<m::Request> again = m::DecodeRequest(m::EncodeRequest(*request));
    if (!again.ok() || !(*again == *request)) std::abort();
  }
  for (const m::OperationSpec& spec : m::Operations()) {
    for (m::FieldCheck check : {m::FieldCheck::kStrict, m::FieldCheck::kTolerant}) {
      activa::Result<m::ResponsePayload> r = m::DecodeResponse(spec.operation, line, check);
      if (r.ok()) (void)m::EncodeResponse(r);
    }
  }
  (void)m::DecodeResponseHead(line).ok();
  return 0;
}
