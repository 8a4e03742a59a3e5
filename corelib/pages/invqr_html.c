/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - HTML pages as a small tree of our own, and its serializer.
 *
 * Pages used to be libxml2 trees; building and dumping them, with a malloc
 * and a free per node and per string, was most of a worker's CPU. Here a
 * node is a struct carved from the page's APR pool, children are a singly
 * linked list with a tail pointer, and nothing is freed one by one.
 *
 * Escaping is by construction: text is only ever stored as a text node or
 * an attribute value, and invqr_html_render() escapes both on output (the
 * only place bytes are written). That one pass also checks UTF-8: a byte
 * sequence that is not strict RFC 3629 UTF-8, or a control character other
 * than TAB, LF and CR, comes out as U+FFFD, so the page is always valid
 * UTF-8 whatever a store or a request held. Doing it on output rather than
 * in every setter keeps the builders plain copies and checks each byte once.
 *
 * Element and attribute names are not escaped: they are string literals in
 * our code (kept by pointer), and assert() checks they are lower-case names.
 *
 * The output follows libxml2's HTML "format" mode byte for byte for what we
 * build (line breaks inside and after the elements libxml2 knows as blocks,
 * see breaks_inside() and breaks_after()), so that leaving libxml2 changed
 * no page. Two deliberate differences: attribute values are always in
 * double quotes (with &quot;), and invalid UTF-8 or control characters
 * become U+FFFD where libxml2 copied or dropped them.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "invqr_html.h"

/* Cap of the text invqr_html_addf() formats, terminating NUL included. */
#define HTML_ADDF_MAX 1024

/* Serializer hints for a tag. */
#define TAG_VOID   1u           /* no end tag, no children (HTML void element) */
#define TAG_BREAKS 2u           /* libxml2 knew it as a block: line breaks around it */

typedef struct invqr_attr invqr_attr_t;

struct invqr_attr {
    const char *name;           /* a literal */
    size_t name_len;
    int url;                    /* href, action or src: see put_url() */
    const char *value;          /* copied into the pool */
    size_t len;
    invqr_attr_t *next;
};

/* What all nodes of one tree share. */
typedef struct {
    apr_pool_t *pool;
    size_t estimate;            /* bytes the tree serializes to, unescaped */
} html_doc_t;

struct invqr_el {
    html_doc_t *doc;
    invqr_el_t *parent;
    invqr_el_t *next;           /* next sibling */
    const char *name;           /* a literal; NULL for a text node */
    size_t name_len;
    unsigned flags;             /* TAG_* */
    const char *text;           /* text node: the text, copied */
    size_t len;
    invqr_attr_t *attrs;        /* element: in the order first set */
    invqr_el_t *first, *last;   /* element: children */
};

/*
 * The tags whose serialization differs from a plain inline element, sorted
 * for bsearch(). TAG_VOID: the HTML void elements. TAG_BREAKS: the elements
 * libxml2's HTML 4 table knows and does not mark inline (HTML5 elements such
 * as section, nav, main, header, footer and time are unknown to it, so it
 * puts no line breaks around them).
 */
typedef struct {
    const char *name;
    unsigned flags;
} tag_info_t;

