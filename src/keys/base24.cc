#include "keys/base24.h"

#include <array>
#include <cstdlib>

namespace activa {
namespace {

// The check equation (docs/keys.md, "Group check"). A digit v in 0..23 is
// read as the pair (v % 8 in GF(8), v / 8 in GF(3)), which makes the digits
// the additive group GF(8) x GF(3). Position i multiplies the GF(8) half by
// alpha^i and the GF(3) half by c_i. Every such map is a bijection, so one
// wrong character always changes the sum; and alpha^i - alpha^(i+1) and
// c_i - c_(i+1) are never zero, so swapping two different neighbours always
// changes it too.

// GF(8) = GF(2)[x] / (x^3 + x + 1); elements are 3-bit polynomials.
constexpr std::uint8_t Gf8Mul(std::uint8_t a, std::uint8_t b) {
  unsigned product = 0;
  for (int bit = 0; bit < 3; ++bit) {
    if ((b >> bit) & 1) product ^= unsigned{a} << bit;
  }
  // Reduce degrees 4 and 3 with x^3 = x + 1.
  for (int degree = 4; degree >= 3; --degree) {
    if ((product >> degree) & 1) product ^= 0b1011u << (degree - 3);
  }
  return static_cast<std::uint8_t>(product);
}

// alpha^i for alpha = x: 1, x, x^2, x + 1, x^2 + x.
constexpr std::array<std::uint8_t, 5> kAlphaPower = {1, 2, 4, 3, 6};
// alpha has order 7, so alpha^-4 = alpha^3.
constexpr std::uint8_t kAlphaPowerMinus4 = 3;
// c_i: 1 at even positions, 2 (= -1) at odd ones.
constexpr std::array<std::uint8_t, 5> kGf3Factor = {1, 2, 1, 2, 1};
constexpr std::uint8_t kNotADigit = 0xFF;

struct Pair {
  std::uint8_t gf8 = 0;
  std::uint8_t gf3 = 0;
};

// phi_i(v) for every position and digit, worked out at compile time: the
// check runs once per group in production but tens of millions of times
// in the exhaustive test.
constexpr std::array<std::array<Pair, 24>, 5> MakePhiTable() {
  std::array<std::array<Pair, 24>, 5> table{};
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::uint8_t v = 0; v < 24; ++v) {
      table[i][v].gf8 = Gf8Mul(kAlphaPower[i], v % 8);
      table[i][v].gf3 = static_cast<std::uint8_t>(kGf3Factor[i] * (v / 8) % 3);
    }
  }
  return table;
}
constexpr std::array<std::array<Pair, 24>, 5> kPhi = MakePhiTable();

// The weighted sum of the first `digits.size()` positions of a group; every
// digit must be below 24.
Pair WeightedSum(std::span<const std::uint8_t> digits) {
  unsigned gf8 = 0;
  unsigned gf3 = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const Pair& term = kPhi[i][digits[i]];
    gf8 ^= term.gf8;
    gf3 += term.gf3;
  }
  return {static_cast<std::uint8_t>(gf8), static_cast<std::uint8_t>(gf3 % 3)};
}

// The value each group must sum to. 7 is invertible mod 24, so groups less
// than 24 apart have different targets and a group typed in another group's
// place fails its check.
Pair Target(std::size_t group_index) {
  std::uint8_t v = static_cast<std::uint8_t>((group_index % 24 * 7 + 5) % 24);
  return {static_cast<std::uint8_t>(v % 8), static_cast<std::uint8_t>(v / 8)};
}

constexpr std::array<std::uint8_t, 256> MakeDigitTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kNotADigit;
  for (std::size_t i = 0; i < kBase24Alphabet.size(); ++i) {
    auto c = static_cast<unsigned char>(kBase24Alphabet[i]);
    table[c] = static_cast<std::uint8_t>(i);
    if (c >= 'A' && c <= 'Z') table[c - 'A' + 'a'] = static_cast<std::uint8_t>(i);
  }
  return table;
}
constexpr std::array<std::uint8_t, 256> kDigitOf = MakeDigitTable();

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Shows a rejected character without echoing anything unprintable.
std::string DescribeCharacter(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u == ' ') return "a space";
  if (u > 0x20 && u < 0x7F) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xF];
}

std::string GroupList(const std::vector<std::size_t>& groups) {
  std::string out;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out += (i + 1 == groups.size()) ? " and " : ", ";
    out += std::to_string(groups[i] + 1);
  }
  return out;
}

// Divides the big-endian number in `n` by 24 in place; returns the remainder.
std::uint8_t DivMod24(std::span<std::uint8_t> n) {
  unsigned remainder = 0;
  for (std::uint8_t& byte : n) {
    unsigned current = (remainder << 8) | byte;
    byte = static_cast<std::uint8_t>(current / 24);
    remainder = current % 24;
  }
  return static_cast<std::uint8_t>(remainder);
}

bool IsZero(std::span<const std::uint8_t> n) {
  for (std::uint8_t byte : n) {
    if (byte != 0) return false;
  }
  return true;
}

}  // namespace

