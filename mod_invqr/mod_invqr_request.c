/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - what the module decides for every request under the base path.
 *
 * The fixups hook, in order: security headers; language; method; session
 * and upstream identity; CSRF (the POST body is read here, bounded, checked,
 * and replayed to the worker by a small input filter); then, for worker
 * routes, the INVQR_* variables the worker trusts, after removing any copy
 * that did not come from here.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>
#include <util_script.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_cookie.h"
#include "invqr_crypto.h"
#include "invqr_fiscal.h"
#include "invqr_form.h"
#include "invqr_wire.h"

#define LANG_COOKIE "invqr_lang"
#define ANON_COOKIE "invqr_csrf"
#define REPLAY_FILTER "INVQR_REPLAY"

/* ---- replaying a body that was read already --------------------------- */

static apr_status_t replay_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                  ap_input_mode_t mode, apr_read_type_e block,
                                  apr_off_t readbytes)
{
    apr_bucket_brigade *saved = f->ctx;
    apr_bucket *e;
    apr_status_t rv;

    if (mode != AP_MODE_READBYTES && mode != AP_MODE_SPECULATIVE)
        return APR_ENOTIMPL;
    if (APR_BRIGADE_EMPTY(saved)) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
        return APR_SUCCESS;
    }
    rv = apr_brigade_partition(saved, readbytes, &e);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE)
        return rv;
    if (mode == AP_MODE_SPECULATIVE) {
        apr_bucket *b;
        for (b = APR_BRIGADE_FIRST(saved); b != e; b = APR_BUCKET_NEXT(b)) {
            apr_bucket *copy = NULL;
            rv = apr_bucket_copy(b, &copy);
            if (rv != APR_SUCCESS)
                return rv;
            APR_BRIGADE_INSERT_TAIL(bb, copy);
        }
        return APR_SUCCESS;
    }
    while (APR_BRIGADE_FIRST(saved) != e) {
        apr_bucket *b = APR_BRIGADE_FIRST(saved);
        APR_BUCKET_REMOVE(b);
        APR_BRIGADE_INSERT_TAIL(bb, b);
    }
    if (APR_BRIGADE_EMPTY(saved))
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    return APR_SUCCESS;
}

void invqr_register_replay_filter(void)
{
    ap_register_input_filter(REPLAY_FILTER, replay_filter, NULL, AP_FTYPE_RESOURCE);
}

/* Read the whole body, at most INVQR_FORM_MAX_BODY bytes whatever its
 * framing (Content-Length or chunked), into *pbody (NUL-terminated, from the
 * request pool) and *ptotal; *psaved holds it as one bucket for the replay
 * filter. The bytes are copied as they come, so many tiny chunks cost no
 * more than one. Returns OK or an HTTP status. */
static int read_body(request_rec *r, char **pbody, apr_size_t *ptotal,
                     apr_bucket_brigade **psaved)
{
    const char *clen = apr_table_get(r->headers_in, "Content-Length");
    apr_bucket_brigade *bb;
    apr_size_t total = 0, cap = INVQR_FORM_MAX_BODY;
    char *body;
    int seen_eos = 0;
    apr_status_t rv;

    if (clen != NULL) {
        if (strlen(clen) > 9 || apr_atoi64(clen) > INVQR_FORM_MAX_BODY)
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        if (apr_atoi64(clen) >= 0)
            cap = (apr_size_t)apr_atoi64(clen);
    }
    body = apr_palloc(r->pool, cap + 1);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!seen_eos) {
        apr_bucket *b;

        rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ,
                            HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r, "INVQR0130: reading the request body failed");
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t len;

            if (APR_BUCKET_IS_EOS(b)) {
                seen_eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b))
                continue;
            rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
            if (rv != APR_SUCCESS)
                return HTTP_BAD_REQUEST;
            if (len > cap - total)
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            memcpy(body + total, data, len);
            total += len;
        }
        apr_brigade_cleanup(bb);
    }
    body[total] = '\0';
    /* lives as long as the request, like body: nothing to copy or free */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(body, total,
                                                           r->connection->bucket_alloc));
    *pbody = body;
    *ptotal = total;
    *psaved = bb;
    return OK;
}

