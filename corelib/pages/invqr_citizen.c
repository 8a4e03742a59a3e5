/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen area.
 *
 * Signed in (through the agency's identity provider, or the demo sign-in
 * when it is enabled), a citizen sees whether their status allows a QR
 * attestation and, if not, why, in plain words. Not signed in, they are told
 * how to sign in.
 */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "invqr_citizen.h"
#include "invqr_citizen_delegates.h"
#include "invqr_citizen_lang.h"
#include "invqr_citizen_keep.h"
#include "invqr_citizen_mail.h"
#include "invqr_citizen_attempts.h"
#include "invqr_citizen_record.h"
#include "invqr_code_store.h"
#include "invqr_form.h"
#include "invqr_level2.h"
#include "invqr_pdf.h"
#include "invqr_pdf_cache.h"
#include "invqr_pdf_copy.h"
#include "invqr_qr.h"
#include "invqr_qr_svg.h"
#include <apr_lib.h>
#include "invqr_housekeeping.h"
#include "invqr_html.h"
#include "invqr_log.h"
#include "invqr_status_load.h"
#include "invqr_when.h"

/* How recent a failed attempt on the holder's code must be for the top of
 * the page to say so. */
#define INVQR_ATTEMPTS_RECENT_DAYS 30
/* From this many sections on, the page lists them at its top. */
#define CONTENTS_MIN 4

typedef struct {
    invqr_el_t *list;
    char fc[20], surname[INVQR_NAME_MAX_BYTES + 1], given[INVQR_NAME_MAX_BYTES + 1];
} demo_list_t;

static int demo_row(void *baton, invqr_binds_t *out)
{
    demo_list_t *d = baton;
    invqr_el_t *li = invqr_html_add(d->list, "li", NULL);
    char label[2 * INVQR_NAME_MAX_BYTES + 32];

    snprintf(label, sizeof(label), "%s %s: ", d->given, d->surname);
    invqr_html_text(li, label);
    invqr_html_set(invqr_html_add(li, "code", d->fc), "data-fiscal-code", d->fc);
    return 0;
}

/* The demo's people who act for someone, to try delegates with. */
typedef struct {
    invqr_page_t *pg;
    invqr_el_t *list;
    char fc[20], role[32], given[INVQR_NAME_MAX_BYTES + 1], surname[INVQR_NAME_MAX_BYTES + 1];
} demo_delegates_t;

static int demo_delegate_row(void *baton, invqr_binds_t *out)
{
    demo_delegates_t *d = baton;
    invqr_el_t *li = invqr_html_add(d->list, "li", NULL);
    int role = invqr_role_parse(d->role, strlen(d->role));

    (void)out;
    invqr_html_set(invqr_html_add(li, "code", d->fc), "data-fiscal-code", d->fc);
    invqr_html_text(li, ": ");
    invqr_html_text(li, invqr_page_msg(d->pg, invqr_citizen_role_msg(role < 0 ? INVQR_ROLE_DELEGATE
                                                                                : (invqr_role_t)role)));
    invqr_html_text(li, " - ");
    invqr_html_text(li, d->given);
    invqr_html_text(li, " ");
    invqr_html_text(li, d->surname);
    return 0;
}

static apr_status_t demo_delegates(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db)
{
    demo_delegates_t d;
    invqr_binds_t out;
    invqr_el_t *h2;
    unsigned long long rows = 0;

    memset(&d, 0, sizeof(d));
    d.pg = pg;
    h2 = invqr_html_add(main, "h2", invqr_page_msg(pg, INVQR_MSG_DEMO_DELEGATES));
    d.list = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "demo-delegates");
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, d.fc, sizeof(d.fc));
    invqr_bind_out_str(&out, d.role, sizeof(d.role));
    invqr_bind_out_str(&out, d.given, sizeof(d.given));
    invqr_bind_out_str(&out, d.surname, sizeof(d.surname));
    if (invqr_db_exec(db, INVQR_SQL_DELEGATION_DEMO_LIST, NULL, &out, demo_delegate_row, &d, &rows)
        != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0) {
        invqr_html_remove(h2);
        invqr_html_remove(d.list);
    }
    return APR_SUCCESS;
}

