/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the holder chooses the language of their consent SMS.
 *
 * An operator's second-level request sends the holder an SMS; it must be in
 * the holder's language, not in the language of the operator's page. The
 * holder picks it among the three on /citizen; until then it is Italian.
 * The form needs no script: three radio buttons in a fieldset and a submit
 * button; the answer is a redirect back to /citizen with a status line.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_citizen_lang.h"
#include "invqr_form.h"
#include "invqr_holder_pref.h"
#include "invqr_log.h"

apr_status_t invqr_citizen_sms_lang_section(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                            const invqr_request_t *req)
{
    static const invqr_lang_t langs[] = { INVQR_LANG_IT, INVQR_LANG_EN, INVQR_LANG_DE };
    static const invqr_msg_t names[] = { INVQR_MSG_LANG_NAME_IT, INVQR_MSG_LANG_NAME_EN,
                                         INVQR_MSG_LANG_NAME_DE };
    invqr_lang_t current;
    invqr_el_t *sec, *form, *fs, *div, *input, *label;
    size_t i;

    if (invqr_holder_sms_lang(&current, db, req->citizen) != APR_SUCCESS)
        return APR_EGENERAL;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "sms-lang");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SMS_LANG_H2)),
                   "id", "sms-lang");
    if (req->query != NULL && strcmp(req->query, "done=sms-language") == 0)
        invqr_html_set(invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SMS_LANG_DONE)),
                                      "class", "alert alert-success"), "role", "status");
    invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SMS_LANG_TEXT));
    form = invqr_page_post_form(pg, sec, "/citizen/sms-language");
    fs = invqr_html_add(form, "fieldset", NULL);
    /* the group's name for screen readers; the heading above says it to the eye */
    invqr_html_set(invqr_html_add(fs, "legend", invqr_page_msg(pg, INVQR_MSG_CITIZEN_SMS_LANG_H2)),
                   "class", "visually-hidden");
    for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        const char *tag = invqr_lang_tag(langs[i]);
        const char *id = apr_pstrcat(invqr_page_pool(pg), "sms-lang-", tag, NULL);

        div = invqr_html_set(invqr_html_add(fs, "div", NULL), "class", "choice");
        input = invqr_html_add(div, "input", NULL);
        invqr_html_set(input, "type", "radio");
        invqr_html_set(input, "name", "sms_lang");
        invqr_html_set(input, "id", id);
        invqr_html_set(input, "value", tag);
        if (langs[i] == current)
            invqr_html_set(input, "checked", "checked");
        label = invqr_html_add(div, "label", invqr_msg(langs[i], names[i]));
        invqr_html_set(label, "for", id);
        invqr_html_set(label, "lang", tag);
    }
    invqr_html_set(invqr_html_set(invqr_html_add(form, "button",
                                                 invqr_page_msg(pg, INVQR_MSG_CITIZEN_SMS_LANG_SAVE)),
                                  "type", "submit"), "class", "btn-secondary");
    invqr_html_set(sec, "data-sms-lang", invqr_lang_tag(current));
    return APR_SUCCESS;
}

void invqr_citizen_sms_lang_route(invqr_app_t *app, const invqr_request_t *req,
                                  invqr_response_t *resp, apr_pool_t *p)
{
    apr_table_t *form = NULL;
    const char *tag;
    invqr_db_t *db;
    int lang;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (req->body == NULL || invqr_form_parse(&form, req->body, req->body_len, p) != APR_SUCCESS
        || (tag = apr_table_get(form, "sms_lang")) == NULL || strlen(tag) != 2
        || (lang = invqr_lang_parse(tag)) < 0) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    db = invqr_app_db(app);
    if (db == NULL || invqr_holder_sms_lang_set(db, req->citizen, (invqr_lang_t)lang) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_ERR, "INVQR0075: cannot record a holder's SMS language");
        if (db != NULL)
            invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    invqr_app_redirect(req, resp, "/citizen?done=sms-language#sms-lang", p);
}
