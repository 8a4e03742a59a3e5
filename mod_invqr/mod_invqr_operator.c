/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - operator sign-in and sign-out.
 *
 * The password is checked here, against the argon2id hash in the store, and
 * never reaches a worker. Every answer to a wrong username, a wrong
 * password, a locked or removed account is the same redirect, and an
 * unknown username costs the same hash computation as a known one. Five
 * wrong passwords in a row lock the account for a cool-down; a client that
 * keeps failing is throttled with 429, saying how long to wait, except for
 * the accounts that have signed in from its address before
 * (invqr_operator_auth.h). A successful sign-in always starts a new session
 * (no fixation) and goes on to the page the form names in "next" when that
 * is a path of this service (invqr_form_return_to_ok), else to /operator.
 */
#include <string.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_form.h"
#include "invqr_operator_auth.h"
#include "invqr_password.h"

/* The form's "next", when it is a path of this service; else NULL. */
static const char *return_to(invqr_req_t *rq)
{
    const char *next = rq->form != NULL ? apr_table_get(rq->form, "next") : NULL;

    return invqr_form_return_to_ok(next) ? next : NULL;
}

static int back_to_form(request_rec *r, invqr_req_t *rq)
{
    const char *next = return_to(rq);

    /* next needs no escaping: return_to() lets through only [A-Za-z0-9/._-] */
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/operator/login?error=1",
                               next != NULL ? "&next=" : "", next != NULL ? next : "", NULL));
    return HTTP_SEE_OTHER;
}

int invqr_pages_operator_login(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const char *user = rq->form != NULL ? apr_table_get(rq->form, "username") : NULL;
    const char *pass = rq->form != NULL ? apr_table_get(rq->form, "password") : NULL;
    invqr_auth_proof_t proof = { pass, NULL, NULL };
    invqr_operator_t op;
    invqr_db_t *db = NULL;
    invqr_auth_rc rc;
    int status;

    if (user == NULL || pass == NULL || strlen(user) > 64 || strlen(pass) > INVQR_PASSWORD_MAX)
        return back_to_form(r, rq);
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    rc = invqr_operator_auth(&op, db, rq->srv->conf, rq->srv->dummy_hash, r->useragent_ip, user,
                             &proof, "web");
    invqr_store_release(rq->srv, r, rc == INVQR_AUTH_UNAVAILABLE);
    switch (rc) {
    case INVQR_AUTH_OK:
        break;
    case INVQR_AUTH_THROTTLED:
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)op.wait_seconds));
        apr_table_setn(r->notes, "invqr-detail",
                       apr_psprintf(r->pool, "signin-wait:%" APR_INT64_T_FMT, (apr_int64_t)op.wait_seconds));
        return HTTP_TOO_MANY_REQUESTS;
    case INVQR_AUTH_FAILED:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0162: operator sign-in refused");
        return back_to_form(r, rq);
    default:
        return HTTP_SERVICE_UNAVAILABLE;
    }
    status = invqr_session_create(r, rq, "operator", NULL, op.operator_id);
    if (status != OK)
        return status;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0163: operator %" APR_INT64_T_FMT
                  " signed in", (apr_int64_t)op.operator_id);
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path,
                               return_to(rq) != NULL ? return_to(rq) : "/operator", NULL));
    return HTTP_SEE_OTHER;
}

int invqr_pages_operator_logout(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    int status = invqr_session_destroy(r, rq);

    if (status != OK)
        return status;
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/operator/login", NULL));
    return HTTP_SEE_OTHER;
}
