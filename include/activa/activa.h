/* Activa client library: a product asks the local activad for its license.
 *
 * A plain C API (C99 or later, or C++), so a product in any language can link
 * it: opaque handles, an `activa_` prefix, and every call that can fail
 * returns an activa_result. docs/c-api.md shows how a product uses it.
 *
 * The library speaks the management protocol (docs/management.md, the
 * `status` operation) over activad's Unix socket. It never contacts an
 * activation host itself: activad does the activating and renewing; the
 * product only reads the state, and believes it only as far as it can check
 * it: a licensed state counts only when activad's signed proof verifies
 * under the vendor key the product holds (activa_open_with_vendor_key), for
 * this machine and this edition, and only from a socket served by root or
 * activad's user. See docs/c-api.md, "What the library checks".
 *
 * Thread safety: an activa_client may be used by one thread at a time
 * (open one per thread, or guard it with a lock). An activa_license_info is
 * immutable once returned and may be read from any number of threads.
 * activa_result_message is safe from any thread.
 *
 * Ownership: every object the library returns through an `out` parameter
 * belongs to the caller, who frees it with the matching function
 * (activa_close, activa_license_info_free). Strings returned by accessors
 * belong to the object they came from and live as long as it does.
 *
 * Every function checks its pointer arguments: a NULL where an object is
 * required makes it return ACTIVA_E_INVALID_ARGUMENT (or, for accessors that
 * return a value, the value documented for NULL). It never crashes on what
 * the daemon sends.
 */
#ifndef ACTIVA_ACTIVA_H_
#define ACTIVA_ACTIVA_H_

#include <stdint.h>

#if defined(__GNUC__)
#define ACTIVA_EXPORT __attribute__((visibility("default")))
#else
#define ACTIVA_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Result codes -------------------------------------------------------
 *
 * The numbers of docs/result-codes.md (Microsoft KMS's where the meaning is
 * the same), as an unsigned 32-bit value; 0 is success. Print them as
 * "0x%08X"; activa_result_message gives the text slmgr prints.
 */
typedef uint32_t activa_result;

#define ACTIVA_OK 0x00000000u
/* The grace period has expired; the product is not activated. */
#define ACTIVA_E_GRACE_EXPIRED 0xC004F009u
/* The activation host's count is below the threshold for this edition. */
#define ACTIVA_E_COUNT_INSUFFICIENT 0xC004F038u
/* The activation host is not activated by the vendor. */
#define ACTIVA_E_HOST_NOT_ACTIVATED 0xC004F041u
/* The activation host's key does not cover this product edition. */
#define ACTIVA_E_EDITION_NOT_COVERED 0xC004F042u
/* The product key is invalid. */
#define ACTIVA_E_INVALID_KEY 0xC004F050u
/* The client's clock differs from the activation host's by more than 4 h. */
#define ACTIVA_E_CLOCK_SKEW 0xC004F06Cu
/* No activation host could be contacted. */
#define ACTIVA_E_NO_HOST_REACHABLE 0xC004F074u
/* The product key has exceeded its activation limit. */
#define ACTIVA_E_KEY_OVER_LIMIT 0xC004C008u
/* No rearms are left. */
#define ACTIVA_E_NO_REARMS_LEFT 0xC004D307u
/* Access denied. From this library: the socket's permissions do not let the
 * calling user connect. */
#define ACTIVA_E_ACCESS_DENIED 0x80070005u
/* The file was not found. From this library: activad is not running (no
 * socket at the path, or nothing listening on it). */
#define ACTIVA_E_FILE_NOT_FOUND 0x80070002u
/* The data is malformed. From this library: activad's reply was not the
 * JSON the protocol specifies, or was longer than 64 KiB. */
#define ACTIVA_E_INVALID_DATA 0x8007000Du
/* The file already exists. */
#define ACTIVA_E_FILE_EXISTS 0x80070050u
/* A parameter is incorrect: a NULL pointer, a malformed UUID, a socket path
 * that is empty or too long. */