/* The worker reads the bytes read here again, with their length told: the
 * proxy needs a Content-Length (a chunked body has none). */
static void replay_to_worker(request_rec *r, apr_bucket_brigade *saved, apr_size_t total)
{
    ap_add_input_filter(REPLAY_FILTER, saved, r, r->connection);
    apr_table_setn(r->headers_in, "Content-Length", apr_psprintf(r->pool, "%" APR_SIZE_T_FMT, total));
    apr_table_unset(r->headers_in, "Transfer-Encoding");
}

/* Read the whole body (bounded, see read_body), parse it as a form into
 * rq->form, and when keep is set arrange for the worker to read the same
 * bytes. Returns OK or an HTTP status. */
int invqr_request_read_form(request_rec *r, invqr_req_t *rq, int keep)
{
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    apr_bucket_brigade *saved = NULL;
    apr_size_t total = 0;
    char *body = NULL;
    apr_status_t rv;
    int status;

    if (ctype == NULL || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0
        || (ctype[33] != '\0' && ctype[33] != ';')) {
        apr_table_setn(r->notes, "invqr-detail", "form");
        return HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    status = read_body(r, &body, &total, &saved);
    if (status != OK)
        return status;
    rv = invqr_form_parse(&rq->form, body, total, r->pool);
    if (rv == APR_ENOSPC)
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0131: malformed form body");
        return HTTP_BAD_REQUEST;
    }
    if (keep)
        replay_to_worker(r, saved, total);
    return OK;
}

/* A SOAP body is read here whole, bounded, whatever its framing, and only
 * then handed to the worker with its length: a client that sends slowly
 * holds an httpd thread (which mod_reqtimeout bounds), never a worker
 * thread. */
static int soap_body(request_rec *r)
{
    apr_bucket_brigade *saved = NULL;
    apr_size_t total = 0;
    char *body = NULL;
    int status;

    status = read_body(r, &body, &total, &saved);
    if (status != OK)
        return status;
    replay_to_worker(r, saved, total);
    return OK;
}

/* ---- language ------------------------------------------------------------ */

static void choose_language(request_rec *r, invqr_req_t *rq)
{
    const char *cookie = NULL;
    int lang = -1;

    if (r->args != NULL && r->args[0] != '\0') {
        apr_table_t *q = NULL;

        if (invqr_form_parse(&q, r->args, strlen(r->args), r->pool) == APR_SUCCESS) {
            const char *l = apr_table_get(q, "lang");
            if (l != NULL)
                lang = invqr_lang_parse(l);
            if (lang >= 0)
                invqr_headers_cookie(r, rq, LANG_COOKIE, invqr_lang_tag(lang), 31536000L);
        }
    }
    if (lang < 0
        && invqr_cookie_get(&cookie, apr_table_get(r->headers_in, "Cookie"), LANG_COOKIE,
                            r->pool) == APR_SUCCESS)
        lang = invqr_lang_parse(cookie);
    if (lang < 0)
        lang = invqr_lang_negotiate(apr_table_get(r->headers_in, "Accept-Language"));
    rq->lang = (invqr_lang_t)lang;
}

/* ---- CSRF ------------------------------------------------------------------ */

/* The token bound to this browser: HMAC of the session token, or of an
 * anonymous random cookie for people who are not signed in. */
static void csrf_prepare(request_rec *r, invqr_req_t *rq)
{
    unsigned char mac[INVQR_SHA256_LEN];
    char *tok;
    const char *anon = NULL;

    if (rq->token != NULL) {
        rq->csrf_seed = rq->token;
    }
    else if (invqr_cookie_get(&anon, apr_table_get(r->headers_in, "Cookie"), ANON_COOKIE,
                              r->pool) == APR_SUCCESS && invqr_token_valid(anon)) {
        rq->csrf_seed = anon;
    }
    else {
        char fresh[INVQR_TOKEN_CHARS + 1];

        if (invqr_token_new(fresh) != 0)
            return;
        rq->csrf_seed = apr_pstrdup(r->pool, fresh);
        if (r->method_number == M_GET)
            invqr_headers_cookie(r, rq, ANON_COOKIE, rq->csrf_seed, -1);
    }
    invqr_hmac(mac, rq->srv->conf->secret, INVQR_SECRET_LEN, "csrf", rq->csrf_seed);
    tok = apr_palloc(r->pool, INVQR_TOKEN_CHARS + 1);
    invqr_b64url(tok, mac, sizeof(mac));
    rq->csrf = tok;
}

