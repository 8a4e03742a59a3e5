/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - HTML built as a libxml2 tree.
 *
 * Text only ever enters a page as a text node or an attribute value, and the
 * serializer escapes both, so no person's data can become markup.
 * Every helper accepts a NULL parent or element (as left by an allocation
 * failure) and then does nothing and returns NULL.
 */
#ifndef INVQR_HTML_H
#define INVQR_HTML_H

#include <libxml/tree.h>

/** Append <tag> to parent, with text (may be NULL) as its only child. */
xmlNodePtr invqr_html_add(xmlNodePtr parent, const char *tag, const char *text);

/** As invqr_html_add(), the text formatted printf-style (capped at 1 KiB,
 * cut on a UTF-8 character boundary). */
xmlNodePtr invqr_html_addf(xmlNodePtr parent, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Append a text node to parent. */
void invqr_html_text(xmlNodePtr parent, const char *text);

/** Set an attribute (value escaped on output; NULL means ""). Returns el
 * for chaining, NULL on failure. */
xmlNodePtr invqr_html_set(xmlNodePtr el, const char *name, const char *value);

/** Append <a href="href">text</a>. */
xmlNodePtr invqr_html_link(xmlNodePtr parent, const char *href, const char *text);

#endif
