/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - where a request under the base path goes.
 *
 * One table lists every path of the HTTP surface with its methods, its owner
 * (the module, a worker, or a static file) and what identity it needs. The
 * translate_name hook matches the request against it and points the request
 * at mod_proxy_fcgi, at the file, or at the module's own handler.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"

#define GET_HEAD (AP_METHOD_BIT << M_GET)
#define POST (AP_METHOD_BIT << M_POST)

/* The path below the base path the error documents are served at; the
 * leading dot keeps it out of any real route. Reached only internally. */
#define INVQR_ERROR_PATH "/.error"

/* The rows of invqr_routes.def; the worker's handler column is the
 * workers' (invqr_app.c). */
#define INVQR_ROUTE(name, prefix, seg, suffix, methods, owner, need, mod_fn, any_case, seg_ok, \
                    worker_fn) \
    { name, prefix, seg, suffix, methods, owner, need, mod_fn, any_case, seg_ok },
static const invqr_route_t routes[] = {
#include "invqr_routes.def"
};
#undef INVQR_ROUTE

/* Only with test_faults = yes in invqr.conf: let the tests crash or stall a
 * worker to prove supervision and the 503 page. */
static const invqr_route_t test_routes[] = {
    { "test-crash", "/_test/crash",        0, NULL, GET_HEAD, OWN_WORKER, NEED_NONE, NULL, 0, NULL },
    { "test-sleep", "/_test/sleep",        0, NULL, GET_HEAD, OWN_WORKER, NEED_NONE, NULL, 0, NULL },
};

invqr_req_t *invqr_req_get(request_rec *r)
{
    /* An internal redirect (error document) starts a new request_config. */
    return ap_get_module_config(r->request_config, &invqr_module);
}

/* Match rel against one route; on success *parg is the segment, if any. */
static int route_match(const invqr_route_t *rt, const char *rel, const char **parg,
                       apr_pool_t *p)
{
    size_t n = strlen(rt->prefix);
    const char *seg, *end;

    *parg = NULL;
    if (!rt->has_arg)
        return strcmp(rel, rt->prefix) == 0;
    /* The QR writes the whole URL upper-case (alphanumeric mode): the
     * paths of a code match in any case; every other path exactly. */
    if ((rt->any_case ? strncasecmp(rel, rt->prefix, n) : strncmp(rel, rt->prefix, n)) != 0)
        return 0;
    seg = rel + n;
    end = strchr(seg, '/');
    if (end == NULL)
        end = seg + strlen(seg);
    if (end == seg || end - seg > 128)
        return 0;
    if (rt->suffix != NULL ? strcasecmp(end, rt->suffix) != 0 : *end != '\0')
        return 0;
    *parg = apr_pstrmemdup(p, seg, (apr_size_t)(end - seg));
    return rt->arg_ok == NULL || rt->arg_ok(*parg);
}

/* The route for rel and the method; when the path exists only for other
 * methods, the first such route (so the answer is 405, not 404). *pmethods
 * gathers the methods of every route of the path (a path may have a GET
 * route and a POST route): what a 405 says is allowed. */
static const invqr_route_t *route_find(invqr_srv_t *srv, const char *rel, int method,
                                       const char **parg, int *pmethods, apr_pool_t *p)
{
    const invqr_route_t *path_only = NULL, *found = NULL;
    const char *arg = NULL;
    size_t i;

    *pmethods = 0;
    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!route_match(&routes[i], rel, &arg, p))
            continue;
        *pmethods |= routes[i].methods;
        if (found != NULL)
            continue;
        if (routes[i].methods & (AP_METHOD_BIT << method)) {
            *parg = arg;
            found = &routes[i];
            continue;
        }
        if (path_only == NULL) {
            path_only = &routes[i];
            *parg = arg;
        }
    }
    if (found != NULL)
        return found;
    if (path_only != NULL)
        return path_only;
    if (srv->conf != NULL && srv->conf->test_faults)
        for (i = 0; i < sizeof(test_routes) / sizeof(test_routes[0]); i++)
            if (route_match(&test_routes[i], rel, parg, p)) {
                *pmethods = test_routes[i].methods;
                return &test_routes[i];
            }
    return NULL;
}

