/* The C API as a product written in C uses it. Compiled as strict C11. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "capi/c_api_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "activa/activa.h"

static int failures;

/* A product's vendor key. The fake daemon sends no proofs, so no reply can
 * verify under it, which is the point: none of its "licensed" answers may be
 * believed. */
static const uint8_t ctest_vendor_key[ACTIVA_VENDOR_KEY_SIZE] = {
    0x3b, 0x6a, 0x27, 0xbc, 0xce, 0xb6, 0xa4, 0x2d, 0x62, 0xa3, 0xa8, 0xd0, 0x2a, 0x6f, 0x0d, 0x73,
    0x65, 0x32, 0x15, 0x77, 0x1d, 0xe2, 0x43, 0xa6, 0x3a, 0xc0, 0x48, 0xa1, 0x8b, 0x59, 0xda, 0x29};

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_RESULT(expected, actual)                                                     \
  do {                                                                                     \
    activa_result want_ = (expected), got_ = (actual);                                     \
    if (want_ != got_) {                                                                   \
      fprintf(stderr, "%s:%d: %s: want 0x%08X, got 0x%08X\n", __FILE__, __LINE__, #actual, \
              (unsigned)want_, (unsigned)got_);                                            \
      ++failures;                                                                          \
    }                                                                                      \
  } while (0)

#define CHECK_STR(expected, actual)                                                               \
  do {                                                                                            \
    const char* want_ = (expected);                                                               \
    const char* got_ = (actual);                                                                  \
    if (got_ == NULL || strcmp(want_, got_) != 0) {                                               \
      fprintf(stderr, "%s:%d: %s: want \"%s\", got \"%s\"\n", __FILE__, __LINE__, #actual, want_, \
              got_ ? got_ : "(null)");                                                            \
      ++failures;                                                                                 \
    }                                                                                             \
  } while (0)

static double Now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Queries `sku` on `client` and expects `expected`, with no info on failure. */
static void ExpectQueryFails(activa_client* client, const char* sku, activa_result expected) {
  activa_license_info* const poison = (activa_license_info*)&failures;
  activa_license_info* info = poison;
  CHECK_RESULT(expected, activa_query_license(client, CTEST_APP, sku, &info));
  CHECK(info == NULL);
  CHECK(strlen(activa_last_error_message(client)) > 0);
  if (info != poison) activa_license_info_free(info);
}

int c_test_query_grace_period(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  CHECK(client != NULL);

  /* Upper case and braces are accepted; the daemon sees lower case. */
  activa_license_info* info = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_query_license(client, "{6F3B2C1A-0D4E-4F5A-9B8C-7D6E5F4A3B2C}",
                                               CTEST_SKU_GRACE, &info));
  CHECK(info != NULL);
  CHECK_STR("", activa_last_error_message(client));
  CHECK(activa_license_state(info) == ACTIVA_STATE_INITIAL_GRACE);
  CHECK(activa_license_is_usable(info));
  CHECK(activa_license_minutes_left(info) == 43200u);
  CHECK(activa_license_days_left(info) == 30);
  /* Grace has no proof: the days are the daemon's, and marked so. */
  CHECK_RESULT(ACTIVA_GRACE_UNVERIFIED, activa_license_verification(info));
  CHECK_RESULT(ACTIVA_E_NO_HOST_REACHABLE, activa_license_last_result(info));
  CHECK_STR("No activation host could be contacted.", activa_license_last_result_message(info));
  CHECK_STR("Example Suite Professional", activa_license_product_name(info));

  activa_license_info_free(info);
  activa_close(client);
  return failures;
}