/* Not signed in: the demo sign-in form, or how to sign in for real. */
static void sign_in_page(invqr_app_t *app, const invqr_request_t *req,
                         invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *form, *field, *list;
    invqr_db_t *db;
    invqr_binds_t out;
    demo_list_t d;

    if (!req->demo) {
        invqr_app_error(req, resp, 401, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_SIGN_IN_IDP), p);
        return;
    }
    pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_DEMO_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DEMO_TITLE));
    invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DEMO_WARNING)),
                   "class", "alert alert-warning");
    form = invqr_page_post_form(pg, main, "/citizen/demo-login");
    field = invqr_html_set(invqr_html_add(form, "div", NULL), "class", "field");
    invqr_html_set(invqr_html_add(field, "label", invqr_page_msg(pg, INVQR_MSG_FIELD_FISCAL_CODE)),
                   "for", "fiscal_code");
    invqr_html_set(invqr_html_add(field, "p", invqr_page_msg(pg, INVQR_MSG_FIELD_FISCAL_CODE_HINT)),
                   "id", "fiscal_code_hint");
    {
        invqr_el_t *in = invqr_html_add(field, "input", NULL);
        invqr_html_set(in, "id", "fiscal_code");
        invqr_html_set(in, "name", "fiscal_code");
        invqr_html_set(in, "type", "text");
        invqr_html_set(in, "required", "required");
        invqr_html_set(in, "maxlength", "32");
        invqr_html_set(in, "autocomplete", "off");
        invqr_html_set(in, "autocapitalize", "characters");
        invqr_html_set(in, "spellcheck", "false");
        invqr_html_set(in, "aria-describedby", "fiscal_code_hint");
    }
    invqr_html_set(invqr_html_add(form, "button", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DEMO_SUBMIT)),
                   "type", "submit");

    db = invqr_app_db(app);
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    invqr_html_add(main, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DEMO_LIST));
    list = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "demo-citizens");
    memset(&d, 0, sizeof(d));
    d.list = list;
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, d.fc, sizeof(d.fc));
    invqr_bind_out_str(&out, d.surname, sizeof(d.surname));
    invqr_bind_out_str(&out, d.given, sizeof(d.given));
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_DEMO_LIST, NULL, &out, demo_row, &d, NULL) != APR_SUCCESS
        || demo_delegates(pg, main, db) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    invqr_app_page(resp, 200, pg, p);
}

typedef struct {
    invqr_el_t *tbody;
    invqr_page_t *pg;
    const invqr_request_t *req;
    char org[256], code[24];
    long long at, level;
} access_log_t;

static int access_row(void *baton, invqr_binds_t *out)
{
    access_log_t *a = baton;
    invqr_lang_t lang = a->req->page.lang;
    invqr_el_t *tr = invqr_html_add(a->tbody, "tr", NULL);
    char when[17];

    invqr_when_minute(when, a->at);
    invqr_page_date(a->pg, invqr_html_set(invqr_html_add(tr, "td", NULL), "data-label",
                                          invqr_msg(lang, INVQR_MSG_CITIZEN_LOG_WHEN)), when);
    invqr_html_set(invqr_html_set(invqr_html_add(tr, "td", invqr_msg(lang, a->level == 2
                                                                       ? INVQR_MSG_CITIZEN_LOG_LEVEL2
                                                                       : INVQR_MSG_CITIZEN_LOG_LEVEL1)),
                                  "data-label", invqr_msg(lang, INVQR_MSG_CITIZEN_LOG_LEVEL)),
                   "data-level", a->level == 2 ? "2" : "1");
    invqr_html_set(invqr_html_add(tr, "td", a->org[0] != '\0' ? a->org
                                                            : invqr_msg(lang, INVQR_MSG_CITIZEN_LOG_ANON)),
                   "data-label", invqr_msg(lang, INVQR_MSG_CITIZEN_LOG_ORG));
    return 0;
}

static apr_status_t access_log(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                               const invqr_request_t *req, apr_pool_t *p)
{
    access_log_t a;
    invqr_binds_t in, out;
    invqr_el_t *sec, *table, *tr, *wrap;
    unsigned long long rows = 0;

    memset(&a, 0, sizeof(a));
    a.req = req;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "access-log");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_LOG_H2)), "id",
                   "access-log");
    wrap = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "table-wrap");
    table = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_html_set(table, "data-table", "access-log");
    tr = invqr_html_add(invqr_html_add(table, "thead", NULL), "tr", NULL);
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_CITIZEN_LOG_WHEN)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_CITIZEN_LOG_LEVEL)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_CITIZEN_LOG_ORG)), "scope", "col");
    a.tbody = invqr_html_add(table, "tbody", NULL);
    a.pg = pg;
    invqr_binds_init(&in);
    invqr_bind_str(&in, req->citizen, strlen(req->citizen));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &a.at);
    invqr_bind_out_int(&out, &a.level);
    invqr_bind_out_str(&out, a.org, sizeof(a.org));
    invqr_bind_out_str(&out, a.code, sizeof(a.code));
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_ACCESS_LOG, &in, &out, access_row, &a, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0) {
        invqr_html_remove(wrap);
        invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_LOG_EMPTY));
    }
    return APR_SUCCESS;
}

static void button_link(invqr_page_t *pg, invqr_el_t *parent, const char *rel, const char *text,
                        const char *klass, const char *hint)
{
    invqr_el_t *div = invqr_html_set(invqr_html_add(parent, "div", NULL), "class", "code-action");

    if (hint != NULL)
        invqr_html_set(invqr_html_add(div, "p", hint), "class", "hint");
    invqr_html_set(invqr_html_link(invqr_html_add(div, "p", NULL), invqr_page_url(pg, rel), text),
                   "class", klass);
}

