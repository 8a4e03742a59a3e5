/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - GET /health: does this node's worker reach its store?
 *
 * The module routes /health to a worker like any page, so a worker that is
 * down already answers 503 there (mod_proxy). Here the worker asks the
 * store one trivial prepared query that reads a table, on its own
 * connection (a lost connection is re-opened once, as for every
 * statement). The body is a word, the same for everyone: a balancer needs
 * the status, and nobody needs more.
 *
 * On a Galera node an answering store is not enough: a node that is out of
 * the primary component, not ready, or not synced (a donor, a desynced node,
 * a joiner still applying its queue) must leave the balancer, so the worker
 * also reads the node's wsrep status and answers 503 unless it is a synced
 * member of the primary component. (A node taken out for maintenance with
 * wsrep_reject_queries is synced and primary, but refuses the query that
 * reads a table.) That line is logged once per interval (a balancer asks
 * twice a second).
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

/* ready, synced (local state 4) and in the primary component */
static int galera_synced(invqr_db_t *db)
{
    invqr_binds_t out;
    long long met = 0;
    unsigned long long rows = 0;

    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &met);
    return invqr_db_exec(db, INVQR_SQL_HEALTH_GALERA, NULL, &out, NULL, NULL, &rows)
           == APR_SUCCESS && rows == 1 && met == 3;
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
            if (!invqr_db_is_galera(db) || galera_synced(db)) {
                answer(resp, 200, "ok\n");
                return;
            }
            invqr_log_repeat(INVQR_LOG_WARN, "INVQR0063: health check failed: the Galera node "
                             "is not a synced member of the primary component");
            answer(resp, 503, "unavailable\n");
            return;
        }
        invqr_app_db_failed(app);
    }
    invqr_log_repeat(INVQR_LOG_WARN,
                     "INVQR0260: health check failed: the status store does not answer");
    answer(resp, 503, "unavailable\n");
}
