#include "base/bytes.h"

#include <sodium.h>

namespace activa {

void ByteWriter::U16(std::uint16_t v) {
  U8(static_cast<std::uint8_t>(v >> 8));
  U8(static_cast<std::uint8_t>(v));
}

void ByteWriter::U32(std::uint32_t v) {
  U16(static_cast<std::uint16_t>(v >> 16));
  U16(static_cast<std::uint16_t>(v));
}

void ByteWriter::U64(std::uint64_t v) {
  U32(static_cast<std::uint32_t>(v >> 32));
  U32(static_cast<std::uint32_t>(v));
}

void ByteWriter::Blob16(ByteSpan bytes) {
  U16(static_cast<std::uint16_t>(bytes.size()));
  Raw(bytes);
}

void ByteWriter::String8(std::string_view s) {
  U8(static_cast<std::uint8_t>(s.size()));
  Raw(s);
}

ByteSpan ByteReader::Take(std::size_t n) {
  if (!ok_ || n > remaining()) {
    ok_ = false;
    return {};
  }
  ByteSpan s = in_.subspan(pos_, n);
  pos_ += n;
  return s;
}

std::uint8_t ByteReader::U8() {
  ByteSpan s = Take(1);
  return s.empty() ? 0 : s[0];
}

std::uint16_t ByteReader::U16() {
  ByteSpan s = Take(2);
  if (s.empty()) return 0;
  return static_cast<std::uint16_t>((s[0] << 8) | s[1]);
}

std::uint32_t ByteReader::U32() {
  std::uint32_t hi = U16();
  std::uint32_t lo = U16();
  return ok_ ? (hi << 16) | lo : 0;
}

std::uint64_t ByteReader::U64() {
  std::uint64_t hi = U32();
  std::uint64_t lo = U32();
  return ok_ ? (hi << 32) | lo : 0;
}

ByteSpan ByteReader::Blob16() {
  std::uint16_t n = U16();
  return Take(n);
}

std::string ByteReader::String8() {
  std::uint8_t n = U8();
  ByteSpan s = Take(n);
  return std::string(s.begin(), s.end());
}

std::string HexEncode(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool HexDecode(std::string_view hex, Bytes* out) {
  out->clear();
  if (hex.size() % 2 != 0) return false;
  out->reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      out->clear();
      return false;
    }
    out->push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return true;
}

std::string Base64Encode(ByteSpan bytes) {
  // libsodium's pointers must not be null, and an empty span may have one.
  if (bytes.empty()) return "";
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool Base64Decode(std::string_view text, Bytes* out) {
  // libsodium's pointers must not be null: empty text is simply no bytes.
  if (text.empty()) {
    out->clear();
    return true;
  }
  out->assign(text.size(), 0);
  std::size_t len = 0;
  if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    out->clear();
    return false;
  }
  out->resize(len);
  return true;
}

}  // namespace activa
