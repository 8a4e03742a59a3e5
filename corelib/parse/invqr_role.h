/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the roles in which one person may act for another (INPS's
 * delegation of digital identity): parent, guardian, curator, support
 * administrator, or a delegate the holder chose. Pure: no store, no pool.
 */
#ifndef INVQR_ROLE_H
#define INVQR_ROLE_H

#include <stddef.h>

typedef enum {
    INVQR_ROLE_PARENT = 0,
    INVQR_ROLE_GUARDIAN,
    INVQR_ROLE_CURATOR,
    INVQR_ROLE_SUPPORT_ADMINISTRATOR,
    INVQR_ROLE_DELEGATE,
    INVQR_ROLE__COUNT
} invqr_role_t;

/** The role named s[0..len) (ASCII case folded, surrounding spaces
 * ignored), or -1 when it is none of them. Allocates nothing. */
int invqr_role_parse(const char *s, size_t len);

/** The role's name as the contract writes it ("support_administrator"). */
const char *invqr_role_name(invqr_role_t role);

#endif
