/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - a citizen's status record as the store holds it.
 *
 * Loaded by the citizen area and by verification alike, so the rules of what
 * is shown read one and the same record.
 */
#ifndef INVQR_STATUS_LOAD_H
#define INVQR_STATUS_LOAD_H

#include <apr_pools.h>

#include "invqr_db.h"
#include "invqr_record.h"

typedef struct {
    char fiscal_code[INVQR_FISCAL_LEN + 1];
    char surname[INVQR_NAME_MAX_BYTES + 1];
    char given_name[INVQR_NAME_MAX_BYTES + 1];
    char birth_date[11];
    char mobile[INVQR_MOBILE_MAX + 1];     /* "" when none */
    int definitive;
    char judgment_date[11];
    char review_date[11];                  /* "" when none */
    int civil_invalidity;
    int invalidity_percent;                /* -1 when none */
    int minor_invalidity;
    int attendance_allowance;
    invqr_blindness_t civil_blindness;
    int deafness;
    invqr_handicap_t handicap;
    char medical_judgment[INVQR_JUDGMENT_MAX_BYTES + 1];
    long long updated_at;                  /* Unix seconds: when a column last changed */
} invqr_status_t;

/**
 * Load the record of fiscal_code. Returns APR_SUCCESS with *pst allocated
 * from p, APR_NOTFOUND when there is none, APR_EGENERAL when the store failed.
 */
apr_status_t invqr_status_load(invqr_status_t **pst, invqr_db_t *db, const char *fiscal_code,
                               apr_pool_t *p);

#endif