/* A cross-site POST is refused before its token is even looked at. */
static int same_origin(request_rec *r)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *host = apr_table_get(r->headers_in, "Host");

    if (site != NULL && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return 0;
    if (origin != NULL && host != NULL && strcmp(origin, "null") != 0) {
        const char *p = strstr(origin, "://");
        return p != NULL && strcasecmp(p + 3, host) == 0;
    }
    return 1;
}

static int csrf_check(request_rec *r, invqr_req_t *rq)
{
    const char *sent = rq->form != NULL ? apr_table_get(rq->form, "csrf") : NULL;

    if (!same_origin(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "INVQR0132: cross-site POST refused");
        return HTTP_FORBIDDEN;
    }
    if (rq->csrf == NULL || sent == NULL || !invqr_ct_streq(sent, rq->csrf)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "INVQR0133: POST without a valid "
                      "CSRF token refused");
        apr_table_setn(r->notes, "invqr-detail", "csrf");
        return HTTP_FORBIDDEN;
    }
    return OK;
}

/* ---- identity towards the worker ----------------------------------------- */

static int strip_invqr_vars(void *rec, const char *key, const char *value)
{
    apr_array_header_t *names = rec;

    if (strncasecmp(key, INVQR_WIRE_PREFIX, sizeof(INVQR_WIRE_PREFIX) - 1) == 0)
        *(const char **)apr_array_push(names) = key;
    return 1;
}

/* The SOAP route's one exception to "the worker gets no credentials": an
 * "Authorization: Bearer" token is a PDND voucher, which only the workers
 * can check (PDND's keys, the organisations' purposes and the jti replay
 * list live there and in the store). It is safe to hand over because
 * - it goes in INVQR_VOUCHER, a name clients cannot set (headers arrive as
 *   HTTP_*, and every INVQR_* was stripped above), never as the header;
 * - only on the SOAP route, which has no session or cookie identity: the
 *   module vouches for nothing on it, and the worker checks the token's
 *   signature, audience, times and purpose itself before it counts;
 * - only the token's text, when it is at most INVQR_WIRE_VOUCHER_MAX bytes
 *   of the base64url alphabet and dots; anything else sent as a Bearer is
 *   passed as "", which the worker refuses (AUTH_FAILED) instead of
 *   treating the request as one without a voucher.
 * Other schemes (Basic, ...) are dropped as before. */
static void soap_voucher(request_rec *r, apr_table_t *e)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");
    size_t i, len;

    if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\0'))
        return;
    h += 6;
    while (*h == ' ')
        h++;
    len = strlen(h);
    while (len > 0 && h[len - 1] == ' ')
        len--;
    for (i = 0; i < len; i++)
        if (!apr_isalnum(h[i]) && h[i] != '-' && h[i] != '_' && h[i] != '.')
            break;
    if (len == 0 || len > INVQR_WIRE_VOUCHER_MAX || i < len) {
        apr_table_setn(e, INVQR_WIRE_VOUCHER, "");
        return;
    }
    apr_table_setn(e, INVQR_WIRE_VOUCHER, apr_pstrmemdup(r->pool, h, len));
}

