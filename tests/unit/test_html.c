/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the HTML tree and its serializer (invqr_html.c).
 *
 * Small trees are rendered and compared with the exact text expected:
 * escaping of text and attribute values (markup, quotes, ampersands,
 * entities that must stay text), invalid UTF-8 and control characters as
 * U+FFFD, empty and NULL strings, void elements, attribute replacement in
 * place, URL attributes, the addf cap on a character boundary, removing a
 * node, the NULL contract of every helper, and the line breaks that keep the
 * output identical to what libxml2 wrote. Last, a property test: a page
 * built from thousands of random strings, parsed back with libxml2's HTML
 * parser, has exactly the elements and attributes we created, and its text
 * reads back as the strings given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "invqr_html.h"
#include "invqr_utf8.h"

#define DOCTYPE "<!DOCTYPE html>\n"

static int setup(void **state)
{
    apr_pool_t *p;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return -1;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    xmlInitParser();
    return apr_initialize() == APR_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    apr_terminate();
    xmlCleanupParser();
    return 0;
}

/* The serialized tree, checked to be NUL-terminated at the length given. */
static const char *render(const invqr_el_t *root, apr_pool_t *p)
{
    const char *out = NULL;
    apr_size_t len = 0;

    assert_int_equal(invqr_html_render(&out, &len, root, p), APR_SUCCESS);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_true(invqr_utf8_count(out, len) >= 0);
    return out;
}

/* The text between <body> and </body> of a render of root. */
static const char *body_of(const invqr_el_t *root, apr_pool_t *p)
{
    const char *out = render(root, p), *b, *e;

    b = strstr(out, "<body>");
    e = strstr(out, "</body>");
    assert_non_null(b);
    assert_non_null(e);
    /* Without the line breaks libxml2 put inside a body of several blocks. */
    b += strlen("<body>");
    if (*b == '\n')
        b++;
    if (e > b && e[-1] == '\n')
        e--;
    return apr_pstrmemdup(p, b, (apr_size_t)(e - b));
}

static invqr_el_t *new_body(invqr_el_t **proot, apr_pool_t *p)
{
    *proot = invqr_html_new("html", p);
    assert_non_null(*proot);
    return invqr_html_add(*proot, "body", NULL);
}

static void test_document(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *html = invqr_html_new("html", p), *head, *body;

    invqr_html_set(html, "lang", "it");
    head = invqr_html_add(html, "head", NULL);
    invqr_html_set(invqr_html_add(head, "meta", NULL), "charset", "utf-8");
    invqr_html_add(head, "title", "T");
    body = invqr_html_add(html, "body", NULL);
    invqr_html_add(body, "p", "x");
    assert_string_equal(render(html, p),
                        DOCTYPE "<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<title>T</title>\n</head>\n<body><p>x</p></body>\n</html>\n");
}

static void test_text_escaping(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p);

    invqr_html_add(body, "p", "<script>alert(1)</script> & \"q\" 'a' &amp; &lt;");
    assert_string_equal(body_of(root, p),
                        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"q\" 'a' &amp;amp; "
                        "&amp;lt;</p>");
}

static void test_attribute_escaping(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *el;

    el = invqr_html_add(body, "span", NULL);
    invqr_html_set(el, "title", "\"><script>x</script> & 'y' &amp;");
    invqr_html_set(el, "data-empty", "");
    invqr_html_set(el, "data-null", NULL);
    assert_string_equal(body_of(root, p),
                        "<span title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt; &amp; 'y' "
                        "&amp;amp;\" data-empty=\"\" data-null=\"\"></span>");
}

static void test_url_attributes(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p);

    /* As libxml2 wrote them: leading blanks dropped, bytes a URL may not
     * hold percent-encoded, the rest escaped like any attribute. */
    invqr_html_link(body, " /a b/\xc3\xa0?x=1&y=\"2\"#f", "t");
    invqr_html_set(invqr_html_add(body, "form", NULL), "action", "/v/\"><b>");
    invqr_html_link(body, NULL, "n");
    assert_string_equal(body_of(root, p),
                        "<a href=\"/a%20b/%C3%A0?x=1&amp;y=%222%22#f\">t</a>"
                        "<form action=\"/v/%22&gt;&lt;b&gt;\"></form>\n<a href=\"\">n</a>");
}

