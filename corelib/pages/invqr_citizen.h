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

#include "invqr_code_store.h"

/**
 * The citizen's current attestation (*at) and its PDF (*ppdf, *plen, from
 * the cache or made now) with its dated file name (*pname, from p), for the
 * e-mail. APR_NOTFOUND: no active code, or it has expired; APR_EGENERAL:
 * the store failed (logged); APR_EINCOMPLETE: the PDF could not be made
 * (logged). The thread's connection must be open (invqr_app_db).
 */
apr_status_t invqr_citizen_attestation(const char **ppdf, apr_size_t *plen, const char **pname,
                                       invqr_attestation_t *at, invqr_app_t *app,
                                       const invqr_request_t *req, apr_pool_t *p);

#endif
