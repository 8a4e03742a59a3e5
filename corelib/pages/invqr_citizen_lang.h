/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the holder's choice of the language of the consent SMS, on
 * /citizen (a section) and POST /citizen/sms-language (field sms_lang:
 * it, en or de). */
#ifndef INVQR_CITIZEN_LANG_H
#define INVQR_CITIZEN_LANG_H

#include "invqr_app.h"
#include "invqr_page.h"

/**
 * Add the section "Language of text messages" with the holder's current
 * choice checked, to main. APR_EGENERAL when the store fails (nothing is
 * added then).
 */
apr_status_t invqr_citizen_sms_lang_section(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                            const invqr_request_t *req);

/** POST /citizen/sms-language */
void invqr_citizen_sms_lang_route(invqr_app_t *app, const invqr_request_t *req,
                                  invqr_response_t *resp, apr_pool_t *p);

#endif
