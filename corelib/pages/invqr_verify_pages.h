/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the verifier's pages: GET/POST /v/<CODE> and GET/POST /verify. */
#ifndef INVQR_VERIFY_PAGES_H
#define INVQR_VERIFY_PAGES_H

#include "invqr_app.h"

/** Route "verify-code": the code comes from the path (the QR). */
void invqr_verify_code_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p);

/** Route "verify": the code is typed. */
void invqr_verify_manual_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p);

#include "invqr_verify.h"

/**
 * Append the verification form to parent: with manual set, a field for the
 * typed code (pre-filled with typed_code) posting to /verify; otherwise the
 * code comes from the path and the form posts to /v/<code>. Then the
 * holder's fiscal code. code_error and fc_error mark a field wrong (NULL: not).
 */
void invqr_verify_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                       const char *code, int manual, const char *typed_code,
                       const char *code_error, const char *fc_error);

/**
 * Append to dl (a <dl class="result-list">) what the first level shows: the
 * name and each category as a yes/no, with its data-field and data-value.
 * The verifier's result and the holder's own view of it (the citizen area)
 * both use it, so the holder sees exactly what a verifier sees.
 */
void invqr_verify_categories(invqr_el_t *dl, invqr_lang_t lang, const invqr_level1_t *v);

/**
 * Append the first-level result panel (the name and each category as a
 * yes/no with its data-field) to main. Returns the panel's <dl>, where the
 * second level adds its rows; *ppanel is the panel itself.
 */
invqr_el_t *invqr_verify_panel(invqr_el_t **ppanel, invqr_el_t *main, invqr_lang_t lang,
                              const invqr_level1_t *v);

#endif
