/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the one page layout, the error pages and the serializer.
 *
 * Builds the skeleton every invqr page shares: <!DOCTYPE html>, <html lang>,
 * one <meta charset="utf-8">, viewport, title, the stylesheet, a skip link,
 * a header with the administration's name, the language switch, the
 * signed-in line, its logo and the service name and the main navigation
 * (a disclosure on narrow screens), <main id="main">, and a footer with the
 * administration's links (invqr.conf). There is no
 * inline script or style anywhere (the Content-Security-Policy forbids
 * them). The tree (invqr_html.h) lives in the pool the page was made from,
 * with nothing to free. invqr_page_render() writes it as UTF-8 HTML with
 * invqr_html_render(), which escapes every text node and attribute value.
 */
#include <string.h>

#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_html.h"
#include "invqr_i18n.h"
#include "invqr_page.h"

struct invqr_page_t {
    apr_pool_t *pool;
    invqr_page_ctx_t ctx;       /* strings copied into pool */
    invqr_el_t *root;           /* <html> */
    invqr_el_t *main;
};

/* The main navigation, in order: path below base and label. */
static const struct {
    const char *rel;
    invqr_msg_t label;
} nav_items[] = {
    { "/", INVQR_MSG_NAV_HOME },
    { "/verify", INVQR_MSG_NAV_VERIFY },
    { "/benefits", INVQR_MSG_NAV_BENEFITS },
    { "/citizen", INVQR_MSG_NAV_CITIZEN },
    { "/operator", INVQR_MSG_NAV_OPERATOR },
};

/* What each error page says, and which way out it offers. */
enum {
    WAY_TRY_AGAIN = 1,          /* link to this page's path again */
    WAY_VERIFY = 2,             /* link to /verify */
    WAY_SIGN_IN = 4             /* link to the citizen or operator area */
};

static const struct {
    int status;
    invqr_msg_t title;
    invqr_msg_t text;
    int ways;
    int warning;                /* an alert-warning, not an alert-error */
} error_pages[] = {
    { 400, INVQR_MSG_ERROR_400_TITLE, INVQR_MSG_ERROR_400_TEXT, WAY_TRY_AGAIN, 0 },
    { 401, INVQR_MSG_ERROR_401_TITLE, INVQR_MSG_ERROR_401_TEXT, WAY_SIGN_IN, 0 },
    { 403, INVQR_MSG_ERROR_403_TITLE, INVQR_MSG_ERROR_403_TEXT, WAY_TRY_AGAIN, 0 },
    { 404, INVQR_MSG_ERROR_404_TITLE, INVQR_MSG_ERROR_404_TEXT, 0, 0 },
    { 405, INVQR_MSG_ERROR_405_TITLE, INVQR_MSG_ERROR_405_TEXT, 0, 0 },
    { 410, INVQR_MSG_ERROR_410_TITLE, INVQR_MSG_ERROR_410_TEXT, WAY_VERIFY, 0 },
    { 413, INVQR_MSG_ERROR_413_TITLE, INVQR_MSG_ERROR_413_TEXT, WAY_TRY_AGAIN, 0 },
    { 422, INVQR_MSG_ERROR_422_TITLE, INVQR_MSG_ERROR_422_TEXT,
      WAY_TRY_AGAIN | WAY_VERIFY, 0 },
    { 429, INVQR_MSG_ERROR_429_TITLE, INVQR_MSG_ERROR_429_TEXT, WAY_TRY_AGAIN, 1 },
    { 500, INVQR_MSG_ERROR_500_TITLE, INVQR_MSG_ERROR_500_TEXT, WAY_TRY_AGAIN, 0 },
    { 503, INVQR_MSG_ERROR_503_TITLE, INVQR_MSG_ERROR_503_TEXT, WAY_TRY_AGAIN, 1 },
};

static const char *dup_or_null(const char *s, apr_pool_t *p)
{
    return (s != NULL) ? apr_pstrdup(p, s) : NULL;
}

/* base without trailing slashes ("/" and NULL become ""). */
static const char *clean_base(const char *base, apr_pool_t *p)
{
    size_t n;

    if (base == NULL)
        return "";
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    return apr_pstrmemdup(p, base, n);
}

const char *invqr_page_msg(const invqr_page_t *pg, invqr_msg_t msg)
{
    return invqr_msg((pg != NULL) ? pg->ctx.lang : INVQR_LANG_IT, msg);
}