/* Whether the citizen acknowledged the notice; the date goes to when. */
static apr_status_t notice_read(int *pread, char when[11], invqr_db_t *db, const char *fc)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    long long at = 0;

    invqr_binds_init(&in);
    invqr_bind_str(&in, fc, strlen(fc));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &at);
    if (invqr_db_exec(db, INVQR_SQL_NOTICE_GET, &in, &out, NULL, NULL, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    *pread = rows > 0;
    if (rows > 0)
        invqr_when_day(when, at);
    return APR_SUCCESS;
}

/* What the attestation PDF of code is made of (invqr_pdf_cache.h), and the
 * URL its QR holds (*purl, upper-case so the QR stays alphanumeric). */
static const char *pdf_key(const invqr_app_t *app, const invqr_request_t *req, invqr_lang_t lang,
                           const invqr_active_code_t *active, const char *given,
                           const char *surname, const char **purl, apr_pool_t *p)
{
    char *url = apr_pstrcat(p, app->conf->public_base_url, "/V/", active->code, NULL), *u;

    for (u = url; *u != '\0'; u++)
        *u = (char)apr_toupper(*u);
    if (purl != NULL)
        *purl = url;
    return apr_pstrcat(p, url, "|", given, "|", surname, "|", req->citizen, "|", active->issued,
                       "|", active->expires, "|", invqr_lang_tag(lang), "|",
                       app->conf->issuer_name, NULL);
}

/* The copies of the active code's PDF, in either language, that the module
 * would keep sending at their old addresses until the sweep once the code
 * is replaced or revoked: found before, removed after the change is
 * committed (a download racing with the change checks again, see the PDF
 * route). NULL when there is no cache directory or no active code. Copies
 * made under a name the record no longer has simply wait for the sweep. */
typedef struct {
    const char *path[INVQR_LANG__COUNT];
} copies_t;

static copies_t *copies_of_active(const invqr_app_t *app, const invqr_request_t *req,
                                  invqr_db_t *db, apr_pool_t *p)
{
    static const invqr_lang_t langs[] = { INVQR_LANG_IT, INVQR_LANG_EN, INVQR_LANG_DE };
    char tag[INVQR_PDF_TAG_LEN + 1];
    invqr_attestation_t at;
    copies_t *c;
    apr_status_t rv;
    size_t i;

    if (app->conf->pdf_copies_dir == NULL)
        return NULL;
    rv = invqr_code_store_attestation(&at, db, req->citizen, app->conf->code_max_age_days);
    if (rv != APR_SUCCESS) {
        if (rv != APR_NOTFOUND)
            invqr_log(INVQR_LOG_WARN, "INVQR0206: cannot tell which PDF copies a code change "
                      "ends: they wait for the sweep");
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        invqr_pdf_tag(tag, pdf_key(app, req, langs[i], &at.active, at.given_name, at.surname,
                                   NULL, p));
        c->path[i] = invqr_pdf_copy_path(app->conf, req->citizen, tag, p);
    }
    return c;
}

static void remove_copies(const copies_t *c)
{
    size_t i;

    for (i = 0; c != NULL && i < sizeof(c->path) / sizeof(c->path[0]); i++)
        if (unlink(c->path[i]) != 0 && errno != ENOENT)
            invqr_log(INVQR_LOG_WARN, "INVQR0205: cannot remove a PDF copy of a code that ends: %s",
                      strerror(errno));
}

/* Whether the PDF of this code may have a copy the module sends without
 * asking the store: only if the sweep removes every copy (made now or
 * later) before the code expires, so an expired code's PDF is never sent. */
static int copy_allowed(const invqr_active_code_t *active)
{
    return active->expires[0] == '\0' || active->days_left > INVQR_PDF_COPY_DAYS;
}

/* The QR on screen, to show from a phone or a computer or to print (the
 * print stylesheet keeps only this section): the URL the PDF's QR holds,
 * the holder, the code, how to check it. The Print button is shown by
 * static/invqr-print.js (no inline script under the CSP); without script
 * the hint names the browser's own command. */
static void qr_section(invqr_page_t *pg, invqr_el_t *main, const invqr_app_t *app,
                       const invqr_request_t *req, const invqr_status_t *st,
                       const invqr_active_code_t *active, apr_pool_t *p)
{
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    const char *url, *name, *title;
    invqr_qr_t *qr = NULL;
    invqr_el_t *sec, *card, *el;
    apr_status_t rv;

    pdf_key(app, req, req->page.lang, active, st->given_name, st->surname, &url, p);
    rv = invqr_qr_encode(&qr, url, p);
    if (rv != APR_SUCCESS) {
        /* the PDF still has it; the page goes without */
        invqr_log(INVQR_LOG_ERR, "INVQR0050: cannot encode the QR for the citizen page (%d)", rv);
        return;
    }
    invqr_code_group(grouped, active->code);
    name = st->given_name[0] != '\0' ? apr_pstrcat(p, st->given_name, " ", st->surname, NULL)
                                     : st->surname;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "show-qr");
    invqr_html_set(sec, "class", "qr-show");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHOW_H2)), "id",
                   "show-qr");
    invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHOW_TEXT)),
                   "class", "no-print");
    card = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "qr-card");
    invqr_html_set(invqr_html_add(card, "p", app->conf->issuer_name), "class", "qr-issuer");
    el = invqr_html_add(card, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHOW_HOLDER));
    invqr_html_text(el, " ");
    invqr_html_add(el, "strong", name);
    title = apr_pstrcat(p, invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHOW_QR_ALT), " ", url, NULL);
    invqr_html_set(invqr_qr_svg(card, qr, title, "qr-title", p), "data-field", "qr");
    invqr_html_set(invqr_html_set(invqr_html_add(card, "p", grouped), "class", "code"),
                   "data-field", "qr-code");
    el = invqr_html_add(card, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHOW_CHECK));
    invqr_html_text(el, " ");
    invqr_html_add(el, "strong", apr_pstrcat(p, app->conf->public_base_url, "/verify", NULL));
    el = invqr_html_set(invqr_html_add(sec, "p", NULL), "class", "no-print");
    el = invqr_html_add(el, "button", invqr_page_msg(pg, INVQR_MSG_CITIZEN_PRINT));
    invqr_html_set(el, "type", "button");
    invqr_html_set(el, "class", "btn btn-secondary");
    invqr_html_set(el, "id", "print-attestation");
    invqr_html_set(el, "hidden", "hidden");
    invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_PRINT_HINT)),
                   "class", "hint no-print");
    el = invqr_html_add(sec, "script", NULL);
    invqr_html_set(el, "src", invqr_page_url(pg, "/static/invqr-print.js"));
    invqr_html_set(el, "defer", "defer");
}

