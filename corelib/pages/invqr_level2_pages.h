/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the second level in the browser (routes /v/<CODE>/otp,
 * /v/<CODE>/cancel and /v/<CODE>/level2, and the offer under a first-level
 * result). */
#ifndef INVQR_LEVEL2_PAGES_H
#define INVQR_LEVEL2_PAGES_H

#include "invqr_app.h"

void invqr_otp_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                     apr_pool_t *p);
void invqr_otp_cancel_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                            apr_pool_t *p);
void invqr_level2_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                        apr_pool_t *p);

/** On a first-level result seen by an operator: remember it, offer the second level. */
void invqr_operator_offer_level2(invqr_app_t *app, const invqr_request_t *req,
                                 invqr_page_t *pg, invqr_el_t *main, const char *code);

#endif