const invqr_page_ctx_t *invqr_page_ctx(const invqr_page_t *pg)
{
    return (pg != NULL) ? &pg->ctx : NULL;
}

static int digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

invqr_el_t *invqr_page_date(invqr_page_t *pg, invqr_el_t *parent, const char *iso)
{
    size_t n = iso != NULL ? strlen(iso) : 0;
    char sep, shown[32];
    invqr_el_t *t;

    if (pg == NULL || parent == NULL || iso == NULL)
        return NULL;
    t = invqr_html_add(parent, "time", NULL);
    if ((n != 10 && n != 16) || !digits(iso, 4) || iso[4] != '-' || !digits(iso + 5, 2)
        || iso[7] != '-' || !digits(iso + 8, 2)
        || (n == 16 && (iso[10] != ' ' || !digits(iso + 11, 2) || iso[13] != ':'
                        || !digits(iso + 14, 2)))) {
        invqr_html_text(t, iso);
        return t;
    }
    sep = pg->ctx.lang == INVQR_LANG_DE ? '.' : '/';
    apr_snprintf(shown, sizeof(shown), "%.2s%c%.2s%c%.4s%s%.5s", iso + 8, sep, iso + 5, sep, iso,
                 n == 16 ? " " : "", n == 16 ? iso + 11 : "");
    invqr_html_set(t, "datetime", n == 16 ? apr_pstrcat(pg->pool, apr_pstrndup(pg->pool, iso, 10),
                                                        "T", iso + 11, NULL)
                                          : iso);
    invqr_html_text(t, shown);
    return t;
}

invqr_el_t *invqr_page_main(invqr_page_t *pg)
{
    return (pg != NULL) ? pg->main : NULL;
}

apr_pool_t *invqr_page_pool(const invqr_page_t *pg)
{
    return pg->pool;
}

const char *invqr_page_url(const invqr_page_t *pg, const char *rel)
{
    if (pg == NULL)
        return (rel != NULL && rel[0] != '\0') ? rel : "/";
    if (rel == NULL || rel[0] == '\0')
        rel = "/";
    return apr_pstrcat(pg->pool, pg->ctx.base, rel, NULL);
}

static invqr_el_t *add_class(invqr_el_t *parent, const char *tag, const char *cls)
{
    return invqr_html_set(invqr_html_add(parent, tag, NULL), "class", cls);
}

static void build_head(invqr_page_t *pg, invqr_el_t *head, const char *title)
{
    const char *service = invqr_page_msg(pg, INVQR_MSG_SERVICE_NAME);
    invqr_el_t *el;

    /* The only charset declaration: the serializer is told not to add one. */
    invqr_html_set(invqr_html_add(head, "meta", NULL), "charset", "utf-8");
    el = invqr_html_add(head, "meta", NULL);
    invqr_html_set(el, "name", "viewport");
    invqr_html_set(el, "content", "width=device-width, initial-scale=1");
    if (title != NULL && title[0] != '\0')
        invqr_html_add(head, "title", apr_pstrcat(pg->pool, title, " - ", service, NULL));
    else
        invqr_html_add(head, "title", service);
    el = invqr_html_add(head, "link", NULL);
    invqr_html_set(el, "rel", "stylesheet");
    invqr_html_set(el, "href", invqr_page_url(pg, "/static/invqr.css"));
}

/* The link list "Italiano | English" to this same path. */
static void build_lang_switch(invqr_page_t *pg, invqr_el_t *parent)
{
    static const invqr_lang_t langs[] = { INVQR_LANG_IT, INVQR_LANG_EN, INVQR_LANG_DE };
    static const invqr_msg_t names[] = { INVQR_MSG_LANG_NAME_IT, INVQR_MSG_LANG_NAME_EN,
                                         INVQR_MSG_LANG_NAME_DE };
    const char *path = (pg->ctx.path != NULL && pg->ctx.path[0] != '\0') ? pg->ctx.path : "/";
    invqr_el_t *nav, *ul, *a;
    size_t i;

    nav = add_class(parent, "nav", "lang-switch");
    invqr_html_set(nav, "aria-label", invqr_page_msg(pg, INVQR_MSG_LANG_SWITCH_LABEL));
    ul = invqr_html_add(nav, "ul", NULL);
    for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        const char *tag = invqr_lang_tag(langs[i]);

        a = invqr_html_link(invqr_html_add(ul, "li", NULL),
                            apr_pstrcat(pg->pool, pg->ctx.base, path, "?lang=", tag, NULL),
                            invqr_msg(langs[i], names[i]));
        invqr_html_set(a, "hreflang", tag);
        invqr_html_set(a, "lang", tag);
        if (langs[i] == pg->ctx.lang)
            invqr_html_set(a, "aria-current", "true");
    }
}

