/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen page's help on keeping and showing the attestation:
 * one list of every way the page offers, so a holder who cannot see the
 * buttons' layout (a screen reader, a small screen) learns them in one
 * place. The e-mail item appears only where the deployment sends e-mail. */
#include "invqr_citizen_keep.h"
#include "invqr_html.h"

void invqr_citizen_keep_section(invqr_page_t *pg, invqr_el_t *main, const invqr_app_t *app)
{
    static const invqr_msg_t ways[] = {
        INVQR_MSG_CITIZEN_KEEP_DOWNLOAD, INVQR_MSG_CITIZEN_KEEP_PRINT,
        INVQR_MSG_CITIZEN_KEEP_SCREEN, INVQR_MSG_CITIZEN_KEEP_SHARE,
        INVQR_MSG_CITIZEN_KEEP_MAIL,
    };
    invqr_el_t *sec, *list;
    size_t i;

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "keep-show");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_KEEP_H2)), "id",
                   "keep-show");
    list = invqr_html_set(invqr_html_add(sec, "ul", NULL), "data-field", "keep-ways");
    for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
        if (ways[i] != INVQR_MSG_CITIZEN_KEEP_MAIL || app->mail != NULL)
            invqr_html_add(list, "li", invqr_page_msg(pg, ways[i]));
    invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_KEEP_VERIFY));
}