static int static_name_ok(const char *name)
{
    const char *c;

    if (name[0] == '.' || name[0] == '\0')
        return 0;
    for (c = name; *c != '\0'; c++)
        if (!apr_isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
            return 0;
    return 1;
}

static const int error_statuses[] = {
    HTTP_BAD_REQUEST, HTTP_UNAUTHORIZED, HTTP_FORBIDDEN, HTTP_NOT_FOUND,
    HTTP_METHOD_NOT_ALLOWED, HTTP_REQUEST_TIME_OUT, HTTP_GONE, HTTP_REQUEST_ENTITY_TOO_LARGE,
    HTTP_REQUEST_URI_TOO_LARGE,
    HTTP_UNSUPPORTED_MEDIA_TYPE, HTTP_UNPROCESSABLE_ENTITY, HTTP_TOO_MANY_REQUESTS,
    HTTP_INTERNAL_SERVER_ERROR, HTTP_BAD_GATEWAY, HTTP_SERVICE_UNAVAILABLE,
    HTTP_GATEWAY_TIME_OUT,
};

int invqr_route_translate(request_rec *r)
{
    invqr_srv_t *srv = ap_get_module_config(r->server->module_config, &invqr_module);
    invqr_req_t *rq;
    const char *rel, *arg = NULL;
    size_t blen, i;

    if (srv->enabled != 1 || r->uri == NULL || r->uri[0] != '/')
        return DECLINED;
    blen = strlen(srv->base_path);
    /* The base path is matched exactly, so <Location> blocks of the
     * deployment (an OIDC login, a Require ip) always apply; only the QR's
     * upper-case address BASE/V/<CODE> is accepted in any case. */
    if (strncmp(r->uri, srv->base_path, blen) != 0) {
        if (strncasecmp(r->uri, srv->base_path, blen) != 0 || strncasecmp(r->uri + blen, "/v/", 3) != 0
            || strchr(r->uri + blen + 3, '/') != NULL)
            return DECLINED;
    }
    if (r->uri[blen] != '/' && r->uri[blen] != '\0')
        return DECLINED;
    rel = r->uri[blen] == '\0' ? "/" : r->uri + blen;

    rq = apr_pcalloc(r->pool, sizeof(*rq));
    rq->srv = srv;
    rq->path = rel;
    ap_set_module_config(r->request_config, &invqr_module, rq);

    /* Every error under the base path is one of our pages, in the person's
     * language: errors decided here, by mod_proxy (a worker that is down or
     * crashed), or by httpd itself. */
    for (i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]); i++)
        ap_custom_response(r, error_statuses[i],
                           apr_pstrcat(r->pool, srv->base_path, INVQR_ERROR_PATH, NULL));

    rq->route = route_find(srv, rel, r->method_number, &arg, &rq->path_methods, r->pool);
    rq->arg = arg;
    if (rq->route != NULL && strcmp(rq->route->name, "error") == 0 && r->prev == NULL)
        rq->route = NULL;   /* never reachable from outside */
    if (rq->route == NULL) {
        r->handler = "invqr";
        r->filename = apr_pstrcat(r->pool, "invqr:", rel, NULL);
        return OK;
    }
    switch (rq->route->owner) {
    case OWN_FILE:
        if (!static_name_ok(arg))
            rq->route = NULL;
        r->handler = "invqr";
        r->filename = apr_pstrcat(r->pool, "invqr:", rel, NULL);
        return OK;
    case OWN_WORKER:
        r->filename = apr_pstrcat(r->pool, "proxy:", srv->worker, r->uri, NULL);
        r->proxyreq = PROXYREQ_REVERSE;
        r->handler = "proxy-server";
        return OK;
    case OWN_MODULE:
        r->handler = "invqr";
        r->filename = apr_pstrcat(r->pool, "invqr:", rel, NULL);
        return OK;
    }
    return DECLINED;
}
