/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the HTML helpers, the page layout, the error pages
 * and the home page.
 *
 * Pages are rendered to text and read back with libxml2's HTML parser, then
 * checked with XPath: doctype, language, one charset, skip link first, the
 * landmarks, the language switch, the CSRF field, escaping of anything a
 * person or an attacker could put in a title, a name or a detail, every
 * error status in both languages, and the home page's headings and links.
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
#include <libxml/xmlstring.h>
#include <libxml/xpath.h>

#include "invqr_home.h"
#include "invqr_html.h"
#include "invqr_i18n.h"
#include "invqr_page.h"

#define EVIL "<script>alert(1)</script> & \"x\" 'y' &amp;"
#define EVIL_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\" 'y' &amp;amp;"

static const int error_statuses[] = { 400, 401, 403, 404, 405, 410, 413, 422, 429, 500, 503 };

typedef struct {
    apr_pool_t *pool;
    const char *html;           /* rendered text */
    apr_size_t len;
    htmlDocPtr doc;             /* parsed back */
    xmlXPathContextPtr xp;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL || apr_pool_create(&f->pool, NULL) != APR_SUCCESS)
        return -1;
    *state = f;
    return 0;
}

static void unparse(fixture_t *f)
{
    if (f->xp != NULL)
        xmlXPathFreeContext(f->xp);
    if (f->doc != NULL)
        xmlFreeDoc(f->doc);
    f->xp = NULL;
    f->doc = NULL;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    unparse(f);
    apr_pool_destroy(f->pool);
    free(f);
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

/* Render pg and parse the text back. */
static void render(fixture_t *f, invqr_page_t *pg)
{
    apr_status_t rv;

    unparse(f);
    assert_non_null(pg);
    rv = invqr_page_render(&f->html, &f->len, pg, f->pool);
    assert_int_equal(rv, APR_SUCCESS);
    assert_non_null(f->html);
    assert_int_equal(strlen(f->html), f->len);
    f->doc = htmlReadMemory(f->html, (int)f->len, NULL, "UTF-8",
                            HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    assert_non_null(f->doc);
    f->xp = xmlXPathNewContext(f->doc);
    assert_non_null(f->xp);
}

static double xp_number(fixture_t *f, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, f->xp);
    double d;

    if (o == NULL)
        fail_msg("bad XPath %s", expr);
    d = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return d;
}

static int xp_count(fixture_t *f, const char *expr)
{
    double n = xp_number(f, apr_psprintf(f->pool, "count(%s)", expr));

    return (int)n;
}

/* The string value of expr, copied to the pool. */
static const char *xp_string(fixture_t *f, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, f->xp);
    xmlChar *s;
    const char *out;

    if (o == NULL)
        fail_msg("bad XPath %s", expr);
    s = xmlXPathCastToString(o);
    out = apr_pstrdup(f->pool, (const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    return out;
}

static int count_substr(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static invqr_page_ctx_t ctx_of(invqr_lang_t lang)
{
    invqr_page_ctx_t c;

    memset(&c, 0, sizeof(c));
    c.lang = lang;
    c.base = "";
    c.path = "/";
    return c;
}

/* What every page must satisfy, whatever its content. */
static void check_layout(fixture_t *f, invqr_lang_t lang)
{
    const char *tag = invqr_lang_tag(lang);
    const char *first;

    assert_true(strncmp(f->html, "<!DOCTYPE html>\n", 16) == 0);
    assert_int_equal(count_substr(f->html, "<!DOCTYPE"), 1);
    assert_string_equal(xp_string(f, "/html/@lang"), tag);
    /* Exactly one charset declaration, and it is the <meta charset>. */
    assert_int_equal(count_substr(f->html, "charset"), 1);
    assert_int_equal(xp_count(f, "/html/head/meta[@charset='utf-8']"), 1);
    assert_int_equal(xp_count(f, "//meta[@http-equiv]"), 0);
    assert_int_equal(xp_count(f, "/html/head/meta[@name='viewport'"
                                 " and @content='width=device-width, initial-scale=1']"), 1);
    assert_int_equal(xp_count(f, "/html/head/title"), 1);
    assert_int_equal(xp_count(f, "/html/head/link[@rel='stylesheet']"), 1);
    /* No script, no inline style: the CSP allows neither. */
    assert_int_equal(xp_count(f, "//script | //style | //*[@style] | //@*[starts-with(name(), 'on')]"), 0);
    assert_null(strstr(f->html, "<script"));
    assert_null(strstr(f->html, "javascript:"));
    /* The skip link is the first focusable element and leads to main. */
    first = "(//body//*[self::a[@href] or self::button or self::select or self::textarea"
            " or self::input[not(@type='hidden')] or (@tabindex and @tabindex != '-1')])[1]";
    assert_string_equal(xp_string(f, apr_pstrcat(f->pool, first, "/@href", NULL)), "#main");
    assert_string_equal(xp_string(f, apr_pstrcat(f->pool, first, "/@class", NULL)), "skip-link");
    assert_string_equal(xp_string(f, apr_pstrcat(f->pool, first, NULL)),
                        invqr_msg(lang, INVQR_MSG_SKIP_TO_CONTENT));
    assert_int_equal(xp_count(f, "//main"), 1);
    assert_int_equal(xp_count(f, "/html/body/main[@id='main' and @tabindex='-1']"), 1);
    assert_int_equal(xp_count(f, "/html/body/header"), 1);
    assert_int_equal(xp_count(f, "/html/body/footer"), 1);
    /* Ids are unique; every link has an href and words. */
    assert_int_equal(xp_count(f, "//*[@id][@id = preceding::*/@id]"), 0);
    assert_int_equal(xp_count(f, "//a[not(@href) or normalize-space(.) = '']"), 0);
    /* Every nav is named (by aria-label, or by an element of the page),
     * and no two by the same words. */
    assert_int_equal(xp_count(f, "//nav[not(normalize-space(@aria-label) != ''"
                                 " or @aria-labelledby = //*/@id)]"), 0);
    assert_int_equal(xp_count(f, "//nav[@aria-label = preceding::nav/@aria-label]"), 0);
}

/* Headings start at one h1 and never skip a level going down. */
static void check_headings(fixture_t *f)
{
    int n = xp_count(f, "//main//*[self::h1 or self::h2 or self::h3 or self::h4"
                        " or self::h5 or self::h6]");
    int i, prev = 0;

    assert_true(n >= 1);
    assert_int_equal(xp_count(f, "//h1"), 1);
    for (i = 1; i <= n; i++) {
        const char *name = xp_string(f, apr_psprintf(f->pool,
            "name((//main//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5"
            " or self::h6])[%d])", i));
        int level = name[1] - '0';

        if (i == 1)
            assert_int_equal(level, 1);
        else
            assert_true(level <= prev + 1);
        assert_true(strlen(xp_string(f, apr_psprintf(f->pool,
            "normalize-space((//main//*[self::h1 or self::h2 or self::h3 or self::h4"
            " or self::h5 or self::h6])[%d])", i))) > 0);
        prev = level;
    }
}

/* ---- helpers ---- */

static void test_html_helpers_escape(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);
    invqr_page_t *pg = invqr_page_new(&c, "T", f->pool);
    invqr_el_t *main = invqr_page_main(pg), *el;

    el = invqr_html_add(main, "p", EVIL);
    assert_non_null(el);
    invqr_html_set(el, "id", "evil");
    invqr_html_set(el, "title", EVIL);
    invqr_html_text(el, " tail");
    invqr_html_link(main, "/x?a=1&b=\"2\"", EVIL);
    invqr_html_set(invqr_html_addf(main, "p", "[%s|%d]", EVIL, 7), "id", "fmt");
    render(f, pg);
    assert_null(strstr(f->html, "<script>"));
    assert_non_null(strstr(f->html, EVIL_ESCAPED " tail"));
    assert_string_equal(xp_string(f, "//p[@id='evil']"), EVIL " tail");
    assert_string_equal(xp_string(f, "//p[@id='evil']/@title"), EVIL);
    assert_string_equal(xp_string(f, "//main/a"), EVIL);
    assert_int_equal(xp_count(f, "//main/a[contains(@href, '/x?a=1&b=')]"), 1);
    assert_null(strstr(f->html, "b=\"2"));
    assert_string_equal(xp_string(f, "//p[@id='fmt']"), "[" EVIL "|7]");
    assert_non_null(strstr(f->html, "[" EVIL_ESCAPED "|7]"));
}

static void test_html_helpers_null(void **state)
{
    (void)state;
    assert_null(invqr_html_add(NULL, "p", "x"));
    assert_null(invqr_html_addf(NULL, "p", "%d", 1));
    assert_null(invqr_html_set(NULL, "class", "x"));
    assert_null(invqr_html_link(NULL, "/", "x"));
    invqr_html_text(NULL, "x");
}

static void test_html_addf_cap(void **state)
{
    fixture_t *f = *state;
    invqr_page_t *pg = invqr_page_new(NULL, NULL, f->pool);
    char big[3000];
    const char *text;
    size_t i;

    /* 1022 ASCII bytes, then two-byte letters: the cap falls inside one. */
    memset(big, 'a', 1022);
    for (i = 1022; i + 2 < sizeof(big); i += 2)
        memcpy(big + i, "\xc3\xa0", 2);
    big[i] = '\0';
    invqr_html_set(invqr_html_addf(invqr_page_main(pg), "p", "%s", big), "id", "big");
    render(f, pg);
    text = xp_string(f, "//p[@id='big']");
    assert_true(strlen(text) <= 1023);
    assert_true(strlen(text) >= 1020);
    assert_true(xmlCheckUTF8((const xmlChar *)text));
}

/* ---- layout ---- */

static void test_layout_both_languages(void **state)
{
    fixture_t *f = *state;
    int l;

    for (l = INVQR_LANG_IT; l < INVQR_LANG__COUNT; l++) {
        invqr_page_ctx_t c = ctx_of((invqr_lang_t)l);
        invqr_page_t *pg = invqr_page_new(&c, "Prova", f->pool);

        invqr_html_add(invqr_page_main(pg), "h1", "Prova");
        render(f, pg);
        check_layout(f, (invqr_lang_t)l);
        check_headings(f);
        assert_string_equal(xp_string(f, "/html/head/title"),
                            apr_pstrcat(f->pool, "Prova - ",
                                        invqr_msg((invqr_lang_t)l, INVQR_MSG_SERVICE_NAME), NULL));
        assert_string_equal(xp_string(f, "/html/head/link/@href"), "/static/invqr.css");
        /* The service name in the header leads home. */
        assert_int_equal(xp_count(f, "//header//p[@class='site-name']/a[@href='/']"), 1);
        assert_string_equal(xp_string(f, "//header//p[@class='site-name']/a[@href='/']"),
                            invqr_msg((invqr_lang_t)l, INVQR_MSG_SERVICE_NAME));
        /* Nothing signed in, no operator's guide, no form. */
        assert_int_equal(xp_count(f, "//*[@class='who']"), 0);
        assert_int_equal(xp_count(f, "//a[contains(@href, '/operator/help')]"), 0);
        assert_int_equal(xp_count(f, "//form | //input"), 0);
    }
}

static void test_layout_nav_and_base(void **state)
{
    fixture_t *f = *state;
    static const char *const hrefs[] = {
        "/invqr/", "/invqr/verify", "/invqr/benefits", "/invqr/citizen", "/invqr/operator"
    };
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_EN);
    invqr_page_t *pg;
    size_t i;

    c.base = "/invqr/";         /* a trailing slash is tolerated */
    c.path = "/verify";
    pg = invqr_page_new(&c, "Verify", f->pool);
    assert_string_equal(invqr_page_url(pg, "/verify"), "/invqr/verify");
    assert_string_equal(invqr_page_url(pg, NULL), "/invqr/");
    assert_string_equal(invqr_page_ctx(pg)->base, "/invqr");
    assert_string_equal(invqr_page_ctx(pg)->path, "/verify");
    assert_int_equal(invqr_page_ctx(pg)->lang, INVQR_LANG_EN);
    assert_string_equal(invqr_page_msg(pg, INVQR_MSG_NAV_HOME), "Home");
    render(f, pg);
    check_layout(f, INVQR_LANG_EN);
    assert_string_equal(xp_string(f, "/html/head/link/@href"), "/invqr/static/invqr.css");
    assert_string_equal(xp_string(f, "//nav[@class='site-nav']/@aria-label"),
                        invqr_msg(INVQR_LANG_EN, INVQR_MSG_NAV_LABEL));
    assert_int_equal(xp_count(f, "//nav[@class='site-nav']//a"), 5);
    for (i = 0; i < 5; i++)
        assert_string_equal(xp_string(f, apr_psprintf(f->pool,
                            "(//nav[@class='site-nav']//a)[%d]/@href", (int)i + 1)), hrefs[i]);
    /* The current page is marked, and only it. */
    assert_int_equal(xp_count(f, "//nav[@class='site-nav']//a[@aria-current]"), 1);
    assert_string_equal(xp_string(f, "//nav[@class='site-nav']//a[@aria-current='page']/@href"),
                        "/invqr/verify");
}

static void test_layout_nav_section(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);

    c.path = "/operator/login";
    render(f, invqr_page_new(&c, "Accesso", f->pool));
    assert_string_equal(xp_string(f, "//nav[@class='site-nav']//a[@aria-current='true']/@href"),
                        "/operator");
    assert_int_equal(xp_count(f, "//nav[@class='site-nav']//a[@aria-current='page']"), 0);
}

