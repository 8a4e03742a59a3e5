/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the life of a citizen's attestation code.
 *
 * A citizen has at most one active code (the store's unique key enforces
 * it). Issuing a code revokes the active one as "replaced" in the same
 * transaction; revoking leaves none. Every change is audited in that
 * transaction too, so no change goes unrecorded.
 */
#ifndef INVQR_CODE_STORE_H
#define INVQR_CODE_STORE_H

#include <apr_pools.h>

#include "invqr_code.h"
#include "invqr_db.h"
#include "invqr_record.h"

typedef struct {
    char code[INVQR_CODE_LEN + 1];
    char issued[11];              /* YYYY-MM-DD */
    char expires[11];             /* the last day it is valid, YYYY-MM-DD, or ""
                                   * when codes have no maximum lifetime */
    int expired;                  /* that day has passed: verifiers get 410 */
    int days_left;                /* days from today to that day; -1 without a lifetime */
} invqr_active_code_t;

/**
 * The active code of fiscal_code, expired or not, with max_age_days the
 * deployment's maximum lifetime (0: none): APR_SUCCESS (filled),
 * APR_NOTFOUND, or APR_EGENERAL when the store failed.
 */
apr_status_t invqr_code_store_active(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                                int max_age_days);

/** What the attestation PDF shows, read in one statement. */
typedef struct {
    invqr_active_code_t active;
    char surname[INVQR_NAME_MAX_BYTES + 1];
    char given_name[INVQR_NAME_MAX_BYTES + 1];
} invqr_attestation_t;

/**
 * The attestation of fiscal_code: its active code (expired or not, as in
 * invqr_code_store_active()) and the holder's name.
 * APR_SUCCESS (filled); APR_NOTFOUND when there is no record, the judgment
 * is not definitive or no code is active; APR_EGENERAL when the store failed.
 */
apr_status_t invqr_code_store_attestation(invqr_attestation_t *out, invqr_db_t *db,
                                     const char *fiscal_code, int max_age_days);

/**
 * Issue a new code for fiscal_code, replacing the active one if any, and
 * audit it with the client's address and, when someone acted for the
 * citizen, the delegate's fiscal code (else NULL). On success out holds the
 * new code.
 */
apr_status_t invqr_code_store_issue(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                               const char *client, const char *delegate);

/**
 * Revoke the active code of fiscal_code (reason "revoked"), audited.
 * APR_NOTFOUND when there was none. delegate as for invqr_code_store_issue().
 */
apr_status_t invqr_code_store_revoke(invqr_db_t *db, const char *fiscal_code, const char *client,
                                     const char *delegate);

#endif