static const tag_info_t tags[] = {
    { "address", TAG_BREAKS }, { "area", TAG_VOID | TAG_BREAKS },
    { "base", TAG_VOID | TAG_BREAKS }, { "blockquote", TAG_BREAKS },
    { "body", TAG_BREAKS }, { "br", TAG_VOID }, { "caption", TAG_BREAKS },
    { "col", TAG_VOID | TAG_BREAKS }, { "dd", TAG_BREAKS }, { "div", TAG_BREAKS },
    { "dl", TAG_BREAKS }, { "dt", TAG_BREAKS }, { "embed", TAG_VOID },
    { "fieldset", TAG_BREAKS }, { "form", TAG_BREAKS }, { "h1", TAG_BREAKS },
    { "h2", TAG_BREAKS }, { "h3", TAG_BREAKS }, { "h4", TAG_BREAKS },
    { "h5", TAG_BREAKS }, { "h6", TAG_BREAKS }, { "head", TAG_BREAKS },
    { "hr", TAG_VOID | TAG_BREAKS }, { "html", TAG_BREAKS }, { "img", TAG_VOID },
    { "input", TAG_VOID }, { "legend", TAG_BREAKS }, { "li", TAG_BREAKS },
    { "link", TAG_VOID | TAG_BREAKS }, { "meta", TAG_VOID | TAG_BREAKS },
    { "ol", TAG_BREAKS }, { "option", TAG_BREAKS }, { "p", TAG_BREAKS },
    { "param", TAG_VOID | TAG_BREAKS }, { "pre", TAG_BREAKS }, { "source", TAG_VOID },
    { "table", TAG_BREAKS }, { "tbody", TAG_BREAKS }, { "td", TAG_BREAKS },
    { "tfoot", TAG_BREAKS }, { "th", TAG_BREAKS }, { "thead", TAG_BREAKS },
    { "title", TAG_BREAKS }, { "tr", TAG_BREAKS }, { "track", TAG_VOID },
    { "ul", TAG_BREAKS }, { "wbr", TAG_VOID },
};

static int tag_cmp(const void *key, const void *entry)
{
    return strcmp(key, *(const char *const *)entry);
}

static unsigned tag_flags(const char *name)
{
    const tag_info_t *hit = bsearch(name, tags, sizeof(tags) / sizeof(tags[0]),
                                    sizeof(tags[0]), tag_cmp);

    return (hit != NULL) ? hit->flags : 0;
}

