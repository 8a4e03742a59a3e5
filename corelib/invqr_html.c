/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - small helpers to build HTML as a libxml2 tree.
 *
 * Text is only ever added as a text node (xmlNewText) or as an attribute
 * value (xmlSetProp); neither is parsed for markup or entity references, and
 * the HTML serializer escapes both on output. So "<", "&" and quotes in a
 * person's data always come out as text. xmlNewChild() is never given
 * content, because it would treat "&..." as an entity reference.
 * Every helper tolerates a NULL parent or element (for example after an
 * allocation failure in libxml2) and then does nothing and returns NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "invqr_html.h"

/* Cap of the text invqr_html_addf() formats, terminating NUL included. */
#define HTML_ADDF_MAX 1024

void invqr_html_text(xmlNodePtr parent, const char *text)
{
    xmlNodePtr t;

    if (parent == NULL || text == NULL || text[0] == '\0')
        return;
    t = xmlNewDocText(parent->doc, (const xmlChar *)text);
    if (t == NULL)
        return;
    /* xmlAddChild() merges adjacent text nodes and then frees t itself. */
    if (xmlAddChild(parent, t) == NULL)
        xmlFreeNode(t);
}

xmlNodePtr invqr_html_add(xmlNodePtr parent, const char *tag, const char *text)
{
    xmlNodePtr el;

    if (parent == NULL || tag == NULL)
        return NULL;
    el = xmlNewChild(parent, NULL, (const xmlChar *)tag, NULL);
    if (el != NULL && text != NULL)
        invqr_html_text(el, text);
    return el;
}

/* Length of the longest prefix of s[0..len) that does not end inside a
 * UTF-8 sequence, so truncation never leaves half a character. */
static size_t utf8_clip(const char *s, size_t len)
{
    size_t i = len, back = 0;
    unsigned char c;
    size_t need;

    while (i > 0 && back < 4) {
        c = (unsigned char)s[i - 1];
        if ((c & 0xC0) != 0x80)
            break;
        i--;
        back++;
    }
    if (i == 0)
        return len;
    c = (unsigned char)s[i - 1];
    if (c < 0x80)
        return len;
    if ((c & 0xE0) == 0xC0)
        need = 1;
    else if ((c & 0xF0) == 0xE0)
        need = 2;
    else if ((c & 0xF8) == 0xF0)
        need = 3;
    else
        return len;     /* not UTF-8 at all: leave it to the serializer */
    return (back >= need) ? len : i - 1;
}

xmlNodePtr invqr_html_addf(xmlNodePtr parent, const char *tag, const char *fmt, ...)
{
    char buf[HTML_ADDF_MAX];
    va_list ap;
    int n;

    if (parent == NULL || tag == NULL || fmt == NULL)
        return NULL;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n >= sizeof(buf))
        buf[utf8_clip(buf, sizeof(buf) - 1)] = '\0';
    return invqr_html_add(parent, tag, buf);
}

xmlNodePtr invqr_html_set(xmlNodePtr el, const char *name, const char *value)
{
    if (el == NULL || name == NULL)
        return NULL;
    if (xmlSetProp(el, (const xmlChar *)name,
                   (const xmlChar *)(value != NULL ? value : "")) == NULL)
        return NULL;
    return el;
}

xmlNodePtr invqr_html_link(xmlNodePtr parent, const char *href, const char *text)
{
    xmlNodePtr a = invqr_html_add(parent, "a", text);

    if (a == NULL)
        return NULL;
    invqr_html_set(a, "href", href);
    return a;
}