static void test_layout_lang_switch(void **state)
{
    fixture_t *f = *state;
    int l;

    for (l = INVQR_LANG_IT; l < INVQR_LANG__COUNT; l++) {
        invqr_page_ctx_t c = ctx_of((invqr_lang_t)l);
        const char *cur = invqr_lang_tag((invqr_lang_t)l);
        const char *other = invqr_lang_tag((invqr_lang_t)((l + 1) % INVQR_LANG__COUNT));

        c.base = "/b";
        c.path = "/v/ABCDEFGHJKMNPQRSTVWX";
        render(f, invqr_page_new(&c, NULL, f->pool));
        assert_int_equal(xp_count(f, "//nav[@class='lang-switch']//a"), 3);
        assert_int_equal(xp_count(f, "//nav[@class='lang-switch']//a[@href='/b/v/ABCDEFGHJKMNPQRSTVWX?lang=de'"
                                     " and @hreflang='de' and @lang='de']"), 1);
        assert_string_equal(xp_string(f, "//nav[@class='lang-switch']//a[@lang='de']"), "Deutsch");
        assert_int_equal(xp_count(f, "//nav[@class='lang-switch']//a[@href='/b/v/ABCDEFGHJKMNPQRSTVWX?lang=it'"
                                     " and @hreflang='it' and @lang='it']"), 1);
        assert_int_equal(xp_count(f, "//nav[@class='lang-switch']//a[@href='/b/v/ABCDEFGHJKMNPQRSTVWX?lang=en'"
                                     " and @hreflang='en' and @lang='en']"), 1);
        assert_int_equal(xp_count(f, apr_psprintf(f->pool,
                         "//nav[@class='lang-switch']//a[@hreflang='%s' and @aria-current='true']", cur)), 1);
        assert_int_equal(xp_count(f, apr_psprintf(f->pool,
                         "//nav[@class='lang-switch']//a[@hreflang='%s' and @aria-current]", other)), 0);
        assert_string_equal(xp_string(f, "//nav[@class='lang-switch']//a[@lang='en']"), "English");
        assert_string_equal(xp_string(f, "//nav[@class='lang-switch']//a[@lang='it']"), "Italiano");
        /* No title given: the service name alone. */
        assert_string_equal(xp_string(f, "/html/head/title"),
                            invqr_msg((invqr_lang_t)l, INVQR_MSG_SERVICE_NAME));
    }
}

