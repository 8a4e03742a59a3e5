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
 * Append the first-level result panel (the name and each category as a
 * yes/no with its data-field) to main. Returns the panel's <dl>, where the
 * second level adds its rows; *ppanel is the panel itself.
 */
xmlNodePtr invqr_verify_panel(xmlNodePtr *ppanel, xmlNodePtr main, invqr_lang_t lang,
                              const invqr_level1_t *v);

#endif
