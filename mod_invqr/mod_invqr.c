/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - the module structure and its hooks, nothing else.
 *
 * Request path: translate_name picks the route (or 404); fixups loads the
 * session, checks CSRF on POST and hands worker routes to mod_proxy_fcgi
 * with the verified identity in INVQR_* variables; the handler serves the
 * few pages the module owns (sign-in, sign-out, error documents).
 */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_mpm.h>
#include <apr_strings.h>
#include <string.h>

#define MOD_INVQR_MAIN
#include "mod_invqr_private.h"
#include "invqr_crypto.h"
#include "invqr_log.h"
#include "invqr_password.h"

static void log_to_apache(void *baton, invqr_log_level level, const char *msg)
{
    server_rec *s = baton;
    int lvl = level == INVQR_LOG_ERR ? APLOG_ERR
              : level == INVQR_LOG_WARN ? APLOG_WARNING
              : level == INVQR_LOG_NOTICE ? APLOG_NOTICE
              : level == INVQR_LOG_INFO ? APLOG_INFO : APLOG_DEBUG;

    ap_log_error(APLOG_MARK, lvl, 0, s, "%s", msg);
}

static int invqr_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                             server_rec *s)
{
    server_rec *vs;
    unsigned char mac[INVQR_SHA256_LEN];

    /* The first pass only checks the configuration: act on the real one. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    invqr_log_set(log_to_apache, s, INVQR_LOG_INFO);
    for (vs = s; vs != NULL; vs = vs->next) {
        invqr_srv_t *srv = ap_get_module_config(vs->module_config, &invqr_module);
        const char *err = NULL;

        if (srv->enabled != 1)
            continue;
        if (srv->conf_file == NULL || srv->worker == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0100: InvQRBasePath needs "
                         "InvQRConfigFile and InvQRWorker in the same server");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (invqr_conf_load(&srv->conf, &err, srv->conf_file, pconf) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0101: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        invqr_hmac(mac, srv->conf->secret, INVQR_SECRET_LEN, "invqr-worker-gate", NULL);
        invqr_hex(srv->gate, mac, INVQR_SHA256_LEN);
        {
            unsigned char junk[32];

            if (invqr_random(junk, sizeof(junk)) != 0
                || invqr_password_hash(srv->dummy_hash, (const char *)junk, sizeof(junk)) != 0) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0103: cannot prepare the "
                             "sign-in check (no randomness or no memory)");
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
        if (invqr_static_load(srv, vs, pconf) != APR_SUCCESS)
            return HTTP_INTERNAL_SERVER_ERROR;
        if (srv->demo_login == 1)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, "INVQR0102: InvQRDemoLogin is On: "
                         "anyone can sign in as any citizen at %s/citizen/demo-login; "
                         "never enable it in production", srv->base_path);
    }
    return OK;
}

static void invqr_child_init(apr_pool_t *pchild, server_rec *s)
{
    server_rec *vs;

    for (vs = s; vs != NULL; vs = vs->next) {
        invqr_srv_t *srv = ap_get_module_config(vs->module_config, &invqr_module);

        if (srv->enabled == 1 && srv->conf != NULL && srv->dbs == NULL)
            invqr_store_child_init(srv, pchild, vs);
    }
}

/* Module-owned paths are not files: skip the directory walk. */
static int invqr_map_to_storage(request_rec *r)
{
    if (r->filename == NULL || strncmp(r->filename, "invqr:", 6) != 0
        || invqr_req_get(r) == NULL)
        return DECLINED;
    return OK;
}

static void invqr_register_hooks(apr_pool_t *p)
{
    /* Before mod_alias and mod_proxy look at the URI. */
    ap_hook_translate_name(invqr_route_translate, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(invqr_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    /* Before mod_proxy's fixup looks at r->filename. */
    ap_hook_fixups(invqr_request_fixups, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(invqr_pages_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(invqr_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(invqr_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    invqr_register_replay_filter();
}

AP_DECLARE_MODULE(invqr) = {
    STANDARD20_MODULE_STUFF,
    NULL,               /* per-directory config */
    NULL,               /* merge per-directory */
    invqr_create_srv,   /* per-server config */
    invqr_merge_srv,    /* merge per-server */
    invqr_cmds,
    invqr_register_hooks,
    AP_MODULE_FLAG_NONE
};
