/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - operator sign-in and sign-out.
 *
 * The password is checked here, against the argon2id hash in the store, and
 * never reaches a worker. Every answer to a wrong username, a wrong
 * password, a locked or removed account is the same redirect, and an
 * unknown username costs the same hash computation as a known one. Five
 * wrong passwords in a row lock the account for a cool-down; a client that
 * keeps failing is throttled with 429. A successful sign-in always starts a
 * new session (no fixation).
 */
#include <string.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_audit.h"
#include "invqr_crypto.h"
#include "invqr_password.h"

#define MAX_FAILURES 5          /* wrong passwords in a row before the lock */
#define LOCK_SECONDS 900        /* cool-down of a locked account */
#define CLIENT_MAX_FAILURES 20  /* failed sign-ins per client ... */
#define CLIENT_WINDOW 900       /* ... in this many seconds */


static void audit_login(invqr_db_t *db, request_rec *r, long long operator_id,
                        const char *outcome)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "operator";
    a.operator_id = operator_id;
    a.client = r->useragent_ip;
    a.event = "login";
    a.outcome = outcome;
    if (invqr_audit_write(db, &a) != APR_SUCCESS)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "INVQR0160: the audit log refused a sign-in record");
}

static int back_to_form(request_rec *r, invqr_req_t *rq)
{
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/operator/login?error=1", NULL));
    return HTTP_SEE_OTHER;
}

int invqr_pages_operator_login(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const char *user = rq->form != NULL ? apr_table_get(rq->form, "username") : NULL;
    const char *pass = rq->form != NULL ? apr_table_get(rq->form, "password") : NULL;
    const char *client_key = apr_pstrcat(r->pool, "login:", r->useragent_ip, NULL);
    char hash[INVQR_PASSWORD_HASH_MAX + 1] = "";
    long long id = 0, usable = 0, failures = 0;
    unsigned long long rows = 0;
    invqr_binds_t in, out;
    invqr_db_t *db = NULL;
    int ok, status;

    if (user == NULL || pass == NULL || strlen(user) > 64 || strlen(pass) > INVQR_PASSWORD_MAX)
        return back_to_form(r, rq);
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;

    /* a client that keeps failing waits, whoever it claims to be */
    invqr_binds_init(&in);
    invqr_bind_str(&in, client_key, strlen(client_key));
    invqr_bind_int(&in, CLIENT_WINDOW);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &failures);
    if (invqr_db_exec(db, INVQR_SQL_CLIENT_COUNT, &in, &out, NULL, NULL, NULL) != APR_SUCCESS)
        goto unavailable;
    if (failures >= CLIENT_MAX_FAILURES) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "INVQR0161: sign-in throttled for this client");
        audit_login(db, r, 0, "throttled");
        invqr_store_release(rq->srv, r, 0);
        apr_table_setn(r->err_headers_out, "Retry-After", apr_itoa(r->pool, CLIENT_WINDOW / 3));
        return HTTP_TOO_MANY_REQUESTS;
    }

    invqr_binds_init(&in);
    invqr_bind_str(&in, user, strlen(user));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &id);
    invqr_bind_out_str(&out, hash, sizeof(hash));
    invqr_bind_out_int(&out, &usable);
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_AUTH, &in, &out, NULL, NULL, &rows) != APR_SUCCESS)
        goto unavailable;
    /* the hash is computed whatever the account, so timing says nothing */
    ok = invqr_password_verify(rows > 0 ? hash : rq->srv->dummy_hash, pass, strlen(pass));
    memset(hash, 0, sizeof(hash));
    if (rows == 0 || !ok || !usable) {
        if (rows > 0 && !ok) {
            invqr_binds_init(&in);
            invqr_bind_int(&in, MAX_FAILURES);
            invqr_bind_int(&in, LOCK_SECONDS);
            invqr_bind_int(&in, id);
            if (invqr_db_exec(db, INVQR_SQL_OPERATOR_LOGIN_FAILED, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
                goto unavailable;
        }
        invqr_binds_init(&in);
        invqr_bind_str(&in, client_key, strlen(client_key));
        if (invqr_db_exec(db, INVQR_SQL_CLIENT_FAIL, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
            goto unavailable;
        audit_login(db, r, rows > 0 ? id : 0, rows == 0 ? "unknown" : !ok ? "wrong_password" : "locked");
        invqr_store_release(rq->srv, r, 0);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0162: operator sign-in refused");
        return back_to_form(r, rq);
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_LOGIN_OK, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        goto unavailable;
    audit_login(db, r, id, "ok");
    invqr_store_release(rq->srv, r, 0);
    status = invqr_session_create(r, rq, "operator", NULL, id);
    if (status != OK)
        return status;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0163: operator %" APR_INT64_T_FMT " signed in", (apr_int64_t)id);
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/operator", NULL));
    return HTTP_SEE_OTHER;
unavailable:
    invqr_store_release(rq->srv, r, 1);
    return HTTP_SERVICE_UNAVAILABLE;
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
