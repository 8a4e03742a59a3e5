/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - the module's counters and GET BASE/metrics.
 *
 * httpd's parent maps the module's counters file (metrics_dir/httpd.counters)
 * at post_config, as root and before any child is forked: every child
 * inherits the same shared mapping, so the numbers are the server's, not a
 * child's. The mapping is kept in the process pool's userdata, so a graceful
 * restart (which unloads and reloads the module) finds it again instead of
 * mapping the file once more. GET BASE/metrics adds the workers' counters
 * (metrics_dir/worker.counters, made by their supervisor) and answers the
 * Prometheus text format. Who may read it is the vhost's business
 * (<Location BASE/metrics> Require ip ...): see the README, "Monitoring".
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_metrics.h"

/* The module's block in this process, shared with the children (NULL:
 * metrics are off). One per server: every invqr vhost counts into the
 * metrics_dir of the first one that names it. */
static void *g_module_block;

void invqr_metrics_post_config(server_rec *s, apr_pool_t *ptemp)
{
    server_rec *vs;
    const char *dir = NULL, *key, *err = NULL;
    void *map = NULL;

    g_module_block = NULL;
    invqr_metrics_attach(NULL);
    for (vs = s; vs != NULL && dir == NULL; vs = vs->next) {
        invqr_srv_t *srv = ap_get_module_config(vs->module_config, &invqr_module);

        if (srv->enabled == 1 && srv->conf != NULL && srv->conf->metrics_dir != NULL)
            dir = srv->conf->metrics_dir;
    }
    if (dir == NULL)
        return;
    key = apr_pstrcat(ptemp, "invqr_metrics:", dir, NULL);
    apr_pool_userdata_get(&map, key, s->process->pool);
    if (map == NULL) {
        if (invqr_metrics_map(&map, &err, dir, INVQR_METRICS_HTTPD_FILE, ptemp) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "INVQR0191: metrics_dir: %s; the "
                         "module's counters are not kept", err);
            return;
        }
        apr_pool_userdata_set(map, apr_pstrdup(s->process->pool, key), apr_pool_cleanup_null,
                              s->process->pool);
    }
    g_module_block = map;
    invqr_metrics_attach(map);
}

int invqr_metrics_handler(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const invqr_conf_t *conf = rq->srv->conf;
    const void *blocks[2];
    const char *const names[2] = { "httpd", "worker" };
    const void *worker = NULL;
    const char *text;
    apr_size_t len;

    if (conf == NULL || conf->metrics_dir == NULL)
        return HTTP_NOT_FOUND;
    (void)invqr_metrics_read(&worker, conf->metrics_dir, INVQR_METRICS_WORKER_FILE, r->pool);
    blocks[0] = g_module_block;
    blocks[1] = worker;
    text = invqr_metrics_render(blocks, names, 2, r->pool);
    len = strlen(text);
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only)
        ap_rwrite(text, (int)len, r);
    return OK;
}