/* Where the download link points: the PDF's own address (its bytes never
 * change), which the module serves from its copy when there is a cache
 * directory and the code does not expire soon. */
static const char *download_rel(const invqr_app_t *app, const invqr_request_t *req,
                                const invqr_status_t *st, const invqr_active_code_t *active,
                                apr_pool_t *p)
{
    char tag[INVQR_PDF_TAG_LEN + 1];
    const char *seg;

    if (app->conf->pdf_copies_dir == NULL || !copy_allowed(active))
        return "/citizen/qr.pdf";
    invqr_pdf_tag(tag, pdf_key(app, req, req->page.lang, active, st->given_name, st->surname,
                               NULL, p));
    seg = invqr_pdf_copy_segment(tag, active->issued, active->code, p);
    return seg != NULL ? apr_pstrcat(p, "/citizen/qr/", seg, NULL) : "/citizen/qr.pdf";
}

/* The ways to keep the PDF: the download link; the Share button, which
 * static/invqr-share.js shows only where the browser can hand a file to the
 * phone's share sheet (no inline script under the CSP) and which falls back
 * to the download; the status line the script speaks through. */
static void download_actions(invqr_page_t *pg, invqr_el_t *sec, invqr_el_t *actions,
                             const char *download, const char *file_name)
{
    const char *url = invqr_page_url(pg, download);
    invqr_el_t *el;

    el = invqr_html_link(actions, url, invqr_page_msg(pg, INVQR_MSG_CITIZEN_DOWNLOAD));
    invqr_html_set(el, "class", "btn btn-primary");
    invqr_html_set(el, "id", "download-attestation");
    el = invqr_html_add(actions, "button", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHARE));
    invqr_html_set(el, "type", "button");
    invqr_html_set(el, "class", "btn btn-secondary");
    invqr_html_set(el, "id", "share-attestation");
    invqr_html_set(el, "hidden", "hidden");
    invqr_html_set(el, "data-pdf", url);
    invqr_html_set(el, "data-file-name", file_name);
    invqr_html_set(el, "data-title", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHARE_TITLE));
    invqr_html_set(el, "data-done", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHARE_DONE));
    invqr_html_set(el, "data-failed", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SHARE_FAILED));
    el = invqr_html_set(invqr_html_add(sec, "p", NULL), "id", "share-status");
    invqr_html_set(el, "role", "status");
    invqr_html_set(el, "class", "hint");
    el = invqr_html_add(sec, "script", NULL);
    invqr_html_set(el, "src", invqr_page_url(pg, "/static/invqr-share.js"));
    invqr_html_set(el, "defer", "defer");
}

/* The PDF's file name, as its download gives it. */
static const char *pdf_file_name(const invqr_active_code_t *active, apr_pool_t *p)
{
    const char *name = invqr_pdf_file_name(active->issued, active->code, p);

    return name != NULL ? name : INVQR_PDF_FILE_PREFIX "civile.pdf";
}