/* The main navigation, in a disclosure (<details>): on a narrow screen it
 * is one "Menu" button until opened, with no script; from 768 px the
 * stylesheet shows the list and hides the button. */
static void build_nav(invqr_page_t *pg, invqr_el_t *parent)
{
    const char *path = (pg->ctx.path != NULL && pg->ctx.path[0] != '\0') ? pg->ctx.path : NULL;
    invqr_el_t *nav, *ul, *a, *details, *summary;
    size_t i;

    nav = add_class(parent, "nav", "site-nav");
    invqr_html_set(nav, "aria-label", invqr_page_msg(pg, INVQR_MSG_NAV_LABEL));
    details = add_class(add_class(nav, "div", "container"), "details", "site-menu");
    summary = add_class(details, "summary", "menu-button");
    invqr_html_add(summary, "span", invqr_page_msg(pg, INVQR_MSG_NAV_MENU));
    ul = invqr_html_add(details, "ul", NULL);
    for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
        const char *rel = nav_items[i].rel;
        size_t n = strlen(rel);

        a = invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, rel),
                            invqr_page_msg(pg, nav_items[i].label));
        if (path == NULL)
            continue;
        if (strcmp(path, rel) == 0)
            invqr_html_set(a, "aria-current", "page");
        else if (n > 1 && strncmp(path, rel, n) == 0 && path[n] == '/')
            invqr_html_set(a, "aria-current", "true");
    }
}

/* Someone acting for a holder is told so on every page, the holder named. */
static void build_acting_for(invqr_page_t *pg, invqr_el_t *header)
{
    static const struct {
        const char *role;
        invqr_msg_t msg;
    } roles[] = {
        { "parent", INVQR_MSG_ROLE_AS_PARENT },
        { "guardian", INVQR_MSG_ROLE_AS_GUARDIAN },
        { "curator", INVQR_MSG_ROLE_AS_CURATOR },
        { "support_administrator", INVQR_MSG_ROLE_AS_SUPPORT_ADMINISTRATOR },
        { "delegate", INVQR_MSG_ROLE_AS_DELEGATE },
    };
    const invqr_page_ctx_t *c = &pg->ctx;
    invqr_el_t *p;
    size_t i;

    p = invqr_html_add(add_class(add_class(header, "div", "acting-for"), "div", "container"), "p",
                       NULL);
    invqr_html_set(p, "data-field", "acting_for");
    invqr_html_set(p, "data-value", c->acting_for);
    invqr_html_text(p, invqr_page_msg(pg, INVQR_MSG_ACTING_FOR));
    invqr_html_text(p, " ");
    invqr_html_add(p, "strong", c->acting_name != NULL && c->acting_name[0] != '\0'
                                          ? c->acting_name : c->acting_for);
    if (c->acting_name != NULL && c->acting_name[0] != '\0') {
        invqr_html_text(p, " (");
        invqr_html_text(p, c->acting_for);
        invqr_html_text(p, ")");
    }
    for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (c->acting_role != NULL && strcmp(c->acting_role, roles[i].role) == 0) {
            invqr_html_text(p, ", ");
            invqr_html_text(p, invqr_page_msg(pg, roles[i].msg));
        }
}

/* A configured link, or this service's own page (rel) when unset. */
static const char *agency_link(invqr_page_t *pg, const char *configured, const char *rel)
{
    if (configured != NULL)
        return configured[0] == '/' ? apr_pstrcat(pg->pool, pg->ctx.base, configured, NULL)
                                    : configured;
    return rel != NULL ? invqr_page_url(pg, rel) : NULL;
}

/* The administration's logo as the module serves it, or NULL. */
static const char *logo_url(invqr_page_t *pg)
{
    const char *f = pg->ctx.conf != NULL ? pg->ctx.conf->agency_logo : NULL;
    size_t n = f != NULL ? strlen(f) : 0;

    if (n < 4)
        return NULL;
    return invqr_page_url(pg, strcmp(f + n - 4, ".png") == 0 ? "/static/agency-logo.png"
                                                            : "/static/agency-logo.svg");
}

