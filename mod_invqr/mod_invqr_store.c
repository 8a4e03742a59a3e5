/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - the status store connections of one httpd child.
 *
 * A resource list per child keeps up to one connection per thread, opened on
 * demand and closed when idle; a connection that failed is invalidated
 * instead of returned, so the next request gets a fresh one.
 *
 * Teardown order matters: each connection lives in a sub-pool of the list's
 * pool, and APR destroys sub-pools before it runs a pool's cleanups, so the
 * list's own cleanup would close connections whose pools are gone (every
 * child crashed on graceful restart). The list is therefore destroyed by a
 * pre-cleanup of the child pool, while everything it holds is still alive.
 */
#include <httpd.h>
#include <http_log.h>
#include <ap_mpm.h>
#include <apr_reslist.h>

#include "mod_invqr_private.h"
#include "invqr_db.h"
#include "invqr_log.h"

/* The reslist allocates every resource from its own pool; each connection
 * gets a subpool instead, so connections that come and go leave nothing. */
typedef struct {
    apr_pool_t *pool;
    invqr_db_t *db;
} db_res_t;

static apr_status_t db_construct(void **pres, void *params, apr_pool_t *p)
{
    invqr_srv_t *srv = params;
    apr_pool_t *sub = NULL;
    db_res_t *res;
    apr_status_t rv;

    *pres = NULL;
    rv = apr_pool_create(&sub, p);
    if (rv != APR_SUCCESS)
        return rv;
    res = apr_pcalloc(sub, sizeof(*res));
    res->pool = sub;
    rv = invqr_db_open(&res->db, srv->conf, INVQR_DB_APP, sub);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(sub);
        return rv;
    }
    *pres = res;
    return APR_SUCCESS;
}

static apr_status_t db_destruct(void *resv, void *params, apr_pool_t *p)
{
    db_res_t *res = resv;

    apr_pool_destroy(res->pool);
    return APR_SUCCESS;
}

/* Pre-cleanup of the child pool: close every connection first. */
static apr_status_t store_child_exit(void *data)
{
    invqr_srv_t *srv = data;
    apr_reslist_t *dbs = srv->dbs;

    srv->dbs = NULL;
    return dbs != NULL ? apr_reslist_destroy(dbs) : APR_SUCCESS;
}

void invqr_store_log_failure(request_rec *r, apr_status_t rv, const char *msg)
{
    unsigned long left_out = 0;

    if (!invqr_log_repeat_due(msg, &left_out, (long long)apr_time_sec(apr_time_now())))
        return;
    if (left_out > 0)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "%s (%lu more like this in the previous "
                      "interval)", msg, left_out);
    else
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "%s", msg);
}

apr_status_t invqr_store_child_init(invqr_srv_t *srv, apr_pool_t *pchild, server_rec *s)
{
    int threads = 1;
    apr_status_t rv;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    if (threads < 1)
        threads = 1;
    /* min 0, soft max 1/4 of the threads, hard max one per thread, idle 60 s */
    rv = apr_reslist_create(&srv->dbs, 0, threads > 4 ? threads / 4 : 1, threads,
                            apr_time_from_sec(60), db_construct, db_destruct, srv, pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "INVQR0110: cannot create the "
                     "store connection list");
        return rv;
    }
    apr_reslist_timeout_set(srv->dbs, apr_time_from_sec(5));
    apr_pool_pre_cleanup_register(pchild, srv, store_child_exit);
    return rv;
}

/* A connection held by a request; returned by the request pool's cleanup
 * at the latest, so no failure path can keep one. */
typedef struct {
    invqr_srv_t *srv;
    db_res_t *res;
    int broken;
} db_hold_t;

static apr_status_t hold_cleanup(void *data)
{
    db_hold_t *h = data;

    if (h->res == NULL)
        return APR_SUCCESS;
    if (h->broken)
        apr_reslist_invalidate(h->srv->dbs, h->res);
    else
        apr_reslist_release(h->srv->dbs, h->res);
    h->res = NULL;
    return APR_SUCCESS;
}

apr_status_t invqr_store_acquire(invqr_db_t **pdb, invqr_srv_t *srv, request_rec *r)
{
    void *res = NULL;
    db_hold_t *h;
    apr_status_t rv;

    *pdb = NULL;
    if (srv->dbs == NULL)
        return APR_EGENERAL;
    rv = apr_reslist_acquire(srv->dbs, &res);
    if (rv != APR_SUCCESS) {
        invqr_store_log_failure(r, rv, "INVQR0111: no status store connection available");
        return rv;
    }
    h = apr_pcalloc(r->pool, sizeof(*h));
    h->srv = srv;
    h->res = res;
    apr_pool_cleanup_register(r->pool, h, hold_cleanup, apr_pool_cleanup_null);
    apr_pool_userdata_setn(h, "invqr-db-hold", NULL, r->pool);
    *pdb = h->res->db;
    return APR_SUCCESS;
}

void invqr_store_release(invqr_srv_t *srv, request_rec *r, int broken)
{
    void *hv = NULL;
    db_hold_t *h;

    apr_pool_userdata_get(&hv, "invqr-db-hold", r->pool);
    h = hv;
    if (h == NULL || h->res == NULL)
        return;
    h->broken = broken;
    apr_pool_cleanup_run(r->pool, h, hold_cleanup);
}
