/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the error summary of a form sent back with mistakes.
 *
 * The GOV.UK pattern, which Designers Italia's forms follow too: the page
 * that comes back keeps what was typed, puts each message beside its field
 * (invqr_fields.h: aria-describedby, aria-invalid) and opens with a box that
 * lists the problems as links to the fields. The box takes the focus when
 * the page loads (autofocus, no script), so a screen reader reads it first.
 */
#ifndef INVQR_ERROR_SUMMARY_H
#define INVQR_ERROR_SUMMARY_H

#include <stddef.h>

#include "invqr_page.h"

typedef struct {
    const char *field;   /* the id of the input the link moves to */
    const char *text;    /* the same message as beside the field; NULL: skipped */
} invqr_error_item_t;

/**
 * Append the summary of items (n of them; those whose text is NULL are left
 * out) to parent: div.error-summary with a heading and one link per
 * problem. Returns the box, or NULL when no item has a text (then nothing
 * is added). Allocated from the page's pool.
 */
invqr_el_t *invqr_error_summary(invqr_page_t *pg, invqr_el_t *parent,
                                const invqr_error_item_t *items, size_t n);

/**
 * The <title> of a page that came back with mistakes: "Errore: " + title,
 * so the first thing a screen reader announces says something is wrong.
 */
const char *invqr_error_title(const invqr_page_ctx_t *ctx, const char *title, apr_pool_t *p);

#endif
