/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - invqr-admin's delegations: one check for `delegation add` and
 * every row of `delegation import`, INPS's rules applied against the store
 * in the caller's transaction, removal that keeps the history, and the CSV
 * import with the status import's rejects and exit statuses. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "invqr_csv.h"
#include "invqr_delegation_admin.h"
#include "invqr_record.h"

static apr_status_t exec2(invqr_db_t *db, invqr_sql_t sql, const char *a, const char *b,
                          invqr_binds_t *out, unsigned long long *prows)
{
    invqr_binds_t in;

    invqr_binds_init(&in);
    invqr_bind_str(&in, a, strlen(a));
    if (b != NULL)
        invqr_bind_str(&in, b, strlen(b));
    return invqr_db_exec(db, sql, &in, out, NULL, NULL, prows);
}

apr_status_t invqr_delegation_apply(invqr_delegation_change_t *pchange, invqr_dcol_t *pcol,
                                    const char **preason, invqr_db_t *db,
                                    const invqr_delegation_row_t *row, const char *by)
{
    char today[11], rec_birth[11] = "", birth[11], dbirth[11], role[32] = "", from[11] = "", until[11] = "";
    const char *use_from;
    long long id = 0, plain = 0;
    unsigned long long rows = 0;
    invqr_binds_t in, out;
    int minor;

    *preason = NULL;
    *pcol = INVQR_DCOL_ROLE;
    invqr_delegation_today(today);
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, rec_birth, sizeof(rec_birth));
    if (exec2(db, INVQR_SQL_CITIZEN_BIRTH, row->holder, NULL, &out, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    invqr_delegation_birth(birth, rows > 0 ? rec_birth : NULL, row->holder, today);
    minor = invqr_delegation_minor(birth, today);
    /* INPS: whoever acts for another is of age (record, else fiscal code) */
    rows = 0;
    rec_birth[0] = '\0';
    if (exec2(db, INVQR_SQL_CITIZEN_BIRTH, row->delegate, NULL, &out, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    invqr_delegation_birth(dbirth, rows > 0 ? rec_birth : NULL, row->delegate, today);
    if (invqr_delegation_minor(dbirth, today)) {
        *pcol = INVQR_DCOL_DELEGATE;
        *preason = "the delegate is a minor: only a person of age may act for another";
        return APR_EINVAL;
    }
    if (minor && row->role != INVQR_ROLE_PARENT && row->role != INVQR_ROLE_GUARDIAN) {
        *preason = "the holder is a minor: only a parent or a guardian may represent them";
        return APR_EINVAL;
    }
    if (!minor && row->role == INVQR_ROLE_PARENT) {
        *preason = "a parent represents only a minor, and the holder is of age";
        return APR_EINVAL;
    }
    if (row->until[0] != '\0' && strcmp(row->until, today) < 0) {
        *pcol = INVQR_DCOL_UNTIL;
        *preason = "valid_until is in the past";
        return APR_EINVAL;
    }
    if (row->role == INVQR_ROLE_DELEGATE) {
        invqr_binds_init(&in);
        invqr_bind_str(&in, row->delegate, strlen(row->delegate));
        invqr_bind_str(&in, row->holder, strlen(row->holder));
        invqr_bind_str(&in, today, strlen(today));
        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &plain);
        if (invqr_db_exec(db, INVQR_SQL_DELEGATION_COUNT_PLAIN, &in, &out, NULL, NULL, NULL)
            != APR_SUCCESS)
            return APR_EGENERAL;
        if (plain >= INVQR_DELEGATE_MAX_HOLDERS) {
            *pcol = INVQR_DCOL_DELEGATE;
            *preason = "this person is already the delegate of 5 people (INPS's limit; the "
                       "legal roles have none)";
            return APR_EINVAL;
        }
    }
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &id);
    invqr_bind_out_str(&out, role, sizeof(role));
    invqr_bind_out_str(&out, from, sizeof(from));
    invqr_bind_out_str(&out, until, sizeof(until));
    if (exec2(db, INVQR_SQL_DELEGATION_LIVE, row->holder, row->delegate, &out, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    use_from = row->from[0] != '\0' ? row->from : rows > 0 ? from : today;
    if (rows > 0 && strcmp(role, invqr_role_name(row->role)) == 0 && strcmp(from, use_from) == 0
        && strcmp(until, row->until) == 0) {
        *pchange = INVQR_DELEGATION_UNCHANGED;
        return APR_SUCCESS;
    }
    if (rows > 0) {
        invqr_binds_init(&in);
        invqr_bind_str(&in, "replaced", 8);
        invqr_bind_int(&in, id);
        if (invqr_db_exec(db, INVQR_SQL_DELEGATION_REMOVE, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    invqr_binds_init(&in);
    invqr_bind_str(&in, row->holder, strlen(row->holder));
    invqr_bind_str(&in, row->delegate, strlen(row->delegate));
    invqr_bind_cstr_or_null(&in, invqr_role_name(row->role));
    invqr_bind_str(&in, use_from, strlen(use_from));
    invqr_bind_cstr_or_null(&in, row->until[0] != '\0' ? row->until : NULL);
    invqr_bind_str(&in, by, strlen(by) > 100 ? 100 : strlen(by));
    if (invqr_db_exec(db, INVQR_SQL_DELEGATION_INSERT, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return APR_EGENERAL;
    *pchange = rows > 0 ? INVQR_DELEGATION_UPDATED : INVQR_DELEGATION_NEW;
    return APR_SUCCESS;
}

apr_status_t invqr_delegation_remove(invqr_db_t *db, const char *holder, const char *delegate,
                                     const char *by)
{
    char role[32], from[11], until[11];
    long long id = 0;
    unsigned long long rows = 0;
    invqr_binds_t in, out;

    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &id);
    invqr_bind_out_str(&out, role, sizeof(role));
    invqr_bind_out_str(&out, from, sizeof(from));
    invqr_bind_out_str(&out, until, sizeof(until));
    if (exec2(db, INVQR_SQL_DELEGATION_LIVE, holder, delegate, &out, &rows) != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0)
        return APR_NOTFOUND;
    invqr_binds_init(&in);
    invqr_bind_str(&in, by, strlen(by) > 100 ? 100 : strlen(by));
    invqr_bind_int(&in, id);
    return invqr_db_exec(db, INVQR_SQL_DELEGATION_REMOVE, &in, NULL, NULL, NULL, NULL) == APR_SUCCESS
               ? APR_SUCCESS : APR_EGENERAL;
}

/* ---- the CSV import ------------------------------------------------------- */

/* The header: every column once, no other. Returns NULL or a reason, with
 * the name at fault in bad. */
static const char *map_header(int map[INVQR_DCOL__COUNT], const invqr_csv_row_t *h, char *bad,
                              size_t badcap)
{
    int i, c;

    for (c = 0; c < INVQR_DCOL__COUNT; c++)
        map[c] = -1;
    for (i = 0; i < h->nfields; i++) {
        const char *f = h->field[i];
        size_t n = h->len[i];

        while (n > 0 && (*f == ' ' || *f == '\t')) {
            f++;
            n--;
        }
        while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t'))
            n--;
        snprintf(bad, badcap, "%.*s", (int)(n > 40 ? 40 : n), f);
        for (c = 0; c < INVQR_DCOL__COUNT; c++)
            if (strlen(invqr_dcol_name(c)) == n && strncasecmp(invqr_dcol_name(c), f, n) == 0)
                break;
        if (c == INVQR_DCOL__COUNT)
            return "not a column of the delegation import";
        if (map[c] >= 0)
            return "column appears twice";
        map[c] = i;
    }
    for (c = 0; c < INVQR_DCOL__COUNT; c++)
        if (map[c] < 0) {
            snprintf(bad, badcap, "%s", invqr_dcol_name(c));
            return "column missing";
        }
    return NULL;
}

invqr_import_rc invqr_delegation_import(invqr_import_stats_t *st, invqr_db_t *db, const char *path,
                                        int strict, FILE *rejects, apr_pool_t *p)
{
    invqr_csv_t *csv;
    invqr_csv_row_t row;
    invqr_csv_rc r;
    int map[INVQR_DCOL__COUNT], fd, in_txn = 0;
    const char *reason = NULL, *by;
    char bad[64];
    apr_hash_t *seen = apr_hash_make(p);
    invqr_import_rc rc = INVQR_IMPORT_NOTHING;

    memset(st, 0, sizeof(*st));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(rejects, "%s: cannot open: %s\n", path, strerror(errno));
        return INVQR_IMPORT_NOTHING;
    }
    by = apr_pstrcat(p, "delegation import ", path, NULL);
    csv = invqr_csv_open_fd(fd, p);
    r = invqr_csv_next(csv, &row, &reason);
    if (r != INVQR_CSV_RECORD) {
        fprintf(rejects, "%s:%lu: header: %s\n", path, row.line ? row.line : 1UL,
                r == INVQR_CSV_EOF ? "the file is empty" : reason);
        goto out;
    }
    reason = map_header(map, &row, bad, sizeof(bad));
    if (reason != NULL) {
        fprintf(rejects, "%s:%lu: header: %s: %s\n", path, row.line, bad, reason);
        goto out;
    }
    if (invqr_db_begin(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store is not available\n", path);
        goto out;
    }
    in_txn = 1;
    for (;;) {
        const char *field[INVQR_DCOL__COUNT];
        size_t len[INVQR_DCOL__COUNT];
        invqr_delegation_row_t d;
        invqr_delegation_change_t change;
        invqr_dcol_t col = INVQR_DCOL_HOLDER;
        const char *key, *first;
        apr_status_t rv;
        int c;

        r = invqr_import_next_record(csv, &row, rejects, path, &st->rows, &st->rejected);
        if (r == INVQR_CSV_EOF)
            break;
        if (r != INVQR_CSV_RECORD)
            goto out;         /* unreadable: apply nothing */
        if (row.nfields != (int)INVQR_DCOL__COUNT) {
            fprintf(rejects, "%s:%lu: row: %d fields, the header has %d\n", path, row.line,
                    row.nfields, (int)INVQR_DCOL__COUNT);
            st->rejected++;
            continue;
        }
        for (c = 0; c < INVQR_DCOL__COUNT; c++) {
            field[c] = row.field[map[c]];
            len[c] = row.len[map[c]];
        }
        reason = invqr_delegation_row_check(&d, &col, field, len);
        if (reason != NULL) {
            fprintf(rejects, "%s:%lu: %s: %s\n", path, row.line, invqr_dcol_name(col), reason);
            st->rejected++;
            continue;
        }
        key = apr_pstrcat(p, d.holder, d.delegate, NULL);
        first = apr_hash_get(seen, key, APR_HASH_KEY_STRING);
        if (first != NULL) {
            fprintf(rejects, "%s:%lu: delegate_fiscal_code: %s is %s's delegate already on line %s\n",
                    path, row.line, d.delegate, d.holder, first);
            st->rejected++;
            continue;
        }
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, apr_psprintf(p, "%lu", row.line));
        if (strict && st->rejected > 0)
            continue;    /* nothing will be applied: just keep checking */
        rv = invqr_delegation_apply(&change, &col, &reason, db, &d, by);
        if (rv == APR_EINVAL) {
            fprintf(rejects, "%s:%lu: %s: %s\n", path, row.line, invqr_dcol_name(col), reason);
            st->rejected++;
            continue;
        }
        if (rv != APR_SUCCESS) {
            fprintf(rejects, "%s: the status store failed; nothing was applied\n", path);
            goto out;
        }
        st->accepted++;
        if (change == INVQR_DELEGATION_NEW)
            st->inserted++;
        else if (change == INVQR_DELEGATION_UPDATED)
            st->updated++;
        else
            st->unchanged++;
    }
    if ((strict && st->rejected > 0) || (st->rejected > 0 && st->accepted == 0))
        goto out;       /* the contract's 2: nothing applied */
    if (invqr_db_commit(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store failed; nothing was applied\n", path);
        goto out;
    }
    in_txn = 0;
    st->applied = 1;
    rc = st->rejected > 0 ? INVQR_IMPORT_SOME_REJECTED : INVQR_IMPORT_ALL;
out:
    if (in_txn)
        invqr_db_rollback(db);
    if (!st->applied) {
        st->accepted = 0;
        st->inserted = st->updated = st->unchanged = 0;
    }
    close(fd);
    return rc;
}