static void test_layout_null_ctx(void **state)
{
    fixture_t *f = *state;
    invqr_page_t *pg = invqr_page_new(NULL, "", f->pool);

    assert_non_null(pg);
    assert_string_equal(invqr_page_url(pg, "/verify"), "/verify");
    render(f, pg);
    check_layout(f, INVQR_LANG_IT);
    assert_string_equal(xp_string(f, "//nav[@class='lang-switch']//a[@lang='en']/@href"),
                        "/?lang=en");
}

static void test_layout_who_and_operator(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);
    char who[64];
    invqr_page_t *pg;

    /* The context's strings are copied: the caller's buffer may go away. */
    strcpy(who, "Mario Rossi (Comune di Roma)");
    c.who = who;
    c.operator_area = 1;
    c.path = "/operator";
    pg = invqr_page_new(&c, "Area operatori", f->pool);
    strcpy(who, "overwritten");
    render(f, pg);
    check_layout(f, INVQR_LANG_IT);
    assert_int_equal(xp_count(f, "//header//p[@class='who']"), 1);
    assert_string_equal(xp_string(f, "//header//p[@class='who']"),
                        "Accesso effettuato come: Mario Rossi (Comune di Roma)");
    assert_string_equal(xp_string(f, "//footer//a[@href='/operator/help']"),
                        "Guida per gli operatori");
}

