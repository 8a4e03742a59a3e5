/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the camera scanner block of the pages where a code is typed. */
#ifndef INVQR_SCANNER_H
#define INVQR_SCANNER_H

#include "invqr_page.h"

/**
 * Append the camera scanner to parent: a button that starts the camera (shown
 * by static/invqr-scan.js, so without script only typing is offered), one
 * that stops it, the camera's picture, and a status line; then the two
 * scripts (the vendored jsQR and invqr-scan.js; no inline script). A code read
 * fills in the input whose id is field_id and moves the focus to the one
 * whose id is next_id. The page's response must allow the camera
 * (Permissions-Policy, set by mod_invqr for the routes that show this).
 * Texts in the page's language; nothing is allocated outside the page.
 */
void invqr_scanner_add(invqr_page_t *pg, invqr_el_t *parent, const char *field_id,
                       const char *next_id);

#endif