int c_test_several_products_one_client(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));

  activa_license_info* licensed = NULL;
  activa_license_info* notification = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_LICENSED, &licensed));
  CHECK_RESULT(ACTIVA_OK,
               activa_query_license(client, CTEST_APP, CTEST_SKU_NOTIFICATION, &notification));

  /* Both infos stay valid after the client is closed. */
  activa_close(client);

  /* The fake says "licensed, 179 days" and proves nothing: not believed. */
  CHECK(activa_license_state(licensed) == ACTIVA_STATE_UNLICENSED);
  CHECK(!activa_license_is_usable(licensed));
  CHECK(activa_license_minutes_left(licensed) == 0u);
  CHECK(activa_license_days_left(licensed) == 0);
  CHECK_RESULT(ACTIVA_E_PROOF_MISSING, activa_license_verification(licensed));
  CHECK(strlen(activa_license_verification_message(licensed)) > 0);
  CHECK_RESULT(ACTIVA_OK, activa_license_last_result(licensed));
  CHECK_STR("The operation completed successfully.", activa_license_last_result_message(licensed));

  CHECK(activa_license_state(notification) == ACTIVA_STATE_NOTIFICATION);
  CHECK(!activa_license_is_usable(notification));
  CHECK_RESULT(ACTIVA_OK, activa_license_verification(notification)); /* grants nothing */
  CHECK(activa_license_minutes_left(notification) == 0u);
  CHECK(activa_license_days_left(notification) == 0);
  CHECK_RESULT(ACTIVA_E_GRACE_EXPIRED, activa_license_last_result(notification));
  /* The fake daemon leaves the text and the name out: the standard text
   * stands in, the name is empty. */
  CHECK_STR(activa_result_message(ACTIVA_E_GRACE_EXPIRED),
            activa_license_last_result_message(notification));
  CHECK_STR("", activa_license_product_name(notification));

  activa_license_info_free(licensed);
  activa_license_info_free(notification);
  return failures;
}

int c_test_unknown_product(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  ExpectQueryFails(client, "00000000-0000-4000-8000-000000000000", ACTIVA_E_NOT_FOUND);
  CHECK_STR(CTEST_NOT_FOUND_MESSAGE, activa_last_error_message(client));

  /* The client still works, and a success clears the message. */
  activa_license_info* info = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_GRACE, &info));
  CHECK_STR("", activa_last_error_message(client));
  activa_license_info_free(info);
  activa_close(client);
  return failures;
}

int c_test_null_and_bad_arguments(const char* socket_path) {
  failures = 0;
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_open_with_vendor_key(ctest_vendor_key, socket_path, NULL));
  activa_client* client = (activa_client*)&failures;
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT, activa_open_with_vendor_key(NULL, socket_path, &client));
  CHECK(client == NULL);
  client = (activa_client*)&failures;
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_open_with_vendor_key(ctest_vendor_key, "", &client));
  CHECK(client == NULL);
  char long_path[200];
  memset(long_path, 'a', sizeof long_path - 1);
  long_path[sizeof long_path - 1] = '\0';
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_open_with_vendor_key(ctest_vendor_key, long_path, &client));
  CHECK(client == NULL);

  activa_license_info* info = NULL;
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_query_license(NULL, CTEST_APP, CTEST_SKU_GRACE, &info));
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT, activa_set_timeout(NULL, 100));
  CHECK_STR("", activa_last_error_message(NULL));

  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_query_license(client, NULL, CTEST_SKU_GRACE, &info));
  CHECK(info == NULL);
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT, activa_query_license(client, CTEST_APP, NULL, &info));
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_query_license(client, CTEST_APP, CTEST_SKU_GRACE, NULL));
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT,
               activa_query_license(client, "not-a-uuid", CTEST_SKU_GRACE, &info));
  CHECK(strstr(activa_last_error_message(client), "not-a-uuid") != NULL);
  CHECK_RESULT(
      ACTIVA_E_INVALID_ARGUMENT,
      activa_query_license(client, CTEST_APP, "11111111-2222-4333-8444-55555555550", &info));
  CHECK(info == NULL);
  activa_close(client);

  /* Accessors on NULL answer the documented values; free and close ignore
   * NULL. */
  CHECK(activa_license_state(NULL) == ACTIVA_STATE_UNLICENSED);
  CHECK(!activa_license_is_usable(NULL));
  CHECK(activa_license_minutes_left(NULL) == 0u);
  CHECK(activa_license_days_left(NULL) == 0);
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT, activa_license_last_result(NULL));
  CHECK_STR("", activa_license_last_result_message(NULL));
  CHECK_STR("", activa_license_product_name(NULL));
  activa_license_info_free(NULL);
  activa_close(NULL);
  return failures;
}