static void test_escaping_title_who_detail(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_EN);
    invqr_page_t *pg;

    c.who = EVIL;
    c.path = "/v/\"><script>alert(2)</script>";
    c.csrf = "\"><script>alert(3)</script>&amp;";
    pg = invqr_page_new(&c, EVIL, f->pool);
    invqr_page_post_form(pg, invqr_page_main(pg), "/verify");
    render(f, pg);
    check_layout(f, INVQR_LANG_EN);
    assert_null(strstr(f->html, "<script"));
    assert_int_equal(xp_count(f, "//script"), 0);
    assert_string_equal(xp_string(f, "/html/head/title"),
                        apr_pstrcat(f->pool, EVIL, " - ",
                                    invqr_msg(INVQR_LANG_EN, INVQR_MSG_SERVICE_NAME), NULL));
    assert_string_equal(xp_string(f, "//p[@class='who']/strong"), EVIL);
    assert_string_equal(xp_string(f, "//input[@name='csrf']/@value"),
                        "\"><script>alert(3)</script>&amp;");
    assert_non_null(strstr(f->html, EVIL_ESCAPED));

    /* The same through an error page's detail. */
    c.who = NULL;
    c.csrf = NULL;
    render(f, invqr_page_error(&c, 422, EVIL, f->pool));
    assert_null(strstr(f->html, "<script"));
    assert_string_equal(xp_string(f, "//main//p[@class='detail']"), EVIL);
    assert_non_null(strstr(f->html, EVIL_ESCAPED));
}