static void attestation_section(invqr_page_t *pg, invqr_el_t *main, const invqr_request_t *req,
                                const invqr_active_code_t *active, int has_active, int notice,
                                const char *notice_when, const char *download,
                                const char *file_name, int may_act)
{
    invqr_el_t *sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby",
                                    "active-code");

    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_ACTIVE_H2)), "id",
                   "active-code");
    if (!may_act)
        invqr_html_set(invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_REPRESENTED)),
                                      "class", "alert alert-info"), "data-field", "represented");
    if (has_active) {
        char grouped[INVQR_CODE_GROUPED_LEN + 1];
        invqr_el_t *dl = invqr_html_set(invqr_html_add(sec, "dl", NULL), "class", "result-list"), *actions;

        invqr_code_group(grouped, active->code);
        invqr_html_add(dl, "dt", invqr_page_msg(pg, INVQR_MSG_CITIZEN_CODE_LABEL));
        invqr_html_set(invqr_html_set(invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", grouped),
                                      "class", "code"), "data-field", "code");
        invqr_html_add(dl, "dt", invqr_page_msg(pg, INVQR_MSG_CITIZEN_ISSUED_LABEL));
        invqr_html_set(invqr_page_date(pg, invqr_html_add(dl, "dd", NULL), active->issued),
                       "data-field", "issued");
        if (active->expires[0] != '\0') {
            invqr_html_add(dl, "dt", invqr_page_msg(pg, INVQR_MSG_CITIZEN_EXPIRES_LABEL));
            invqr_html_set(invqr_page_date(pg, invqr_html_add(dl, "dd", NULL), active->expires),
                           "data-field", "expires");
        }
        invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_PDF_SHOWS)),
                       "data-field", "pdf-shows");
        actions = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "actions");
        if (active->expired)
            /* no download: a verifier would only be told the code is gone */
            invqr_html_set(invqr_html_set(invqr_html_add(actions, "p",
                                                         invqr_page_msg(pg, INVQR_MSG_CITIZEN_EXPIRED_TEXT)),
                                          "class", "alert alert-warning"), "data-field", "expired");
        else
            download_actions(pg, sec, actions, download, file_name);
        if (!may_act)
            return;
        /* each asks first, on a page of its own (invqr_citizen_confirm.c) */
        button_link(pg, sec, "/citizen/qr/replace", invqr_page_msg(pg, INVQR_MSG_CITIZEN_REPLACE),
                    "btn btn-secondary", invqr_page_msg(pg, INVQR_MSG_CITIZEN_REPLACE_HINT));
        button_link(pg, sec, "/citizen/qr/revoke", invqr_page_msg(pg, INVQR_MSG_CITIZEN_REVOKE),
                    "btn btn-danger", invqr_page_msg(pg, INVQR_MSG_CITIZEN_REVOKE_HINT));
        return;
    }
    invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NO_ACTIVE));
    if (!may_act)
        return;
    {
        invqr_el_t *form = invqr_page_post_form(pg, sec, "/citizen/qr");

        if (!notice) {
            invqr_el_t *notice_box = invqr_html_set(invqr_html_add(form, "div", NULL), "class", "notice");
            invqr_el_t *choice, *in;

            invqr_html_set(invqr_html_add(notice_box, "h3", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NOTICE_H2)),
                           "id", "notice");
            invqr_html_add(notice_box, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NOTICE_TEXT));
            choice = invqr_html_set(invqr_html_add(form, "div", NULL), "class", "choice");
            in = invqr_html_add(choice, "input", NULL);
            invqr_html_set(in, "type", "checkbox");
            invqr_html_set(in, "id", "notice_ack");
            invqr_html_set(in, "name", "notice");
            invqr_html_set(in, "value", "yes");
            invqr_html_set(in, "required", "required");
            invqr_html_set(invqr_html_add(choice, "label", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NOTICE_ACK)),
                           "for", "notice_ack");
        }
        else {
            invqr_el_t *p1 = invqr_html_add(form, "p",
                                            invqr_page_msg(pg, INVQR_MSG_CITIZEN_NOTICE_DONE));

            invqr_html_set(p1, "class", "hint");
            invqr_html_text(p1, " ");
            invqr_page_date(pg, p1, notice_when);
        }
        invqr_html_set(invqr_html_set(invqr_html_add(form, "button", invqr_page_msg(pg, INVQR_MSG_CITIZEN_GENERATE)),
                                      "type", "submit"), "class", "btn-primary");
    }
    (void)req;
}