static const char *agency_name(const invqr_page_t *pg)
{
    return pg->ctx.conf != NULL && pg->ctx.conf->issuer_name != NULL
               ? pg->ctx.conf->issuer_name : NULL;
}

/*
 * As Italian public services do (Designers Italia, Bootstrap Italia): a slim
 * bar naming the administration (its site, when set) with the language
 * switch; then the service's name beside the administration's logo; then
 * the menu.
 */
static void build_header(invqr_page_t *pg, invqr_el_t *body)
{
    invqr_el_t *header, *top, *brand, *p, *a, *img;
    const char *agency = agency_name(pg), *logo = logo_url(pg);

    header = add_class(body, "header", "site-header");
    top = add_class(add_class(header, "div", "header-top"), "div", "container");
    if (agency != NULL) {
        p = add_class(top, "p", "agency-name");
        if (pg->ctx.conf->agency_site_url != NULL)
            invqr_html_link(p, agency_link(pg, pg->ctx.conf->agency_site_url, NULL), agency);
        else
            invqr_html_text(p, agency);
    }
    if (pg->ctx.who != NULL && pg->ctx.who[0] != '\0') {
        p = add_class(top, "p", "who");
        invqr_html_text(p, invqr_page_msg(pg, INVQR_MSG_SIGNED_IN_AS));
        invqr_html_text(p, " ");
        invqr_html_add(p, "strong", pg->ctx.who);
    }
    build_lang_switch(pg, top);
    if (pg->ctx.acting_for != NULL && pg->ctx.acting_for[0] != '\0')
        build_acting_for(pg, header);
    brand = add_class(add_class(header, "div", "header-brand"), "div", "container");
    p = add_class(brand, "p", "site-name");
    a = invqr_html_link(p, invqr_page_url(pg, "/"), NULL);
    if (logo != NULL) {
        /* beside the name it repeats: decorative */
        img = add_class(a, "img", "agency-logo");
        invqr_html_set(img, "src", logo);
        invqr_html_set(img, "alt", "");
    }
    invqr_html_add(a, "span", invqr_page_msg(pg, INVQR_MSG_SERVICE_NAME));
    build_nav(pg, header);
}

/* The footer: the administration, what the service is, and the links
 * Italian public services keep there (privacy, accessibility, legal notes,
 * contacts, help). */
static void build_footer(invqr_page_t *pg, invqr_el_t *body)
{
    const invqr_conf_t *c = pg->ctx.conf;
    const char *agency = agency_name(pg), *logo = logo_url(pg);
    invqr_el_t *inner, *ul, *nav, *p;
    const struct {
        const char *href;
        invqr_msg_t label;
    } links[] = {
        { agency_link(pg, c != NULL ? c->agency_privacy_url : NULL, "/privacy"), INVQR_MSG_LINK_PRIVACY },
        { agency_link(pg, c != NULL ? c->agency_accessibility_url : NULL, NULL), INVQR_MSG_LINK_ACCESSIBILITY },
        { agency_link(pg, c != NULL ? c->agency_legal_url : NULL, NULL), INVQR_MSG_LINK_LEGAL },
        { agency_link(pg, c != NULL ? c->agency_contacts_url : NULL, NULL), INVQR_MSG_LINK_CONTACTS },
        { agency_link(pg, c != NULL ? c->agency_help_url : NULL, "/help"), INVQR_MSG_LINK_HELP },
    };
    size_t i;

    inner = add_class(add_class(body, "footer", "site-footer"), "div", "container");
    if (agency != NULL) {
        p = add_class(inner, "p", "footer-agency");
        if (logo != NULL) {
            invqr_el_t *img = add_class(p, "img", "agency-logo");

            invqr_html_set(img, "src", logo);
            invqr_html_set(img, "alt", "");
        }
        invqr_html_add(p, "strong", agency);
    }
    invqr_html_add(inner, "p", invqr_page_msg(pg, INVQR_MSG_FOOTER_ABOUT));
    invqr_html_add(inner, "p", invqr_page_msg(pg, INVQR_MSG_FOOTER_PRIVACY));
    nav = invqr_html_set(invqr_html_add(inner, "nav", NULL), "aria-label",
                         invqr_page_msg(pg, INVQR_MSG_FOOTER_NAV_LABEL));
    ul = add_class(nav, "ul", "footer-links");
    for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        if (links[i].href != NULL)
            invqr_html_link(invqr_html_add(ul, "li", NULL), links[i].href,
                            invqr_page_msg(pg, links[i].label));
    if (pg->ctx.operator_area)
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/operator/help"),
                        invqr_page_msg(pg, INVQR_MSG_FOOTER_OPERATOR_HELP));
}

