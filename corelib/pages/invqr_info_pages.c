/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the privacy notice and the citizens' help page.
 *
 * Both are plain pages made of catalogue messages, in the three languages,
 * with what only the deployment knows taken from invqr.conf: the data
 * controller (privacy_controller, else issuer_name), how to reach the data
 * protection officer (privacy_dpo) and the administration's contacts
 * (agency_contacts_url). An administration with its own notice or help
 * points agency_privacy_url or agency_help_url elsewhere; these pages stay
 * reachable for the links in the citizen area.
 */
#include <apr_strings.h>

#include "invqr_info_pages.h"
#include "invqr_page.h"

static void section(invqr_page_t *pg, invqr_el_t *main, const char *id, invqr_msg_t h2,
                    invqr_msg_t text)
{
    invqr_el_t *sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", id);

    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, h2)), "id", id);
    if ((int)text >= 0)
        invqr_html_add(sec, "p", invqr_page_msg(pg, text));
}

void invqr_privacy_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                         apr_pool_t *p)
{
    invqr_page_t *pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_PRIVACY_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg), *sec;
    const char *controller = app->conf->privacy_controller != NULL ? app->conf->privacy_controller
                                                                    : app->conf->issuer_name;

    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_PRIVACY_TITLE));
    invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_PRIVACY_LEAD)), "class", "lead");
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "controller");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_PRIVACY_CONTROLLER_H2)),
                   "id", "controller");
    invqr_html_set(invqr_html_add(sec, "p", controller), "data-field", "controller");
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "dpo");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_PRIVACY_DPO_H2)), "id", "dpo");
    invqr_html_set(invqr_html_add(sec, "p", app->conf->privacy_dpo != NULL
                                               ? app->conf->privacy_dpo
                                               : invqr_page_msg(pg, INVQR_MSG_PRIVACY_DPO_NONE)),
                   "data-field", "dpo");
    section(pg, main, "data", INVQR_MSG_PRIVACY_DATA_H2, INVQR_MSG_PRIVACY_DATA_TEXT);
    section(pg, main, "purpose", INVQR_MSG_PRIVACY_PURPOSE_H2, INVQR_MSG_PRIVACY_PURPOSE_TEXT);
    section(pg, main, "recipients", INVQR_MSG_PRIVACY_RECIPIENTS_H2, INVQR_MSG_PRIVACY_RECIPIENTS_TEXT);
    section(pg, main, "retention", INVQR_MSG_PRIVACY_RETENTION_H2, INVQR_MSG_PRIVACY_RETENTION_TEXT);
    section(pg, main, "rights", INVQR_MSG_PRIVACY_RIGHTS_H2, INVQR_MSG_PRIVACY_RIGHTS_TEXT);
    invqr_app_page(resp, 200, pg, p);
}

void invqr_help_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                      apr_pool_t *p)
{
    invqr_page_t *pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_HELP_CITIZEN_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg), *last;
    const char *contacts = app->conf->agency_contacts_url;

    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_HELP_CITIZEN_TITLE));
    invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_HELP_CITIZEN_LEAD)), "class", "lead");
    section(pg, main, "get", INVQR_MSG_HELP_GET_H2, INVQR_MSG_HELP_GET_TEXT);
    section(pg, main, "show", INVQR_MSG_HELP_SHOW_H2, INVQR_MSG_HELP_SHOW_TEXT);
    section(pg, main, "lost", INVQR_MSG_HELP_LOST_H2, INVQR_MSG_HELP_LOST_TEXT);
    section(pg, main, "sms", INVQR_MSG_HELP_SMS_H2, INVQR_MSG_HELP_SMS_TEXT);
    section(pg, main, "contact", INVQR_MSG_HELP_CONTACT_H2, INVQR_MSG_HELP_CONTACT_TEXT);
    last = invqr_html_add(main, "ul", NULL);
    invqr_html_set(last, "class", "next-steps");
    invqr_html_link(invqr_html_add(last, "li", NULL), invqr_page_url(pg, "/citizen"),
                    invqr_page_msg(pg, INVQR_MSG_HOME_CITIZEN_LINK));
    if (contacts != NULL)
        invqr_html_link(invqr_html_add(last, "li", NULL),
                        contacts[0] == '/' ? invqr_page_url(pg, contacts) : contacts,
                        invqr_page_msg(pg, INVQR_MSG_LINK_CONTACTS));
    invqr_html_link(invqr_html_add(last, "li", NULL), invqr_page_url(pg, "/privacy"),
                    invqr_page_msg(pg, INVQR_MSG_LINK_PRIVACY));
    invqr_app_page(resp, 200, pg, p);
}
