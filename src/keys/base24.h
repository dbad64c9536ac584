// Grouped base-24 text: the form in which people read, type and dictate
// product keys, installation IDs and confirmation IDs.
//
// Text is a sequence of groups of five characters from the alphabet
// `kBase24Alphabet` (a character's value is its index): four data characters
// and one check character. The check character makes every group satisfy an
// equation that depends on the group's position in the text, which catches
// every single wrong character, every swap of two neighbouring characters
// and any whole group typed in the wrong place (within 24 groups). The
// scheme and its proof are in docs/keys.md.
//
// Everything here is pure and thread-compatible. Parsing accepts untrusted
// text of any length and content.
#ifndef ACTIVA_KEYS_BASE24_H_
#define ACTIVA_KEYS_BASE24_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result_code.h"
#include "base/status.h"

namespace activa {

// 24 characters. Leaves out the vowels (no accidental words, no O/0 or I/1
// mix-ups) and 0, 1, 5, L, N, S and Z.
inline constexpr std::string_view kBase24Alphabet = "BCDFGHJKMPQRTVWXY2346789";
inline constexpr std::size_t kBase24DataPerGroup = 4;
inline constexpr std::size_t kBase24GroupSize = 5;

// The check digit (0..23) for the four data digits of group `group_index`
// (0-based position of the group in the whole text). Each data digit must be
// below 24; a larger one is a programming error and aborts.
std::uint8_t Base24CheckDigit(std::span<const std::uint8_t, 4> data, std::size_t group_index);

// True when the five digits (four data, one check; each below 24) form a
// valid group at position `group_index`. Digits of 24 or more make it false.
bool Base24GroupValid(std::span<const std::uint8_t, 5> group, std::size_t group_index);

// Writes `digits` (the data digits, most significant first) as upper-case
// groups joined by dashes: "XXXXX-XXXXX-...". Requires digits.size() to be a
// multiple of 4 and every digit below 24; anything else is a programming
// error and aborts. An empty input gives an empty string.
std::string EncodeBase24Groups(std::span<const std::uint8_t> digits);

// Reads text written by EncodeBase24Groups back into its data digits.
//
// Leniency: letters in either case; dashes anywhere (or none) are ignored;
// leading and trailing whitespace is ignored. Groups are counted by
// character position (characters 1-5 are group 1, and so on), whatever the
// dashes say.
//
// Strictness: exactly `expected_groups` groups, every character from the
// alphabet, every group's check character right. On failure returns
// Status(`error_code`, message), where the message starts with `what` (for
// example "the product key") and names the first offending group, 1-based,
// so a person can find it:
//   "the product key has 24 characters; it needs 25"
//   "group 2 of the product key: '0' is not a key character (allowed: ...)"
//   "group 3 of the product key has a typing error (check character does not match)"
// Input text is never echoed except for one printable ASCII character.
Result<std::vector<std::uint8_t>> DecodeBase24Groups(std::string_view text,
                                                     std::size_t expected_groups,
                                                     std::string_view what, ResultCode error_code);

// Big-number conversion between a big-endian byte string and base-24 digits
// (most significant first).

// The number of base-24 digits that can hold any `num_bytes`-byte value,
// rounded up to a whole number of groups (a multiple of 4).
std::size_t Base24DigitsForBytes(std::size_t num_bytes);

// `bytes` as exactly `num_digits` digits, or nullopt when the value needs
// more digits than that.
std::optional<std::vector<std::uint8_t>> BytesToBase24(ByteSpan bytes, std::size_t num_digits);

// `digits` (each below 24) as exactly `num_bytes` big-endian bytes, or
// nullopt when a digit is 24 or more or the value needs more bytes.
std::optional<Bytes> Base24ToBytes(std::span<const std::uint8_t> digits, std::size_t num_bytes);

}  // namespace activa

#endif  // ACTIVA_KEYS_BASE24_H_