invqr_page_t *invqr_page_new(const invqr_page_ctx_t *ctx, const char *title, apr_pool_t *p)
{
    invqr_page_t *pg = NULL;
    invqr_el_t *html, *head, *body, *skip;

    if (p == NULL)
        goto out;
    pg = apr_pcalloc(p, sizeof(*pg));
    pg->pool = p;
    if (ctx != NULL) {
        pg->ctx.lang = invqr_lang_valid((int)ctx->lang);
        pg->ctx.path = dup_or_null(ctx->path, p);
        pg->ctx.csrf = dup_or_null(ctx->csrf, p);
        pg->ctx.who = dup_or_null(ctx->who, p);
        pg->ctx.acting_for = dup_or_null(ctx->acting_for, p);
        pg->ctx.acting_name = dup_or_null(ctx->acting_name, p);
        pg->ctx.acting_role = dup_or_null(ctx->acting_role, p);
        pg->ctx.operator_area = ctx->operator_area;
        pg->ctx.conf = ctx->conf;
    }
    pg->ctx.base = clean_base((ctx != NULL) ? ctx->base : NULL, p);

    html = invqr_html_new("html", p);
    invqr_html_set(html, "lang", invqr_lang_tag(pg->ctx.lang));
    head = invqr_html_add(html, "head", NULL);
    body = invqr_html_add(html, "body", NULL);
    if (head == NULL || body == NULL)
        goto fail;
    pg->root = html;
    build_head(pg, head, title);

    /* The skip link is the first thing a keyboard reaches. */
    skip = invqr_html_link(body, "#main", invqr_page_msg(pg, INVQR_MSG_SKIP_TO_CONTENT));
    invqr_html_set(skip, "class", "skip-link");
    build_header(pg, body);
    pg->main = add_class(body, "main", "container");
    invqr_html_set(pg->main, "id", "main");
    invqr_html_set(pg->main, "tabindex", "-1");
    build_footer(pg, body);
    if (pg->main == NULL)
        goto fail;
    goto out;

fail:
    pg = NULL;
out:
    return pg;
}

invqr_el_t *invqr_page_contents(invqr_page_t *pg, invqr_el_t *parent)
{
    if (pg == NULL || parent == NULL)
        return NULL;
    return add_class(parent, "nav", "page-contents");
}

typedef struct {
    const invqr_el_t *heading[INVQR_PAGE_CONTENTS_MAX];
    int n;
} contents_t;

static void found_heading(void *baton, const invqr_el_t *h2)
{
    contents_t *c = baton;

    if (invqr_html_get(h2, "id") != NULL && c->n < (int)(sizeof(c->heading) / sizeof(c->heading[0])))
        c->heading[c->n++] = h2;
}

void invqr_page_contents_fill(invqr_page_t *pg, invqr_el_t *contents, int min)
{
    contents_t c;
    invqr_el_t *details, *ul;
    int i;

    if (pg == NULL || contents == NULL)
        return;
    c.n = 0;
    invqr_html_each(pg->main, "h2", found_heading, &c);
    if (c.n == 0 || c.n < min) {
        invqr_html_remove(contents);
        return;
    }
    invqr_html_set(contents, "aria-labelledby", "page-contents");
    details = invqr_html_add(contents, "details", NULL);
    invqr_html_set(invqr_html_add(invqr_html_add(details, "summary", NULL), "span",
                                  invqr_page_msg(pg, INVQR_MSG_PAGE_CONTENTS)),
                   "id", "page-contents");
    ul = invqr_html_add(details, "ul", NULL);
    for (i = 0; i < c.n; i++)
        invqr_html_link(invqr_html_add(ul, "li", NULL),
                        apr_pstrcat(pg->pool, "#", invqr_html_get(c.heading[i], "id"), NULL),
                        invqr_html_text_of(c.heading[i], pg->pool));
}

invqr_el_t *invqr_page_post_form(invqr_page_t *pg, invqr_el_t *parent, const char *rel)
{
    invqr_el_t *form, *input;

    if (pg == NULL || parent == NULL)
        return NULL;
    form = invqr_html_add(parent, "form", NULL);
    invqr_html_set(form, "method", "post");
    invqr_html_set(form, "action", invqr_page_url(pg, rel));
    if (pg->ctx.csrf != NULL) {
        input = invqr_html_add(form, "input", NULL);
        invqr_html_set(input, "type", "hidden");
        invqr_html_set(input, "name", "csrf");
        invqr_html_set(input, "value", pg->ctx.csrf);
    }
    return form;
}

