/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - directives: one command table, explicit defaults and merges.
 *
 * Every field of invqr_srv_t that a directive sets has an UNSET value in
 * invqr_create_srv() and a line in invqr_merge_srv(); tests/check_directives.sh
 * fails the build when one is missing.
 */
#include <httpd.h>
#include <http_config.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"

void *invqr_create_srv(apr_pool_t *p, server_rec *s)
{
    invqr_srv_t *srv = apr_pcalloc(p, sizeof(*srv));

    srv->base_path = NULL;
    srv->conf_file = NULL;
    srv->worker = NULL;
    srv->static_dir = NULL;
    srv->citizen_var = NULL;
    srv->citizen_signout = NULL;
    srv->demo_login = INVQR_UNSET;
    srv->enabled = INVQR_UNSET;
    return srv;
}

#define MERGE_PTR(f) add->f != NULL ? add->f : base->f
#define MERGE_INT(f) add->f != INVQR_UNSET ? add->f : base->f

void *invqr_merge_srv(apr_pool_t *p, void *basev, void *addv)
{
    invqr_srv_t *base = basev, *add = addv;
    invqr_srv_t *srv = apr_pcalloc(p, sizeof(*srv));

    srv->base_path = MERGE_PTR(base_path);
    srv->conf_file = MERGE_PTR(conf_file);
    srv->worker = MERGE_PTR(worker);
    srv->static_dir = MERGE_PTR(static_dir);
    srv->citizen_var = MERGE_PTR(citizen_var);
    srv->citizen_signout = MERGE_PTR(citizen_signout);
    srv->demo_login = MERGE_INT(demo_login);
    srv->enabled = MERGE_INT(enabled);
    return srv;
}

static invqr_srv_t *srv_of(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &invqr_module);
}

static const char *set_base_path(cmd_parms *cmd, void *dc, const char *arg)
{
    invqr_srv_t *srv = srv_of(cmd);
    size_t n = strlen(arg);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err != NULL)
        return err;
    if (arg[0] != '/' || strstr(arg, "//") != NULL || strstr(arg, "/.") != NULL
        || strpbrk(arg, "?#%\\ \t") != NULL)
        return "InvQRBasePath must be an absolute URL path such as / or /invqr";
    while (n > 0 && arg[n - 1] == '/')
        n--;
    srv->base_path = apr_pstrmemdup(cmd->pool, arg, n);
    srv->enabled = 1;
    return NULL;
}

static const char *set_path_arg(cmd_parms *cmd, void *dc, const char *arg)
{
    invqr_srv_t *srv = srv_of(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char **field = (const char **)((char *)srv + (size_t)cmd->info);

    if (err != NULL)
        return err;
    *field = ap_server_root_relative(cmd->pool, arg);
    if (*field == NULL)
        return apr_psprintf(cmd->pool, "%s: invalid path %s", cmd->cmd->name, arg);
    return NULL;
}

static const char *set_worker(cmd_parms *cmd, void *dc, const char *arg)
{
    invqr_srv_t *srv = srv_of(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err != NULL)
        return err;
    if (strncmp(arg, "fcgi://", 7) != 0 && strncmp(arg, "unix:", 5) != 0)
        return "InvQRWorker must be fcgi://HOST:PORT or unix:/PATH|fcgi://localhost";
    if (arg[strlen(arg) - 1] == '/')
        return "InvQRWorker must not end with a slash";
    srv->worker = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_citizen_var(cmd_parms *cmd, void *dc, const char *arg)
{
    invqr_srv_t *srv = srv_of(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char *c;

    if (err != NULL)
        return err;
    /* mod_auth_openidc names a claim's variable after the claim, with the
     * URL's ':' and '/' as '-' and its dots kept:
     * OIDC_CLAIM_https---attributes.eid.gov.it-fiscal_number */
    for (c = arg; *c != '\0'; c++)
        if (!apr_isalnum(*c) && *c != '_' && *c != '-' && *c != '.')
            return "InvQRCitizenVariable must be a variable name";
    if (*arg == '\0')
        return "InvQRCitizenVariable must be a variable name";
    /* httpd turns every request header Foo into HTTP_FOO: such a name
     * would let the client say who it is */
    if (ap_cstr_casecmpn(arg, "HTTP_", 5) == 0)
        return "InvQRCitizenVariable must not name a request header's variable (HTTP_...): "
               "clients set those";
    srv->citizen_var = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

/* Where a citizen signed in by the upstream module signs out: a path on
 * this server or an http(s) URL, e.g. mod_auth_openidc's
 * REDIRECT_URI?logout=RETURN_URL. Printable ASCII only. */
static const char *set_citizen_signout(cmd_parms *cmd, void *dc, const char *arg)
{
    invqr_srv_t *srv = srv_of(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char *c;

    if (err != NULL)
        return err;
    if (!((arg[0] == '/' && arg[1] != '/' && arg[1] != '\\')
          || strncmp(arg, "https://", 8) == 0 || strncmp(arg, "http://", 7) == 0)
        || strlen(arg) > 2048)
        return "InvQRCitizenSignOut must be a path on this server (/...) or an http(s) URL";
    for (c = arg; *c != '\0'; c++)
        if (*c <= ' ' || *c >= 0x7f || *c == '"' || *c == '<' || *c == '>' || *c == '\\')
            return "InvQRCitizenSignOut must be a URL without spaces, quotes or angle brackets "
                   "(percent-encode them)";
    srv->citizen_signout = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_demo_login(cmd_parms *cmd, void *dc, int on)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err != NULL)
        return err;
    srv_of(cmd)->demo_login = on;
    return NULL;
}

const command_rec invqr_cmds[] = {
    AP_INIT_TAKE1("InvQRBasePath", set_base_path, NULL, RSRC_CONF,
                  "URL path under which invqr answers, e.g. / or /invqr"),
    AP_INIT_TAKE1("InvQRConfigFile", set_path_arg,
                  (void *)APR_OFFSETOF(invqr_srv_t, conf_file), RSRC_CONF,
                  "invqr.conf shared with the workers (store, secret, public URL)"),
    AP_INIT_TAKE1("InvQRWorker", set_worker, NULL, RSRC_CONF,
                  "where the FastCGI workers listen: unix:/PATH|fcgi://localhost"),
    AP_INIT_TAKE1("InvQRStaticDir", set_path_arg,
                  (void *)APR_OFFSETOF(invqr_srv_t, static_dir), RSRC_CONF,
                  "directory with invqr's stylesheet, served under BASE/static/"),
    AP_INIT_TAKE1("InvQRCitizenVariable", set_citizen_var, NULL, RSRC_CONF,
                  "request variable with the citizen's fiscal code, set by the "
                  "upstream auth module (e.g. OIDC_CLAIM_fiscalNumber)"),
    AP_INIT_TAKE1("InvQRCitizenSignOut", set_citizen_signout, NULL, RSRC_CONF,
                  "where a citizen signed in by the upstream auth module signs out "
                  "(e.g. mod_auth_openidc's REDIRECT_URI?logout=RETURN_URL)"),
    AP_INIT_FLAG("InvQRDemoLogin", set_demo_login, NULL, RSRC_CONF,
                 "On: anyone may sign in as any citizen (demo only)"),
    { NULL }
};