static void test_invalid_utf8(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p);

    /* A stray continuation byte, a truncated sequence, an overlong form, a
     * surrogate, a code point above U+10FFFF, a sequence cut by the end. */
    invqr_html_add(body, "p", "a\x80" "b\xc3(c\xc0\xaf" "d\xed\xa0\x80" "e\xf4\x90\x80\x80" "f\xe2\x82");
    invqr_html_set(invqr_html_add(body, "i", NULL), "title", "x\xff" "y");
    assert_string_equal(body_of(root, p),
                        "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd(c\xef\xbf\xbd\xef\xbf\xbd"
                        "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "f\xef\xbf\xbd</p>\n"
                        "<i title=\"x\xef\xbf\xbdy\"></i>");
}

static void test_utf8_and_controls(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p);

    /* Valid UTF-8 is written as it is, never as entities; TAB, LF and CR
     * stay; other controls, DEL and C1 controls become U+FFFD. */
    invqr_html_add(body, "p", "\xc3\xa0\xe2\x82\xac\xf0\x9f\x98\x80 t\tn\nr\r"
                              "\x01\x1f\x7f\xc2\x85.");
    assert_string_equal(body_of(root, p),
                        "<p>\xc3\xa0\xe2\x82\xac\xf0\x9f\x98\x80 t\tn\nr\r"
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.</p>");
}

static void test_empty_and_null_text(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *el;

    el = invqr_html_add(body, "p", "");
    invqr_html_text(el, NULL);
    invqr_html_text(el, "");
    invqr_html_add(body, "p", NULL);
    el = invqr_html_add(body, "span", "a");
    invqr_html_text(el, "b");
    invqr_html_text(el, " c");
    assert_string_equal(body_of(root, p), "<p></p>\n<p></p>\n<span>ab c</span>");
}

static void test_void_elements(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *in;

    in = invqr_html_add(body, "input", "ignored");
    invqr_html_set(in, "type", "text");
    /* A void element takes no children. */
    assert_null(invqr_html_add(in, "b", "x"));
    invqr_html_text(in, "y");
    invqr_html_add(body, "br", NULL);
    invqr_html_add(body, "img", NULL);
    invqr_html_add(body, "hr", NULL);
    invqr_html_add(body, "p", "z");
    assert_string_equal(body_of(root, p),
                        "<input type=\"text\"><br><img><hr>\n<p>z</p>");
}

static void test_attribute_replaced_in_place(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *el;

    el = invqr_html_add(body, "div", NULL);
    assert_ptr_equal(invqr_html_set(el, "class", "a"), el);
    invqr_html_set(el, "id", "i");
    invqr_html_set(el, "class", "b & c");
    invqr_html_set(el, "id", NULL);
    assert_string_equal(body_of(root, p), "<div class=\"b &amp; c\" id=\"\"></div>");
}

static void test_addf(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *el;
    char big[3000];
    const char *out, *b, *e;
    size_t i;

    el = invqr_html_addf(body, "p", "%s=%d <%s>", "n", 42, "&");
    assert_non_null(el);
    assert_string_equal(body_of(root, p), "<p>n=42 &lt;&amp;&gt;</p>");

    /* 1022 ASCII bytes, then two-byte letters: the 1 KiB cap falls inside
     * one, which is left out whole (no U+FFFD in the output). */
    root = NULL;
    body = new_body(&root, p);
    memset(big, 'a', 1022);
    for (i = 1022; i + 2 < sizeof(big); i += 2)
        memcpy(big + i, "\xc3\xa0", 2);
    big[i] = '\0';
    invqr_html_addf(body, "p", "%s", big);
    out = body_of(root, p);
    b = out + strlen("<p>");
    e = strstr(out, "</p>");
    assert_non_null(e);
    assert_int_equal(e - b, 1022);
    assert_null(strstr(out, "\xef\xbf\xbd"));

    /* Exactly at the cap on a boundary: 1023 bytes kept. */
    root = NULL;
    body = new_body(&root, p);
    memset(big, 'a', 1021);
    memcpy(big + 1021, "\xc3\xa0", 2);
    big[1023] = 'b';
    big[1024] = '\0';
    invqr_html_addf(body, "p", "%s", big);
    out = body_of(root, p);
    assert_int_equal(strstr(out, "</p>") - (out + 3), 1023);
}

