/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - one delegation as invqr-admin reads it, from `delegation add`'s
 * arguments or a row of `delegation import`: the one check of its fields
 * (see invqr_delegation_row.h). Pure: no store, no pool. */
#include <string.h>

#include "invqr_delegation_row.h"
#include "invqr_record.h"

static const char *const DCOL_NAMES[INVQR_DCOL__COUNT] = {
    [INVQR_DCOL_HOLDER] = "holder_fiscal_code",
    [INVQR_DCOL_DELEGATE] = "delegate_fiscal_code",
    [INVQR_DCOL_ROLE] = "role",
    [INVQR_DCOL_FROM] = "valid_from",
    [INVQR_DCOL_UNTIL] = "valid_until",
};

const char *invqr_dcol_name(invqr_dcol_t col)
{
    return (unsigned)col < INVQR_DCOL__COUNT ? DCOL_NAMES[col] : "row";
}

const char *invqr_delegation_row_check(invqr_delegation_row_t *out, invqr_dcol_t *pcol,
                                       const char *const field[INVQR_DCOL__COUNT],
                                       const size_t len[INVQR_DCOL__COUNT])
{
    invqr_fiscal_rc frc;
    const char *reason;
    int role;

    memset(out, 0, sizeof(*out));
    *pcol = INVQR_DCOL_HOLDER;
    frc = invqr_fiscal_parse(out->holder, field[INVQR_DCOL_HOLDER], len[INVQR_DCOL_HOLDER]);
    if (frc != INVQR_FISCAL_OK)
        return invqr_fiscal_reason(frc);
    *pcol = INVQR_DCOL_DELEGATE;
    frc = invqr_fiscal_parse(out->delegate, field[INVQR_DCOL_DELEGATE], len[INVQR_DCOL_DELEGATE]);
    if (frc != INVQR_FISCAL_OK)
        return invqr_fiscal_reason(frc);
    if (strcmp(out->holder, out->delegate) == 0)
        return "the delegate is the holder";
    *pcol = INVQR_DCOL_ROLE;
    role = invqr_role_parse(field[INVQR_DCOL_ROLE], len[INVQR_DCOL_ROLE]);
    if (role < 0)
        return "not a role (parent, guardian, curator, support_administrator, delegate)";
    out->role = (invqr_role_t)role;
    *pcol = INVQR_DCOL_FROM;
    reason = invqr_record_parse_date(out->from, field[INVQR_DCOL_FROM], len[INVQR_DCOL_FROM], 1);
    if (reason != NULL)
        return reason;
    *pcol = INVQR_DCOL_UNTIL;
    reason = invqr_record_parse_date(out->until, field[INVQR_DCOL_UNTIL], len[INVQR_DCOL_UNTIL], 1);
    if (reason != NULL)
        return reason;
    if (out->from[0] != '\0' && out->until[0] != '\0' && strcmp(out->until, out->from) < 0)
        return "valid_until is before valid_from";
    return NULL;
}