static void test_post_form_csrf(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);
    invqr_page_t *pg;
    invqr_el_t *form;

    c.base = "/invqr";
    c.csrf = "tok-123_ABC";
    pg = invqr_page_new(&c, "Modulo", f->pool);
    form = invqr_page_post_form(pg, invqr_page_main(pg), "/citizen/qr");
    assert_non_null(form);
    invqr_html_set(invqr_html_add(form, "button", "Genera"), "type", "submit");
    render(f, pg);
    check_layout(f, INVQR_LANG_IT);
    assert_int_equal(xp_count(f, "//form"), 1);
    assert_string_equal(xp_string(f, "//form/@method"), "post");
    assert_string_equal(xp_string(f, "//form/@action"), "/invqr/citizen/qr");
    assert_int_equal(xp_count(f, "//form/input[@type='hidden' and @name='csrf'"
                                 " and @value='tok-123_ABC']"), 1);

    /* Without a token there is no csrf field at all. */
    c.csrf = NULL;
    pg = invqr_page_new(&c, "Modulo", f->pool);
    assert_non_null(invqr_page_post_form(pg, invqr_page_main(pg), "/verify"));
    render(f, pg);
    assert_int_equal(xp_count(f, "//form"), 1);
    assert_string_equal(xp_string(f, "//form/@action"), "/invqr/verify");
    assert_int_equal(xp_count(f, "//input"), 0);
    assert_null(strstr(f->html, "csrf"));
    assert_null(invqr_page_post_form(pg, NULL, "/verify"));
}

/* An "On this page" list: every h2 with an id in main, in order, after the
 * page is built; none on a page with fewer than the minimum. */
static void test_contents(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_EN);
    invqr_page_t *pg;
    invqr_el_t *main, *contents, *sec;
    int i;

    pg = invqr_page_new(&c, "Long", f->pool);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", "Long");
    contents = invqr_page_contents(pg, main);
    invqr_html_set(invqr_html_add(main, "h2", "First <one>"), "id", "a");
    invqr_html_add(main, "h2", "No id: not listed");
    sec = invqr_html_add(main, "section", NULL);
    invqr_html_set(invqr_html_add(sec, "h2", "Nested"), "id", "b");
    invqr_html_set(invqr_html_add(main, "h2", "Third"), "id", "c");
    invqr_page_contents_fill(pg, contents, 3);
    render(f, pg);
    check_layout(f, INVQR_LANG_EN);
    assert_int_equal(xp_count(f, "//main/nav[@class='page-contents'"
                                 " and @aria-labelledby='page-contents']"), 1);
    assert_string_equal(xp_string(f, "//nav[@class='page-contents']/details/summary/span[@id='page-contents']"),
                        "On this page");
    assert_int_equal(xp_count(f, "//nav[@class='page-contents']//a"), 3);
    assert_string_equal(xp_string(f, "(//nav[@class='page-contents']//a)[1]/@href"), "#a");
    assert_string_equal(xp_string(f, "(//nav[@class='page-contents']//a)[1]"), "First <one>");
    assert_string_equal(xp_string(f, "(//nav[@class='page-contents']//a)[2]/@href"), "#b");
    assert_string_equal(xp_string(f, "(//nav[@class='page-contents']//a)[3]"), "Third");
    /* the list stands where it was asked for: before the first h2 */
    assert_int_equal(xp_count(f, "//main/nav[@class='page-contents']/following::h2[@id='a']"), 1);

    /* below the minimum, or with no heading at all: no list, no empty landmark */
    for (i = 0; i < 2; i++) {
        pg = invqr_page_new(&c, "Short", f->pool);
        main = invqr_page_main(pg);
        contents = invqr_page_contents(pg, main);
        if (i == 0)
            invqr_html_set(invqr_html_add(main, "h2", "Only"), "id", "only");
        invqr_page_contents_fill(pg, contents, i == 0 ? 2 : 0);
        render(f, pg);
        assert_int_equal(xp_count(f, "//nav[@class='page-contents']"), 0);
        assert_null(strstr(f->html, "page-contents"));
    }
    invqr_page_contents_fill(NULL, contents, 1);
    invqr_page_contents_fill(pg, NULL, 1);
    assert_null(invqr_page_contents(pg, NULL));
}

