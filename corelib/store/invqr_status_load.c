/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - loading a status record from the store into invqr_status_t. */
#include <string.h>

#include <apr_strings.h>

#include "invqr_status_load.h"

static invqr_blindness_t blindness_of(const char *s)
{
    if (strcmp(s, "ABSOLUTE") == 0)
        return INVQR_BLIND_ABSOLUTE;
    if (strcmp(s, "PARTIAL") == 0)
        return INVQR_BLIND_PARTIAL;
    return INVQR_BLIND_NONE;
}

static invqr_handicap_t handicap_of(const char *s)
{
    if (strcmp(s, "ART3_C3") == 0)
        return INVQR_HANDICAP_ART3_C3;
    if (strcmp(s, "ART3_C1") == 0)
        return INVQR_HANDICAP_ART3_C1;
    return INVQR_HANDICAP_NONE;
}

apr_status_t invqr_status_load(invqr_status_t **pst, invqr_db_t *db, const char *fiscal_code,
                               apr_pool_t *p)
{
    invqr_status_t *st = apr_pcalloc(p, sizeof(*st));
    invqr_binds_t in, out;
    long long definitive, civ, pct, minor, att, deaf;
    char blind[16], hcap[16];
    unsigned long long rows = 0;
    apr_status_t rv;

    *pst = NULL;
    invqr_binds_init(&in);
    invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, st->surname, sizeof(st->surname));
    invqr_bind_out_str(&out, st->given_name, sizeof(st->given_name));
    invqr_bind_out_str(&out, st->birth_date, sizeof(st->birth_date));
    invqr_bind_out_str(&out, st->mobile, sizeof(st->mobile));
    invqr_bind_out_int(&out, &definitive);
    invqr_bind_out_str(&out, st->judgment_date, sizeof(st->judgment_date));
    invqr_bind_out_str(&out, st->review_date, sizeof(st->review_date));
    invqr_bind_out_int(&out, &civ);
    invqr_bind_out_int(&out, &pct);
    invqr_bind_out_int(&out, &minor);
    invqr_bind_out_int(&out, &att);
    invqr_bind_out_str(&out, blind, sizeof(blind));
    invqr_bind_out_int(&out, &deaf);
    invqr_bind_out_str(&out, hcap, sizeof(hcap));
    invqr_bind_out_str(&out, st->medical_judgment, sizeof(st->medical_judgment));
    invqr_bind_out_int(&out, &st->updated_at);
    rv = invqr_db_exec(db, INVQR_SQL_CITIZEN_GET, &in, &out, NULL, NULL, &rows);
    if (rv != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0)
        return APR_NOTFOUND;
    apr_cpystrn(st->fiscal_code, fiscal_code, sizeof(st->fiscal_code));
    st->definitive = definitive != 0;
    st->civil_invalidity = civ != 0;
    st->invalidity_percent = invqr_binds_is_null(&out, 8) ? -1 : (int)pct;
    st->minor_invalidity = minor != 0;
    st->attendance_allowance = att != 0;
    st->civil_blindness = blindness_of(blind);
    st->deafness = deaf != 0;
    st->handicap = handicap_of(hcap);
    *pst = st;
    return APR_SUCCESS;
}
