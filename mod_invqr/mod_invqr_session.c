/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - sessions, kept in the status store.
 *
 * The cookie holds 256 random bits; the store keeps only their SHA-256, the
 * kind of session and who it belongs to. Every httpd child and every node
 * sharing the database sees the same sessions. A session ends when it is
 * idle too long, at an absolute limit, at sign-out, or (for operators) the
 * moment the operator is locked or removed.
 */
#include <string.h>

#include <httpd.h>
#include <http_log.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_cookie.h"
#include "invqr_crypto.h"
#include "invqr_db.h"

#define SESSION_COOKIE "invqr_session"
/* last_seen_at is written at most this often, to spare the store a write
 * per request */
#define TOUCH_EVERY_SECONDS 30

int invqr_session_load(request_rec *r, invqr_req_t *rq)
{
    const char *token = NULL;
    unsigned char hash[INVQR_SHA256_LEN];
    invqr_binds_t in, out;
    char kind[16], fc[32], acting[32], opname[80], orgname[801];   /* VARCHAR(200) utf8mb4 */
    long long opid = 0, orgid = 0, idle = 0, alive = 0, active = 0;
    unsigned long long rows = 0;
    invqr_db_t *db = NULL;
    apr_status_t rv;

    rv = invqr_cookie_get(&token, apr_table_get(r->headers_in, "Cookie"), SESSION_COOKIE,
                          r->pool);
    if (rv == APR_NOTFOUND)
        return OK;
    if (rv != APR_SUCCESS || !invqr_token_valid(token)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0120: malformed session cookie ignored");
        invqr_headers_cookie(r, rq, SESSION_COOKIE, "", 0);
        return OK;
    }
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    invqr_sha256(hash, token, strlen(token));
    invqr_binds_init(&in);
    invqr_bind_int(&in, rq->srv->conf->session_idle_seconds);
    invqr_bind_bin(&in, hash, sizeof(hash));
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, kind, sizeof(kind));
    invqr_bind_out_str(&out, fc, sizeof(fc));
    invqr_bind_out_int(&out, &opid);
    invqr_bind_out_int(&out, &idle);
    invqr_bind_out_int(&out, &alive);
    invqr_bind_out_str(&out, acting, sizeof(acting));
    rv = invqr_db_exec(db, INVQR_SQL_SESSION_GET, &in, &out, NULL, NULL, &rows);
    if (rv == APR_SUCCESS && rows > 0 && alive && strcmp(kind, "operator") == 0) {
        /* an operator's session lives only while the operator is active */
        invqr_binds_init(&in);
        invqr_bind_int(&in, opid);
        invqr_binds_init(&out);
        invqr_bind_out_str(&out, opname, sizeof(opname));
        invqr_bind_out_int(&out, &orgid);
        invqr_bind_out_str(&out, orgname, sizeof(orgname));
        invqr_bind_out_int(&out, &active);
        rv = invqr_db_exec(db, INVQR_SQL_SESSION_OPERATOR, &in, &out, NULL, NULL, &rows);
        alive = rows > 0 && active;
    }
    if (rv != APR_SUCCESS) {
        invqr_store_release(rq->srv, r, 1);
        invqr_store_log_failure(r, 0, "INVQR0121: session lookup failed");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (rows == 0 || !alive) {
        /* expired, ended, or an operator who was locked: forget the cookie */
        invqr_store_release(rq->srv, r, 0);
        invqr_headers_cookie(r, rq, SESSION_COOKIE, "", 0);
        return OK;
    }
    if (idle >= TOUCH_EVERY_SECONDS) {
        invqr_binds_init(&in);
        invqr_bind_bin(&in, hash, sizeof(hash));
        if (invqr_db_exec(db, INVQR_SQL_SESSION_TOUCH, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS) {
            invqr_store_release(rq->srv, r, 1);
            return HTTP_SERVICE_UNAVAILABLE;
        }
    }
    invqr_store_release(rq->srv, r, 0);
    rq->token = token;
    rq->kind = apr_pstrdup(r->pool, kind);
    if (strcmp(kind, "citizen") == 0) {
        rq->fiscal_code = apr_pstrdup(r->pool, fc);
        rq->session_fc = rq->fiscal_code;
        if (acting[0] != '\0')
            rq->acting_for = apr_pstrdup(r->pool, acting);
    }
    else {
        rq->operator_id = opid;
        rq->org_id = orgid;
        rq->operator_name = apr_pstrdup(r->pool, opname);
        rq->org_name = apr_pstrdup(r->pool, orgname);
    }
    return OK;
}

/* Delete the session whose token is rq->token from the store. */
static int session_delete(request_rec *r, invqr_req_t *rq, invqr_db_t *db)
{
    unsigned char hash[INVQR_SHA256_LEN];
    invqr_binds_t in;

    if (rq->token == NULL)
        return OK;
    invqr_sha256(hash, rq->token, strlen(rq->token));
    invqr_binds_init(&in);
    invqr_bind_bin(&in, hash, sizeof(hash));
    if (invqr_db_exec(db, INVQR_SQL_SESSION_DELETE, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    rq->token = NULL;
    rq->kind = NULL;
    rq->fiscal_code = NULL;
    rq->session_fc = rq->acting_for = rq->delegate = rq->delegate_role = rq->holder_name = NULL;
    rq->operator_id = rq->org_id = 0;
    return OK;
}

int invqr_session_create(request_rec *r, invqr_req_t *rq, const char *kind,
                         const char *fiscal_code, long long operator_id)
{
    char token[INVQR_TOKEN_CHARS + 1];
    unsigned char hash[INVQR_SHA256_LEN];
    invqr_binds_t in;
    invqr_db_t *db = NULL;
    int status;

    if (invqr_token_new(token) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "INVQR0122: no randomness for a session");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    /* A new identity always gets a new session id: no fixation. */
    status = session_delete(r, rq, db);
    if (status != OK)
        goto out;
    invqr_sha256(hash, token, strlen(token));
    invqr_binds_init(&in);
    invqr_bind_bin(&in, hash, sizeof(hash));
    invqr_bind_cstr_or_null(&in, kind);
    invqr_bind_cstr_or_null(&in, fiscal_code);
    if (operator_id > 0)
        invqr_bind_int(&in, operator_id);
    else
        invqr_bind_str(&in, NULL, 0);
    invqr_bind_int(&in, rq->srv->conf->session_max_seconds);
    if (invqr_db_exec(db, INVQR_SQL_SESSION_INSERT, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS) {
        status = HTTP_SERVICE_UNAVAILABLE;
        goto out;
    }
    rq->token = apr_pstrdup(r->pool, token);
    rq->kind = kind;
    invqr_headers_cookie(r, rq, SESSION_COOKIE, rq->token, -1);
    status = OK;
    /* Now and then, the session that signs in sweeps the ones that ended:
     * no timer thread in httpd, and the table stays small. */
    {
        unsigned char dice = 0;

        if (invqr_random(&dice, 1) == 0 && dice < 4) {
            invqr_binds_init(&in);
            invqr_bind_int(&in, rq->srv->conf->session_idle_seconds);
            if (invqr_db_exec(db, INVQR_SQL_SESSION_PURGE, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "INVQR0123: purging ended sessions failed");
        }
    }
out:
    invqr_store_release(rq->srv, r, status != OK);
    return status;
}

int invqr_session_destroy(request_rec *r, invqr_req_t *rq)
{
    invqr_db_t *db = NULL;
    int status;

    invqr_headers_cookie(r, rq, SESSION_COOKIE, "", 0);
    if (rq->token == NULL)
        return OK;
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    status = session_delete(r, rq, db);
    invqr_store_release(rq->srv, r, status != OK);
    return status;
}