/* ---- error pages ---- */

static invqr_msg_t error_title(int status)
{
    switch (status) {
    case 400: return INVQR_MSG_ERROR_400_TITLE;
    case 401: return INVQR_MSG_ERROR_401_TITLE;
    case 403: return INVQR_MSG_ERROR_403_TITLE;
    case 404: return INVQR_MSG_ERROR_404_TITLE;
    case 405: return INVQR_MSG_ERROR_405_TITLE;
    case 410: return INVQR_MSG_ERROR_410_TITLE;
    case 413: return INVQR_MSG_ERROR_413_TITLE;
    case 422: return INVQR_MSG_ERROR_422_TITLE;
    case 429: return INVQR_MSG_ERROR_429_TITLE;
    case 503: return INVQR_MSG_ERROR_503_TITLE;
    default: return INVQR_MSG_ERROR_500_TITLE;
    }
}

static void test_error_pages_all(void **state)
{
    fixture_t *f = *state;
    size_t i;
    int l;

    for (l = INVQR_LANG_IT; l < INVQR_LANG__COUNT; l++) {
        for (i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]); i++) {
            int st = error_statuses[i];
            invqr_page_ctx_t c = ctx_of((invqr_lang_t)l);
            const char *h1 = invqr_msg((invqr_lang_t)l, error_title(st));

            c.path = "/verify";
            render(f, invqr_page_error(&c, st, NULL, f->pool));
            check_layout(f, (invqr_lang_t)l);
            check_headings(f);
            assert_string_equal(xp_string(f, "//main/@data-status"),
                                apr_psprintf(f->pool, "%d", st));
            assert_string_equal(xp_string(f, "//main/h1"), h1);
            assert_string_equal(xp_string(f, "/html/head/title"),
                                apr_pstrcat(f->pool, h1, " - ",
                                            invqr_msg((invqr_lang_t)l, INVQR_MSG_SERVICE_NAME),
                                            NULL));
            /* What to do next, the status number, and a way home. */
            assert_int_equal(xp_count(f, "//main//div[contains(@class, 'alert')]/p"), 1);
            assert_true(strlen(xp_string(f, "//main//div[contains(@class, 'alert')]/p")) > 20);
            assert_int_equal(xp_count(f, "//main//p[@class='detail']"), 0);
            assert_non_null(strstr(xp_string(f, "//main//p[@class='error-code']"),
                                   apr_psprintf(f->pool, "%d", st)));
            assert_string_equal(xp_string(f, "//main//a[@href='/']"),
                                invqr_msg((invqr_lang_t)l, INVQR_MSG_ERROR_BACK_HOME));
        }
    }
}

