// Fuzz target for the protocol codec (src/protocol/codec.h).
//
// Feeds arbitrary bytes to every decoder: as a whole frame, as a header, and
// as each kind of body. Beyond "no crash, no sanitizer report", it checks the
// codec's promises: whatever decodes is valid, re-encodes to exactly the bytes
// it came from (the encoding is canonical, which response signatures rely
// on), and has a header within the limits. A broken promise aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "protocol/codec.h"

namespace {

using activa::Bytes;
using activa::ByteSpan;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Equal(ByteSpan a, ByteSpan b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// The encoded frame minus its header.
ByteSpan Body(const Bytes& frame) { return ByteSpan(frame).subspan(activa::kFrameHeaderSize); }

const activa::PublicKey& SomeKey() {
  static const activa::PublicKey key = [] {
    activa::KeySeed seed;
    seed.fill(0x01);
    return activa::SigningKey::FromSeed(seed).public_key();
  }();
  return key;
}

void CheckResponse(const activa::ActivationResponse& p, ByteSpan body) {
  Check(activa::ValidateResponse(p).ok());
  Bytes signed_bytes = activa::ResponseSignedBytes(p);
  // Version 3 carries its batch path between the signed bytes and the
  // signature: index, depth, the sibling hashes.
  const std::size_t path_size =
      p.version == activa::kProtocolVersion ? 5 + 32 * p.batch_path.siblings.size() : 0;
  Check(p.batch_path.siblings.size() <= activa::kMaxBatchDepth);
  Check(signed_bytes.size() + path_size + p.signature.size() == body.size());
  Check(Equal(signed_bytes, body.first(signed_bytes.size())));
  // Must not crash; random bytes essentially never carry a valid signature,
  // but nothing here depends on that.
  (void)activa::VerifyResponseSignature(p, SomeKey());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  activa::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteSpan input(data, size);

  // A whole frame of any type.
  if (activa::Result<activa::Message> m = activa::DecodeFrame(input); m.ok()) {
    Bytes again;
    if (const auto* q = std::get_if<activa::ActivationRequest>(&*m)) {
      again = activa::EncodeRequest(*q);
    } else if (const auto* p = std::get_if<activa::ActivationResponse>(&*m)) {
      CheckResponse(*p, input.subspan(activa::kFrameHeaderSize));
      again = activa::EncodeResponse(*p);
    } else {
      again = activa::EncodeError(std::get<activa::ErrorMessage>(*m));
    }
    Check(Equal(again, input));
  }

  // The header alone, from the first 12 bytes.
  if (size >= activa::kFrameHeaderSize) {
    auto h = activa::DecodeFrameHeader(input.first(activa::kFrameHeaderSize));
    if (h.ok()) {
      // Error frames are version 1, everything else the current version
      // or the one before it (whose responses are signed one by one).
      Check(h->type == activa::MessageType::kError
                ? h->version == activa::kErrorFrameVersion
                : h->version == activa::kProtocolVersion ||
                      h->version == activa::kPerResponseSignatureVersion);
      Check(h->body_length <= activa::kMaxBodySize);
    }
  }

  // The input as each kind of body; the encoders add a header, so compare
  // what follows it.
  if (auto q = activa::DecodeRequestBody(input); q.ok()) {
    Check(activa::ValidateRequest(*q).ok());
    Bytes frame = activa::EncodeRequest(*q);
    Check(Equal(Body(frame), input));
  }
  for (std::uint8_t version : {activa::kProtocolVersion, activa::kPerResponseSignatureVersion}) {
    if (auto p = activa::DecodeResponseBody(input, version); p.ok()) {
      CheckResponse(*p, input);
      Bytes frame = activa::EncodeResponse(*p);
      Check(Equal(Body(frame), input));
    }
  }
  if (auto e = activa::DecodeErrorBody(input); e.ok()) {
    Check(activa::ValidateError(*e).ok());
    Bytes frame = activa::EncodeError(*e);
    Check(Equal(Body(frame), input));
  }
  return 0;
}
