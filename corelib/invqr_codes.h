/* invqr - the life of a citizen's attestation code.
 *
 * A citizen has at most one active code (the store's unique key enforces
 * it). Issuing a code revokes the active one as "replaced" in the same
 * transaction; revoking leaves none. Every change is audited in that
 * transaction too, so no change goes unrecorded.
 */
#ifndef INVQR_CODES_H
#define INVQR_CODES_H

#include <apr_pools.h>

#include "invqr_code.h"
#include "invqr_db.h"

typedef struct {
    char code[INVQR_CODE_LEN + 1];
    char issued[11];              /* YYYY-MM-DD */
} invqr_active_code_t;

/**
 * The active code of fiscal_code: APR_SUCCESS (filled), APR_NOTFOUND, or
 * APR_EGENERAL when the store failed.
 */
apr_status_t invqr_codes_active(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code);

/**
 * Issue a new code for fiscal_code, replacing the active one if any, and
 * audit it with the client's address. On success out holds the new code.
 */
apr_status_t invqr_codes_issue(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                               const char *client);

/**
 * Revoke the active code of fiscal_code (reason "revoked"), audited.
 * APR_NOTFOUND when there was none.
 */
apr_status_t invqr_codes_revoke(invqr_db_t *db, const char *fiscal_code, const char *client);

#endif