int c_test_no_daemon(const char* missing_path, const char* refused_path) {
  failures = 0;
  activa_client* client = (activa_client*)&failures;
  CHECK_RESULT(ACTIVA_E_FILE_NOT_FOUND,
               activa_open_with_vendor_key(ctest_vendor_key, missing_path, &client));
  CHECK(client == NULL);
  /* The words name the socket, not "The file was not found." */
  CHECK(strncmp(activa_open_error_message(), "activad is not running at ", 26) == 0);
  CHECK(strstr(activa_open_error_message(), missing_path) != NULL);
  /* A socket file left behind by a daemon that is gone. */
  client = (activa_client*)&failures;
  CHECK_RESULT(ACTIVA_E_FILE_NOT_FOUND,
               activa_open_with_vendor_key(ctest_vendor_key, refused_path, &client));
  CHECK(client == NULL);
  CHECK(strstr(activa_open_error_message(), refused_path) != NULL);
  CHECK_RESULT(ACTIVA_E_INVALID_ARGUMENT, activa_open_with_vendor_key(NULL, missing_path, &client));
  CHECK(strcmp(activa_open_error_message(), "vendor_key is NULL") == 0);
  return failures;
}

int c_test_malformed_replies(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  const char* broken[] = {CTEST_SKU_GARBAGE,   CTEST_SKU_HUGE,      CTEST_SKU_MISSING_FIELD,
                          CTEST_SKU_BAD_STATE, CTEST_SKU_TWO_LINES, CTEST_SKU_NOT_OBJECT};
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; ++i) {
    ExpectQueryFails(client, broken[i], ACTIVA_E_INVALID_DATA);
    /* The same client recovers with the next query. */
    activa_license_info* info = NULL;
    CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_LICENSED, &info));
    CHECK_RESULT(ACTIVA_E_PROOF_MISSING, activa_license_verification(info));
    activa_license_info_free(info);
  }
  activa_close(client);
  return failures;
}

int c_test_timeout_and_dropped_connection(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  CHECK_RESULT(ACTIVA_OK, activa_set_timeout(client, 300));

  double start = Now();
  ExpectQueryFails(client, CTEST_SKU_HANG, ACTIVA_E_INTERNAL);
  double elapsed = Now() - start;
  CHECK(elapsed >= 0.25 && elapsed < 5.0);

  ExpectQueryFails(client, CTEST_SKU_CLOSE, ACTIVA_E_INTERNAL);

  activa_license_info* info = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_GRACE, &info));
  activa_license_info_free(info);
  activa_close(client);
  return failures;
}

int c_test_reconnects_after_daemon_closes(const char* socket_path) {
  failures = 0;
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, socket_path, &client));
  for (int i = 0; i < 3; ++i) {
    activa_license_info* info = NULL;
    CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_GRACE, &info));
    CHECK(activa_license_state(info) == ACTIVA_STATE_INITIAL_GRACE);
    activa_license_info_free(info);
  }
  activa_close(client);
  return failures;
}

int c_test_socket_from_environment(const char* socket_path) {
  failures = 0;
  CHECK(setenv("ACTIVA_SOCKET", socket_path, 1) == 0);
  activa_client* client = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_open_with_vendor_key(ctest_vendor_key, NULL, &client));
  activa_license_info* info = NULL;
  CHECK_RESULT(ACTIVA_OK, activa_query_license(client, CTEST_APP, CTEST_SKU_GRACE, &info));
  activa_license_info_free(info);
  activa_close(client);
  CHECK(unsetenv("ACTIVA_SOCKET") == 0);
  return failures;
}

int c_test_result_messages(void) {
  failures = 0;
  CHECK_STR("The operation completed successfully.", activa_result_message(ACTIVA_OK));
  CHECK_STR("The activation host's count is below the threshold for this edition.",
            activa_result_message(ACTIVA_E_COUNT_INSUFFICIENT));
  CHECK_STR("The requested item does not exist.", activa_result_message(ACTIVA_E_NOT_FOUND));
  CHECK_STR("Unknown result code.", activa_result_message(0x12345678u));
  return failures;
}
