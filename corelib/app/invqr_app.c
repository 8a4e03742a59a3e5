/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - route dispatch and response helpers for the workers.
 *
 * The route table maps the names the module hands over to handlers. It is
 * the worker's column of invqr_routes.def, the list the module's table comes
 * from too: adding a page means one row there and a handler in its own file.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_app.h"
#include "invqr_benefits.h"
#include "invqr_citizen.h"
#include "invqr_citizen_lang.h"
#include "invqr_info_pages.h"
#include "invqr_citizen_mail.h"
#include "invqr_citizen_confirm.h"
#include "invqr_health.h"
#include "invqr_home.h"
#include "invqr_level2_pages.h"
#include "invqr_log.h"
#include "invqr_operator_pages.h"
#include "invqr_soap_route.h"
#include "invqr_verify_pages.h"

static void answer_html(invqr_response_t *resp, int status, const char *html, apr_size_t len)
{
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = html;
    resp->len = len;
    if (apr_table_get(resp->headers, "Cache-Control") == NULL)
        apr_table_setn(resp->headers, "Cache-Control", "no-store");
}

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* GET / is the page most often asked for, and for a visitor who is not
 * signed in it is the same bytes every time: its language, base path and
 * path decide it (it holds no form, so no CSRF token), and the rest comes
 * from the configuration, fixed for the life of the process. Each thread
 * keeps the first one it makes in each language, for those three values;
 * anyone signed in, or a request for other values, gets a page made anew. */
static void invqr_home_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p)
{
    const invqr_page_ctx_t *ctx = &req->page;
    int anonymous = ctx->who == NULL && ctx->acting_for == NULL && !ctx->operator_area;
    invqr_lang_t lang = invqr_lang_valid((int)ctx->lang);
    const char *html = NULL;
    apr_size_t len = 0;

    if (anonymous && app->home[lang].html != NULL && same(app->home[lang].base, ctx->base)
        && same(app->home[lang].path, ctx->path)) {
        answer_html(resp, 200, app->home[lang].html, app->home[lang].len);
        return;
    }
    if (invqr_page_render(&html, &len, invqr_home_page(ctx, p), p) != APR_SUCCESS) {
        invqr_app_page(resp, 200, NULL, p);   /* the logged 500 */
        return;
    }
    if (anonymous && app->pool != NULL && app->home[lang].html == NULL && ctx->base != NULL
        && ctx->path != NULL) {
        app->home[lang].base = apr_pstrdup(app->pool, ctx->base);
        app->home[lang].path = apr_pstrdup(app->pool, ctx->path);
        app->home[lang].len = len;
        app->home[lang].html = apr_pmemdup(app->pool, html, len);
    }
    answer_html(resp, 200, html, len);
}

typedef struct {
    const char *name;
    invqr_route_fn *fn;
} route_t;

/* The worker's column of invqr_routes.def: the routes a worker answers. */
#define INVQR_ROUTE(name, prefix, seg, suffix, methods, owner, need, mod_fn, any_case, seg_ok, \
                    worker_fn) \
    { name, worker_fn },
static const route_t routes[] = {
#include "invqr_routes.def"
};
#undef INVQR_ROUTE

invqr_db_t *invqr_app_db(invqr_app_t *app)
{
    if (app->db == NULL && invqr_db_open(&app->db, app->conf, INVQR_DB_APP, app->pool) != APR_SUCCESS)
        app->db = NULL;
    return app->db;
}

void invqr_app_db_failed(invqr_app_t *app)
{
    if (app->db != NULL) {
        invqr_db_close(app->db);
        app->db = NULL;
    }
}

void invqr_app_page(invqr_response_t *resp, int status, invqr_page_t *pg, apr_pool_t *p)
{
    const char *html = NULL;
    apr_size_t len = 0;

    if (invqr_page_render(&html, &len, pg, p) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_ERR, "INVQR0200: cannot render a page");
        resp->status = 500;
        resp->content_type = "text/plain; charset=utf-8";
        resp->body = "Internal error\n";
        resp->len = strlen(resp->body);
        return;
    }
    answer_html(resp, status, html, len);
}

void invqr_app_error(const invqr_request_t *req, invqr_response_t *resp, int status,
                     const char *detail, apr_pool_t *p)
{
    invqr_page_ctx_t ctx = req->page;

    ctx.csrf = NULL;
    if (status == 503)
        apr_table_setn(resp->headers, "Retry-After", "30");
    invqr_app_page(resp, status, invqr_page_error(&ctx, status, detail, p), p);
}

void invqr_app_redirect(const invqr_request_t *req, invqr_response_t *resp, const char *rel,
                        apr_pool_t *p)
{
    resp->status = 303;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = "";
    resp->len = 0;
    apr_table_setn(resp->headers, "Location", apr_pstrcat(p, req->page.base, rel, NULL));
}

void invqr_app_handle(invqr_app_t *app, const invqr_request_t *req,
                      invqr_response_t *resp, apr_pool_t *p)
{
    size_t i;

    resp->status = 500;
    resp->headers = apr_table_make(p, 4);
    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (routes[i].fn != NULL && strcmp(routes[i].name, req->route) == 0) {
            routes[i].fn(app, req, resp, p);
            return;
        }
    }
    invqr_log(INVQR_LOG_WARN, "INVQR0201: no handler for route %.32s", req->route);
    invqr_app_error(req, resp, 404, NULL, p);
}