static void test_remove(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *a, *b, *c;

    a = invqr_html_add(body, "p", "a");
    b = invqr_html_add(body, "div", NULL);
    invqr_html_add(b, "p", "inside");
    c = invqr_html_add(body, "p", "c");
    invqr_html_remove(b);                       /* the middle */
    assert_string_equal(body_of(root, p), "<p>a</p>\n<p>c</p>");
    invqr_html_remove(b);                       /* twice: nothing happens */
    invqr_html_remove(c);                       /* the last: appending goes on */
    invqr_html_add(body, "p", "d");
    assert_string_equal(body_of(root, p), "<p>a</p>\n<p>d</p>");
    invqr_html_remove(a);                       /* the first */
    assert_string_equal(body_of(root, p), "<p>d</p>");
    invqr_html_remove(invqr_html_add(body, "p", "e"));
    invqr_html_remove(root);                    /* the root: nothing happens */
    invqr_html_remove(NULL);
    assert_string_equal(body_of(root, p), "<p>d</p>");
    /* A removed node can still be built on; it is just not on the page. */
    assert_non_null(invqr_html_add(b, "p", "still"));
    assert_null(strstr(render(root, p), "still"));
}

typedef struct {
    const char *seen[8];
    int n;
    apr_pool_t *p;
} collect_t;

static void collect(void *baton, const invqr_el_t *el)
{
    collect_t *c = baton;
    const char *id = invqr_html_get(el, "id");

    if (c->n < 8)
        c->seen[c->n++] = apr_pstrcat(c->p, id != NULL ? id : "-", "=",
                                      invqr_html_text_of(el, c->p), NULL);
}

static void test_reading_the_tree(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *sec, *h;
    collect_t c = { { NULL }, 0, p };

    invqr_html_set(invqr_html_add(body, "h2", "First"), "id", "one");
    sec = invqr_html_add(body, "section", NULL);
    h = invqr_html_add(sec, "h2", "Sec");
    invqr_html_text(h, "ond & <more>");                /* two text nodes, joined raw */
    invqr_html_add(h, "span", "not text of h2");       /* an element child: not its text */
    invqr_html_set(h, "id", "two");
    invqr_html_set(invqr_html_add(invqr_html_add(sec, "div", NULL), "h2", NULL), "class", "x");
    invqr_html_add(body, "h3", "other tag");
    invqr_html_each(root, "h2", collect, &c);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.seen[0], "one=First");
    assert_string_equal(c.seen[1], "two=Second & <more>");
    assert_string_equal(c.seen[2], "-=");
    assert_null(invqr_html_get(h, "class"));
    assert_null(invqr_html_get(NULL, "id"));
    assert_null(invqr_html_text_of(NULL, p));
    c.n = 0;
    invqr_html_each(h, "h2", collect, &c);             /* root itself is not visited */
    invqr_html_each(NULL, "h2", collect, &c);
    assert_int_equal(c.n, 0);
}

