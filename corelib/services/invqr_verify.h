/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - first-level verification: the rules, once.
 *
 * Used by the verifier's pages and by the SOAP API alike. Given a code and
 * the fiscal code a verifier typed, it applies the guessing limits (per code
 * and per client), compares in constant time, writes the audit row, and only
 * then says what may be shown. Nothing about the person leaves this file
 * unless the fiscal code matched.
 */
#ifndef INVQR_VERIFY_H
#define INVQR_VERIFY_H

#include "invqr_conf.h"
#include "invqr_db.h"
#include "invqr_record.h"

typedef enum {
    INVQR_V_MATCH = 0,      /* 200: show the first level */
    INVQR_V_BAD_INPUT,      /* 400: not a code, or not a fiscal code, at all (a path
                             * /v/<not a code> answers 404: no such page) */
    INVQR_V_UNKNOWN,        /* 404 */
    INVQR_V_REVOKED,        /* 410: revoked, replaced, or the status no longer definitive */
    INVQR_V_MISMATCH,       /* 422 */
    INVQR_V_LIMITED,        /* 429: Retry-After retry_after */
    INVQR_V_UNAVAILABLE     /* 503: the store failed, nothing was shown */
} invqr_verify_outcome;

typedef struct {
    const char *code;          /* canonical 20 characters; NULL: what was typed is no code */
    const char *fiscal_code;   /* as typed */
    const char *client;        /* client address */
    long long operator_id;     /* 0 for anonymous verifiers */
    long long org_id;
    struct invqr_audit_group_t *audit;        /* where the audit row goes in a group, or NULL */
} invqr_verify_req_t;

/* Why INVQR_V_LIMITED: this code cooled down, or this client. */
typedef enum { INVQR_LIMIT_CODE = 0, INVQR_LIMIT_CLIENT } invqr_limit_t;

typedef struct {
    invqr_verify_outcome outcome;
    int retry_after;                          /* seconds, for INVQR_V_LIMITED; and for
                                               * INVQR_V_MISMATCH when tries_left is 0:
                                               * until the cool-down it started ends */
    long long retry_at;                       /* Unix seconds when retry_after ends (the
                                               * window's end in the store), 0 when none */
    int tries_left;                           /* INVQR_V_MISMATCH, INVQR_V_BAD_INPUT with a
                                               * code: wrong fiscal codes the code still takes
                                               * before it cools down; -1 when not known */
    invqr_limit_t limited_by;                 /* for INVQR_V_LIMITED */
    char fiscal_code[INVQR_FISCAL_LEN + 1];   /* the holder's, on a match */
    char surname[INVQR_NAME_MAX_BYTES + 1];
    char given_name[INVQR_NAME_MAX_BYTES + 1];
    int civil_invalidity;
    int minor_invalidity;
    int attendance_allowance;
    int civil_blindness;                      /* partial or absolute */
    int deafness;
    invqr_handicap_t handicap;
} invqr_level1_t;

/** Run a first-level verification; always fills out. A request without a
 * code (the text was not one) is audited and answered INVQR_V_BAD_INPUT. */
void invqr_verify_level1(invqr_level1_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                         const invqr_verify_req_t *req);

/**
 * Whether code (canonical) is active and cooling down after wrong fiscal
 * codes; then *pretry_after is the seconds left and *pretry_at their end. Not an attempt: nothing is
 * audited or counted, and it says nothing a wrong guess would not (a 429).
 * 1 cooling, 0 not, -1 when the store failed (the caller shows the form
 * and lets the verification decide).
 */
int invqr_verify_cooling(int *pretry_after, long long *pretry_at, invqr_db_t *db,
                         const invqr_conf_t *conf, const char *code);

/** The HTTP status of an outcome. */
int invqr_verify_http_status(invqr_verify_outcome o);

#endif
