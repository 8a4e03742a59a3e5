/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the one page layout.
 *
 * Every HTML page of invqr, whether the module or a worker renders it, is
 * made here: doctype, language, title, stylesheet, skip link, header with the
 * service name and navigation, language switch, main, footer. Pages add
 * their content under invqr_page_main() and serialize with
 * invqr_page_render(). The page is a tree of invqr_el_t (invqr_html.h) in
 * the page's pool: there is nothing to free.
 */
#ifndef INVQR_PAGE_H
#define INVQR_PAGE_H

#include <apr_pools.h>
#include "invqr_html.h"
#include "invqr_conf.h"
#include "invqr_i18n.h"

typedef struct {
    invqr_lang_t lang;
    const char *base;       /* base path without trailing slash ("" at root) */
    const char *path;       /* this page's path below base ("/verify"), for the language switch */
    const char *csrf;       /* token for forms, NULL when the page has none */
    const char *who;        /* who is signed in, as shown to them, or NULL */
    const char *acting_for; /* the holder's fiscal code when the signed-in person acts
                             * for them (every page then says so), or NULL */
    const char *acting_name;  /* the holder's name, or NULL */
    const char *acting_role;  /* the role (invqr_role_name) */
    int operator_area;      /* non-zero on operator pages: links the operator's guide */
    const invqr_conf_t *conf; /* the administration's name, logo and links (NULL: none) */
} invqr_page_ctx_t;

typedef struct invqr_page_t invqr_page_t;

/**
 * A new page whose <title> is title + " - " + service name (just the service
 * name when title is NULL or ""). ctx may be NULL (Italian, base ""); its
 * strings are copied. Allocated from p, with nothing to free. NULL only if
 * p is NULL or out of memory.
 */
invqr_page_t *invqr_page_new(const invqr_page_ctx_t *ctx, const char *title, apr_pool_t *p);

/** The <main> element, where the page's content goes (its <h1> included). */
invqr_el_t *invqr_page_main(invqr_page_t *pg);

/** Text of msg in the page's language. */
const char *invqr_page_msg(const invqr_page_t *pg, invqr_msg_t msg);

/**
 * Append <time datetime="iso">...</time> to parent: iso is "YYYY-MM-DD" or
 * "YYYY-MM-DD HH:MM" as invqr_when gives them, shown the way people write
 * dates in the page's language (07/12/2026 in Italian and English,
 * 07.12.2026 in German, the time after it). Anything else is shown as is.
 */
invqr_el_t *invqr_page_date(invqr_page_t *pg, invqr_el_t *parent, const char *iso);

/** The context the page was made with. */
const invqr_page_ctx_t *invqr_page_ctx(const invqr_page_t *pg);

/** The pool the page allocates from. */
apr_pool_t *invqr_page_pool(const invqr_page_t *pg);

/** base + rel ("/verify" -> "/invqr/verify"; NULL or "" means "/"),
 * allocated from the page's pool. */
const char *invqr_page_url(const invqr_page_t *pg, const char *rel);

#define INVQR_PAGE_CONTENTS_MAX 32

/**
 * For a long page: where its "On this page" list stands (before the
 * sections), appended to parent. Empty until invqr_page_contents_fill().
 * Once per page (the list's title has a fixed id).
 */
invqr_el_t *invqr_page_contents(invqr_page_t *pg, invqr_el_t *parent);

/**
 * Once the page is built: the list, collapsed under its summary, with a
 * link to every h2 with an id in the page's main (the first
 * INVQR_PAGE_CONTENTS_MAX), in order, named by the heading's text. A page
 * with fewer than min of them is short enough: contents is taken out.
 */
void invqr_page_contents_fill(invqr_page_t *pg, invqr_el_t *contents, int min);

/**
 * Append a <form method="post" action="base+rel"> to parent, with the CSRF
 * token as a hidden field named "csrf" when the context has one.
 */
invqr_el_t *invqr_page_post_form(invqr_page_t *pg, invqr_el_t *parent, const char *rel);

/**
 * A complete error page for an HTTP status (400, 401, 403, 404, 405, 410,
 * 413, 422, 429, 500, 503): what happened and what to do next, in the
 * context's language. detail may add one more sentence (NULL for none).
 * <main> carries data-status="NNN". Another 4xx reads as 400 and another
 * 5xx as 500; anything outside 400-599 is shown as 500. Allocated from p;
 * NULL only if p is NULL or out of memory.
 */
invqr_page_t *invqr_page_error(const invqr_page_ctx_t *ctx, int status,
                               const char *detail, apr_pool_t *p);

/**
 * Serialize to UTF-8 HTML (<!DOCTYPE html>, exactly one charset declaration);
 * *pout (NUL-terminated, *plen bytes; plen may be NULL) allocated from p.
 * Returns APR_SUCCESS, APR_EINVAL or APR_ENOMEM; *pout is NULL on failure.
 */
apr_status_t invqr_page_render(const char **pout, apr_size_t *plen,
                               invqr_page_t *pg, apr_pool_t *p);

#endif
