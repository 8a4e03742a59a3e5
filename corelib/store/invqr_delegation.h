/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - delegates: who may act for a holder, and whether they may now.
 *
 * Following INPS's delegation of digital identity (circolare 127/2021), a
 * parent of a minor, a guardian (tutore), a curator (curatore), a support
 * administrator (amministratore di sostegno) or a delegate the holder chose
 * may act for the holder. A delegation is in effect on the calendar days
 * from valid_from to valid_until (open-ended when there is none), while it
 * is not removed, and, for a parent, while the holder is a minor: a parent's
 * delegation ends by itself on the holder's 18th birthday.
 *
 * Who is a minor is worked out from the birth date on the holder's status
 * record, or, for a holder with no record yet, from the date the fiscal code
 * encodes. A holder is "represented" (may not act for themselves) while a
 * minor or while a guardian's delegation is in effect (interdiction: the
 * guardian acts in their place). A curator, a support administrator and a
 * chosen delegate assist or act beside a holder who keeps acting too.
 *
 * Days are compared on the local calendar of the process that decides (the
 * module's or the worker's TZ; the worker's defaults to Europe/Rome).
 */
#ifndef INVQR_DELEGATION_H
#define INVQR_DELEGATION_H

#include <stddef.h>
#include <apr_errno.h>

#include "invqr_db.h"
#include "invqr_fiscal.h"
#include "invqr_role.h"

/* INPS's limit: a plain delegate acts for at most this many people; the
 * legal roles (parent, guardian, curator, support administrator) have none. */
#define INVQR_DELEGATE_MAX_HOLDERS 5

#define INVQR_DELEGATION_NAME_MAX 100   /* characters of a name, as in the record */

/** Today on the local calendar, YYYY-MM-DD. */
void invqr_delegation_today(char out[11]);

/** Whether someone born on birth (YYYY-MM-DD) is under 18 on today. */
int invqr_delegation_minor(const char *birth, const char *today);

/**
 * The holder's birth date: record_birth when the status record has one
 * (not ""), else the fiscal code's date (invqr_fiscal_birth_date()). out is
 * "" when neither gives one.
 */
void invqr_delegation_birth(char out[11], const char *record_birth, const char *holder,
                            const char *today);

/**
 * Whether a delegation is in effect on today: from <= today, until empty or
 * >= today, and for a parent the holder (born on birth, "" unknown: not a
 * minor) still a minor. Dates are YYYY-MM-DD. Pure.
 */
int invqr_delegation_effective(invqr_role_t role, const char *from, const char *until,
                               const char *birth, const char *today);

/** A live delegation as the store has it, with the holder's name. */
typedef struct {
    invqr_role_t role;
    char holder[INVQR_FISCAL_LEN + 1];
    char delegate[INVQR_FISCAL_LEN + 1];
    char valid_from[11], valid_until[11];   /* valid_until "" when open-ended */
    char birth[11];                         /* the holder's, "" unknown */
    char given_name[4 * INVQR_DELEGATION_NAME_MAX + 1];
    char surname[4 * INVQR_DELEGATION_NAME_MAX + 1];    /* "" when no record */
} invqr_delegation_t;

/**
 * Whether delegate may act for holder now: APR_SUCCESS with *out filled when
 * a live delegation is in effect today, APR_NOTFOUND when there is none or
 * it is not in effect, APR_EGENERAL when the store failed (the caller logs).
 * Reads the store every time: a removal or an expiry takes effect at the
 * next request, on every node.
 */
apr_status_t invqr_delegation_check(invqr_delegation_t *out, invqr_db_t *db, const char *delegate,
                                    const char *holder);

/**
 * Whether holder may not act for themselves now (a minor, or a guardian's
 * delegation in effect): *prepresented 1 or 0. record_birth is the record's
 * birth date or "" / NULL. APR_EGENERAL when the store failed.
 */
apr_status_t invqr_delegation_represented(int *prepresented, invqr_db_t *db, const char *holder,
                                          const char *record_birth);

/** Called for each delegation in effect by invqr_delegation_for_delegate()
 * and invqr_delegation_of_holder(); non-zero stops. */
typedef int invqr_delegation_fn(void *baton, const invqr_delegation_t *d);

/** The delegations in effect today whose delegate is delegate, by the
 * holder's name. APR_EGENERAL when the store failed. */
apr_status_t invqr_delegation_for_delegate(invqr_db_t *db, const char *delegate,
                                           invqr_delegation_fn *fn, void *baton);

/** The delegations in effect today for holder (who may act for them).
 * The names filled in are the holder's. */
apr_status_t invqr_delegation_of_holder(invqr_db_t *db, const char *holder,
                                        invqr_delegation_fn *fn, void *baton);

#endif
