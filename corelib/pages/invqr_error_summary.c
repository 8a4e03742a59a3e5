/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the error summary of a form sent back with mistakes. */
#include <apr_strings.h>

#include "invqr_error_summary.h"

invqr_el_t *invqr_error_summary(invqr_page_t *pg, invqr_el_t *parent,
                                const invqr_error_item_t *items, size_t n)
{
    invqr_el_t *box = NULL, *ul = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        if (items[i].text == NULL)
            continue;
        if (box == NULL) {
            box = invqr_html_add(parent, "div", NULL);
            invqr_html_set(box, "class", "error-summary");
            invqr_html_set(box, "aria-labelledby", "error-summary-title");
            invqr_html_set(box, "tabindex", "-1");
            invqr_html_set(box, "autofocus", "autofocus");
            invqr_html_set(box, "data-error-summary", "");
            invqr_html_set(invqr_html_add(box, "h2", invqr_page_msg(pg, INVQR_MSG_ERROR_SUMMARY_TITLE)),
                           "id", "error-summary-title");
            ul = invqr_html_add(box, "ul", NULL);
        }
        invqr_html_link(invqr_html_add(ul, "li", NULL),
                        apr_pstrcat(invqr_page_pool(pg), "#", items[i].field, NULL), items[i].text);
    }
    return box;
}

const char *invqr_error_title(const invqr_page_ctx_t *ctx, const char *title, apr_pool_t *p)
{
    invqr_lang_t lang = ctx != NULL ? ctx->lang : INVQR_LANG_IT;

    return apr_pstrcat(p, invqr_msg(lang, INVQR_MSG_ERROR_TITLE_PREFIX), " ", title, NULL);
}
