/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - HTML built as a small tree of our own, and its serializer.
 *
 * Text only ever enters a page as a text node or an attribute value, and the
 * serializer escapes both, so no person's data can become markup. Element
 * and attribute names are never data: they are string literals in our code
 * (kept by pointer, not copied, and checked by assert()).
 * Every node and string lives in the APR pool the tree was made from: there
 * is nothing to free, and a node stays valid until that pool goes.
 * Every helper accepts a NULL parent or element (as left by an allocation
 * failure) and then does nothing and returns NULL.
 */
#ifndef INVQR_HTML_H
#define INVQR_HTML_H

#include <apr_pools.h>

/** An element (or, inside the tree, a text node). Opaque. */
typedef struct invqr_el invqr_el_t;

/**
 * A new tree whose root is the element <tag>, allocated from p (as is
 * everything added under it). NULL if p is NULL or out of memory.
 */
invqr_el_t *invqr_html_new(const char *tag, apr_pool_t *p);

/** Append <tag> to parent, with text (may be NULL) as its only child.
 * A void element (meta, link, input, br, img, hr, ...) takes no children:
 * adding under one returns NULL. */
invqr_el_t *invqr_html_add(invqr_el_t *parent, const char *tag, const char *text);

/** As invqr_html_add(), the text formatted printf-style (capped at 1 KiB,
 * cut on a UTF-8 character boundary). */
invqr_el_t *invqr_html_addf(invqr_el_t *parent, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Append a text node to parent (copied; NULL and "" add nothing). */
void invqr_html_text(invqr_el_t *parent, const char *text);

/** Set an attribute, replacing one of the same name in its place (value
 * copied and escaped on output; NULL means ""). Returns el for chaining,
 * NULL on failure. */
invqr_el_t *invqr_html_set(invqr_el_t *el, const char *name, const char *value);

/** Append <a href="href">text</a>. */
invqr_el_t *invqr_html_link(invqr_el_t *parent, const char *href, const char *text);

/** Take el, with everything under it, out of its parent (for a part built
 * before knowing it is wanted). Its memory stays in the pool. */
void invqr_html_remove(invqr_el_t *el);

/** Calls fn(baton, el) for every element named tag under root (root
 * excluded), in document order. fn must not change the tree. */
void invqr_html_each(const invqr_el_t *root, const char *tag,
                     void (*fn)(void *baton, const invqr_el_t *el), void *baton);

/** The value of el's attribute name, or NULL when it has none. */
const char *invqr_html_get(const invqr_el_t *el, const char *name);

/** The text of el's text children, joined (as set: unescaped), in p; ""
 * when it has none, NULL only when el or p is NULL. */
const char *invqr_html_text_of(const invqr_el_t *el, apr_pool_t *p);

/**
 * Serialize the tree under root as a UTF-8 HTML document: "<!DOCTYPE html>",
 * the elements with line breaks where libxml2's HTML "format" output put
 * them, void elements without end tags. Text and attribute values are
 * escaped (& < > in text; & < > " in attributes, always double-quoted);
 * invalid UTF-8 and control characters other than TAB, LF and CR come out
 * as U+FFFD; href, action and src values are percent-encoded where they
 * hold bytes a URL may not (as libxml2 did). *pout (NUL-terminated, *plen
 * bytes; plen may be NULL) is allocated from p. Returns APR_SUCCESS,
 * APR_EINVAL (pout, root or p NULL) or APR_ENOMEM (out of memory, or the
 * page would pass INVQR_HTML_MAX_OUTPUT); *pout is NULL on failure.
 */
apr_status_t invqr_html_render(const char **pout, apr_size_t *plen, const invqr_el_t *root,
                               apr_pool_t *p);

/** Cap on one serialized page. */
#define INVQR_HTML_MAX_OUTPUT (8 * 1024 * 1024)

#endif
