/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen area (GET /citizen). */
#ifndef INVQR_CITIZEN_H
#define INVQR_CITIZEN_H

#include "invqr_app.h"

/** Route "citizen": eligibility and what the citizen can do, or how to sign in. */
void invqr_citizen_route(invqr_app_t *app, const invqr_request_t *req,
                         invqr_response_t *resp, apr_pool_t *p);

/** Route "citizen-qr": POST /citizen/qr, generate or replace the code. */
void invqr_citizen_issue_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p);

/** Route "citizen-revoke": POST /citizen/qr/revoke. */
void invqr_citizen_revoke_route(invqr_app_t *app, const invqr_request_t *req,
                                invqr_response_t *resp, apr_pool_t *p);

/** Route "citizen-pdf": GET /citizen/qr.pdf. */
void invqr_citizen_pdf_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p);

#endif