std::uint8_t Base24CheckDigit(std::span<const std::uint8_t, 4> data, std::size_t group_index) {
  for (std::uint8_t v : data) {
    if (v >= 24) std::abort();  // Contract violation: not a digit.
  }
  Pair sum = WeightedSum(data);
  Pair target = Target(group_index);
  // Solve alpha^4 * x = target - sum in GF(8) and c_4 * y = target - sum in
  // GF(3) (c_4 = 1).
  std::uint8_t gf8 = Gf8Mul(kAlphaPowerMinus4, target.gf8 ^ sum.gf8);
  std::uint8_t gf3 = static_cast<std::uint8_t>((target.gf3 + 3 - sum.gf3) % 3);
  return static_cast<std::uint8_t>(gf8 + 8 * gf3);
}

bool Base24GroupValid(std::span<const std::uint8_t, 5> group, std::size_t group_index) {
  for (std::uint8_t v : group) {
    if (v >= 24) return false;
  }
  Pair sum = WeightedSum(group);
  Pair target = Target(group_index);
  return sum.gf8 == target.gf8 && sum.gf3 == target.gf3;
}

std::string EncodeBase24Groups(std::span<const std::uint8_t> digits) {
  if (digits.size() % kBase24DataPerGroup != 0) std::abort();  // Contract violation.
  std::size_t groups = digits.size() / kBase24DataPerGroup;
  std::string text;
  text.reserve(groups * (kBase24GroupSize + 1));
  for (std::size_t g = 0; g < groups; ++g) {
    auto data = digits.subspan(g * kBase24DataPerGroup).first<kBase24DataPerGroup>();
    if (g > 0) text += '-';
    for (std::uint8_t v : data) {
      if (v >= 24) std::abort();  // Contract violation: not a digit.
      text += kBase24Alphabet[v];
    }
    text += kBase24Alphabet[Base24CheckDigit(data, g)];
  }
  return text;
}

Result<std::vector<std::uint8_t>> DecodeBase24Groups(std::string_view text,
                                                     std::size_t expected_groups,
                                                     std::string_view what, ResultCode error_code) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  const std::string subject(what);
  if (text.empty()) return Status(error_code, subject + " is empty");

  const std::size_t expected_chars = expected_groups * kBase24GroupSize;
  // The key characters, check characters included. Only as many as expected
  // are kept, so a huge input costs no memory; the rest are only counted.
  std::vector<std::uint8_t> chars;
  chars.reserve(expected_chars);
  std::size_t count = 0;
  for (char c : text) {
    if (c == '-') continue;
    std::uint8_t v = kDigitOf[static_cast<unsigned char>(c)];
    if (v == kNotADigit) {
      return Status(error_code,
                    "group " + std::to_string(count / kBase24GroupSize + 1) + " of " + subject +
                        ": " + DescribeCharacter(c) +
                        " is not a key character (allowed: " + std::string(kBase24Alphabet) + ")");
    }
    if (count < expected_chars) chars.push_back(v);
    ++count;
  }
  if (count != expected_chars) {
    return Status(error_code, subject + " has " + std::to_string(count) + " character" +
                                  (count == 1 ? "" : "s") + "; it needs " +
                                  std::to_string(expected_chars));
  }

  std::vector<std::size_t> bad_groups;
  std::vector<std::uint8_t> digits;
  digits.reserve(expected_groups * kBase24DataPerGroup);
  for (std::size_t g = 0; g < expected_groups; ++g) {
    auto group = std::span<const std::uint8_t>(chars)
                     .subspan(g * kBase24GroupSize)
                     .first<kBase24GroupSize>();
    if (!Base24GroupValid(group, g)) bad_groups.push_back(g);
    digits.insert(digits.end(), group.begin(), group.begin() + kBase24DataPerGroup);
  }
  if (bad_groups.size() == 1) {
    return Status(error_code, "group " + GroupList(bad_groups) + " of " + subject +
                                  " has a typing error (check character does not match)");
  }
  if (!bad_groups.empty()) {
    return Status(error_code, "groups " + GroupList(bad_groups) + " of " + subject +
                                  " have typing errors (check characters do not match)");
  }
  return digits;
}

std::size_t Base24DigitsForBytes(std::size_t num_bytes) {
  // Count the digits of the largest value, 256^n - 1, exactly: floating-point
  // logarithms would do, but this leaves no doubt.
  Bytes n(num_bytes, 0xFF);
  std::size_t digits = 0;
  while (!IsZero(n)) {
    DivMod24(n);
    ++digits;
  }
  return (digits + kBase24DataPerGroup - 1) / kBase24DataPerGroup * kBase24DataPerGroup;
}

std::optional<std::vector<std::uint8_t>> BytesToBase24(ByteSpan bytes, std::size_t num_digits) {
  Bytes n(bytes.begin(), bytes.end());
  std::vector<std::uint8_t> digits(num_digits);
  for (std::size_t i = num_digits; i > 0; --i) digits[i - 1] = DivMod24(n);
  if (!IsZero(n)) return std::nullopt;
  return digits;
}

std::optional<Bytes> Base24ToBytes(std::span<const std::uint8_t> digits, std::size_t num_bytes) {
  Bytes n(num_bytes, 0);
  for (std::uint8_t digit : digits) {
    if (digit >= 24) return std::nullopt;
    // n = n * 24 + digit, from the least significant byte up.
    unsigned carry = digit;
    for (std::size_t i = num_bytes; i > 0; --i) {
      unsigned current = n[i - 1] * 24u + carry;
      n[i - 1] = static_cast<std::uint8_t>(current);
      carry = current >> 8;
    }
    if (carry != 0) return std::nullopt;
  }
  return n;
}

}  // namespace activa
