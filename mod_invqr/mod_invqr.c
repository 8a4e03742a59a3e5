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
#include "invqr_wire.h"

/* The core's lines go to the error log as the module's own: with the
 * core's file and line, under the module's LogLevel (LogLevel invqr:debug). */
static int apache_level(invqr_log_level level)
{
    return level == INVQR_LOG_ERR ? APLOG_ERR
           : level == INVQR_LOG_WARN ? APLOG_WARNING
           : level == INVQR_LOG_NOTICE ? APLOG_NOTICE
           : level == INVQR_LOG_INFO ? APLOG_INFO : APLOG_DEBUG;
}

static void log_to_apache(void *baton, const char *file, int line, invqr_log_level level,
                          const char *msg)
{
    server_rec *s = baton;

    ap_log_error_(file, line, APLOG_MODULE_INDEX, apache_level(level), 0, s, "%s", msg);
}

/* The most verbose core level the module's LogLevel lets through: the core
 * formats nothing that would be thrown away. */
static invqr_log_level core_level(server_rec *s)
{
    int l = ap_get_server_module_loglevel(s, APLOG_MODULE_INDEX);

    return l >= APLOG_DEBUG ? INVQR_LOG_DEBUG
           : l >= APLOG_INFO ? INVQR_LOG_INFO
           : l >= APLOG_NOTICE ? INVQR_LOG_NOTICE
           : l >= APLOG_WARNING ? INVQR_LOG_WARN : INVQR_LOG_ERR;
}

static int invqr_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                             server_rec *s)
{
    server_rec *vs;

    /* The first pass only checks the configuration: act on the real one. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    invqr_log_set(log_to_apache, s, core_level(s));
    for (vs = s; vs != NULL; vs = vs->next) {
        invqr_srv_t *srv = ap_get_module_config(vs->module_config, &invqr_module);
        const char *err = NULL;

        if (srv->enabled != 1)
            continue;
        /* mod_invqr hands requests to the workers through mod_proxy_fcgi */
        if (ap_find_linked_module("mod_proxy_fcgi.c") == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0104: InvQRBasePath needs "
                         "mod_proxy and mod_proxy_fcgi (a2enmod proxy_fcgi)");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (srv->conf_file == NULL || srv->worker == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0100: InvQRBasePath needs "
                         "InvQRConfigFile and InvQRWorker in the same server");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (invqr_conf_load(&srv->conf, &err, srv->conf_file, pconf) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0101: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        invqr_wire_gate(srv->gate, srv->conf);
        if (invqr_password_decoy(srv->dummy_hash) != 0) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, "INVQR0103: cannot prepare the "
                         "sign-in check (no randomness or no memory)");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (invqr_static_load(srv, vs, pconf) != APR_SUCCESS)
            return HTTP_INTERNAL_SERVER_ERROR;
        if (srv->citizen_var != NULL && srv->citizen_signout == NULL)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, "INVQR0165: InvQRCitizenVariable "
                         "without InvQRCitizenSignOut: citizens signed in by the upstream "
                         "module are offered no way to sign out");
        if (srv->demo_login == 1)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, "INVQR0102: InvQRDemoLogin is On: "
                         "anyone can sign in as any citizen at %s/citizen/demo-login; "
                         "never enable it in production", srv->base_path);
    }
    /* as root, before the children are forked: they inherit the mapping */
    invqr_metrics_post_config(s, ptemp);
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
    /* The route is chosen before mod_proxy, mod_alias and mod_rewrite look at
     * the URI, and the request is checked before mod_proxy's fixup reads
     * r->filename: said by name, whatever the LoadModule order. */
    static const char *const before_uri[] = { "mod_proxy.c", "mod_alias.c", "mod_rewrite.c",
                                              NULL };
    static const char *const before_proxy[] = { "mod_proxy.c", NULL };
    /* the SAML endpoints of mod_auth_mellon (postResponse, logout, ...) live
     * under the citizen area it protects; its handler answers them first */
    static const char *const after_mellon[] = { "mod_auth_mellon.c", NULL };

    ap_hook_translate_name(invqr_route_translate, NULL, before_uri, APR_HOOK_FIRST);
    ap_hook_map_to_storage(invqr_map_to_storage, NULL, before_proxy, APR_HOOK_FIRST);
    ap_hook_fixups(invqr_request_fixups, NULL, before_proxy, APR_HOOK_FIRST);
    ap_hook_handler(invqr_pages_handler, after_mellon, NULL, APR_HOOK_MIDDLE);
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
