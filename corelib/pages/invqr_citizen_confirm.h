/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - asking the citizen before a code ends.
 *
 * Replacing or revoking a code cannot be undone: printed copies stop working
 * at once. The citizen area therefore links to a page of its own for each
 * (GET, no script needed) that says what happens and holds the form that
 * does it (POST /citizen/qr, POST /citizen/qr/revoke, with the CSRF token).
 */
#ifndef INVQR_CITIZEN_CONFIRM_H
#define INVQR_CITIZEN_CONFIRM_H

#include "invqr_app.h"

/** Route "citizen-replace-confirm": GET /citizen/qr/replace. Without an
 * active code, 303 to /citizen. */
void invqr_citizen_replace_confirm_route(invqr_app_t *app, const invqr_request_t *req,
                                         invqr_response_t *resp, apr_pool_t *p);

/** Route "citizen-revoke-confirm": GET /citizen/qr/revoke. Without an
 * active code, 303 to /citizen. */
void invqr_citizen_revoke_confirm_route(invqr_app_t *app, const invqr_request_t *req,
                                        invqr_response_t *resp, apr_pool_t *p);

#endif
