#include "product.h"

/* The three states a product acts on. Every grace state (initial, out of
 * tolerance, non-genuine, extended) is "grace": it has no signed proof, so it
 * is activad's word, and the product decides what grace allows. A licensed
 * claim whose proof failed arrives here as ACTIVA_STATE_UNLICENSED. */
static const char* StateWord(int state) {
  switch (state) {
    case ACTIVA_STATE_LICENSED:
      return "licensed";
    case ACTIVA_STATE_INITIAL_GRACE:
    case ACTIVA_STATE_OOT_GRACE:
    case ACTIVA_STATE_NON_GENUINE_GRACE:
    case ACTIVA_STATE_EXTENDED_GRACE:
      return "grace";
    default:
      return "not licensed";
  }
}

int check_license(const uint8_t key[ACTIVA_VENDOR_KEY_SIZE], const char* app, const char* sku,
                  FILE* out) {
  activa_client* client = NULL;
  /* NULL: activad's default socket. A product never lets its caller choose
   * the socket: whoever answers there is checked, but there is no reason to
   * offer a choice. */
  activa_result r = activa_open_with_vendor_key(key, NULL, &client);
  if (r != ACTIVA_OK) {
    /* activa_open_error_message names the socket ("activad is not running
     * at /run/activa/activad.sock"); activa_result_message(r) only the code. */
    fprintf(out, "state: not licensed\ndays left: 0\nwhy: cannot reach activad (0x%08X): %s\n",
            (unsigned)r, activa_open_error_message());
    return 0;
  }

  activa_license_info* info = NULL;
  r = activa_query_license(client, app, sku, &info);
  if (r != ACTIVA_OK) {
    fprintf(out, "state: not licensed\ndays left: 0\nwhy: the license check failed (0x%08X): %s\n",
            (unsigned)r, activa_last_error_message(client));
    activa_close(client);
    return 0;
  }

  const int usable = activa_license_is_usable(info);
  fprintf(out, "product: %s\n", activa_license_product_name(info));
  fprintf(out, "state: %s\n", StateWord(activa_license_state(info)));
  fprintf(out, "days left: %d\n", activa_license_days_left(info));
  /* The library's verdict on activad's proof: "verified" for a licensed
   * state, why there is no proof in grace, what failed otherwise. */
  fprintf(out, "why: 0x%08X: %s\n", (unsigned)activa_license_verification(info),
          activa_license_verification_message(info));
  if (activa_license_last_result(info) != ACTIVA_OK) {
    fprintf(out, "last attempt: 0x%08X: %s\n", (unsigned)activa_license_last_result(info),
            activa_license_last_result_message(info));
  }
  activa_license_info_free(info);
  activa_close(client);
  return usable;
}
