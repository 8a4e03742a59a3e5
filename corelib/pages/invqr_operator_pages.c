/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the operator's own pages: sign-in form, home and guide.
 *
 * The password itself is checked by mod_invqr; the worker only renders the
 * form. The second level (consent code, the full record) has its pages in
 * invqr_level2_pages.c, on the layout helpers this file exports.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_code.h"
#include "invqr_fields.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_operator_pages.h"
#include "invqr_verify_pages.h"
#include "invqr_when.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

invqr_page_t *invqr_operator_page(const invqr_request_t *req, invqr_msg_t title, int status,
                                  int keep_csrf, invqr_el_t **pmain, apr_pool_t *p)
{
    invqr_page_ctx_t ctx = req->page;
    const char *text = invqr_msg(req->page.lang, title);
    invqr_page_t *pg;

    ctx.operator_area = 1;
    if (!keep_csrf)
        ctx.csrf = NULL;
    pg = invqr_page_new(&ctx, text, p);
    *pmain = invqr_page_main(pg);
    if (status != 200)
        invqr_html_set(*pmain, "data-status", apr_itoa(p, status));
    invqr_html_add(*pmain, "h1", text);
    return pg;
}

void invqr_operator_help_link(invqr_page_t *pg, invqr_el_t *main, const invqr_request_t *req)
{
    invqr_el_t *p1 = invqr_html_set(invqr_html_add(main, "p", NULL), "class", "help-link");

    invqr_html_link(p1, invqr_page_url(pg, "/operator/help"), MSG(OP_HELP_LINK));
}

/* The query's field name, when the query parses and has it; else NULL. */
static const char *query_field(const invqr_request_t *req, const char *name, apr_pool_t *p)
{
    apr_table_t *q = NULL;

    if (req->query == NULL || invqr_form_parse(&q, req->query, strlen(req->query), p) != APR_SUCCESS)
        return NULL;
    return apr_table_get(q, name);
}

void invqr_operator_login_route(invqr_app_t *app, const invqr_request_t *req,
                                invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *form, *sec, *p1;
    invqr_field_t f;
    const char *error = query_field(req, "error", p), *next = query_field(req, "next", p);
    int failed = error != NULL && strcmp(error, "1") == 0;

    pg = invqr_operator_page(req, INVQR_MSG_OP_LOGIN_TITLE, 200, 1, &main, p);
    if (failed)
        invqr_html_set(invqr_html_set(invqr_html_add(main, "p", MSG(OP_LOGIN_FAILED)), "class",
                                      "alert alert-error"), "role", "alert");
    invqr_html_add(main, "p", MSG(OP_LOGIN_INTRO));
    form = invqr_page_post_form(pg, main, "/operator/login");
    if (invqr_form_return_to_ok(next)) {
        /* where the sign-in goes on to (the module checks it again) */
        invqr_el_t *hidden = invqr_html_add(form, "input", NULL);

        invqr_html_set(hidden, "type", "hidden");
        invqr_html_set(hidden, "name", "next");
        invqr_html_set(hidden, "value", next);
    }
    memset(&f, 0, sizeof(f));
    f.name = "username";
    f.label = MSG(OP_USERNAME);
    f.maxlength = 64;
    f.autocomplete = "username";
    invqr_field_add(form, &f);
    memset(&f, 0, sizeof(f));
    f.name = "password";
    f.label = MSG(OP_PASSWORD);
    f.maxlength = 256;
    f.autocomplete = "current-password";
    f.type = "password";
    invqr_field_add(form, &f);
    invqr_field_submit(form, MSG(OP_SIGN_IN));

    /* how to get credentials, or a password reset: the deployment's contact */
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "op-credentials");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(OP_LOGIN_HELP_H2)), "id", "op-credentials");
    p1 = invqr_html_add(sec, "p", MSG(OP_LOGIN_HELP_TEXT));
    invqr_html_text(p1, " ");
    if (app->conf != NULL && app->conf->operator_help_contact != NULL)
        invqr_html_set(invqr_html_add(p1, "strong", app->conf->operator_help_contact), "data-field",
                       "operator_help_contact");
    else
        invqr_html_set(invqr_html_add(p1, "span", MSG(OP_LOGIN_HELP_DEFAULT)), "data-field",
                       "operator_help_contact");
    invqr_operator_help_link(pg, main, req);
    invqr_app_page(resp, failed ? 401 : 200, pg, p);
}

typedef struct {
    invqr_el_t *tbody;
    invqr_page_t *pg;
    const invqr_request_t *req;
    char code[24], outcome[40];
    long long at, level;
} recent_t;

/* The words for an audit outcome (the raw value stays in data-value). */
static invqr_msg_t outcome_words(const char *outcome)
{
    static const struct {
        const char *raw;
        invqr_msg_t msg;
    } words[] = {
        { "match", INVQR_MSG_OUTCOME_MATCH },
        { "shown", INVQR_MSG_OUTCOME_SHOWN },
        { "mismatch", INVQR_MSG_OUTCOME_MISMATCH },
        { "unknown", INVQR_MSG_OUTCOME_UNKNOWN },
        { "revoked", INVQR_MSG_OUTCOME_REVOKED },
        { "limited", INVQR_MSG_OUTCOME_LIMITED },
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(outcome, words[i].raw) == 0)
            return words[i].msg;
    return INVQR_MSG_OUTCOME_OTHER;
}

