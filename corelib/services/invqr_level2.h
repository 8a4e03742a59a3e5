/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the second level: OTP consent and the full record.
 *
 * An operator who has just seen a first-level match asks for the second
 * level; the citizen receives a 6-digit code by SMS naming the operator's
 * organisation and reads it out; the operator types it and sees the medical
 * judgment, the percentage and the dates, once. The rules live here, for the
 * browser pages and the SOAP API alike: 6 CSPRNG digits stored only as an
 * HMAC, otp_validity_seconds, 3 attempts, single use, bound to operator and
 * code, every step audited before the answer.
 */
#ifndef INVQR_LEVEL2_H
#define INVQR_LEVEL2_H

#include "invqr_conf.h"
#include "invqr_db.h"
#include "invqr_i18n.h"
#include "invqr_status_load.h"

#define INVQR_OTP_DIGITS 6
#define INVQR_OTP_ATTEMPTS 3
#define INVQR_CHALLENGE_LEN 26
#define INVQR_OTP_MAX_SMS 5          /* consent SMS per code ... */
#define INVQR_OTP_SMS_WINDOW 900     /* ... in this many seconds */
#define INVQR_L2_GATEWAY_RETRY 60    /* seconds to wait after the SMS gateway failed */

typedef enum {
    INVQR_L2_OK = 0,
    INVQR_L2_NOT_ALLOWED,   /* no first-level match in this session (403) */
    INVQR_L2_UNKNOWN_CODE,  /* not an active code (404/410) */
    INVQR_L2_NO_MOBILE,     /* nothing sent (409) */
    INVQR_L2_GATEWAY,       /* the SMS could not be sent; no challenge left (502) */
    INVQR_L2_OTP_INVALID,   /* wrong, reused, exhausted or unknown challenge (403; none
                             * pending: 410) */
    INVQR_L2_OTP_EXPIRED,   /* (410) */
    INVQR_L2_OTP_MALFORMED, /* not 6 digits: no attempt taken (400) */
    INVQR_L2_LIMITED,       /* too many consent SMS for this code lately (429) */
    INVQR_L2_UNAVAILABLE    /* store or audit failed (503) */
} invqr_l2_rc;

typedef struct {
    long long operator_id;
    long long org_id;
    const char *org_name;        /* named in the SMS */
    const char *client;
    const unsigned char *session;/* SHA-256 of the session token, or NULL (SOAP) */
} invqr_l2_actor_t;

typedef struct {
    char challenge[INVQR_CHALLENGE_LEN + 1];
    char expires_utc[32];        /* xs:dateTime */
    char expires_local[8];       /* HH:MM */
    char masked_mobile[32];
} invqr_l2_challenge_t;

struct invqr_sms_gateway_t;

/** Remember that this operator session saw a first-level match of code. */
apr_status_t invqr_level2_note_match(invqr_db_t *db, const unsigned char *session, const char *code);

/** Audit event (otp_request or otp_verify) for a path that names no code:
 * INVQR_L2_OK, or INVQR_L2_UNAVAILABLE when the row could not be written. */
invqr_l2_rc invqr_level2_bad_code(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *event);

/** Refuse an OTP request that has no first-level match behind it: audited
 * as not_allowed; INVQR_L2_NOT_ALLOWED, or INVQR_L2_UNAVAILABLE when the
 * audit row could not be written. */
invqr_l2_rc invqr_level2_refuse(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *code);

/**
 * Create a challenge for code and send the SMS through gw. With a session,
 * a first-level match of code in that session is required first.
 */
invqr_l2_rc invqr_level2_request(invqr_l2_challenge_t *out, invqr_db_t *db,
                                 const invqr_conf_t *conf, struct invqr_sms_gateway_t *gw,
                                 const invqr_l2_actor_t *actor, const char *code,
                                 invqr_lang_t lang, apr_pool_t *p);

/**
 * The operator's open challenge for code, as invqr_level2_request() gave it,
 * and *pleft its attempts left: INVQR_L2_OK, INVQR_L2_OTP_INVALID when none
 * is open (used, spent, expired, or the code revoked), INVQR_L2_NOT_ALLOWED
 * (audited) when the session saw no first-level match of code,
 * INVQR_L2_UNAVAILABLE.
 */
invqr_l2_rc invqr_level2_pending(invqr_l2_challenge_t *out, int *pleft, invqr_db_t *db,
                                 const invqr_l2_actor_t *actor, const char *code);

/**
 * Check otp against challenge (which must belong to the operator, and to
 * code when code is not NULL). On success *pst is the full record, loaded
 * and audited as shown, and invqr_db_insert_id(db) is that audit row's id
 * (the check's reference); *pleft is the number of attempts left otherwise,
 * -1 when the challenge was used already (its record shown once). An otp
 * that is not 6 digits (blanks around it aside) is INVQR_L2_OTP_MALFORMED
 * and takes no attempt.
 */
invqr_l2_rc invqr_level2_verify(invqr_status_t **pst, int *pleft, char code_out[21],
                                invqr_db_t *db, const invqr_conf_t *conf,
                                const invqr_l2_actor_t *actor, const char *code,
                                const char *challenge, const char *otp, apr_pool_t *p);

/**
 * The operator calls off the open challenge for code (the citizen's code
 * stops working at once): *pcancelled says whether one was open. Audited
 * as otp_cancel. INVQR_L2_OK or INVQR_L2_UNAVAILABLE.
 */
invqr_l2_rc invqr_level2_cancel(int *pcancelled, invqr_db_t *db, const invqr_l2_actor_t *actor,
                                const char *code);

/**
 * A fresh one-time code: 6 decimal digits, uniform (rejection sampling over
 * the kernel CSPRNG). Returns 0, or -1 when no randomness could be had.
 */
int invqr_level2_new_otp(char out[INVQR_OTP_DIGITS + 1]);

/** "+39 ******* 101" */
void invqr_level2_mask_mobile(char out[32], const char *e164);

#endif
