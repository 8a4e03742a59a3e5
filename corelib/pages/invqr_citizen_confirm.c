/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - asking the citizen before a code ends (GET /citizen/qr/replace,
 * GET /citizen/qr/revoke): what happens, then "yes" as a form and "no" as a
 * link back. The page names the code that will stop working. */
#include <apr_strings.h>

#include "invqr_citizen_confirm.h"
#include "invqr_citizen_delegates.h"
#include "invqr_code_store.h"
#include "invqr_fields.h"
#include "invqr_html.h"
#include "invqr_status_load.h"

#define MSG(m) invqr_page_msg(pg, INVQR_MSG_##m)

static void confirm_page(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                         int revoke, apr_pool_t *p)
{
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    invqr_active_code_t active;
    invqr_page_t *pg;
    invqr_el_t *main, *el, *ul, *form, *actions;
    invqr_status_t *st = NULL;
    invqr_db_t *db;
    apr_status_t rv;
    int may_act = 1;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    db = invqr_app_db(app);
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    rv = invqr_code_store_active(&active, db, req->citizen, app->conf->code_max_age_days);
    if (rv == APR_NOTFOUND) {
        /* nothing to replace or revoke (already done, in another tab) */
        invqr_app_redirect(req, resp, "/citizen", p);
        return;
    }
    if (rv == APR_SUCCESS) {
        rv = invqr_status_load(&st, db, req->citizen, p);
        if (rv == APR_SUCCESS || rv == APR_NOTFOUND)
            rv = invqr_citizen_may_act(&may_act, db, req, st != NULL ? st->birth_date : NULL);
    }
    if (rv != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (!may_act) {
        /* a represented holder: the one who represents them decides (as the
         * POST routes answer) */
        invqr_app_error(req, resp, 403, invqr_msg(req->page.lang, INVQR_MSG_CITIZEN_REPRESENTED_REFUSED),
                        p);
        return;
    }
    pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, revoke ? INVQR_MSG_CONFIRM_REVOKE_TITLE
                                                                    : INVQR_MSG_CONFIRM_REPLACE_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_set(main, "data-confirm", revoke ? "revoke" : "replace");
    invqr_html_add(main, "h1", revoke ? MSG(CONFIRM_REVOKE_TITLE) : MSG(CONFIRM_REPLACE_TITLE));
    invqr_code_group(grouped, active.code);
    el = invqr_html_add(main, "p", MSG(CONFIRM_CURRENT));
    invqr_html_text(el, " ");
    invqr_html_set(invqr_html_set(invqr_html_add(el, "strong", grouped), "class", "code"),
                   "data-field", "code");
    invqr_html_add(main, "h2", MSG(CONFIRM_WHAT_HAPPENS));
    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "what-happens");
    invqr_html_add(ul, "li", MSG(CONFIRM_OLD_STOPS));
    invqr_html_add(ul, "li", revoke ? MSG(CONFIRM_REVOKE_NONE) : MSG(CONFIRM_REPLACE_NEW));
    invqr_html_add(ul, "li", MSG(CONFIRM_LOG_STAYS));
    form = invqr_page_post_form(pg, main, revoke ? "/citizen/qr/revoke" : "/citizen/qr");
    actions = invqr_html_set(invqr_html_add(form, "div", NULL), "class", "form-actions actions");
    invqr_html_set(invqr_html_set(invqr_html_add(actions, "button",
                                                 revoke ? MSG(CONFIRM_REVOKE_YES)
                                                        : MSG(CONFIRM_REPLACE_YES)),
                                  "type", "submit"),
                   "class", revoke ? "btn btn-danger" : "btn btn-primary");
    invqr_html_set(invqr_html_link(actions, invqr_page_url(pg, "/citizen"), MSG(CONFIRM_NO)),
                   "class", "btn btn-secondary");
    invqr_app_page(resp, 200, pg, p);
}

void invqr_citizen_replace_confirm_route(invqr_app_t *app, const invqr_request_t *req,
                                         invqr_response_t *resp, apr_pool_t *p)
{
    confirm_page(app, req, resp, 0, p);
}

void invqr_citizen_revoke_confirm_route(invqr_app_t *app, const invqr_request_t *req,
                                        invqr_response_t *resp, apr_pool_t *p)
{
    confirm_page(app, req, resp, 1, p);
}
