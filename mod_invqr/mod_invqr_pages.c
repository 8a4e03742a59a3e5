/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - the few pages and actions the module answers itself.
 *
 * Error documents for every status under the base path (so a worker that is
 * down still gets a proper page in the person's language), and the sign-in
 * and sign-out actions that create and end sessions. Everything else is a
 * worker's.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_fiscal.h"

void invqr_page_context(invqr_page_ctx_t *ctx, request_rec *r, invqr_req_t *rq)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->lang = rq->lang;
    ctx->base = rq->srv->base_path;
    ctx->path = rq->path;
    ctx->csrf = rq->csrf;
    ctx->conf = rq->srv->conf;
    ctx->operator_area = rq->operator_area;
    if (rq->operator_id > 0)
        ctx->who = apr_psprintf(r->pool, "%s (%s)", rq->operator_name, rq->org_name);
    else if (rq->delegate != NULL)
        ctx->who = rq->delegate;
    else if (rq->fiscal_code != NULL)
        ctx->who = rq->fiscal_code;
    if (rq->delegate != NULL) {
        ctx->acting_for = rq->fiscal_code;
        ctx->acting_name = rq->holder_name;
        ctx->acting_role = rq->delegate_role;
    }
}

static int send_page(request_rec *r, invqr_page_t *pg)
{
    const char *html = NULL;
    apr_size_t len = 0;

    if (invqr_page_render(&html, &len, pg, r->pool) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "INVQR0140: cannot render a page");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only)
        ap_rwrite(html, (int)len, r);
    return OK;
}

static const char *detail_text(invqr_lang_t lang, const char *key, apr_pool_t *p)
{
    if (key == NULL)
        return NULL;
    if (strncmp(key, "signin-wait:", 12) == 0) {
        /* how long a throttled client waits, in whole minutes */
        long long secs = apr_atoi64(key + 12), mins = (secs + 59) / 60;

        if (mins < 1)
            mins = 1;
        return apr_psprintf(p, "%s %d %s. %s", invqr_msg(lang, INVQR_MSG_OP_SIGNIN_WAIT), (int)mins,
                            invqr_msg(lang, mins == 1 ? INVQR_MSG_OP_WAIT_MINUTE : INVQR_MSG_OP_WAIT_MINUTES),
                            invqr_msg(lang, INVQR_MSG_OP_SIGNIN_WAIT_KNOWN));
    }
    if (strcmp(key, "csrf") == 0)
        return invqr_msg(lang, INVQR_MSG_ERR_DETAIL_CSRF);
    if (strcmp(key, "form") == 0)
        return invqr_msg(lang, INVQR_MSG_ERR_DETAIL_FORM);
    if (strcmp(key, "fiscal_code") == 0)
        return invqr_msg(lang, INVQR_MSG_ERR_DETAIL_FISCAL_CODE);
    if (strcmp(key, "delegation") == 0)
        return invqr_msg(lang, INVQR_MSG_ACT_AS_REFUSED);
    if (strcmp(key, "worker") == 0)
        return invqr_msg(lang, INVQR_MSG_ERR_DETAIL_WORKER);
    return NULL;
}

int invqr_pages_error(request_rec *r, invqr_req_t *rq, int status, const char *detail)
{
    invqr_page_ctx_t ctx;
    invqr_page_t *pg;

    invqr_page_context(&ctx, r, rq);
    ctx.csrf = NULL;
    pg = invqr_page_error(&ctx, status, detail_text(rq->lang, detail, r->pool), r->pool);
    return send_page(r, pg);
}

/* The language a "lang=" parameter of the query q[0..n) names, or -1. Only
 * scans: q may be the cut-off request line of a 414. */
static int lang_in_query(const char *q, apr_size_t n)
{
    apr_size_t i;
    char tag[3];

    for (i = 0; i + 7 <= n; i++) {
        if ((i == 0 || q[i - 1] == '&' || q[i - 1] == ';') && strncmp(q + i, "lang=", 5) == 0
            && (i + 7 == n || q[i + 7] == '&' || q[i + 7] == ';' || q[i + 7] == ' ')) {
            tag[0] = q[i + 5];
            tag[1] = q[i + 6];
            tag[2] = '\0';
            return invqr_lang_parse(tag);
        }
    }
    return -1;
}