#define ACTIVA_E_INVALID_ARGUMENT 0x80070057u
/* An internal error. From this library: activad did not answer within the
 * timeout, closed the connection mid-request, an unexpected system call
 * failure, or out of memory. */
#define ACTIVA_E_INTERNAL 0x80004005u
/* A signature does not verify. */
#define ACTIVA_E_BAD_SIGNATURE 0xC0AC0001u
/* The format or protocol version is not supported. */
#define ACTIVA_E_UNSUPPORTED_VERSION 0xC0AC0002u
/* A message is larger than 64 KiB. */
#define ACTIVA_E_FRAME_TOO_LARGE 0xC0AC0003u
/* The product key has been revoked by the vendor. */
#define ACTIVA_E_KEY_REVOKED 0xC0AC0004u
/* activad's state database could not be read or written. */
#define ACTIVA_E_STORAGE 0xC0AC0005u
/* The product key is of the wrong kind for this operation. */
#define ACTIVA_E_WRONG_KEY_KIND 0xC0AC0006u
/* The requested item does not exist. From activa_query_license: no product
 * with this application and SKU ID is installed on this machine. */
#define ACTIVA_E_NOT_FOUND 0xC0AC0007u
/* The activation request's required count does not match the edition's
 * threshold in the host's catalog (a product's last result: the host and
 * this machine hold different catalogs, or the request was altered). */
#define ACTIVA_E_THRESHOLD_MISMATCH 0xC0AC0009u
/* The activation host's certificate has expired (a product's last result:
 * the host must be reactivated at the vendor). */
#define ACTIVA_E_CERTIFICATE_EXPIRED 0xC0AC000Au
/* The activation host refused a new machine: too many new machines from one
 * address in the last minute (a product's last result; it retries). */
#define ACTIVA_E_TOO_MANY_NEW_CLIENTS 0xC0AC000Bu
/* From activa_license_verification: activad says the product is activated
 * but gave no signed proof of it. */
#define ACTIVA_E_PROOF_MISSING 0xC0AC0020u
/* From activa_license_verification: the signed proof is for another machine
 * (another client machine ID than this machine's). */
#define ACTIVA_E_OTHER_MACHINE 0xC0AC0021u
/* From activa_license_verification: the signed proof's validity has ended
 * by this machine's clock. */
#define ACTIVA_E_PROOF_EXPIRED 0xC0AC0022u
/* From activa_open_with_vendor_key and activa_query_license: the process
 * answering on the socket runs as neither root nor activad's user; nothing
 * was believed. */
#define ACTIVA_E_UNTRUSTED_SERVICE 0xC0AC0023u
/* Not a failure. From activa_license_verification: the product is in a
 * grace period, which has no signed proof; its state and days left are
 * activad's word. */
#define ACTIVA_GRACE_UNVERIFIED 0x40AC0024u

/* The one-line text for `result`, the same as slmgr prints after the number;
 * "Unknown result code." for a value Activa does not define. The string is
 * static: never free it. */
ACTIVA_EXPORT const char* activa_result_message(activa_result result);

/* ---- License states ------------------------------------------------------
 *
 * Numbered as in KMS. Activa reports 0, 1, 2, 3 and 5; 4 and 6 are KMS's
 * numbers for grace periods Activa does not have, listed so a product never
 * mistakes them.
 */
#define ACTIVA_STATE_UNLICENSED 0        /* not activated, grace over */
#define ACTIVA_STATE_LICENSED 1          /* activated and within validity */
#define ACTIVA_STATE_INITIAL_GRACE 2     /* never activated, grace running */
#define ACTIVA_STATE_OOT_GRACE 3         /* activation expired, grace running */
#define ACTIVA_STATE_NON_GENUINE_GRACE 4 /* KMS only */
#define ACTIVA_STATE_NOTIFICATION 5      /* every grace period is over */
#define ACTIVA_STATE_EXTENDED_GRACE 6    /* KMS only */

/* ---- Connection ---------------------------------------------------------- */

/* A connection to the local activad. */
typedef struct activa_client activa_client;

