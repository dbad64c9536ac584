/* The C side of the C API test: functions written in C11 against
 * activa/activa.h, as a product would write them, each returning the number
 * of checks that failed (details on stderr). c_api_test_driver.cc runs a fake
 * activad that answers the IDs below and calls these functions. */
#ifndef ACTIVA_CAPI_C_API_TEST_H_
#define ACTIVA_CAPI_C_API_TEST_H_

#ifdef __cplusplus
extern "C" {
#endif

#define CTEST_APP "6f3b2c1a-0d4e-4f5a-9b8c-7d6e5f4a3b2c"
/* Products the fake daemon knows. */
#define CTEST_SKU_GRACE "11111111-2222-4333-8444-555555555501"
#define CTEST_SKU_LICENSED "11111111-2222-4333-8444-555555555502"
#define CTEST_SKU_NOTIFICATION "11111111-2222-4333-8444-555555555503"
/* Replies that are broken in one way each. */
#define CTEST_SKU_GARBAGE "11111111-2222-4333-8444-5555555555a1"
#define CTEST_SKU_HUGE "11111111-2222-4333-8444-5555555555a2"
#define CTEST_SKU_MISSING_FIELD "11111111-2222-4333-8444-5555555555a3"
#define CTEST_SKU_BAD_STATE "11111111-2222-4333-8444-5555555555a4"
#define CTEST_SKU_TWO_LINES "11111111-2222-4333-8444-5555555555a5"
#define CTEST_SKU_NOT_OBJECT "11111111-2222-4333-8444-5555555555a6"
#define CTEST_SKU_HANG "11111111-2222-4333-8444-5555555555b1"
#define CTEST_SKU_CLOSE "11111111-2222-4333-8444-5555555555b2"
/* Any other SKU gets 0xC0AC0007 with this message. */
#define CTEST_NOT_FOUND_MESSAGE "No product with this SKU ID is installed."

int c_test_query_grace_period(const char* socket_path);
int c_test_several_products_one_client(const char* socket_path);
int c_test_unknown_product(const char* socket_path);
int c_test_null_and_bad_arguments(const char* socket_path);
int c_test_no_daemon(const char* missing_path, const char* refused_path);
int c_test_malformed_replies(const char* socket_path);
int c_test_timeout_and_dropped_connection(const char* socket_path);
int c_test_reconnects_after_daemon_closes(const char* socket_path);
int c_test_socket_from_environment(const char* socket_path);
int c_test_result_messages(void);

#ifdef __cplusplus
}
#endif

#endif /* ACTIVA_CAPI_C_API_TEST_H_ */
