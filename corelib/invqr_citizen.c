/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen area.
 *
 * Signed in (through the agency's identity provider, or the demo sign-in
 * when it is enabled), a citizen sees whether their status allows a QR
 * attestation and, if not, why, in plain words. Not signed in, they are told
 * how to sign in.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_citizen.h"
#include "invqr_html.h"
#include "invqr_log.h"
#include "invqr_status.h"

typedef struct {
    xmlNodePtr list;
    char fc[20], surname[INVQR_NAME_MAX_BYTES + 1], given[INVQR_NAME_MAX_BYTES + 1];
} demo_list_t;

static int demo_row(void *baton, invqr_binds_t *out)
{
    demo_list_t *d = baton;
    xmlNodePtr li = invqr_html_add(d->list, "li", NULL);
    char label[2 * INVQR_NAME_MAX_BYTES + 32];

    snprintf(label, sizeof(label), "%s %s: ", d->given, d->surname);
    invqr_html_text(li, label);
    invqr_html_set(invqr_html_add(li, "code", d->fc), "data-fiscal-code", d->fc);
    return 0;
}

/* Not signed in: the demo sign-in form, or how to sign in for real. */
static void sign_in_page(invqr_app_t *app, const invqr_request_t *req,
                         invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    xmlNodePtr main, form, field, list;
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
        xmlNodePtr in = invqr_html_add(field, "input", NULL);
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
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_DEMO_LIST, NULL, &out, demo_row, &d, NULL) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    invqr_app_page(resp, 200, pg, p);
}

void invqr_citizen_route(invqr_app_t *app, const invqr_request_t *req,
                         invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    xmlNodePtr main, status;
    invqr_status_t *st = NULL;
    invqr_db_t *db;
    apr_status_t rv;

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
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_CITIZEN_TITLE));
    if (st != NULL)
        invqr_html_set(invqr_html_addf(main, "p", "%s %s", st->given_name, st->surname),
                       "class", "lead");
    {
        xmlNodePtr who = invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_FISCAL_CODE));
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
    }
    else {
        invqr_html_set(invqr_html_add(status, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_ELIGIBLE)),
                       "data-eligibility", "eligible");
    }
    if (req->page.who != NULL && req->demo) {
        xmlNodePtr form = invqr_page_post_form(pg, main, "/citizen/logout");
        invqr_html_set(invqr_html_set(invqr_html_add(form, "button",
                                                     invqr_page_msg(pg, INVQR_MSG_SIGN_OUT)),
                                      "type", "submit"), "class", "btn-secondary");
    }
    invqr_app_page(resp, 200, pg, p);
}