static void test_error_page_texts(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_EN);

    c.path = "/v/ABCDEFGHJKMNPQRSTVWX";
    render(f, invqr_page_error(&c, 422, "Check the last character.", f->pool));
    assert_string_equal(xp_string(f, "//main//p[@class='detail']"), "Check the last character.");
    assert_non_null(strstr(f->html, "health card"));
    assert_int_equal(xp_count(f, "//main//a[@href='/v/ABCDEFGHJKMNPQRSTVWX']"), 1);
    assert_int_equal(xp_count(f, "//main//a[@href='/verify']"), 1);

    render(f, invqr_page_error(&c, 410, NULL, f->pool));
    assert_non_null(strstr(f->html, "current QR code"));

    render(f, invqr_page_error(&c, 429, NULL, f->pool));
    assert_non_null(strstr(f->html, "Wait a few minutes"));

    c.lang = INVQR_LANG_IT;
    render(f, invqr_page_error(&c, 404, "", f->pool));
    assert_string_equal(xp_string(f, "//main/h1"), "Codice non trovato");
    assert_non_null(strstr(f->html, "Controlli il codice"));
    assert_int_equal(xp_count(f, "//main//a[@href='/verify']"), 1);
    assert_int_equal(xp_count(f, "//main//p[@class='detail']"), 0);
    /* A 404 does not offer to load the same missing page again. */
    assert_int_equal(xp_count(f, "//main//a[@href='/v/ABCDEFGHJKMNPQRSTVWX']"), 0);

    /* Any other missing address is a page, not a code. */
    c.path = "/cittadino";
    c.lang = INVQR_LANG_DE;
    render(f, invqr_page_error(&c, 404, NULL, f->pool));
    assert_string_equal(xp_string(f, "/html/@lang"), "de");
    assert_string_equal(xp_string(f, "//main/h1"), "Seite nicht gefunden");
    assert_null(strstr(xp_string(f, "//main"), "QR"));
    assert_int_equal(xp_count(f, "//main//a[@href='/verify']"), 0);
    /* The status is the last thing in main, after the ways out. */
    assert_int_equal(xp_count(f, "//main/*[last()][@class='error-code']"), 1);
    c.lang = INVQR_LANG_IT;

    render(f, invqr_page_error(&c, 401, NULL, f->pool));
    assert_int_equal(xp_count(f, "//main//a[@href='/citizen']"), 1);
    c.operator_area = 1;
    render(f, invqr_page_error(&c, 401, NULL, f->pool));
    assert_int_equal(xp_count(f, "//main//a[@href='/operator/login']"), 1);
}

static void test_error_page_unknown_status(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);

    render(f, invqr_page_error(&c, 418, NULL, f->pool));
    assert_string_equal(xp_string(f, "//main/@data-status"), "418");
    assert_string_equal(xp_string(f, "//main/h1"), invqr_msg(INVQR_LANG_IT, INVQR_MSG_ERROR_400_TITLE));
    render(f, invqr_page_error(&c, 502, NULL, f->pool));
    assert_string_equal(xp_string(f, "//main/@data-status"), "502");
    assert_string_equal(xp_string(f, "//main/h1"), invqr_msg(INVQR_LANG_IT, INVQR_MSG_ERROR_500_TITLE));
    render(f, invqr_page_error(&c, 200, NULL, f->pool));
    assert_string_equal(xp_string(f, "//main/@data-status"), "500");
    render(f, invqr_page_error(NULL, -1, NULL, f->pool));
    assert_string_equal(xp_string(f, "//main/@data-status"), "500");
    check_layout(f, INVQR_LANG_IT);
}

/* ---- home page ---- */

static void test_home_page(void **state)
{
    fixture_t *f = *state;
    static const char *const must_link[] = {
        "/verify", "/citizen", "/operator", "/benefits"
    };
    size_t i;
    int l;

    for (l = INVQR_LANG_IT; l < INVQR_LANG__COUNT; l++) {
        invqr_page_ctx_t c = ctx_of((invqr_lang_t)l);

        render(f, invqr_home_page(&c, f->pool));
        check_layout(f, (invqr_lang_t)l);
        check_headings(f);
        assert_string_equal(xp_string(f, "//main/h1"), invqr_msg((invqr_lang_t)l, INVQR_MSG_HOME_H1));
        assert_true(xp_count(f, "//main//h2") >= 3);
        for (i = 0; i < sizeof(must_link) / sizeof(must_link[0]); i++)
            assert_true(xp_count(f, apr_psprintf(f->pool, "//main//a[@href='%s']",
                                                 must_link[i])) >= 1);
        /* The six first-level categories are listed for the citizen. */
        assert_int_equal(xp_count(f, apr_psprintf(f->pool, "//main//li[. = '%s']",
                         invqr_msg((invqr_lang_t)l, INVQR_MSG_FIELD_CIVIL_BLINDNESS))), 1);
        assert_int_equal(xp_count(f, apr_psprintf(f->pool, "//main//li[. = '%s']",
                         invqr_msg((invqr_lang_t)l, INVQR_MSG_FIELD_DEAFNESS))), 1);
        assert_string_equal(xp_string(f, "//nav[@class='site-nav']//a[@aria-current='page']/@href"), "/");
        assert_string_equal(xp_string(f, "/html/head/title"),
                            apr_pstrcat(f->pool, invqr_msg((invqr_lang_t)l, INVQR_MSG_NAV_HOME),
                                        " - ", invqr_msg((invqr_lang_t)l, INVQR_MSG_SERVICE_NAME),
                                        NULL));
    }
    /* The last one rendered is German. */
    assert_non_null(strstr(f->html, "Gesundheitskarte"));
    assert_non_null(strstr(f->html, "SMS"));
}

