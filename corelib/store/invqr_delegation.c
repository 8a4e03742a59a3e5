/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - delegates: the roles, the rules of INPS's delegation and the
 * store's answer to "may this person act for that one now?" (see
 * invqr_delegation.h). Used by mod_invqr at every request of someone acting
 * for another, by the workers' citizen pages and by invqr-admin. */
#include <string.h>
#include <time.h>

#include "invqr_delegation.h"

void invqr_delegation_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int invqr_delegation_minor(const char *birth, const char *today)
{
    char adult[11];
    int year, i;

    if (birth == NULL || strlen(birth) != 10 || today == NULL || strlen(today) != 10)
        return 0;
    for (i = 0, year = 0; i < 4; i++)
        year = year * 10 + (birth[i] - '0');
    year += 18;
    memcpy(adult, birth, 11);
    adult[0] = (char)('0' + year / 1000);
    adult[1] = (char)('0' + year / 100 % 10);
    adult[2] = (char)('0' + year / 10 % 10);
    adult[3] = (char)('0' + year % 10);
    /* the 18th birthday is the first day of age (29 February: 1 March) */
    return strcmp(today, adult) < 0;
}

void invqr_delegation_birth(char out[11], const char *record_birth, const char *holder,
                            const char *today)
{
    out[0] = '\0';
    if (record_birth != NULL && strlen(record_birth) == 10) {
        memcpy(out, record_birth, 11);
        return;
    }
    if (holder != NULL && strlen(holder) == INVQR_FISCAL_LEN)
        invqr_fiscal_birth_date(out, holder, today);
}

int invqr_delegation_effective(invqr_role_t role, const char *from, const char *until,
                               const char *birth, const char *today)
{
    if (from == NULL || strcmp(from, today) > 0)
        return 0;
    if (until != NULL && until[0] != '\0' && strcmp(until, today) < 0)
        return 0;
    if (role == INVQR_ROLE_PARENT && !invqr_delegation_minor(birth, today))
        return 0;
    return 1;
}

/* ---- the store ------------------------------------------------------------ */

typedef struct {
    invqr_delegation_t d;
    char role[32];
    char today[11];
    invqr_delegation_fn *fn;
    void *baton;
    int found;
} scan_t;

static void bind_row(invqr_binds_t *out, scan_t *s)
{
    invqr_binds_init(out);
    invqr_bind_out_str(out, s->d.holder, sizeof(s->d.holder));
    invqr_bind_out_str(out, s->d.delegate, sizeof(s->d.delegate));
    invqr_bind_out_str(out, s->role, sizeof(s->role));
    invqr_bind_out_str(out, s->d.valid_from, sizeof(s->d.valid_from));
    invqr_bind_out_str(out, s->d.valid_until, sizeof(s->d.valid_until));
    invqr_bind_out_str(out, s->d.birth, sizeof(s->d.birth));
    invqr_bind_out_str(out, s->d.given_name, sizeof(s->d.given_name));
    invqr_bind_out_str(out, s->d.surname, sizeof(s->d.surname));
}

/* One row read: complete it (role, birth date) and keep it if in effect. */
static int scan_row(void *baton, invqr_binds_t *out)
{
    scan_t *s = baton;
    char birth[11];
    int role = invqr_role_parse(s->role, strlen(s->role));

    (void)out;
    if (role < 0)
        return 0;
    s->d.role = (invqr_role_t)role;
    invqr_delegation_birth(birth, s->d.birth, s->d.holder, s->today);
    memcpy(s->d.birth, birth, sizeof(birth));
    if (!invqr_delegation_effective(s->d.role, s->d.valid_from, s->d.valid_until, s->d.birth,
                                    s->today))
        return 0;
    s->found++;
    return s->fn != NULL ? s->fn(s->baton, &s->d) : 0;
}

static apr_status_t scan(scan_t *s, invqr_db_t *db, invqr_sql_t sql, const char *a, const char *b)
{
    invqr_binds_t in, out;

    invqr_delegation_today(s->today);
    invqr_binds_init(&in);
    invqr_bind_str(&in, a, strlen(a));
    if (b != NULL)
        invqr_bind_str(&in, b, strlen(b));
    bind_row(&out, s);
    return invqr_db_exec(db, sql, &in, &out, scan_row, s, NULL) == APR_SUCCESS ? APR_SUCCESS
                                                                            : APR_EGENERAL;
}

static int keep_first(void *baton, const invqr_delegation_t *d)
{
    *(invqr_delegation_t *)baton = *d;
    return 1;
}

apr_status_t invqr_delegation_check(invqr_delegation_t *out, invqr_db_t *db, const char *delegate,
                                    const char *holder)
{
    scan_t s;
    apr_status_t rv;

    memset(&s, 0, sizeof(s));
    memset(out, 0, sizeof(*out));
    if (delegate == NULL || holder == NULL || strcmp(delegate, holder) == 0)
        return APR_NOTFOUND;
    s.fn = keep_first;
    s.baton = out;
    rv = scan(&s, db, INVQR_SQL_DELEGATION_GET, holder, delegate);
    if (rv != APR_SUCCESS)
        return rv;
    return s.found > 0 ? APR_SUCCESS : APR_NOTFOUND;
}

static int guardian(void *baton, const invqr_delegation_t *d)
{
    if (d->role == INVQR_ROLE_GUARDIAN)
        *(int *)baton = 1;
    return 0;
}

apr_status_t invqr_delegation_represented(int *prepresented, invqr_db_t *db, const char *holder,
                                          const char *record_birth)
{
    char today[11], birth[11];
    int guarded = 0;

    *prepresented = 0;
    invqr_delegation_today(today);
    invqr_delegation_birth(birth, record_birth, holder, today);
    if (invqr_delegation_minor(birth, today)) {
        *prepresented = 1;
        return APR_SUCCESS;
    }
    if (invqr_delegation_of_holder(db, holder, guardian, &guarded) != APR_SUCCESS)
        return APR_EGENERAL;
    *prepresented = guarded;
    return APR_SUCCESS;
}

apr_status_t invqr_delegation_for_delegate(invqr_db_t *db, const char *delegate,
                                           invqr_delegation_fn *fn, void *baton)
{
    scan_t s;

    memset(&s, 0, sizeof(s));
    s.fn = fn;
    s.baton = baton;
    return scan(&s, db, INVQR_SQL_DELEGATION_FOR_DELEGATE, delegate, NULL);
}

apr_status_t invqr_delegation_of_holder(invqr_db_t *db, const char *holder,
                                        invqr_delegation_fn *fn, void *baton)
{
    scan_t s;

    memset(&s, 0, sizeof(s));
    s.fn = fn;
    s.baton = baton;
    return scan(&s, db, INVQR_SQL_DELEGATION_OF_HOLDER, holder, NULL);
}
