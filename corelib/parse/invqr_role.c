/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the roles in which one person may act for another: their names as
 * the contract writes them and the one parser for them (see invqr_role.h). */
#include <string.h>

#include "invqr_role.h"

static const char *const ROLE_NAMES[INVQR_ROLE__COUNT] = {
    [INVQR_ROLE_PARENT] = "parent",
    [INVQR_ROLE_GUARDIAN] = "guardian",
    [INVQR_ROLE_CURATOR] = "curator",
    [INVQR_ROLE_SUPPORT_ADMINISTRATOR] = "support_administrator",
    [INVQR_ROLE_DELEGATE] = "delegate",
};

int invqr_role_parse(const char *s, size_t len)
{
    size_t i;
    int r;

    if (s == NULL)
        return -1;
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (r = 0; r < INVQR_ROLE__COUNT; r++) {
        const char *name = ROLE_NAMES[r];

        if (strlen(name) != len)
            continue;
        for (i = 0; i < len; i++) {
            char c = s[i];

            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != name[i])
                break;
        }
        if (i == len)
            return r;
    }
    return -1;
}

const char *invqr_role_name(invqr_role_t role)
{
    return (unsigned)role < INVQR_ROLE__COUNT ? ROLE_NAMES[role] : "delegate";
}
