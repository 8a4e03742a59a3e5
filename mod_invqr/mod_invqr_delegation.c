/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - acting for another person (delegates).
 *
 * A signed-in person with a delegation in effect may choose, with POST
 * BASE/citizen/act-as (field holder), to act for that holder. The choice is
 * kept in their session row in the store, bound to their own fiscal code,
 * and is never trusted alone: at every request the delegation is read from
 * the store again (invqr_delegation_check), so a removal or an expiry made
 * through any node takes effect at the next request. While it holds, the
 * request is the holder's: the workers get the holder in INVQR_CITIZEN and
 * the person in INVQR_DELEGATE, and the module's own PDF copies are the
 * holder's. Every choice is written to the audit log with both fiscal codes.
 */
#include <string.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_audit.h"
#include "invqr_crypto.h"
#include "invqr_delegation.h"
#include "invqr_fiscal.h"

static apr_status_t audit(invqr_db_t *db, request_rec *r, const char *holder, const char *person,
                          const char *event, const char *outcome, const char *detail,
                          const char *code)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "citizen";
    a.client = r->useragent_ip;
    a.code = code;
    a.fiscal_code = holder;
    a.delegate = person;
    a.event = event;
    a.outcome = outcome;
    a.detail = detail;
    return invqr_audit_write(db, &a);
}

/* Store the session's choice (holder NULL: myself). */
static apr_status_t store_choice(invqr_db_t *db, invqr_req_t *rq, const char *person,
                                 const char *holder)
{
    unsigned char hash[INVQR_SHA256_LEN];
    invqr_binds_t in;

    invqr_sha256(hash, rq->token, strlen(rq->token));
    invqr_binds_init(&in);
    invqr_bind_cstr_or_null(&in, holder);
    invqr_bind_bin(&in, hash, sizeof(hash));
    invqr_bind_str(&in, person, strlen(person));
    return invqr_db_exec(db, INVQR_SQL_SESSION_ACT_AS, &in, NULL, NULL, NULL, NULL);
}

int invqr_delegation_resolve(request_rec *r, invqr_req_t *rq)
{
    invqr_delegation_t d;
    invqr_db_t *db = NULL;
    apr_status_t rv;

    if (rq->acting_for == NULL || rq->fiscal_code == NULL || rq->token == NULL)
        return OK;
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    rv = invqr_delegation_check(&d, db, rq->fiscal_code, rq->acting_for);
    if (rv == APR_NOTFOUND) {
        /* removed, expired, or a parent's whose child came of age: the
         * person acts for themselves again, and is told so once */
        rv = store_choice(db, rq, rq->fiscal_code, NULL);
        if (rv == APR_SUCCESS)
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0181: a delegation ended; the "
                          "session acts for its own person again");
        rq->acting_for = NULL;
        rq->delegation_ended = 1;
    }
    invqr_store_release(rq->srv, r, rv != APR_SUCCESS && rv != APR_NOTFOUND);
    if (rv != APR_SUCCESS) {
        invqr_store_log_failure(r, rv, "INVQR0180: cannot check a delegation in the store");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (rq->acting_for == NULL)
        return OK;
    rq->delegate = rq->fiscal_code;
    rq->fiscal_code = apr_pstrdup(r->pool, d.holder);
    rq->delegate_role = invqr_role_name(d.role);
    if (d.surname[0] != '\0')
        rq->holder_name = d.given_name[0] != '\0'
                              ? apr_pstrcat(r->pool, d.given_name, " ", d.surname, NULL)
                              : apr_pstrdup(r->pool, d.surname);
    return OK;
}

/* POST BASE/citizen/act-as: field holder, a fiscal code, or empty for
 * oneself. 303 back to the citizen area; 403 without a delegation in effect. */