#ifndef NDEBUG
/* Names are literals from our code: lower-case letters, digits and '-'. */
static int valid_name(const char *name)
{
    const char *c = name;

    if (*c < 'a' || *c > 'z')
        return 0;
    for (; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return 0;
    return 1;
}
#endif

/* ---- building ---------------------------------------------------------- */

/* Attributes whose value is a URL, written by put_url(). */
static int is_url_attr(const char *name)
{
    return strcmp(name, "href") == 0 || strcmp(name, "action") == 0 || strcmp(name, "src") == 0;
}

static void append_child(invqr_el_t *parent, invqr_el_t *node)
{
    node->doc = parent->doc;
    node->parent = parent;
    if (parent->last != NULL)
        parent->last->next = node;
    else
        parent->first = node;
    parent->last = node;
}

static invqr_el_t *new_element(html_doc_t *doc, const char *tag)
{
    invqr_el_t *el;

    assert(valid_name(tag));
    el = apr_pcalloc(doc->pool, sizeof(*el));
    if (el == NULL)
        return NULL;
    el->doc = doc;
    el->name = tag;
    el->name_len = strlen(tag);
    el->flags = tag_flags(tag);
    /* "<tag>" "</tag>" and a line break */
    doc->estimate += 2 * el->name_len + 6;
    return el;
}

invqr_el_t *invqr_html_new(const char *tag, apr_pool_t *p)
{
    html_doc_t *doc;

    if (p == NULL || tag == NULL)
        return NULL;
    doc = apr_pcalloc(p, sizeof(*doc));
    if (doc == NULL)
        return NULL;
    doc->pool = p;
    return new_element(doc, tag);
}

void invqr_html_text(invqr_el_t *parent, const char *text)
{
    invqr_el_t *t;
    size_t len;

    if (parent == NULL || parent->name == NULL || (parent->flags & TAG_VOID)
        || text == NULL || text[0] == '\0')
        return;
    len = strlen(text);
    t = apr_palloc(parent->doc->pool, sizeof(*t));
    if (t == NULL)
        return;
    memset(t, 0, sizeof(*t));
    t->text = apr_pstrmemdup(parent->doc->pool, text, len);
    if (t->text == NULL)
        return;
    t->len = len;
    parent->doc->estimate += len;
    append_child(parent, t);
}

invqr_el_t *invqr_html_add(invqr_el_t *parent, const char *tag, const char *text)
{
    invqr_el_t *el;

    if (parent == NULL || parent->name == NULL || (parent->flags & TAG_VOID) || tag == NULL)
        return NULL;
    el = new_element(parent->doc, tag);
    if (el == NULL)
        return NULL;
    append_child(parent, el);
    if (text != NULL)
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
        return len;     /* not UTF-8 at all: the serializer writes U+FFFD */
    return (back >= need) ? len : i - 1;
}

invqr_el_t *invqr_html_addf(invqr_el_t *parent, const char *tag, const char *fmt, ...)
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

invqr_el_t *invqr_html_set(invqr_el_t *el, const char *name, const char *value)
{
    invqr_attr_t *a, *last = NULL;
    size_t len;

    if (el == NULL || el->name == NULL || name == NULL)
        return NULL;
    assert(valid_name(name));
    if (value == NULL)
        value = "";
    len = strlen(value);
    for (a = el->attrs; a != NULL; a = a->next) {
        if (strcmp(a->name, name) == 0)
            break;
        last = a;
    }
    if (a == NULL) {
        a = apr_pcalloc(el->doc->pool, sizeof(*a));
        if (a == NULL)
            return NULL;
        a->name = name;
        a->name_len = strlen(name);
        a->url = is_url_attr(name);
        if (last != NULL)
            last->next = a;
        else
            el->attrs = a;
        /* ' name=""' */
        el->doc->estimate += a->name_len + 4;
    }
    a->value = apr_pstrmemdup(el->doc->pool, value, len);
    if (a->value == NULL) {
        a->value = "";
        a->len = 0;
        return NULL;
    }
    a->len = len;
    el->doc->estimate += len;
    return el;
}

invqr_el_t *invqr_html_link(invqr_el_t *parent, const char *href, const char *text)
{
    invqr_el_t *a = invqr_html_add(parent, "a", text);

    if (a == NULL)
        return NULL;
    invqr_html_set(a, "href", href);
    return a;
}

void invqr_html_remove(invqr_el_t *el)
{
    invqr_el_t *parent, *prev = NULL, *c;

    if (el == NULL || el->parent == NULL)
        return;
    parent = el->parent;
    for (c = parent->first; c != NULL && c != el; c = c->next)
        prev = c;
    if (c == NULL)
        return;
    if (prev != NULL)
        prev->next = el->next;
    else
        parent->first = el->next;
    if (parent->last == el)
        parent->last = prev;
    el->parent = NULL;
    el->next = NULL;
}

/* ---- reading ------------------------------------------------------------ */

void invqr_html_each(const invqr_el_t *root, const char *tag,
                     void (*fn)(void *baton, const invqr_el_t *el), void *baton)
{
    const invqr_el_t *c;

    if (root == NULL || tag == NULL || fn == NULL)
        return;
    for (c = root->first; c != NULL; c = c->next) {
        if (c->name == NULL)
            continue;
        if (strcmp(c->name, tag) == 0)
            fn(baton, c);
        invqr_html_each(c, tag, fn, baton);
    }
}

const char *invqr_html_get(const invqr_el_t *el, const char *name)
{
    const invqr_attr_t *a;

    if (el == NULL || el->name == NULL || name == NULL)
        return NULL;
    for (a = el->attrs; a != NULL; a = a->next)
        if (strcmp(a->name, name) == 0)
            return a->value;
    return NULL;
}

const char *invqr_html_text_of(const invqr_el_t *el, apr_pool_t *p)
{
    const invqr_el_t *c;
    size_t n = 0;
    char *out, *o;

    if (el == NULL || p == NULL)
        return NULL;
    for (c = el->first; c != NULL; c = c->next)
        if (c->name == NULL)
            n += c->len;
    out = o = apr_palloc(p, n + 1);
    if (out == NULL)
        return NULL;
    for (c = el->first; c != NULL; c = c->next)
        if (c->name == NULL) {
            memcpy(o, c->text, c->len);
            o += c->len;
        }
    *o = '\0';
    return out;
}

/* ---- serializing ------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;            /* cap counts the byte kept for the final NUL */
    apr_pool_t *pool;
    int failed;                 /* out of memory or over INVQR_HTML_MAX_OUTPUT */
} outbuf_t;

/* Room for more bytes (and the final NUL); 0 or -1 once failed. Growing
 * leaves the old buffer to the pool: with the size estimated from the tree,
 * a page grows at most once. */