/* An error document is reached by internal redirect, which drops the query:
 * the person's language is the original request's. Its ?lang= wins (also
 * on a 414, whose request line httpd kept only in part and whose headers
 * it never read), then what the module chose for it (cookie,
 * Accept-Language), then what this request's headers say. */
static void original_language(invqr_req_t *rq, request_rec *orig)
{
    invqr_req_t *orq = invqr_req_get(orig);
    const char *q = orig->args;
    apr_size_t n = q != NULL ? strlen(q) : 0;
    int lang = -1;

    if (q == NULL && orig->the_request != NULL) {
        const char *line = orig->the_request, *mark = strchr(line, '?');

        if (mark != NULL) {
            q = mark + 1;
            n = strcspn(q, " ");
        }
    }
    if (q != NULL)
        lang = lang_in_query(q, n);
    if (lang >= 0)
        rq->lang = (invqr_lang_t)lang;
    else if (orq != NULL && orq != rq)
        rq->lang = orq->lang;
}

/* Served by internal redirect (ErrorDocument set by the route hook): the
 * status is the original request's. */
int invqr_pages_error_document(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    request_rec *orig = r;
    int status;
    const char *detail;

    while (orig->prev != NULL)
        orig = orig->prev;
    original_language(rq, orig);
    status = orig->status;
    detail = apr_table_get(orig->notes, "invqr-detail");
    /* A worker that crashed in the middle of a request reaches us as a bad
     * gateway: for the person it is the service being unavailable. */
    if (status == HTTP_BAD_GATEWAY || status == HTTP_GATEWAY_TIME_OUT) {
        status = HTTP_SERVICE_UNAVAILABLE;
        r->status = status;
        orig->status = status;
        detail = "worker";
    }
    if (status == HTTP_SERVICE_UNAVAILABLE)
        apr_table_setn(r->err_headers_out, "Retry-After", "30");
    /* "Try again" must lead to a page, not to the action that failed: a
     * POST-only path sends the person back to the page one level up. */
    {
        invqr_req_t *orq = invqr_req_get(orig);
        const char *path = orq != NULL ? orq->path : "/";

        /* the operator's requests get the operator's way out (sign-in) */
        rq->operator_area = orq != NULL && ((orq->route != NULL && orq->route->need == NEED_OPERATOR)
                                            || strncmp(path, "/operator", 9) == 0);
        if (orq != NULL && orq->route != NULL
            && !(orq->route->methods & (AP_METHOD_BIT << M_GET))) {
            const char *slash = strrchr(path, '/');
            path = slash != NULL && slash != path ? apr_pstrmemdup(r->pool, path, (apr_size_t)(slash - path))
                                                   : "/";
        }
        rq->path = path;
    }
    r->method_number = M_GET;
    return invqr_pages_error(r, rq, status, detail);
}

int invqr_pages_demo_login(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const char *typed = rq->form != NULL ? apr_table_get(rq->form, "fiscal_code") : NULL;
    char fc[INVQR_FISCAL_LEN + 1];
    int status;

    if (rq->srv->demo_login != 1)
        return HTTP_NOT_FOUND;
    if (typed == NULL || invqr_fiscal_parse(fc, typed, strlen(typed)) != INVQR_FISCAL_OK) {
        apr_table_setn(r->notes, "invqr-detail", "fiscal_code");
        return HTTP_BAD_REQUEST;
    }
    status = invqr_session_create(r, rq, "citizen", fc, 0);
    if (status != OK)
        return status;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "INVQR0141: demo sign-in of a citizen");
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/citizen", NULL));
    return HTTP_SEE_OTHER;
}

int invqr_pages_logout(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    int status = invqr_session_destroy(r, rq);

    if (status != OK)
        return status;
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, rq->srv->base_path, "/", NULL));
    return HTTP_SEE_OTHER;
}

int invqr_pages_handler(request_rec *r)
{
    invqr_req_t *rq;

    if (r->handler == NULL || strcmp(r->handler, "invqr") != 0)
        return DECLINED;
    rq = invqr_req_get(r);
    if (rq == NULL)
        return DECLINED;
    if (rq->route == NULL || rq->route->handler == NULL)
        return HTTP_NOT_FOUND;
    return rq->route->handler(r);
}
