// Big-endian byte writing and bounds-checked reading for Activa's binary
// formats (protocol frames, certificates, activation codes).
//
// ByteReader never reads past its input: every read checks the bytes that
// remain and, once one fails, the reader stays failed, so a decoder may read
// a whole structure and test ok() once at the end.
#ifndef ACTIVA_BASE_BYTES_H_
#define ACTIVA_BASE_BYTES_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace activa {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

class ByteWriter {
 public:
  void U8(std::uint8_t v) { out_.push_back(v); }
  void U16(std::uint16_t v);
  void U32(std::uint32_t v);
  void U64(std::uint64_t v);
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void Raw(ByteSpan bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  void Raw(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  // A u16 length followed by the bytes. The caller keeps them under 65536.
  void Blob16(ByteSpan bytes);
  void String8(std::string_view s);  // u8 length, at most 255 bytes

  std::size_t size() const { return out_.size(); }
  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

class ByteReader {
 public:
  explicit ByteReader(ByteSpan in) : in_(in) {}

  std::uint8_t U8();
  std::uint16_t U16();
  std::uint32_t U32();
  std::uint64_t U64();
  std::int64_t I64() { return static_cast<std::int64_t>(U64()); }
  // Copies exactly N bytes into `out`; on failure `out` is zeroed.
  template <std::size_t N>
  void Fixed(std::array<std::uint8_t, N>& out) {
    ByteSpan s = Take(N);
    if (s.size() == N) {
      std::copy(s.begin(), s.end(), out.begin());
    } else {
      out.fill(0);
    }
  }
  ByteSpan Take(std::size_t n);  // empty span on failure
  ByteSpan Blob16();
  std::string String8();

  bool ok() const { return ok_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  std::size_t position() const { return pos_; }
  // True when every byte was consumed and no read failed.
  bool AtEnd() const { return ok_ && pos_ == in_.size(); }

 private:
  ByteSpan in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string HexEncode(ByteSpan bytes);
// Accepts upper or lower case; false on odd length or a non-hex character.
bool HexDecode(std::string_view hex, Bytes* out);

std::string Base64Encode(ByteSpan bytes);
bool Base64Decode(std::string_view text, Bytes* out);

}  // namespace activa

#endif  // ACTIVA_BASE_BYTES_H_