/* The size of a vendor's Ed25519 public key. */
#define ACTIVA_VENDOR_KEY_SIZE 32

/* Connects to activad's management socket, for a product of the vendor whose
 * Ed25519 public key is `vendor_key` (32 bytes, compiled into the product:
 * `activa-vendor c-key` prints it as a C array; see docs/c-api.md). That key
 * alone decides what the client accepts as a licensed state: activad's
 * catalogs and trust files are not asked. The key is copied.
 *
 * `socket_path` NULL means /run/activa/activad.sock (in builds with test
 * controls only, $ACTIVA_SOCKET first when set and not empty). Whoever
 * answers on the socket must run as root or as activad's user, the owner of
 * /run/activa (SO_PEERCRED); any other is refused before a byte is sent.
 *
 * On success stores a new client in *out (free it with activa_close) and
 * returns ACTIVA_OK; on failure stores NULL in *out (when `out` is not NULL)
 * and returns:
 *   ACTIVA_E_INVALID_ARGUMENT  `out` or `vendor_key` is NULL, or the path is
 *                              empty or longer than a Unix socket path may
 *                              be;
 *   ACTIVA_E_FILE_NOT_FOUND    activad is not running;
 *   ACTIVA_E_ACCESS_DENIED     the caller may not connect to the socket;
 *   ACTIVA_E_UNTRUSTED_SERVICE someone other than root or activad's user
 *                              listens on the socket;
 *   ACTIVA_E_INTERNAL          the connection timed out or failed otherwise.
 */
ACTIVA_EXPORT activa_result activa_open_with_vendor_key(
    const uint8_t vendor_key[ACTIVA_VENDOR_KEY_SIZE], const char* socket_path, activa_client** out);

/* Why the last activa_open_with_vendor_key in this thread failed, in words
 * that name the socket ("activad is not running at /run/activa/activad.sock"),
 * where activa_result_message can only say "The file was not found."; ""
 * after one that succeeded, or before any. Owned by the library, valid in
 * this thread until its next activa_open_with_vendor_key. */
ACTIVA_EXPORT const char* activa_open_error_message(void);

/* Closes the connection and frees the client. NULL is ignored. */
ACTIVA_EXPORT void activa_close(activa_client* client);

/* Sets how long one call may wait for activad, in milliseconds, from sending
 * the request to the end of the reply (default 10000; 0 restores the
 * default). Returns ACTIVA_E_INVALID_ARGUMENT when `client` is NULL. */
ACTIVA_EXPORT activa_result activa_set_timeout(activa_client* client, uint32_t milliseconds);

/* The text activad gave with the last failed call on `client` (it names the
 * problem more precisely than activa_result_message), or the standard text
 * of the code when the failure was found by the library itself; "" when the
 * last call succeeded or `client` is NULL. Owned by the client and valid
 * until its next call. */
ACTIVA_EXPORT const char* activa_last_error_message(const activa_client* client);

/* ---- License state --------------------------------------------------------- */

/* A snapshot of one product's license state. Immutable. */
typedef struct activa_license_info activa_license_info;

/* Asks activad for the state of the product with this application ID and
 * SKU (activation) ID, both UUID strings ("0f8c2d9e-...", either case,
 * braces allowed). Any call may block up to the client's timeout.
 *
 * On success stores a new info in *out (free it with
 * activa_license_info_free) and returns ACTIVA_OK; on failure stores NULL in
 * *out (when `out` is not NULL) and returns:
 *   ACTIVA_E_INVALID_ARGUMENT  a NULL argument or a malformed UUID;
 *   ACTIVA_E_NOT_FOUND         no such product is installed;
 *   ACTIVA_E_FILE_NOT_FOUND    activad is not running (any more);
 *   ACTIVA_E_INVALID_DATA      activad's reply was malformed;
 *   ACTIVA_E_UNTRUSTED_SERVICE on reconnecting, someone other than root or
 *                              activad's user listens on the socket;
 *   ACTIVA_E_INTERNAL          activad did not answer in time, or the
 *                              connection broke;
 *   any other code activad answers with.
 * ACTIVA_OK means activad answered, not that its answer was believed: the
 * info's state is what the library could verify (a licensed state whose
 * proof fails becomes ACTIVA_STATE_UNLICENSED), and
 * activa_license_verification says why.
 * A failure does not spoil the client: the next call connects again if it
 * has to. A product that cannot learn its state should treat itself as not
 * licensed only after the failure persists; see docs/c-api.md. */