void invqr_citizen_route(invqr_app_t *app, const invqr_request_t *req,
                         invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *status, *attempts_alert = NULL, *contents;
    invqr_status_t *st = NULL;
    invqr_active_code_t active;
    invqr_db_t *db;
    apr_status_t rv, arv = APR_NOTFOUND;
    int notice = 0, may_act = 1;
    char notice_when[11] = "";

    if (req->citizen == NULL) {
        sign_in_page(app, req, resp, p);
        return;
    }
    db = invqr_app_db(app);
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    rv = invqr_status_load(&st, db, req->citizen, p);
    if (rv == APR_SUCCESS && st->definitive) {
        arv = invqr_code_store_active(&active, db, req->citizen, app->conf->code_max_age_days);
        if (arv == APR_EGENERAL || notice_read(&notice, notice_when, db, req->citizen) != APR_SUCCESS
            || invqr_citizen_may_act(&may_act, db, req, st->birth_date) != APR_SUCCESS)
            rv = APR_EGENERAL;
    }
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_CITIZEN_TITLE));
    if (req->query != NULL && strcmp(req->query, "done=issued") == 0)
        invqr_html_set(invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_ISSUED)),
                                      "class", "alert alert-success"), "role", "status");
    else if (req->query != NULL && strcmp(req->query, "done=mailed") == 0)
        invqr_html_set(invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_MAILED)),
                                      "class", "alert alert-success"), "role", "status");
    else if (req->query != NULL && strcmp(req->query, "done=revoked") == 0)
        invqr_html_set(invqr_html_set(invqr_html_addf(main, "p", "%s %s",
                                                      invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_REVOKED),
                                                      invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_REVOKED_MORE)),
                                      "class", "alert alert-success"), "role", "status");
    else if (req->query != NULL && strcmp(req->query, "done=replaced") == 0) {
        /* say exactly what happened, and offer the new PDF there */
        invqr_el_t *done = invqr_html_add(main, "div", NULL);

        invqr_html_set(invqr_html_set(done, "class", "alert alert-success"), "role", "status");
        invqr_html_set(done, "data-done", "replaced");
        invqr_html_add(done, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_REPLACED));
        if (arv == APR_SUCCESS && !active.expired)
            invqr_html_set(invqr_html_link(invqr_html_add(done, "p", NULL),
                                           invqr_page_url(pg, download_rel(app, req, st, &active, p)),
                                           invqr_page_msg(pg, INVQR_MSG_CITIZEN_DONE_DOWNLOAD)),
                           "class", "btn btn-primary");
    }
    if (st != NULL && st->definitive)
        /* filled when the code was tried lately with wrong fiscal codes */
        attempts_alert = invqr_html_add(main, "p", NULL);
    /* a long page (up to a dozen sections): its sections listed first */
    contents = invqr_page_contents(pg, main);
    if (invqr_citizen_act_as_section(pg, main, db, req) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (st != NULL)
        invqr_html_set(invqr_html_addf(main, "p", "%s %s", st->given_name, st->surname),
                       "class", "lead");
    {
        invqr_el_t *who = invqr_html_add(main, "p", invqr_page_msg(pg, req->delegate != NULL
                                                                           ? INVQR_MSG_CITIZEN_HOLDER_FISCAL_CODE
                                                                           : INVQR_MSG_CITIZEN_FISCAL_CODE));
        invqr_html_text(who, " ");
        invqr_html_set(invqr_html_add(who, "strong", req->citizen), "data-field", "fiscal_code");
    }
    status = invqr_html_add(main, "section", NULL);
    invqr_html_set(status, "aria-labelledby", "eligibility");
    invqr_html_set(invqr_html_add(status, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_ELIGIBILITY)),
                   "id", "eligibility");
    if (st == NULL) {
        invqr_html_set(invqr_html_add(status, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NO_RECORD)),
                       "data-eligibility", "no-record");
    }
    else if (!st->definitive) {
        invqr_html_set(invqr_html_add(status, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NOT_DEFINITIVE)),
                       "data-eligibility", "not-definitive");
        invqr_citizen_record_sections(pg, main, st, p);
    }
    else {
        invqr_el_t *mob;

        invqr_html_set(invqr_html_add(status, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_ELIGIBLE)),
                       "data-eligibility", "eligible");
        attestation_section(pg, main, req, &active, arv == APR_SUCCESS, notice, notice_when,
                            arv == APR_SUCCESS ? download_rel(app, req, st, &active, p) : NULL,
                            arv == APR_SUCCESS ? pdf_file_name(&active, p) : NULL, may_act);
        if (arv == APR_SUCCESS && !active.expired) {
            qr_section(pg, main, app, req, st, &active, p);
            invqr_citizen_mail_section(pg, main, app);
            invqr_citizen_keep_section(pg, main, app);
        }
        invqr_citizen_record_sections(pg, main, st, p);
        mob = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "mobile");
        invqr_html_set(invqr_html_add(mob, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_MOBILE_H2)),
                       "id", "mobile");
        if (st->mobile[0] != '\0') {
            /* acting for the holder: the SMS still goes to the holder's record */
            invqr_el_t *p1 = invqr_html_add(mob, "p", invqr_page_msg(pg, req->delegate != NULL
                                                                         ? INVQR_MSG_CITIZEN_MOBILE_HOLDER
                                                                         : INVQR_MSG_CITIZEN_MOBILE_TEXT));
            invqr_html_text(p1, " ");
            char masked[32];

            invqr_level2_mask_mobile(masked, st->mobile);
            invqr_html_set(invqr_html_add(p1, "strong", masked), "data-field", "masked_mobile");
        }
        else {
            invqr_html_set(invqr_html_add(mob, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_NO_MOBILE)),
                           "data-field", "no_mobile");
        }
        if (invqr_citizen_sms_lang_section(pg, main, db, req) != APR_SUCCESS
            || access_log(pg, main, db, req, p) != APR_SUCCESS
            || invqr_citizen_attempts(pg, main, attempts_alert, db, req->citizen, arv == APR_SUCCESS,
                                      INVQR_ATTEMPTS_RECENT_DAYS, p) != APR_SUCCESS
            || invqr_citizen_delegates_sections(pg, main, db, req) != APR_SUCCESS) {
            invqr_app_db_failed(app);
            invqr_app_error(req, resp, 503, NULL, p);
            return;
        }
    }
    if (req->page.who != NULL && req->signout != NULL) {
        /* signed in upstream: signing out ends that session too (for
         * mod_auth_openidc, and the provider's through its end_session) */
        invqr_el_t *out = invqr_html_add(invqr_html_add(main, "p", NULL), "a",
                                         invqr_page_msg(pg, INVQR_MSG_SIGN_OUT));

        invqr_html_set(out, "href", req->signout);
        invqr_html_set(out, "class", "btn btn-secondary");
        invqr_html_set(out, "data-action", "sign-out");
    }
    else if (req->page.who != NULL && req->demo) {
        invqr_el_t *form = invqr_page_post_form(pg, main, "/citizen/logout");
        invqr_html_set(invqr_html_set(invqr_html_add(form, "button",
                                                     invqr_page_msg(pg, INVQR_MSG_SIGN_OUT)),
                                      "type", "submit"), "class", "btn-secondary");
    }
    invqr_page_contents_fill(pg, contents, CONTENTS_MIN);
    invqr_app_page(resp, 200, pg, p);
}