static void test_line_breaks_like_libxml2(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p), *ul, *li, *sec;

    /* A block with several element children breaks inside; a list item
     * whose first child is text but last an element breaks only before its
     * end tag; elements libxml2 did not know (section) get no breaks around
     * them; nothing breaks inside a p. */
    ul = invqr_html_add(body, "ul", NULL);
    invqr_html_add(ul, "li", "one");
    li = invqr_html_add(ul, "li", "two ");
    invqr_html_link(li, "/x", "link");
    sec = invqr_html_add(body, "section", NULL);
    invqr_html_add(sec, "h2", "h");
    invqr_html_add(sec, "p", "p");
    li = invqr_html_add(sec, "p", NULL);
    invqr_html_add(li, "strong", "s");
    invqr_html_add(li, "div", "d");
    invqr_html_add(li, "div", "e");
    assert_string_equal(body_of(root, p),
                        "<ul>\n<li>one</li>\n<li>two <a href=\"/x\">link</a>\n</li>\n</ul>\n"
                        "<section><h2>h</h2>\n<p>p</p>\n<p><strong>s</strong><div>d</div>"
                        "<div>e</div></p></section>");
}

static void test_null_contract(void **state)
{
    apr_pool_t *p = *state;
    const char *out = "x";
    apr_size_t len = 7;
    invqr_el_t *root = invqr_html_new("html", p);

    assert_null(invqr_html_new("html", NULL));
    assert_null(invqr_html_new(NULL, p));
    assert_null(invqr_html_add(NULL, "p", "x"));
    assert_null(invqr_html_add(root, NULL, "x"));
    assert_null(invqr_html_addf(NULL, "p", "%d", 1));
    assert_null(invqr_html_addf(root, "p", NULL));
    assert_null(invqr_html_set(NULL, "class", "x"));
    assert_null(invqr_html_set(root, NULL, "x"));
    assert_null(invqr_html_link(NULL, "/", "x"));
    invqr_html_text(NULL, "x");
    invqr_html_remove(NULL);
    assert_int_equal(invqr_html_render(&out, &len, NULL, p), APR_EINVAL);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(invqr_html_render(&out, NULL, root, NULL), APR_EINVAL);
    assert_int_equal(invqr_html_render(NULL, NULL, root, p), APR_EINVAL);
    assert_string_equal(render(root, p), DOCTYPE "<html></html>\n");
}

static void test_big_page_grows_and_is_capped(void **state)
{
    apr_pool_t *p = *state;
    invqr_el_t *root, *body = new_body(&root, p);
    const char *out = NULL;
    apr_size_t len = 0;
    char chunk[1001];
    int i;

    /* Escaping makes the output five times the text: the first buffer,
     * sized from the unescaped tree, must grow. */
    memset(chunk, '&', 1000);
    chunk[1000] = '\0';
    for (i = 0; i < 100; i++)
        invqr_html_add(body, "p", chunk);
    assert_int_equal(invqr_html_render(&out, &len, root, p), APR_SUCCESS);
    assert_int_equal(len, strlen(out));
    assert_true(len > 500000);

    /* Past INVQR_HTML_MAX_OUTPUT: no page at all. */
    for (i = 0; i < 1700; i++)
        invqr_html_add(body, "p", chunk);
    assert_int_equal(invqr_html_render(&out, &len, root, p), APR_ENOMEM);
    assert_null(out);
    assert_int_equal(len, 0);
}


/* ---- property: data never becomes markup -------------------------------- */

/* Pieces random strings are made of: markup, entities, quotes, UTF-8 that
 * is valid or not, controls. */
static const char *const pieces[] = {
    "<", ">", "&", "\"", "'", "=", "/", ";", "#", " ", "a", "Z", "0", "\t", "\n",
    "<script>", "</p>", "</title>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&lt;",
    "&#60;", "&#x3C;", "&quot;", "javascript:", "<a href=x>", "<img src=x onerror=y>",
    "\xc3\xa0", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xc3", "\xed\xa0\x80", "\xff",
    "\x01", "\x7f", "\xc2\x85", "%", "%22", "?", "\\",
};

static uint32_t rng_state = 2463534242u;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static const char *random_string(apr_pool_t *p)
{
    size_t n = rng() % 12, i;
    const char *s = "";

    for (i = 0; i < n; i++)
        s = apr_pstrcat(p, s, pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))], NULL);
    return s;
}

