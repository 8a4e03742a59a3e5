/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - issuing, replacing and revoking attestation codes, each change in
 * one transaction with its audit row. */
#include <string.h>
#include <time.h>

#include <mysqld_error.h>

#include "invqr_audit.h"
#include "invqr_code_store.h"
#include "invqr_log.h"
#include "invqr_when.h"

/* The dates of a code issued at `issued`, on the local calendar. */
static void set_dates(invqr_active_code_t *out, long long issued, int max_age_days)
{
    invqr_when_day(out->issued, issued);
    invqr_when_lifetime(out->expires, &out->expired, &out->days_left, issued, max_age_days,
                        (long long)time(NULL));
}

apr_status_t invqr_code_store_active(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                                int max_age_days)
{
    invqr_binds_t in, res;
    unsigned long long rows = 0;
    long long issued = 0;

    memset(out, 0, sizeof(*out));
    invqr_binds_init(&in);
    invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, out->code, sizeof(out->code));
    invqr_bind_out_int(&res, &issued);
    if (invqr_db_exec(db, INVQR_SQL_CODE_ACTIVE, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0)
        return APR_NOTFOUND;
    set_dates(out, issued, max_age_days);
    return APR_SUCCESS;
}

apr_status_t invqr_code_store_attestation(invqr_attestation_t *out, invqr_db_t *db,
                                     const char *fiscal_code, int max_age_days)
{
    invqr_binds_t in, res;
    unsigned long long rows = 0;
    long long definitive = 0, issued = 0;

    memset(out, 0, sizeof(*out));
    invqr_binds_init(&in);
    invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, out->active.code, sizeof(out->active.code));
    invqr_bind_out_int(&res, &issued);
    invqr_bind_out_str(&res, out->surname, sizeof(out->surname));
    invqr_bind_out_str(&res, out->given_name, sizeof(out->given_name));
    invqr_bind_out_int(&res, &definitive);
    if (invqr_db_exec(db, INVQR_SQL_CODE_ATTESTATION, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0 || !definitive) {
        memset(out, 0, sizeof(*out));
        return APR_NOTFOUND;
    }
    set_dates(&out->active, issued, max_age_days);
    return APR_SUCCESS;
}

static apr_status_t revoke_active(invqr_db_t *db, const char *fiscal_code, const char *reason,
                                  unsigned long long *pn)
{
    invqr_binds_t in;

    invqr_binds_init(&in);
    invqr_bind_str(&in, reason, strlen(reason));
    invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
    return invqr_db_exec(db, INVQR_SQL_CODE_REVOKE_ACTIVE, &in, NULL, NULL, NULL, pn);
}

/* A transaction that lost a write-set conflict on a Galera cluster (error
 * 1213, at a statement or at commit) was rolled back whole: the citizen's
 * request is run again, up to 5 times, before it becomes an error page. */
#define CONFLICT_TRIES 5

static apr_status_t issue_once(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                               const char *client, const char *delegate);
static apr_status_t revoke_once(invqr_db_t *db, const char *fiscal_code, const char *client,
                                const char *delegate);

static int conflicted(invqr_db_t *db, int attempt, const char *what)
{
    if (invqr_db_errno(db) != ER_LOCK_DEADLOCK)
        return 0;
    if (attempt < CONFLICT_TRIES) {
        invqr_db_conflict_pause(attempt);
        return 1;
    }
    invqr_log(INVQR_LOG_ERR, "INVQR0062: %s lost a write-set conflict %d times", what, attempt);
    return 0;
}

apr_status_t invqr_code_store_issue(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                               const char *client, const char *delegate)
{
    apr_status_t rv;
    int attempt = 1;

    while ((rv = issue_once(out, db, fiscal_code, client, delegate)) == APR_EGENERAL
           && conflicted(db, attempt, "a new code"))
        attempt++;
    return rv;
}

apr_status_t invqr_code_store_revoke(invqr_db_t *db, const char *fiscal_code, const char *client,
                                     const char *delegate)
{
    apr_status_t rv;
    int attempt = 1;

    while ((rv = revoke_once(db, fiscal_code, client, delegate)) == APR_EGENERAL
           && conflicted(db, attempt, "a revocation"))
        attempt++;
    return rv;
}

static apr_status_t issue_once(invqr_active_code_t *out, invqr_db_t *db, const char *fiscal_code,
                               const char *client, const char *delegate)
{
    unsigned long long replaced = 0;
    invqr_binds_t in;
    invqr_audit_t a;
    int attempt;
    apr_status_t rv;

    memset(out, 0, sizeof(*out));
    rv = invqr_db_begin(db);
    if (rv != APR_SUCCESS)
        return rv;
    rv = revoke_active(db, fiscal_code, "replaced", &replaced);
    if (rv != APR_SUCCESS)
        goto fail;
    /* 100 random bits: a collision is not expected in the life of the
     * universe, but a duplicate key would only mean drawing again. */
    for (attempt = 0; attempt < 3; attempt++) {
        if (invqr_code_generate(out->code) != 0) {
            invqr_log(INVQR_LOG_ERR, "INVQR0010: no randomness for a new code");
            rv = APR_EGENERAL;
            goto fail;
        }
        invqr_binds_init(&in);
        invqr_bind_str(&in, out->code, INVQR_CODE_LEN);
        invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
        rv = invqr_db_exec(db, INVQR_SQL_CODE_INSERT, &in, NULL, NULL, NULL, NULL);
        if (rv == APR_SUCCESS || invqr_db_errno(db) != ER_DUP_ENTRY)
            break;
    }
    if (rv != APR_SUCCESS)
        goto fail;
    memset(&a, 0, sizeof(a));
    a.actor = "citizen";
    a.client = client;
    a.code = out->code;
    a.fiscal_code = fiscal_code;
    a.delegate = delegate;
    a.event = replaced > 0 ? "code_replace" : "code_issue";
    a.outcome = "ok";
    rv = invqr_audit_write(db, &a);
    if (rv != APR_SUCCESS)
        goto fail;
    rv = invqr_db_commit(db);
    if (rv != APR_SUCCESS)
        goto fail;
    return invqr_code_store_active(out, db, fiscal_code, 0);   /* new: nothing to expire */
fail:
    invqr_db_rollback(db);
    memset(out, 0, sizeof(*out));
    return APR_EGENERAL;
}

static apr_status_t revoke_once(invqr_db_t *db, const char *fiscal_code, const char *client,
                                const char *delegate)
{
    invqr_active_code_t cur;
    unsigned long long n = 0;
    invqr_audit_t a;
    apr_status_t rv;

    rv = invqr_db_begin(db);
    if (rv != APR_SUCCESS)
        return rv;
    rv = invqr_code_store_active(&cur, db, fiscal_code, 0);   /* expired or not, it goes */
    if (rv == APR_NOTFOUND) {
        invqr_db_rollback(db);
        return APR_NOTFOUND;
    }
    if (rv != APR_SUCCESS || revoke_active(db, fiscal_code, "revoked", &n) != APR_SUCCESS)
        goto fail;
    memset(&a, 0, sizeof(a));
    a.actor = "citizen";
    a.client = client;
    a.code = cur.code;
    a.fiscal_code = fiscal_code;
    a.delegate = delegate;
    a.event = "code_revoke";
    a.outcome = "ok";
    if (invqr_audit_write(db, &a) != APR_SUCCESS || invqr_db_commit(db) != APR_SUCCESS)
        goto fail;
    return APR_SUCCESS;
fail:
    invqr_db_rollback(db);
    return APR_EGENERAL;
}