/* POST /citizen/qr: generate or replace, after the notice was acknowledged. */
void invqr_citizen_issue_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    invqr_status_t *st = NULL;
    invqr_active_code_t code;
    invqr_db_t *db = invqr_app_db(app);
    apr_table_t *form = NULL;
    const copies_t *old;
    const char *ack;
    invqr_active_code_t prev;
    int notice = 0, may_act = 1, replacing;
    char when[11];
    invqr_binds_t in;
    apr_status_t rv;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (req->body != NULL && invqr_form_parse(&form, req->body, req->body_len, p) != APR_SUCCESS) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    rv = invqr_status_load(&st, db, req->citizen, p);
    if (rv == APR_NOTFOUND || (rv == APR_SUCCESS && !st->definitive)) {
        /* only a definitive judgment can be attested */
        invqr_app_error(req, resp, 403, invqr_msg(req->page.lang, rv == APR_NOTFOUND
                                                                      ? INVQR_MSG_CITIZEN_NO_RECORD
                                                                      : INVQR_MSG_CITIZEN_NOT_DEFINITIVE), p);
        return;
    }
    if (rv != APR_SUCCESS || notice_read(&notice, when, db, req->citizen) != APR_SUCCESS
        || invqr_citizen_may_act(&may_act, db, req, st->birth_date) != APR_SUCCESS)
        goto unavailable;
    if (!may_act) {
        invqr_app_error(req, resp, 403, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_REPRESENTED_REFUSED), p);
        return;
    }
    if (!notice) {
        ack = form != NULL ? apr_table_get(form, "notice") : NULL;
        if (ack == NULL || strcmp(ack, "yes") != 0) {
            invqr_app_error(req, resp, 400, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_NOTICE_NEEDED), p);
            return;
        }
        invqr_binds_init(&in);
        invqr_bind_str(&in, req->citizen, strlen(req->citizen));
        if (invqr_db_exec(db, INVQR_SQL_NOTICE_ACK, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
            goto unavailable;
    }
    rv = invqr_code_store_active(&prev, db, req->citizen, app->conf->code_max_age_days);
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND)
        goto unavailable;
    replacing = rv == APR_SUCCESS;
    old = copies_of_active(app, req, db, p);
    if (invqr_code_store_issue(&code, db, req->citizen, req->client, req->delegate) != APR_SUCCESS)
        goto unavailable;
    remove_copies(old);
    invqr_app_redirect(req, resp, replacing ? "/citizen?done=replaced" : "/citizen?done=issued", p);
    return;
unavailable:
    invqr_app_db_failed(app);
    invqr_app_error(req, resp, 503, NULL, p);
}

