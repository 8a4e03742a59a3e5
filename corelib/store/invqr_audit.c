/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - writing one audit row with bound parameters. */
#include <string.h>

#include "invqr_audit.h"
#include "invqr_metrics.h"

static void bind_opt_id(invqr_binds_t *in, long long id)
{
    if (id > 0)
        invqr_bind_int(in, id);
    else
        invqr_bind_str(in, NULL, 0);
}

size_t invqr_audit_detail_len(const char *detail)
{
    size_t dlen = detail != NULL ? strlen(detail) : 0;

    /* the column keeps 255 characters: cut at a UTF-8 boundary at most 255 bytes in */
    if (dlen > 255) {
        dlen = 255;
        while (dlen > 0 && ((unsigned char)detail[dlen] & 0xC0) == 0x80)
            dlen--;
    }
    return dlen;
}

apr_status_t invqr_audit_write(invqr_db_t *db, const invqr_audit_t *a)
{
    invqr_binds_t in;
    uint64_t start = invqr_metrics_clock();
    apr_status_t rv;

    invqr_binds_init(&in);
    invqr_bind_cstr_or_null(&in, a->actor);
    bind_opt_id(&in, a->operator_id);
    bind_opt_id(&in, a->org_id);
    invqr_bind_cstr_or_null(&in, a->client);
    invqr_bind_cstr_or_null(&in, a->code);
    invqr_bind_cstr_or_null(&in, a->fiscal_code);
    if (a->level > 0)
        invqr_bind_int(&in, a->level);
    else
        invqr_bind_str(&in, NULL, 0);
    invqr_bind_cstr_or_null(&in, a->event);
    invqr_bind_cstr_or_null(&in, a->outcome);
    invqr_bind_str(&in, a->detail, invqr_audit_detail_len(a->detail));
    invqr_bind_cstr_or_null(&in, a->delegate);
    rv = invqr_db_exec(db, INVQR_SQL_AUDIT_INSERT, &in, NULL, NULL, NULL, NULL);
    invqr_metric_observe(INVQR_HIST_AUDIT_WRITE, start);
    return rv;
}
