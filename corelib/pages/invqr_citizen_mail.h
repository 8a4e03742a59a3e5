/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the attestation PDF sent by e-mail (POST /citizen/mail). */
#ifndef INVQR_CITIZEN_MAIL_H
#define INVQR_CITIZEN_MAIL_H

#include "invqr_app.h"
#include "invqr_page.h"

/** Route "citizen-mail": POST /citizen/mail, email and email_again. */
void invqr_citizen_mail_route(invqr_app_t *app, const invqr_request_t *req,
                              invqr_response_t *resp, apr_pool_t *p);

/**
 * Append the e-mail form to main (only when the deployment has a
 * mail_transport): the address twice, the day's limit, the button.
 */
void invqr_citizen_mail_section(invqr_page_t *pg, invqr_el_t *main, const invqr_app_t *app);

#endif