static void test_home_page_utf8(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);

    render(f, invqr_home_page(&c, f->pool));
    /* Accented letters are written as UTF-8, not as entities. */
    assert_non_null(strstr(f->html, "invalidità"));
    assert_null(strstr(f->html, "&agrave;"));
    assert_true(xmlCheckUTF8((const xmlChar *)f->html));
}

static void test_render_bad_args(void **state)
{
    fixture_t *f = *state;
    const char *out = "x";
    apr_size_t len = 9;

    assert_int_equal(invqr_page_render(&out, &len, NULL, f->pool), APR_EINVAL);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_null(invqr_page_new(NULL, "x", NULL));
    assert_null(invqr_page_main(NULL));
    assert_null(invqr_page_ctx(NULL));
}

/* A page lives entirely in its pool: destroying the pool leaves nothing
 * behind (ASan would see a leak), and text rendered into another pool
 * outlives it. */
static void test_pool_frees_doc(void **state)
{
    fixture_t *f = *state;
    apr_pool_t *sub;
    const char *out;
    int i;

    for (i = 0; i < 20; i++) {
        invqr_page_ctx_t c = ctx_of((invqr_lang_t)(i % 2));

        assert_int_equal(apr_pool_create(&sub, f->pool), APR_SUCCESS);
        assert_non_null(invqr_page_error(&c, error_statuses[i % 11], "d", sub));
        assert_non_null(invqr_home_page(&c, sub));
        /* Render into the outer pool: the text outlives the page. */
        assert_int_equal(invqr_page_render(&out, NULL, invqr_home_page(&c, sub), f->pool),
                         APR_SUCCESS);
        apr_pool_destroy(sub);
        assert_non_null(strstr(out, "</html>"));
    }
}

static void test_page_date(void **state)
{
    fixture_t *f = *state;
    invqr_page_ctx_t c = ctx_of(INVQR_LANG_IT);
    invqr_page_t *pg = invqr_page_new(&c, NULL, f->pool);

    invqr_page_date(pg, invqr_page_main(pg), "2026-12-07");
    invqr_page_date(pg, invqr_page_main(pg), "2026-12-07 09:05");
    invqr_page_date(pg, invqr_page_main(pg), "----------");
    invqr_page_date(pg, invqr_page_main(pg), "2026-12-7");
    render(f, pg);
    assert_string_equal(xp_string(f, "//main/time[1]"), "07/12/2026");
    assert_string_equal(xp_string(f, "//main/time[1]/@datetime"), "2026-12-07");
    assert_string_equal(xp_string(f, "//main/time[2]"), "07/12/2026 09:05");
    assert_string_equal(xp_string(f, "//main/time[2]/@datetime"), "2026-12-07T09:05");
    /* what is not a date is shown as it is, with no datetime */
    assert_string_equal(xp_string(f, "//main/time[3]"), "----------");
    assert_int_equal(xp_count(f, "//main/time[3]/@datetime"), 0);
    assert_string_equal(xp_string(f, "//main/time[4]"), "2026-12-7");

    c.lang = INVQR_LANG_DE;
    pg = invqr_page_new(&c, NULL, f->pool);
    invqr_page_date(pg, invqr_page_main(pg), "2026-01-31");
    render(f, pg);
    assert_string_equal(xp_string(f, "//main/time"), "31.01.2026");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_page_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_helpers_escape, setup, teardown),
        cmocka_unit_test(test_html_helpers_null),
        cmocka_unit_test_setup_teardown(test_html_addf_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_both_languages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_nav_and_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_nav_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_lang_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_null_ctx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_who_and_operator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping_title_who_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_form_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_pages_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_page_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_page_unknown_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_page_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_bad_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_frees_doc, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