static void set_worker_env(request_rec *r, invqr_req_t *rq)
{
    apr_table_t *e = r->subprocess_env;
    apr_array_header_t *names = apr_array_make(r->pool, 4, sizeof(const char *));
    int i;

    /* Nothing named INVQR_* reaches the worker unless it was set here. */
    apr_table_do(strip_invqr_vars, names, e, NULL);
    for (i = 0; i < names->nelts; i++)
        apr_table_unset(e, APR_ARRAY_IDX(names, i, const char *));
    apr_table_setn(e, INVQR_WIRE_GATE, rq->srv->gate);
    apr_table_setn(e, INVQR_WIRE_ROUTE, rq->route->name);
    /* The worker's Content-Length is the exact length of what it sends
     * (invqr_worker.c): mod_proxy_fcgi keeps it instead of chunking every
     * answer, so pages and PDFs go out whole, with their length. (Before
     * httpd 2.4.59 it kept it anyway, and had no such variable.) */
#ifdef AP_TRUST_CGILIKE_CL_ENVVAR
    apr_table_setn(e, AP_TRUST_CGILIKE_CL_ENVVAR, "1");
#endif
    if (rq->arg != NULL)
        apr_table_setn(e, INVQR_WIRE_ARG, rq->arg);
    apr_table_setn(e, INVQR_WIRE_LANG, invqr_lang_tag(rq->lang));
    apr_table_setn(e, INVQR_WIRE_BASE, rq->srv->base_path);
    apr_table_setn(e, INVQR_WIRE_PATH, rq->path);
    if (rq->csrf != NULL)
        apr_table_setn(e, INVQR_WIRE_CSRF, rq->csrf);
    apr_table_setn(e, INVQR_WIRE_CLIENT, r->useragent_ip);
    if (rq->srv->demo_login == 1)
        apr_table_setn(e, INVQR_WIRE_DEMO, "1");
    if (rq->fiscal_code != NULL)
        apr_table_setn(e, INVQR_WIRE_CITIZEN, rq->fiscal_code);
    if (rq->delegate != NULL) {
        apr_table_setn(e, INVQR_WIRE_DELEGATE, rq->delegate);
        apr_table_setn(e, INVQR_WIRE_DELEGATE_ROLE, rq->delegate_role);
        if (rq->holder_name != NULL)
            apr_table_setn(e, INVQR_WIRE_HOLDER_NAME, rq->holder_name);
    }
    if (rq->delegation_ended)
        apr_table_setn(e, INVQR_WIRE_DELEGATION_ENDED, "1");
    if (rq->upstream && rq->srv->citizen_signout != NULL)
        apr_table_setn(e, INVQR_WIRE_SIGNOUT, rq->srv->citizen_signout);
    if (rq->operator_id > 0) {
        unsigned char h[INVQR_SHA256_LEN];
        char *hex = apr_palloc(r->pool, 2 * INVQR_SHA256_LEN + 1);

        /* the session's identity in the store, so a second-level request
         * can only follow a first-level match of the same session */
        invqr_sha256(h, rq->token, strlen(rq->token));
        for (i = 0; i < INVQR_SHA256_LEN; i++)
            apr_snprintf(hex + 2 * i, 3, "%02x", h[i]);
        apr_table_setn(e, INVQR_WIRE_SESSION, hex);
        apr_table_setn(e, INVQR_WIRE_OPERATOR_ID,
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)rq->operator_id));
        apr_table_setn(e, INVQR_WIRE_OPERATOR, rq->operator_name);
        apr_table_setn(e, INVQR_WIRE_ORG_ID, apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)rq->org_id));
        apr_table_setn(e, INVQR_WIRE_ORG, rq->org_name);
    }
    /* Credentials were checked here; the worker gets none of them, except
     * the one the module cannot check: a PDND voucher on the SOAP route
     * (soap_voucher). */
    if (strcmp(rq->route->name, "soap") == 0)
        soap_voucher(r, e);
    apr_table_unset(r->headers_in, "Cookie");
    apr_table_unset(r->headers_in, "Authorization");
}

/* The citizen signed in by the upstream auth module, if configured. */
static void upstream_citizen(request_rec *r, invqr_req_t *rq)
{
    const char *v;
    char fc[INVQR_FISCAL_LEN + 1];

    if (rq->srv->citizen_var == NULL)
        return;
    v = apr_table_get(r->subprocess_env, rq->srv->citizen_var);
    if (v == NULL || *v == '\0')
        return;
    if (invqr_fiscal_parse_identity(fc, v, strlen(v)) != INVQR_FISCAL_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "INVQR0134: %s does not hold a valid "
                      "fiscal code; citizen not signed in", rq->srv->citizen_var);
        return;
    }
    rq->kind = "citizen";
    rq->fiscal_code = apr_pstrdup(r->pool, fc);
    rq->upstream = 1;
}

