/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the holder's own choices, read and written by prepared
 * statement (HOLDER_SMS_LANG_GET/SET). */
#include <string.h>

#include "invqr_holder_pref.h"

apr_status_t invqr_holder_sms_lang(invqr_lang_t *plang, invqr_db_t *db, const char *fc)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    char tag[8] = "";
    int l;

    *plang = INVQR_LANG_IT;
    if (db == NULL || fc == NULL)
        return APR_EGENERAL;
    invqr_binds_init(&in);
    invqr_bind_str(&in, fc, strlen(fc));
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, tag, sizeof(tag));
    if (invqr_db_exec(db, INVQR_SQL_HOLDER_SMS_LANG_GET, &in, &out, NULL, NULL, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    l = rows > 0 ? invqr_lang_parse(tag) : -1;
    if (l >= 0)
        *plang = (invqr_lang_t)l;
    return APR_SUCCESS;
}

apr_status_t invqr_holder_sms_lang_set(invqr_db_t *db, const char *fc, invqr_lang_t lang)
{
    invqr_binds_t in;
    const char *tag = invqr_lang_tag(lang);

    if (db == NULL || fc == NULL)
        return APR_EGENERAL;
    invqr_binds_init(&in);
    invqr_bind_str(&in, fc, strlen(fc));
    invqr_bind_str(&in, tag, strlen(tag));
    return invqr_db_exec(db, INVQR_SQL_HOLDER_SMS_LANG_SET, &in, NULL, NULL, NULL, NULL) == APR_SUCCESS
               ? APR_SUCCESS : APR_EGENERAL;
}