ACTIVA_EXPORT activa_result activa_query_license(activa_client* client, const char* application_id,
                                                 const char* sku_id, activa_license_info** out);

/* Frees an info. NULL is ignored. */
ACTIVA_EXPORT void activa_license_info_free(activa_license_info* info);

/* The license state, one of ACTIVA_STATE_*; ACTIVA_STATE_UNLICENSED for
 * NULL. */
ACTIVA_EXPORT int activa_license_state(const activa_license_info* info);

/* Whether the product may run fully: licensed or in a grace period (states
 * 1, 2, 3, 4, 6). 0 for unlicensed, notification and NULL. */
ACTIVA_EXPORT int activa_license_is_usable(const activa_license_info* info);

/* How far the library could check the state (docs/c-api.md):
 *   ACTIVA_OK                activad's signed proof verified under the
 *                            product's vendor key for this machine and this
 *                            edition (licensed: the days left count to the
 *                            signed validity end by this machine's clock),
 *                            or the state grants nothing (unlicensed,
 *                            notification) and needs no proof;
 *   ACTIVA_GRACE_UNVERIFIED  a grace state: it has no proof by nature, so
 *                            state and days left are activad's word; the
 *                            product decides what grace allows;
 *   anything else            activad said licensed and its proof does not
 *                            bear it out; the state is reported as
 *                            ACTIVA_STATE_UNLICENSED. ACTIVA_E_PROOF_MISSING,
 *                            ACTIVA_E_BAD_SIGNATURE (the catalog or the
 *                            response is not signed by the vendor's chain,
 *                            or was altered), ACTIVA_E_OTHER_MACHINE,
 *                            ACTIVA_E_EDITION_NOT_COVERED,
 *                            ACTIVA_E_THRESHOLD_MISMATCH,
 *                            ACTIVA_E_CLOCK_SKEW (the proof is dated in this
 *                            machine's future), ACTIVA_E_PROOF_EXPIRED,
 *                            ACTIVA_E_INVALID_DATA.
 * ACTIVA_E_INVALID_ARGUMENT for NULL. */
ACTIVA_EXPORT activa_result activa_license_verification(const activa_license_info* info);

/* The text for activa_license_verification, more precise than
 * activa_result_message (it names the field or the machine). Owned by the
 * info; "" for NULL. */
ACTIVA_EXPORT const char* activa_license_verification_message(const activa_license_info* info);

/* Minutes left in the current state (until the activation or the grace
 * period ends); 0 when the state does not end or has ended, and for NULL.
 * Licensed: counted by the library from the signed validity end; grace:
 * activad's number (see activa_license_verification). */
ACTIVA_EXPORT uint32_t activa_license_minutes_left(const activa_license_info* info);

/* Whole days left in the current state: minutes_left / 1440, rounded down.
 * 0 for NULL. */
ACTIVA_EXPORT int activa_license_days_left(const activa_license_info* info);

/* The result of activad's last activation attempt for this product
 * (ACTIVA_OK when it succeeded or none was made yet);
 * ACTIVA_E_INVALID_ARGUMENT for NULL. */
ACTIVA_EXPORT activa_result activa_license_last_result(const activa_license_info* info);

/* The text for activa_license_last_result, as activad gave it. Owned by the
 * info; "" for NULL. */
ACTIVA_EXPORT const char* activa_license_last_result_message(const activa_license_info* info);

/* The product's name ("Example Suite Professional"), for messages to the
 * user; "" when activad did not give one, and for NULL. Owned by the info. */
ACTIVA_EXPORT const char* activa_license_product_name(const activa_license_info* info);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ACTIVA_ACTIVA_H_ */
