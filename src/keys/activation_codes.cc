#include "keys/activation_codes.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "keys/base24.h"

namespace activa {
namespace {

constexpr std::size_t kChecksumSize = 2;

// Where the two codes differ.
struct CodeFormat {
  std::string_view what;     // names the code in messages
  std::string_view origin;   // where a person finds the right text
  std::string_view context;  // checksum domain separation
  std::uint8_t version;      // the one version this release reads and writes
  std::size_t payload_size;  // version through checksum
  std::size_t groups;
  std::size_t checksum_size;  // kChecksumSize or 0
};

constexpr CodeFormat kInstallationIdFormat = {"the installation ID",
                                              "the one the host shows",
                                              "activa/installation-id/v1",
                                              1,
                                              1 + 8 + 32 + kPackedProductKeySize + 2,
                                              kInstallationIdGroups,
                                              kChecksumSize};
// No checksum: the signature covers every byte after the version and is
// checked against the host's own installation ID before anything is kept,
// so a checksum would only repeat it; without one the code fits 30 groups
// instead of 31 (docs/keys.md, section 3.4).
constexpr CodeFormat kConfirmationIdFormat = {
    "the confirmation ID", "the one the vendor gave", "", 3,
    1 + 2 + 2 + 64,        kConfirmationIdGroups,     0};

std::array<std::uint8_t, kChecksumSize> Checksum(const CodeFormat& format, ByteSpan body) {
  ByteWriter w;
  w.Raw(format.context);
  w.U8(0);
  w.Raw(body);
  std::array<std::uint8_t, 16> hash{};
  Blake2b(hash, w.bytes());
  return {hash[0], hash[1]};
}

// `body` is the payload up to the checksum, starting with the version.
std::string FormatCode(const CodeFormat& format, Bytes body) {
  if (format.checksum_size != 0) {
    std::array<std::uint8_t, kChecksumSize> checksum = Checksum(format, body);
    body.insert(body.end(), checksum.begin(), checksum.end());
  }
  if (body.size() != format.payload_size) std::abort();  // the tables above are wrong
  // Cannot fail: groups * 4 digits hold any payload_size-byte number (tested).
  std::optional<std::vector<std::uint8_t>> digits =
      BytesToBase24(body, format.groups * kBase24DataPerGroup);
  if (!digits) std::abort();
  return EncodeBase24Groups(*digits);
}

// The payload up to the checksum, with its version checked and its
// checksum verified.
Result<Bytes> ParseCode(const CodeFormat& format, std::string_view text) {
  Result<std::vector<std::uint8_t>> digits =
      DecodeBase24Groups(text, format.groups, format.what, ResultCode::kInvalidData);
  if (!digits.ok()) return digits.status();
  std::string what(format.what);
  // The digits can hold a little more than payload_size bytes; a larger
  // number cannot have come from a formatter.
  std::optional<Bytes> payload = Base24ToBytes(*digits, format.payload_size);
  if (!payload) {
    return Status(ResultCode::kInvalidData,
                  what + " is out of range; compare it with " + std::string(format.origin));
  }
  // The version decides the meaning of everything after it, checksum
  // included, so it is read first.
  if ((*payload)[0] != format.version) {
    return Status(ResultCode::kUnsupportedVersion,
                  what + " has version " + std::to_string((*payload)[0]) +
                      "; this release reads version " + std::to_string(format.version) + " only");
  }
  if (format.checksum_size == 0) return std::move(payload).value();
  Bytes body(payload->begin(), payload->end() - kChecksumSize);
  std::array<std::uint8_t, kChecksumSize> checksum = Checksum(format, body);
  if (!std::equal(checksum.begin(), checksum.end(), payload->end() - kChecksumSize)) {
    return Status(ResultCode::kInvalidData,
                  what + " does not check out; compare it with " + std::string(format.origin));
  }
  return body;
}

}  // namespace

std::string FormatInstallationId(const InstallationId& id) {
  ByteWriter w;
  w.U8(kInstallationIdFormat.version);
  w.Raw(id.machine_tag);
  w.Raw(id.host_public_key);
  w.Raw(PackProductKey(id.host_key));
  return FormatCode(kInstallationIdFormat, w.Take());
}

Result<InstallationId> ParseInstallationId(std::string_view text) {
  Result<Bytes> body = ParseCode(kInstallationIdFormat, text);
  if (!body.ok()) return body.status();
  ByteReader r(*body);
  r.U8();  // version, checked by ParseCode
  InstallationId id;
  r.Fixed(id.machine_tag);
  r.Fixed(id.host_public_key);
  PackedProductKey packed;
  r.Fixed(packed);
  if (!r.AtEnd()) std::abort();  // ParseCode returned the size the format fixes
  Result<ProductKey> key = UnpackProductKey(packed);
  if (!key.ok()) {
    return Status(ResultCode::kInvalidData,
                  "the installation ID contains an invalid product key: " + key.status().message());
  }
  id.host_key = *key;
  return id;
}

std::string FormatConfirmationId(const ConfirmationId& id) {
  ByteWriter w;
  w.U8(kConfirmationIdFormat.version);
  w.U16(id.issue_day);
  w.U16(id.valid_days);
  w.Raw(id.signature);
  return FormatCode(kConfirmationIdFormat, w.Take());
}

Result<ConfirmationId> ParseConfirmationId(std::string_view text) {
  Result<Bytes> body = ParseCode(kConfirmationIdFormat, text);
  if (!body.ok()) return body.status();
  ByteReader r(*body);
  r.U8();  // version, checked by ParseCode
  ConfirmationId id;
  id.issue_day = r.U16();
  id.valid_days = r.U16();
  r.Fixed(id.signature);
  if (!r.AtEnd()) std::abort();  // ParseCode returned the size the format fixes
  if (id.valid_days == 0) {
    return Status(ResultCode::kInvalidData,
                  "the confirmation ID gives its certificate no days; compare it with the one "
                  "the vendor gave");
  }
  return id;
}

}  // namespace activa
