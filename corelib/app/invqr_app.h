/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the application behind the workers, free of FastCGI.
 *
 * A request arrives here as an invqr_request_t that the worker glue filled
 * from the FastCGI parameters the module set; the route name picks a handler
 * from one table; the handler fills an invqr_response_t. Handlers use the
 * calling thread's store connection and allocate only from the request pool.
 */
#ifndef INVQR_APP_H
#define INVQR_APP_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "invqr_conf.h"
#include "invqr_db.h"
#include "invqr_page.h"

#define INVQR_MAX_BODY (64 * 1024)

typedef struct {
    const char *method;        /* GET, HEAD, POST */
    const char *route;         /* decided by the module */
    const char *arg;           /* the path segment (a code), or NULL */
    const char *query;         /* raw query string, or NULL */
    const char *content_type;
    const char *body;          /* NUL-terminated copy, or NULL */
    apr_size_t body_len;
    invqr_page_ctx_t page;     /* language, base path, CSRF token, who */
    const char *citizen;       /* fiscal code of the citizen the request is about: the
                                * signed-in one, or the holder a delegate acts for */
    const char *delegate;      /* the signed-in person acting for citizen, or NULL */
    const char *delegate_role; /* their role (invqr_role_name), or NULL */
    int delegation_ended;      /* the choice of whom to act for has just ended */
    long long operator_id;     /* 0 when no operator is signed in */
    long long org_id;
    const char *operator_name;
    const char *org_name;
    const char *client;        /* client address */
    const char *session;       /* hex SHA-256 of an operator's session token, or NULL */
    const char *if_none_match; /* If-None-Match request header, or NULL */
    const char *soap_action;   /* SOAPAction request header, or NULL */
    const char *voucher;       /* SOAP: the PDND voucher (Bearer) as sent, "" if malformed, or NULL */
    int demo;                  /* demo sign-in enabled */
    const char *signout;       /* the upstream auth module's sign-out URL, or NULL */
} invqr_request_t;

typedef struct {
    int status;
    const char *content_type;
    apr_table_t *headers;      /* extra response headers */
    const char *body;
    apr_size_t len;
} invqr_response_t;

struct invqr_audit_group_t;
struct invqr_benefits_t;
struct invqr_sms_gateway_t;
struct invqr_mail_transport_t;
struct invqr_modi_signer_s;
struct invqr_voucher_keys_s;

/* Per worker thread: the configuration and the thread's own connection. */
typedef struct {
    const invqr_conf_t *conf;
    const struct invqr_benefits_t *benefits;  /* loaded at start-up, read-only */
    struct invqr_sms_gateway_t *sms;          /* the consent SMS gateway, or NULL */
    const struct invqr_mail_transport_t *mail; /* the MTA of the PDF e-mails, or NULL */
    const char *dummy_hash;                   /* argon2id of a random password */
    const struct invqr_modi_signer_s *signer; /* signs answers to signed SOAP requests, or NULL */
    const struct invqr_voucher_keys_s *voucher_keys; /* PDND's keys, or NULL: vouchers off */
    invqr_db_t *db;            /* NULL until first use or after a failure */
    struct invqr_audit_group_t *audit;        /* shared by the process's threads, or NULL */
    apr_pool_t *pool;          /* lives as long as the thread */
    /* The home page as a visitor who is not signed in sees it, rendered by
     * this thread the first time it was asked for in each language: it
     * depends on nothing else (invqr_app.c). html NULL: not yet. */
    struct {
        const char *html;
        apr_size_t len;
        const char *base, *path;   /* what it was made for */
    } home[INVQR_LANG__COUNT];
} invqr_app_t;

/** Run the route of req; always fills resp (an error page at worst). */
void invqr_app_handle(invqr_app_t *app, const invqr_request_t *req,
                      invqr_response_t *resp, apr_pool_t *p);

/** The thread's connection, opened on demand; NULL (logged) when the store is down. */
invqr_db_t *invqr_app_db(invqr_app_t *app);

/** Forget the thread's connection after a failure, so the next request reconnects. */
void invqr_app_db_failed(invqr_app_t *app);

/** Answer with a rendered page. */
void invqr_app_page(invqr_response_t *resp, int status, invqr_page_t *pg, apr_pool_t *p);

/** Answer with the error page for status (detail may be NULL). */
void invqr_app_error(const invqr_request_t *req, invqr_response_t *resp, int status,
                     const char *detail, apr_pool_t *p);

/** Answer 303 See Other to base + rel. */
void invqr_app_redirect(const invqr_request_t *req, invqr_response_t *resp, const char *rel,
                        apr_pool_t *p);

/** A route handler. */
typedef void invqr_route_fn(invqr_app_t *app, const invqr_request_t *req,
                            invqr_response_t *resp, apr_pool_t *p);

#endif
