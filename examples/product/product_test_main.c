/* TEST ONLY. The example product with its vendor key taken from the command
 * line, because the repository's tests create their vendor at run time. A
 * real product must not do this (see product_main.c): a key it is handed is
 * a key anyone can choose.
 *
 *   example_product_test_bin KEY_HEX APPLICATION_ID SKU_ID
 *
 * KEY_HEX is the vendor's public key, 64 hex digits. The socket is activad's
 * default, or $ACTIVA_SOCKET in builds with test controls. Exit status: 0
 * when the product may run fully, 1 when not, 2 for a usage error. */
#include <stdio.h>
#include <string.h>

#include "product.h"

static int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int main(int argc, char** argv) {
  uint8_t key[ACTIVA_VENDOR_KEY_SIZE];
  if (argc != 4 || strlen(argv[1]) != 2 * sizeof key) {
    fprintf(stderr, "usage: %s KEY_HEX APPLICATION_ID SKU_ID (test only)\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < sizeof key; ++i) {
    const int hi = HexDigit(argv[1][2 * i]), lo = HexDigit(argv[1][2 * i + 1]);
    if (hi < 0 || lo < 0) {
      fprintf(stderr, "%s: KEY_HEX is not 64 hex digits\n", argv[0]);
      return 2;
    }
    key[i] = (uint8_t)(hi * 16 + lo);
  }
  return check_license(key, argv[2], argv[3], stdout) ? 0 : 1;
}