static int recent_row(void *baton, invqr_binds_t *out)
{
    recent_t *r = baton;
    const invqr_request_t *req = r->req;
    invqr_el_t *tr = invqr_html_add(r->tbody, "tr", NULL);
    char grouped[INVQR_CODE_GROUPED_LEN + 1], when[17];

    invqr_when_minute(when, r->at);
    invqr_page_date(r->pg, invqr_html_set(invqr_html_add(tr, "td", NULL), "data-label",
                                          MSG(CITIZEN_LOG_WHEN)), when);
    if (strlen(r->code) == INVQR_CODE_LEN)
        invqr_code_group(grouped, r->code);
    else
        apr_cpystrn(grouped, r->code, sizeof(grouped));
    invqr_html_set(invqr_html_set(invqr_html_add(tr, "td", grouped), "data-label", MSG(OP_RECENT_CODE)),
                   "class", "code");
    invqr_html_set(invqr_html_add(tr, "td", r->level == 2 ? MSG(CITIZEN_LOG_LEVEL2) : MSG(CITIZEN_LOG_LEVEL1)),
                   "data-label", MSG(CITIZEN_LOG_LEVEL));
    invqr_html_set(invqr_html_set(invqr_html_add(tr, "td", invqr_msg(req->page.lang, outcome_words(r->outcome))),
                                  "data-label", MSG(OP_RECENT_OUTCOME)),
                   "data-value", r->outcome);
    return 0;
}

void invqr_operator_home_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *who, *sec, *table, *tr, *wrap;
    invqr_db_t *db = invqr_app_db(app);
    invqr_binds_t in, out;
    recent_t rec;
    unsigned long long rows = 0;

    if (req->operator_id <= 0) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    pg = invqr_page_new(&req->page, MSG(OP_HOME_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", MSG(OP_HOME_TITLE));
    {
        /* after POST /v/CODE/cancel */
        const char *done = query_field(req, "done", p);

        if (done != NULL && strcmp(done, "cancelled") == 0)
            invqr_html_set(invqr_html_set(invqr_html_add(main, "p", MSG(OP_CANCELLED)), "class",
                                          "alert alert-success"), "role", "status");
    }
    who = invqr_html_add(main, "p", MSG(OP_SIGNED_IN));
    invqr_html_text(who, " ");
    invqr_html_set(invqr_html_add(who, "strong", req->operator_name), "data-field", "operator");
    invqr_html_text(who, " ");
    invqr_html_text(who, MSG(OP_ORG));
    invqr_html_text(who, " ");
    invqr_html_set(invqr_html_add(who, "strong", req->org_name), "data-field", "organisation");

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "op-verify");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(OP_VERIFY_H2)), "id", "op-verify");
    invqr_html_add(sec, "p", MSG(OP_VERIFY_TEXT));
    invqr_verify_form(pg, sec, req, NULL, 1, NULL, NULL, NULL);

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "op-recent");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(OP_RECENT_H2)), "id", "op-recent");
    wrap = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "table-wrap");
    table = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_html_set(table, "data-table", "recent");
    tr = invqr_html_add(invqr_html_add(table, "thead", NULL), "tr", NULL);
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_WHEN)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(OP_RECENT_CODE)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_LEVEL)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(OP_RECENT_OUTCOME)), "scope", "col");
    memset(&rec, 0, sizeof(rec));
    rec.req = req;
    rec.pg = pg;
    rec.tbody = invqr_html_add(table, "tbody", NULL);
    invqr_binds_init(&in);
    invqr_bind_int(&in, req->operator_id);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &rec.at);
    invqr_bind_out_str(&out, rec.code, sizeof(rec.code));
    invqr_bind_out_int(&out, &rec.level);
    invqr_bind_out_str(&out, rec.outcome, sizeof(rec.outcome));
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_RECENT, &in, &out, recent_row, &rec, &rows) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (rows == 0) {
        invqr_html_remove(wrap);
        invqr_html_add(sec, "p", MSG(OP_RECENT_EMPTY));
    }
    {
        invqr_el_t *out_form = invqr_page_post_form(pg, main, "/operator/logout");
        invqr_html_set(invqr_html_set(invqr_html_add(out_form, "button", MSG(OP_SIGN_OUT)), "type",
                                      "submit"), "class", "btn-secondary");
    }
    invqr_operator_help_link(pg, main, req);
    invqr_app_page(resp, 200, pg, p);
}

void invqr_operator_help_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *ul;

    pg = invqr_operator_page(req, INVQR_MSG_HELP_TITLE, 200, 1, &main, p);
    invqr_html_add(main, "h2", MSG(HELP_SCAN_H2));
    invqr_html_add(main, "p", MSG(HELP_SCAN_TEXT));
    invqr_html_add(main, "h2", MSG(HELP_LEVEL1_H2));
    invqr_html_add(main, "p", MSG(HELP_LEVEL1_TEXT));
    invqr_html_add(main, "h2", MSG(HELP_LEVEL2_H2));
    invqr_html_add(main, "p", MSG(HELP_LEVEL2_TEXT));
    invqr_html_set(invqr_html_add(main, "p", MSG(HELP_REPRESENTED_TEXT)), "id", "help-represented");
    invqr_html_add(main, "h2", MSG(HELP_ERRORS_H2));
    ul = invqr_html_add(main, "ul", NULL);
    invqr_html_add(ul, "li", MSG(HELP_ERR_404));
    invqr_html_add(ul, "li", MSG(HELP_ERR_410));
    invqr_html_add(ul, "li", MSG(HELP_ERR_422));
    invqr_html_add(ul, "li", MSG(HELP_ERR_429));
    invqr_html_add(ul, "li", MSG(HELP_ERR_OTP));
    invqr_html_add(ul, "li", MSG(HELP_ERR_503));
    invqr_html_link(invqr_html_add(main, "p", NULL), invqr_page_url(pg, "/benefits"),
                    MSG(RESULT_BENEFITS));
    invqr_app_page(resp, 200, pg, p);
    (void)app;
}
