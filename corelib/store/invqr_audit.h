/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the append-only audit log.
 *
 * Every verification attempt, OTP request, second-level view and
 * administrative change is one row, written before the answer is sent.
 */
#ifndef INVQR_AUDIT_H
#define INVQR_AUDIT_H

#include <stddef.h>

#include <apr_errno.h>

#include "invqr_db.h"

typedef struct {
    const char *actor;        /* citizen, verifier, operator, admin, system */
    long long operator_id;    /* 0 = none */
    long long org_id;         /* 0 = none */
    const char *client;       /* client address, or NULL */
    const char *code;         /* or NULL */
    const char *fiscal_code;  /* or NULL */
    int level;                /* 0 = none, 1, 2 */
    const char *event;        /* e.g. verify, otp_request, import, operator_lock */
    const char *outcome;      /* e.g. match, mismatch, unknown, ok */
    const char *detail;       /* or NULL; at most 255 characters are kept */
    const char *delegate;     /* the fiscal code of who acted for the citizen in
                               * fiscal_code (a delegate), or NULL */
} invqr_audit_t;

/** Append one row. APR_EGENERAL (logged) when the store refused it. */
apr_status_t invqr_audit_write(invqr_db_t *db, const invqr_audit_t *a);

/** How many bytes of detail the row keeps (255 at most, cut on a UTF-8
 * character boundary). */
size_t invqr_audit_detail_len(const char *detail);

#endif