/* An attestation's own address: /v/..., /V/... (the QR's) or /verify/... */
static int is_code_path(const char *path)
{
    if (path == NULL)
        return 0;
    return strncmp(path, "/v/", 3) == 0 || strncmp(path, "/V/", 3) == 0
           || strncmp(path, "/verify/", 8) == 0;
}

invqr_page_t *invqr_page_error(const invqr_page_ctx_t *ctx, int status,
                               const char *detail, apr_pool_t *p)
{
    size_t i, which = 0;
    int shown = status, fallback;
    invqr_page_t *pg;
    invqr_lang_t lang;
    const invqr_page_ctx_t *pctx;
    invqr_el_t *main, *alert, *ul;
    invqr_msg_t title, text;
    int ways;
    char num[8];

    if (shown < 400 || shown > 599)
        shown = 500;
    fallback = (shown < 500) ? 400 : 500;
    for (i = 0; i < sizeof(error_pages) / sizeof(error_pages[0]); i++) {
        if (error_pages[i].status == shown) {
            which = i;
            break;
        }
        if (error_pages[i].status == fallback)
            which = i;
    }
    lang = invqr_lang_valid(ctx != NULL ? (int)ctx->lang : 0);
    pg = invqr_page_new(ctx, invqr_msg(lang, error_pages[which].title), p);
    if (pg == NULL)
        return NULL;
    pctx = invqr_page_ctx(pg);
    main = invqr_page_main(pg);
    apr_snprintf(num, sizeof(num), "%d", shown);
    invqr_html_set(main, "class", "container error-page");
    invqr_html_set(main, "data-status", num);

    title = error_pages[which].title;
    text = error_pages[which].text;
    ways = error_pages[which].ways;
    if (shown == 404 && is_code_path(pctx->path)) {
        /* Only an attestation's address talks about codes. */
        title = INVQR_MSG_ERROR_404_CODE_TITLE;
        text = INVQR_MSG_ERROR_404_CODE_TEXT;
        ways = WAY_VERIFY;
    }
    invqr_html_add(main, "h1", invqr_page_msg(pg, title));
    alert = add_class(main, "div", error_pages[which].warning ? "alert alert-warning"
                                                               : "alert alert-error");
    invqr_html_add(alert, "p", invqr_page_msg(pg, text));
    if (detail != NULL && detail[0] != '\0')
        invqr_html_set(invqr_html_add(alert, "p", detail), "class", "detail");

    ul = add_class(main, "ul", "next-steps");
    if ((ways & WAY_TRY_AGAIN) && pctx->path != NULL
        && pctx->path[0] == '/')
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, pctx->path),
                        invqr_page_msg(pg, INVQR_MSG_ERROR_TRY_AGAIN));
    if (ways & WAY_SIGN_IN) {
        if (pctx->operator_area)
            invqr_html_link(invqr_html_add(ul, "li", NULL),
                            invqr_page_url(pg, "/operator/login"),
                            invqr_page_msg(pg, INVQR_MSG_ERROR_SIGN_IN_OPERATOR));
        else
            invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/citizen"),
                            invqr_page_msg(pg, INVQR_MSG_ERROR_SIGN_IN_CITIZEN));
    }
    if (ways & WAY_VERIFY)
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/verify"),
                        invqr_page_msg(pg, INVQR_MSG_ERROR_VERIFY_ANOTHER));
    invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/"),
                    invqr_page_msg(pg, INVQR_MSG_ERROR_BACK_HOME));
    /* The status is for the help desk: last and quiet, after the ways out. */
    invqr_html_set(invqr_html_addf(main, "p", "%s %d",
                                   invqr_page_msg(pg, INVQR_MSG_ERROR_CODE_LABEL), shown),
                   "class", "error-code");
    return pg;
}

apr_status_t invqr_page_render(const char **pout, apr_size_t *plen,
                               invqr_page_t *pg, apr_pool_t *p)
{
    if (pout != NULL)
        *pout = NULL;
    if (plen != NULL)
        *plen = 0;
    if (pout == NULL || pg == NULL || pg->root == NULL || p == NULL)
        return APR_EINVAL;
    return invqr_html_render(pout, plen, pg->root, p);
}
