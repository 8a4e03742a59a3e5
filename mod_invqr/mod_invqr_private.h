/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - declarations shared by the module's files only.
 *
 * The module decides who the person is (session or upstream identity) and
 * where the request goes (a file, a page of its own, or a worker through
 * mod_proxy_fcgi). It never renders results: the workers do.
 */
#ifndef MOD_INVQR_PRIVATE_H
#define MOD_INVQR_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <apr_reslist.h>

#include "invqr_conf.h"
#include "invqr_db.h"
#include "invqr_i18n.h"
#include "invqr_page.h"
#include "invqr_wire.h"

extern module AP_MODULE_DECLARE_DATA invqr_module;
#ifndef MOD_INVQR_MAIN   /* mod_invqr.c declares the module itself */
APLOG_USE_MODULE(invqr);
#endif

#define INVQR_UNSET (-1)

typedef struct invqr_static_t invqr_static_t;

/* Server (virtual host) configuration. */
typedef struct {
    const char *base_path;      /* InvQRBasePath, no trailing slash, "" for / */
    const char *conf_file;      /* InvQRConfigFile */
    const char *worker;         /* InvQRWorker: proxy target URL */
    const char *static_dir;     /* InvQRStaticDir */
    const char *citizen_var;    /* InvQRCitizenVariable */
    const char *citizen_signout; /* InvQRCitizenSignOut: the upstream module's sign-out URL */
    int demo_login;             /* InvQRDemoLogin */
    int enabled;                /* a base path was configured here */
    /* set at post_config */
    invqr_conf_t *conf;
    char gate[INVQR_WIRE_GATE_CHARS + 1]; /* the value workers expect in INVQR_GATE */
    apr_reslist_t *dbs;         /* per-child pool of store connections */
    invqr_static_t *statics;    /* files of static_dir, read at start-up */
    /* an argon2id hash of a random password nobody knows: unknown usernames
     * are checked against it, so they cost as much time as known ones */
    char dummy_hash[128];
} invqr_srv_t;

/* What the route table says about a path. */
typedef enum { OWN_MODULE, OWN_WORKER, OWN_FILE } invqr_owner_t;
typedef enum { NEED_NONE, NEED_CITIZEN, NEED_OPERATOR } invqr_need_t;

typedef struct {
    const char *name;       /* route name handed to the worker */
    const char *prefix;     /* path below the base path */
    int has_arg;            /* prefix is followed by one path segment (the code) */
    const char *suffix;     /* after the segment, or NULL */
    int methods;            /* AP_METHOD_BIT mask */
    invqr_owner_t owner;
    invqr_need_t need;
    int (*handler)(request_rec *r); /* OWN_MODULE only */
    int any_case;           /* the prefix matches in any case (the QR's upper-case /V/) */
    int (*arg_ok)(const char *arg); /* the segment must pass this, or the path is no route */
} invqr_route_t;

/* Per-request state, in r->request_config. */
typedef struct {
    invqr_srv_t *srv;
    const invqr_route_t *route;  /* NULL: no route (404) */
    int path_methods;            /* every method some route takes on this path (Allow) */
    const char *path;            /* below the base path */
    const char *arg;             /* the path segment, if any */
    invqr_lang_t lang;
    /* session */
    const char *token;           /* session cookie value, if a session is alive */
    const char *kind;            /* "citizen" / "operator" / NULL */
    const char *fiscal_code;     /* the citizen the request is about: the signed-in
                                  * one, or the holder a delegate acts for */
    const char *session_fc;      /* the fiscal code a citizen session belongs to */
    const char *acting_for;      /* the session's choice of whom to act for (unchecked) */
    const char *delegate;        /* the signed-in person, when acting for fiscal_code */
    const char *delegate_role;   /* their role, checked at this request */
    const char *holder_name;     /* the holder's name on record, or NULL */
    int delegation_ended;        /* the session's choice just stopped being valid */
    int upstream;                /* the signed-in person came from the upstream auth module */
    long long operator_id, org_id;
    const char *operator_name, *org_name;
    const char *csrf_seed;       /* session token or anonymous cookie */
    const char *csrf;            /* the token forms must send back */
    apr_table_t *form;           /* parsed POST body for module-owned routes */
    int error_status;            /* set when the module already decided an error */
    int operator_area;           /* error document: the failed request was the operator's */
} invqr_req_t;

/* mod_invqr_config.c */
extern const command_rec invqr_cmds[];
void *invqr_create_srv(apr_pool_t *p, server_rec *s);
void *invqr_merge_srv(apr_pool_t *p, void *basev, void *addv);

/* mod_invqr_store.c */
apr_status_t invqr_store_child_init(invqr_srv_t *srv, apr_pool_t *pchild, server_rec *s);
apr_status_t invqr_store_acquire(invqr_db_t **pdb, invqr_srv_t *srv, request_rec *r);
void invqr_store_release(invqr_srv_t *srv, request_rec *r, int broken);
/* Log msg (starting with its tag) unless a line of that tag was logged in
 * this interval: a store outage costs a line per interval, not per request. */
void invqr_store_log_failure(request_rec *r, apr_status_t rv, const char *msg);

/* mod_invqr_route.c */
int invqr_route_translate(request_rec *r);
invqr_req_t *invqr_req_get(request_rec *r);

/* mod_invqr_session.c */
int invqr_session_load(request_rec *r, invqr_req_t *rq);
int invqr_session_create(request_rec *r, invqr_req_t *rq, const char *kind,
                         const char *fiscal_code, long long operator_id);
int invqr_session_destroy(request_rec *r, invqr_req_t *rq);

/* mod_invqr_request.c */
int invqr_request_fixups(request_rec *r);
int invqr_request_read_form(request_rec *r, invqr_req_t *rq, int keep);
void invqr_register_replay_filter(void);

/* mod_invqr_pages.c */
int invqr_pages_handler(request_rec *r);
int invqr_pages_error(request_rec *r, invqr_req_t *rq, int status, const char *detail);
void invqr_page_context(invqr_page_ctx_t *ctx, request_rec *r, invqr_req_t *rq);
int invqr_pages_demo_login(request_rec *r);
int invqr_pages_logout(request_rec *r);
int invqr_pages_error_document(request_rec *r);

/* mod_invqr_delegation.c */
int invqr_delegation_resolve(request_rec *r, invqr_req_t *rq);
int invqr_pages_act_as(request_rec *r);
/* Audit a delegate's download of a PDF copy (nothing when rq has no delegate). */
apr_status_t invqr_delegation_audit_copy(request_rec *r, invqr_req_t *rq, const char *code);

/* mod_invqr_operator.c */
int invqr_pages_operator_login(request_rec *r);
int invqr_pages_operator_logout(request_rec *r);

/* mod_invqr_pdf.c */
int invqr_pdf_copy_name_ok(const char *arg);
int invqr_pdf_copy_handler(request_rec *r);

/* mod_invqr_metrics.c */
void invqr_metrics_post_config(server_rec *s, apr_pool_t *ptemp);
int invqr_metrics_handler(request_rec *r);

/* mod_invqr_static.c */
apr_status_t invqr_static_load(invqr_srv_t *srv, server_rec *s, apr_pool_t *p);
int invqr_static_handler(request_rec *r);

/* mod_invqr_headers.c */
void invqr_headers_security(request_rec *r);
/** Allow the camera for this site on this response (the scanner pages). */
void invqr_headers_camera(request_rec *r);
void invqr_headers_cookie(request_rec *r, invqr_req_t *rq, const char *name,
                          const char *value, long max_age);

#endif