/* The same structure whatever the strings: s[0..7]. */
static invqr_el_t *build(const char *const s[8], apr_pool_t *p)
{
    invqr_el_t *html = invqr_html_new("html", p), *head, *body, *div, *el;

    head = invqr_html_add(html, "head", NULL);
    invqr_html_add(head, "title", s[0]);
    body = invqr_html_add(html, "body", NULL);
    el = invqr_html_set(invqr_html_add(body, "p", s[1]), "title", s[2]);
    invqr_html_set(el, "id", "p1");
    invqr_html_link(body, s[3], s[4]);
    div = invqr_html_add(body, "div", NULL);
    invqr_html_set(invqr_html_add(div, "span", s[5]), "data-x", s[6]);
    invqr_html_set(invqr_html_add(div, "input", NULL), "value", s[7]);
    invqr_html_text(div, s[1]);
    return html;
}

/* Element names and attribute names, in document order. */
static const char *shape(xmlNodePtr n, apr_pool_t *p)
{
    const char *out = "";
    xmlAttrPtr a;

    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        out = apr_pstrcat(p, out, "<", (const char *)n->name, NULL);
        for (a = n->properties; a != NULL; a = a->next)
            out = apr_pstrcat(p, out, " ", (const char *)a->name, NULL);
        out = apr_pstrcat(p, out, ">", shape(n->children, p), "</>", NULL);
    }
    return out;
}

static const char *parsed_shape(const char *html, xmlDocPtr *pdoc, apr_pool_t *p)
{
    xmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                   HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);

    assert_non_null(doc);
    *pdoc = doc;
    return shape(xmlDocGetRootElement(doc), p);
}

/* Whether s reads back unchanged: valid UTF-8 without controls but TAB and
 * LF (the parser turns CR into LF), and not only blanks. */
static int plain_text(const char *s)
{
    const char *c;

    if (invqr_utf8_count_text(s, strlen(s), 1) < 0 || strchr(s, '\r') != NULL)
        return 0;
    for (c = s; *c != '\0'; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n')
            return 1;
    return 0;
}

static void test_random_text_is_never_markup(void **state)
{
    apr_pool_t *p = *state, *it;
    static const char *const x[8] = { "x", "x", "x", "x", "x", "x", "x", "x" };
    const char *reference;
    xmlDocPtr doc;
    int i, j;

    reference = parsed_shape(render(build(x, p), p), &doc, p);
    xmlFreeDoc(doc);
    assert_int_equal(apr_pool_create(&it, p), APR_SUCCESS);
    for (i = 0; i < 3000; i++) {
        const char *s[8], *html;
        xmlNodePtr el;
        xmlChar *got;

        for (j = 0; j < 8; j++)
            s[j] = random_string(it);
        html = render(build(s, it), it);
        assert_string_equal(parsed_shape(html, &doc, it), reference);
        /* The title attribute of the first p reads back as given. */
        el = xmlDocGetRootElement(doc)->children;
        while (el != NULL && !(el->type == XML_ELEMENT_NODE && xmlStrEqual(el->name, BAD_CAST "body")))
            el = el->next;
        assert_non_null(el);
        el = el->children;
        while (el != NULL && el->type != XML_ELEMENT_NODE)
            el = el->next;
        assert_non_null(el);
        if (plain_text(s[2])) {
            got = xmlGetProp(el, BAD_CAST "title");
            assert_string_equal((const char *)got, s[2]);
            xmlFree(got);
        }
        if (plain_text(s[1])) {
            got = xmlNodeGetContent(el);
            assert_string_equal((const char *)got, s[1]);
            xmlFree(got);
        }
        xmlFreeDoc(doc);
        apr_pool_clear(it);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attribute_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_and_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_null_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_void_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attribute_replaced_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reading_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_breaks_like_libxml2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_page_grows_and_is_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_text_is_never_markup, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