int invqr_pages_act_as(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const char *typed = rq->form != NULL ? apr_table_get(rq->form, "holder") : NULL;
    const char *person = rq->delegate != NULL ? rq->delegate : rq->fiscal_code;
    const char *was = rq->delegate != NULL ? rq->fiscal_code : NULL;
    char holder[INVQR_FISCAL_LEN + 1] = "";
    invqr_delegation_t d;
    invqr_db_t *db = NULL;
    apr_status_t rv;
    int status = OK;

    if (typed == NULL) {
        apr_table_setn(r->notes, "invqr-detail", "form");
        return HTTP_BAD_REQUEST;
    }
    if (typed[strspn(typed, " \t")] != '\0'
        && invqr_fiscal_parse(holder, typed, strlen(typed)) != INVQR_FISCAL_OK) {
        apr_table_setn(r->notes, "invqr-detail", "fiscal_code");
        return HTTP_BAD_REQUEST;
    }
    if (strcmp(holder, person) == 0)
        holder[0] = '\0';
    if (holder[0] != '\0'
        && (rq->token == NULL || rq->session_fc == NULL || strcmp(rq->session_fc, person) != 0)) {
        /* signed in by the identity provider alone (or over a session of
         * somebody else's): the choice needs a session of invqr's to live
         * in, bound to this very person */
        status = invqr_session_create(r, rq, "citizen", person, 0);
        if (status != OK)
            return status;
        rq->session_fc = person;
    }
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    if (holder[0] != '\0') {
        rv = invqr_delegation_check(&d, db, person, holder);
        if (rv == APR_NOTFOUND) {
            rv = audit(db, r, holder, person, "act_as", "refused", NULL, NULL);
            invqr_store_release(rq->srv, r, rv != APR_SUCCESS);
            if (rv != APR_SUCCESS)
                return HTTP_SERVICE_UNAVAILABLE;
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0182: acting for a person "
                          "without a delegation in effect refused");
            apr_table_setn(r->notes, "invqr-detail", "delegation");
            return HTTP_FORBIDDEN;
        }
        if (rv == APR_SUCCESS)
            rv = invqr_db_begin(db);
        if (rv == APR_SUCCESS)
            rv = store_choice(db, rq, person, holder);
        if (rv == APR_SUCCESS)
            rv = audit(db, r, holder, person, "act_as", "start", invqr_role_name(d.role), NULL);
    }
    else if (rq->token != NULL && rq->session_fc != NULL && strcmp(rq->session_fc, person) == 0) {
        rv = invqr_db_begin(db);
        if (rv == APR_SUCCESS)
            rv = store_choice(db, rq, person, NULL);
        if (rv == APR_SUCCESS && was != NULL)
            rv = audit(db, r, was, person, "act_as", "stop", NULL, NULL);
    }
    else {
        rv = APR_SUCCESS;   /* no session, so no choice to forget */
        invqr_store_release(rq->srv, r, 0);
        goto done;
    }
    if (rv == APR_SUCCESS)
        rv = invqr_db_commit(db);
    else
        invqr_db_rollback(db);
    invqr_store_release(rq->srv, r, rv != APR_SUCCESS);
    if (rv != APR_SUCCESS) {
        invqr_store_log_failure(r, rv, "INVQR0183: cannot record whom a person acts for");
        return HTTP_SERVICE_UNAVAILABLE;
    }
done:
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/citizen", NULL));
    return HTTP_SEE_OTHER;
}

apr_status_t invqr_delegation_audit_copy(request_rec *r, invqr_req_t *rq, const char *code)
{
    invqr_db_t *db = NULL;
    apr_status_t rv;

    if (rq->delegate == NULL)
        return APR_SUCCESS;
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return APR_EGENERAL;
    rv = audit(db, r, rq->fiscal_code, rq->delegate, "pdf_download", "ok", "copy", code);
    invqr_store_release(rq->srv, r, rv != APR_SUCCESS);
    if (rv != APR_SUCCESS)
        invqr_store_log_failure(r, rv, "INVQR0184: the audit log refused a delegate's download");
    return rv;
}