static int reserve(outbuf_t *b, size_t more)
{
    size_t need, cap;
    char *data;

    if (b->failed)
        return -1;
    if (more < b->cap - b->len)
        return 0;
    need = b->len + more + 1;
    if (need > INVQR_HTML_MAX_OUTPUT + 1) {
        b->failed = 1;
        return -1;
    }
    cap = 2 * b->cap;
    if (cap < need)
        cap = need;
    if (cap > INVQR_HTML_MAX_OUTPUT + 1)
        cap = INVQR_HTML_MAX_OUTPUT + 1;
    data = apr_palloc(b->pool, cap);
    if (data == NULL) {
        b->failed = 1;
        return -1;
    }
    if (b->len > 0)
        memcpy(data, b->data, b->len);
    b->data = data;
    b->cap = cap;
    return 0;
}

static void put(outbuf_t *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

/*
 * What put_escaped() does with each byte: PLAIN bytes are copied as they
 * are (printable ASCII but the markup characters, and TAB, LF, CR); QUOTE
 * ('"') is plain in text and escaped in attribute values; every other byte
 * (< > &, control characters, DEL, non-ASCII) takes the slow path.
 */
enum { PLAIN = 0, QUOTE = 1, SLOW = 2 };

static const unsigned char byte_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 2, 0, 2, 2,     /* 0x00: TAB LF CR plain */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x20: '"' quote, '&' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0,     /* 0x30: '<' '>' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,     /* 0x70: DEL */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,     /* 0x80-0xFF: UTF-8 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * The length of the valid UTF-8 sequence starting s[0] >= 0x80 (n bytes
 * available), per the table in RFC 3629 section 4; 0 when it is not valid,
 * with *bad set to the bytes to replace by one U+FFFD (the maximal invalid
 * prefix, as browsers decode it).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need, i;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 1;
    }
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 2;
        if (s[0] == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (s[0] == 0xED)
            hi = 0x9F;          /* surrogates */
    }
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 3;
        if (s[0] == 0xF0)
            lo = 0x90;          /* overlong */
        else if (s[0] == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    }
    else {
        *bad = 1;
        return 0;
    }
    for (i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

#define REPLACEMENT "\xEF\xBF\xBD"      /* U+FFFD in UTF-8 */

/* Write s[0..len) as text (in_attr 0) or as a double-quoted attribute value. */
static void put_escaped(outbuf_t *b, const char *str, size_t len, int in_attr)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char slow = in_attr ? QUOTE : SLOW;    /* classes at or above: not copied */
    size_t i = 0, start, n, bad;

    while (i < len && !b->failed) {
        start = i;
        while (i < len && byte_class[s[i]] < slow)
            i++;
        if (i > start)
            put(b, str + start, i - start);
        if (i == len)
            break;
        switch (s[i]) {
        case '<': PUT_LIT(b, "&lt;"); i++; continue;
        case '>': PUT_LIT(b, "&gt;"); i++; continue;
        case '&': PUT_LIT(b, "&amp;"); i++; continue;
        case '"': PUT_LIT(b, "&quot;"); i++; continue;
        default: break;
        }
        if (s[i] < 0x80) {      /* a control character or DEL */
            PUT_LIT(b, REPLACEMENT);
            i++;
            continue;
        }
        n = utf8_seq(s + i, len - i, &bad);
        if (n == 0) {
            PUT_LIT(b, REPLACEMENT);
            i += bad;
        }
        else if (s[i] == 0xC2 && s[i + 1] < 0xA0) {    /* C1 control */
            PUT_LIT(b, REPLACEMENT);
            i += n;
        }
        else {
            put(b, str + i, n);
            i += n;
        }
    }
}

/* Bytes a URL attribute keeps as they are, as libxml2's xmlURIEscapeStr()
 * with the extra characters "@/:=?;#%&,+<>" kept them. */
static int url_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || (c != '\0' && strchr("-_.!~*'()@/:=?;#%&,+<>", c) != NULL);
}

/*
 * A URL attribute (href, action, src): leading blanks dropped and every byte
 * outside the set above percent-encoded, as libxml2's HTML serializer did,
 * so a path with a space or a non-ASCII letter is still a valid URL; then
 * & < > escaped like any attribute value.
 */