/* POST /citizen/qr/revoke */
void invqr_citizen_revoke_route(invqr_app_t *app, const invqr_request_t *req,
                                invqr_response_t *resp, apr_pool_t *p)
{
    invqr_db_t *db = invqr_app_db(app);
    invqr_status_t *st = NULL;
    const copies_t *old;
    apr_status_t rv;
    int may_act = 1;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    rv = invqr_status_load(&st, db, req->citizen, p);
    if ((rv != APR_SUCCESS && rv != APR_NOTFOUND)
        || invqr_citizen_may_act(&may_act, db, req, st != NULL ? st->birth_date : NULL) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (!may_act) {
        invqr_app_error(req, resp, 403, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_REPRESENTED_REFUSED), p);
        return;
    }
    old = copies_of_active(app, req, db, p);
    rv = invqr_code_store_revoke(db, req->citizen, req->client, req->delegate);
    if (rv == APR_NOTFOUND) {
        invqr_app_redirect(req, resp, "/citizen", p);
        return;
    }
    if (rv != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    remove_copies(old);
    invqr_app_redirect(req, resp, "/citizen?done=revoked", p);
}

/* The PDF of the attestation at (whose cache key and QR URL are key and
 * url), from the cache or made now and cached. */
static apr_status_t attestation_pdf(const char **ppdf, apr_size_t *plen, const invqr_app_t *app,
                                    const invqr_request_t *req, const invqr_attestation_t *at,
                                    const char *key, const char *url, apr_pool_t *p)
{
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    invqr_pdf_input_t in;
    const char *pdf;
    apr_size_t len = 0;
    apr_status_t rv;

    pdf = invqr_pdf_cache_get(&len, key, p);
    if (pdf == NULL) {
        invqr_code_group(grouped, at->active.code);
        memset(&in, 0, sizeof(in));
        in.url = url;
        in.code_grouped = grouped;
        in.given_name = at->given_name;
        in.surname = at->surname;
        in.fiscal_code = req->citizen;
        in.issue_date = at->active.issued;
        in.expiry_date = at->active.expires[0] != '\0' ? at->active.expires : NULL;
        in.font_dir = app->conf->fonts_dir != NULL ? app->conf->fonts_dir : INVQR_FONTS_DIR;
        in.verify_url = apr_pstrcat(p, app->conf->public_base_url, "/verify", NULL);
        in.font_fallback = INVQR_DEJAVU_DIR "/DejaVuSans-Bold.ttf";
        in.issuer = app->conf->issuer_name;
        in.lang2 = req->page.lang == INVQR_LANG_DE ? "de" : "en";
        rv = invqr_pdf_render(&pdf, &len, &in, p);
        if (rv != APR_SUCCESS) {
            invqr_log(INVQR_LOG_ERR, "INVQR0202: cannot make the attestation PDF (%d)", rv);
            return rv;
        }
        invqr_pdf_cache_put(key, pdf, len);
    }
    *ppdf = pdf;
    *plen = len;
    return APR_SUCCESS;
}

apr_status_t invqr_citizen_attestation(const char **ppdf, apr_size_t *plen, const char **pname,
                                       invqr_attestation_t *at, invqr_app_t *app,
                                       const invqr_request_t *req, apr_pool_t *p)
{
    const char *key, *url;
    apr_status_t rv;

    *ppdf = NULL;
    *plen = 0;
    *pname = NULL;
    rv = invqr_code_store_attestation(at, invqr_app_db(app), req->citizen,
                                      app->conf->code_max_age_days);
    if (rv != APR_SUCCESS)
        return rv;
    if (at->active.expired)
        return APR_NOTFOUND;
    key = pdf_key(app, req, req->page.lang, &at->active, at->given_name, at->surname, &url, p);
    rv = attestation_pdf(ppdf, plen, app, req, at, key, url, p);
    if (rv != APR_SUCCESS)
        return APR_EINCOMPLETE;
    *pname = pdf_file_name(&at->active, p);
    return APR_SUCCESS;
}

/* GET /citizen/qr.pdf: the attestation of the active code, made on demand
 * from the stored code and the current record, cached while unchanged. */
void invqr_citizen_pdf_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p)
{
    invqr_db_t *db = invqr_app_db(app);
    invqr_attestation_t at;
    const char *key, *pdf, *url, *copy, *etag, *name;
    char tag[INVQR_PDF_TAG_LEN + 1];
    int made = 0;
    apr_size_t len = 0;
    apr_status_t rv;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    rv = invqr_code_store_attestation(&at, db, req->citizen, app->conf->code_max_age_days);
    if (rv == APR_NOTFOUND) {
        invqr_app_error(req, resp, 404, NULL, p);
        return;
    }
    if (rv != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (at.active.expired) {
        /* the citizen page says so too, and offers a new code */
        invqr_app_error(req, resp, 410, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_EXPIRED_TEXT), p);
        return;
    }
    key = pdf_key(app, req, req->page.lang, &at.active, at.given_name, at.surname, &url, p);
    invqr_pdf_tag(tag, key);
    etag = apr_pstrcat(p, "\"", tag, "\"", NULL);
    apr_table_setn(resp->headers, "ETag", etag);
    apr_table_setn(resp->headers, "Cache-Control", "private, no-cache");
    if (req->if_none_match != NULL && strcmp(req->if_none_match, etag) == 0) {
        resp->status = 304;
        resp->content_type = "application/pdf";
        resp->body = "";
        resp->len = 0;
        return;
    }
    /* someone acting for the holder: the holder's log says they took it */
    if (invqr_citizen_audit_download(db, req, at.active.code) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (attestation_pdf(&pdf, &len, app, req, &at, key, url, p) != APR_SUCCESS) {
        invqr_app_error(req, resp, 500, NULL, p);
        return;
    }
    /* the copy the module sends for the PDF's own URL, from now on */
    copy = copy_allowed(&at.active) ? invqr_pdf_copy_path(app->conf, req->citizen, tag, p) : NULL;
    if (copy != NULL && invqr_pdf_copy_store(copy, at.active.code, pdf, len, &made) == APR_SUCCESS && made) {
        /* a replacement or revocation committed since the read above has
         * already removed the copies it ended: take back a copy of a code
         * that is no longer the one read */
        invqr_attestation_t now;

        if (invqr_code_store_attestation(&now, db, req->citizen, app->conf->code_max_age_days) != APR_SUCCESS
            || strcmp(now.active.code, at.active.code) != 0
            || strcmp(now.given_name, at.given_name) != 0 || strcmp(now.surname, at.surname) != 0)
            unlink(copy);
    }
    resp->status = 200;
    resp->content_type = "application/pdf";
    resp->body = pdf;
    resp->len = len;
    name = invqr_pdf_file_name(at.active.issued, at.active.code, p);
    apr_table_setn(resp->headers, "Content-Disposition",
                   apr_pstrcat(p, "attachment; filename=\"",
                               name != NULL ? name : INVQR_PDF_FILE_PREFIX "civile.pdf", "\"",
                               NULL));
}
