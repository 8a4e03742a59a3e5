/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the holder's own record in the citizen area.
 *
 * The holder sees what a verifier sees at first level (the same categories,
 * drawn by the same code as the verifier's result), and the dates of the
 * record: the judgment, the review, the last update by the agency.
 */
#ifndef INVQR_CITIZEN_RECORD_H
#define INVQR_CITIZEN_RECORD_H

#include "invqr_page.h"
#include "invqr_status_load.h"

/**
 * Append to main, for a record st: when the judgment is definitive, the
 * section "what a verifier sees"; always, the section with the record's
 * dates. Allocated from p.
 */
void invqr_citizen_record_sections(invqr_page_t *pg, invqr_el_t *main, const invqr_status_t *st,
                                   apr_pool_t *p);

#endif
