/* An example product's license check through libactiva (docs/c-api.md).
 * product_main.c is how a vendor builds it; product_test_main.c is the
 * repository's test harness. */
#ifndef ACTIVA_EXAMPLES_PRODUCT_PRODUCT_H_
#define ACTIVA_EXAMPLES_PRODUCT_PRODUCT_H_

#include <activa/activa.h>
#include <stdint.h>
#include <stdio.h>

/* Asks the local activad (its default socket) for the license of edition
 * `sku` of application `app` (UUIDs as the vendor's catalog spells them),
 * verified under `key`, the vendor's public key the product holds. Writes a
 * few lines to `out`:
 *
 *   product: NAME
 *   state: licensed | grace | not licensed
 *   days left: N
 *   why: TEXT
 *
 * and, when activad's last activation attempt failed, "last attempt: TEXT".
 * Returns 1 when the product may run fully (licensed or grace), 0 when it
 * must run restricted: also when activad cannot be reached or refuses to
 * answer, which is never a reason to run fully. */
int check_license(const uint8_t key[ACTIVA_VENDOR_KEY_SIZE], const char* app, const char* sku,
                  FILE* out);

#endif /* ACTIVA_EXAMPLES_PRODUCT_PRODUCT_H_ */