int invqr_request_fixups(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    int status;

    if (rq == NULL)
        return DECLINED;
    invqr_headers_security(r);
    choose_language(r, rq);
    /* No route: the handler answers 404, unless a module that runs before
     * it answers for the path (mod_auth_mellon's endpoints, which a
     * deployment puts under BASE/citizen) */
    if (rq->route == NULL)
        return DECLINED;
    if (strcmp(rq->route->name, "error") == 0)
        return OK;
    if (strcmp(rq->route->name, "verify") == 0 || strcmp(rq->route->name, "operator") == 0)
        invqr_headers_camera(r);
    r->allowed = rq->path_methods;
    if (!(rq->route->methods & (AP_METHOD_BIT << r->method_number))) {
        /* headers_out does not survive the error document: say it here */
        apr_table_setn(r->err_headers_out, "Allow",
                       rq->path_methods & (AP_METHOD_BIT << M_GET)
                           ? (rq->path_methods & (AP_METHOD_BIT << M_POST) ? "GET, HEAD, POST"
                                                                            : "GET, HEAD")
                           : "POST");
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (rq->route->owner == OWN_FILE)
        return DECLINED;

    status = invqr_session_load(r, rq);
    if (status != OK)
        return status;
    if (rq->token == NULL)
        upstream_citizen(r, rq);
    else if (rq->fiscal_code != NULL && rq->srv->citizen_var != NULL && rq->srv->demo_login != 1) {
        /* Behind an identity provider, a citizen session of invqr's only
         * keeps whom its person acts for: it counts while the provider says
         * the same person is signed in, and never on its own. */
        const char *own = rq->fiscal_code;

        rq->fiscal_code = NULL;
        upstream_citizen(r, rq);
        if (rq->fiscal_code == NULL || strcmp(rq->fiscal_code, own) != 0)
            rq->acting_for = NULL;
    }
    status = invqr_delegation_resolve(r, rq);
    if (status != OK)
        return status;
    if (strcmp(rq->route->name, "soap") == 0) {
        /* SOAP carries its own credentials (WS-Security) and no cookies:
         * no CSRF, not even a token */
        if (r->method_number == M_POST) {
            status = soap_body(r);
            if (status != OK)
                return status;
        }
        set_worker_env(r, rq);
        return DECLINED;
    }
    /* A token is for forms. The home page and /health have none, and are
     * asked for most (a balancer asks for /health twice a second): they
     * get no token, and a visitor without one gets no cookie from them;
     * the pages with forms give it. */
    if (r->method_number == M_POST
        || (strcmp(rq->route->name, "home") != 0 && strcmp(rq->route->name, "health") != 0))
        csrf_prepare(r, rq);
    if (r->method_number == M_POST) {
        status = invqr_request_read_form(r, rq, rq->route->owner == OWN_WORKER);
        if (status != OK)
            return status;
        status = csrf_check(r, rq);
        if (status != OK)
            return status;
    }
    if (rq->route->need == NEED_CITIZEN && rq->fiscal_code == NULL)
        return HTTP_UNAUTHORIZED;
    if (rq->route->need == NEED_OPERATOR && rq->operator_id <= 0) {
        /* a page of the operator area asked for without a session: the
         * sign-in, which returns here; an action answers 401, whose page
         * offers the operator's sign-in */
        if (r->method_number == M_GET) {
            int back = strcmp(rq->path, "/operator") != 0 && invqr_form_return_to_ok(rq->path);

            apr_table_setn(r->headers_out, "Location",
                           apr_pstrcat(r->pool, rq->srv->base_path, "/operator/login",
                                       back ? "?next=" : "", back ? rq->path : "", NULL));
            return HTTP_SEE_OTHER;
        }
        return HTTP_UNAUTHORIZED;
    }
    if (rq->route->owner == OWN_WORKER)
        set_worker_env(r, rq);
    return DECLINED;
}