static void put_url(outbuf_t *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, start;
    char pct[3];

    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    while (i < len && !b->failed) {
        start = i;
        while (i < len && url_byte(s[i]) && s[i] != '&' && s[i] != '<' && s[i] != '>')
            i++;
        if (i > start)
            put(b, str + start, i - start);
        if (i == len)
            break;
        if (s[i] == '&' || s[i] == '<' || s[i] == '>') {
            put_escaped(b, str + i, 1, 1);
        }
        else {
            pct[0] = '%';
            pct[1] = hex[s[i] >> 4];
            pct[2] = hex[s[i] & 15];
            put(b, pct, 3);
        }
        i++;
    }
}

/* libxml2 broke the line after el's start tag when el is a known block
 * element with more than one child, the first an element, and a name that
 * does not start with 'p' (p, pre, param); and before its end tag on the
 * same terms with the last child an element. */
static int breaks_inside(const invqr_el_t *el, const invqr_el_t *child)
{
    return (el->flags & TAG_BREAKS) && child->name != NULL && el->first != el->last
           && el->name[0] != 'p';
}

/* ... and after el when el is a known block element and an element follows
 * it in a parent whose name does not start with 'p'. */
static int breaks_after(const invqr_el_t *el)
{
    return (el->flags & TAG_BREAKS) && el->next != NULL && el->next->name != NULL
           && el->parent != NULL && el->parent->name[0] != 'p';
}

/* Depth is bounded by the code that builds pages, never by data. */
static void put_node(outbuf_t *b, const invqr_el_t *el)
{
    const invqr_attr_t *a;
    const invqr_el_t *c;

    if (el->name == NULL) {
        put_escaped(b, el->text, el->len, 0);
        return;
    }
    PUT_LIT(b, "<");
    put(b, el->name, el->name_len);
    for (a = el->attrs; a != NULL; a = a->next) {
        PUT_LIT(b, " ");
        put(b, a->name, a->name_len);
        PUT_LIT(b, "=\"");
        if (a->url)
            put_url(b, a->value, a->len);
        else
            put_escaped(b, a->value, a->len, 1);
        PUT_LIT(b, "\"");
    }
    if (el->flags & TAG_VOID) {
        PUT_LIT(b, ">");
    }
    else if (el->first == NULL) {
        PUT_LIT(b, "></");
        put(b, el->name, el->name_len);
        PUT_LIT(b, ">");
    }
    else {
        PUT_LIT(b, ">");
        if (breaks_inside(el, el->first))
            PUT_LIT(b, "\n");
        for (c = el->first; c != NULL; c = c->next)
            put_node(b, c);
        if (breaks_inside(el, el->last))
            PUT_LIT(b, "\n");
        PUT_LIT(b, "</");
        put(b, el->name, el->name_len);
        PUT_LIT(b, ">");
    }
    if (breaks_after(el))
        PUT_LIT(b, "\n");
}

apr_status_t invqr_html_render(const char **pout, apr_size_t *plen, const invqr_el_t *root,
                               apr_pool_t *p)
{
    static const char doctype[] = "<!DOCTYPE html>\n";
    outbuf_t b;
    size_t est;

    if (pout != NULL)
        *pout = NULL;
    if (plen != NULL)
        *plen = 0;
    if (pout == NULL || root == NULL || root->name == NULL || p == NULL)
        return APR_EINVAL;
    memset(&b, 0, sizeof(b));
    b.pool = p;
    /* The unescaped size plus an eighth for entities and line breaks: one
     * allocation for a typical page. */
    est = sizeof(doctype) + root->doc->estimate;
    est += est / 8 + 256;
    if (reserve(&b, est < INVQR_HTML_MAX_OUTPUT ? est : INVQR_HTML_MAX_OUTPUT) != 0)
        return APR_ENOMEM;
    PUT_LIT(&b, doctype);
    put_node(&b, root);
    PUT_LIT(&b, "\n");
    if (b.failed)
        return APR_ENOMEM;
    b.data[b.len] = '\0';
    *pout = b.data;
    if (plen != NULL)
        *plen = b.len;
    return APR_SUCCESS;
}
