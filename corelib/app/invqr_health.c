/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - GET /health: does this node's worker reach its store?
 *
 * The module routes /health to a worker like any page, so a worker that is
 * down already answers 503 there (mod_proxy). Here the worker asks the
 * store one trivial prepared query on its own connection (a lost connection
 * is re-opened once, as for every statement). The body is a word, the same
 * for everyone: a balancer needs the status, and nobody needs more.
 */
#include <string.h>

#include "invqr_health.h"
#include "invqr_log.h"

static void answer(invqr_response_t *resp, int status, const char *body)
{
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = body;
    resp->len = strlen(body);
    apr_table_setn(resp->headers, "Cache-Control", "no-store");
}

void invqr_health_route(invqr_app_t *app, const invqr_request_t *req,
                        invqr_response_t *resp, apr_pool_t *p)
{
    invqr_db_t *db = invqr_app_db(app);
    invqr_binds_t out;
    long long one = 0;
    unsigned long long rows = 0;

    (void)req;
    (void)p;
    if (db != NULL) {
        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &one);
        if (invqr_db_exec(db, INVQR_SQL_HEALTH_PING, NULL, &out, NULL, NULL, &rows)
                == APR_SUCCESS && rows == 1 && one == 1) {
            answer(resp, 200, "ok\n");
            return;
        }
        invqr_app_db_failed(app);
    }
    invqr_log(INVQR_LOG_WARN, "INVQR0260: health check failed: the status store does not answer");
    answer(resp, 503, "unavailable\n");
}
