/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the failed attempts on the holder's codes, in the citizen area.
 *
 * Anyone holding a code can type wrong fiscal codes until the code cools
 * down. The holder must know: the citizen area lists each wrong fiscal code
 * typed for their codes (when, and which organisation when an operator did
 * it; never the text typed) and each cool-down with its end, advises to
 * replace the code if they did not cause them, and says so at the top of
 * the page when it happened lately.
 */
#ifndef INVQR_CITIZEN_ATTEMPTS_H
#define INVQR_CITIZEN_ATTEMPTS_H

#include "invqr_db.h"
#include "invqr_page.h"

/**
 * Append the failed attempts of fiscal_code's codes to parent (a section
 * after the access log), with a link to the replacement when has_active; nothing
 * when there were none. When one is younger than recent_days and alert is
 * not NULL, fill alert (an empty element near the top of the page) with the
 * warning and a link down to the list; otherwise alert is removed.
 * APR_EGENERAL when the store failed.
 */
apr_status_t invqr_citizen_attempts(invqr_page_t *pg, invqr_el_t *parent, invqr_el_t *alert,
                                    invqr_db_t *db, const char *fiscal_code, int has_active,
                                    int recent_days, apr_pool_t *p);

#endif
