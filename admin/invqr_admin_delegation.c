/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-admin - delegations: who may act for a holder.
 *
 *   delegation add --holder CF --delegate CF --role ROLE [--from DATE] [--until DATE]
 *   delegation remove --holder CF --delegate CF
 *   delegation list [--holder CF | --delegate CF]
 *   delegation import FILE.csv
 *
 * Every change is written to the audit log (actor admin, the holder's fiscal
 * code, the delegate's in its own column) in the same transaction. A removal
 * takes effect at the next request of a person acting under it, on every
 * node: mod_invqr checks the delegation in the store at every request.
 * Exit statuses: add and remove 0 done, 1 refused (by INPS's rules, or no
 * such delegation), 2 bad arguments or the store failed; import as the
 * status import (0 all, 1 some rejected, 2 nothing applied).
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "invqr_admin_delegation.h"
#include "invqr_audit.h"
#include "invqr_delegation_admin.h"
#include "invqr_fiscal.h"

static int usage(void)
{
    fprintf(stderr, "usage: invqr-admin delegation add --holder CF --delegate CF --role "
                    "parent|guardian|curator|support_administrator|delegate [--from YYYY-MM-DD] "
                    "[--until YYYY-MM-DD]\n"
                    "       invqr-admin delegation remove --holder CF --delegate CF\n"
                    "       invqr-admin delegation list [--holder CF | --delegate CF]\n"
                    "       invqr-admin delegation import [--strict] FILE.csv\n");
    return 2;
}

static int audit(invqr_db_t *db, const char *event, const char *outcome, const char *holder,
                 const char *delegate, const char *detail)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "admin";
    a.fiscal_code = holder;
    a.delegate = delegate;
    a.event = event;
    a.outcome = outcome;
    a.detail = detail;
    if (invqr_audit_write(db, &a) != APR_SUCCESS) {
        fprintf(stderr, "invqr-admin: the audit log refused the record of %s\n", event);
        return -1;
    }
    return 0;
}

/* --name VALUE pairs into opts[] (by the index of names[]); 0 or -1. */
static int options(const char **opts, const char *const *names, int nnames, int argc, char **argv)
{
    int i, k;

    for (i = 0; i < argc; i += 2) {
        for (k = 0; k < nnames; k++)
            if (strcmp(argv[i], names[k]) == 0)
                break;
        if (k == nnames || i + 1 >= argc || opts[k] != NULL)
            return -1;
        opts[k] = argv[i + 1];
    }
    return 0;
}

static int fiscal(char out[INVQR_FISCAL_LEN + 1], const char *opt, const char *v)
{
    invqr_fiscal_rc rc = invqr_fiscal_parse(out, v, strlen(v));

    if (rc != INVQR_FISCAL_OK) {
        fprintf(stderr, "invqr-admin: %s %s: %s\n", opt, v, invqr_fiscal_reason(rc));
        return -1;
    }
    return 0;
}

static int cmd_add(invqr_db_t *db, int argc, char **argv)
{
    static const char *const names[] = { "--holder", "--delegate", "--role", "--from", "--until" };
    const char *opts[5] = { NULL, NULL, NULL, NULL, NULL };
    const char *field[INVQR_DCOL__COUNT], *reason;
    size_t len[INVQR_DCOL__COUNT];
    invqr_delegation_row_t d;
    invqr_delegation_change_t change;
    invqr_dcol_t col;
    apr_status_t rv;
    int c;

    if (options(opts, names, 5, argc, argv) != 0 || opts[0] == NULL || opts[1] == NULL
        || opts[2] == NULL)
        return usage();
    for (c = 0; c < INVQR_DCOL__COUNT; c++) {
        field[c] = opts[c] != NULL ? opts[c] : "";
        len[c] = strlen(field[c]);
    }
    reason = invqr_delegation_row_check(&d, &col, field, len);
    if (reason != NULL) {
        fprintf(stderr, "invqr-admin: %s: %s\n", invqr_dcol_name(col), reason);
        return 2;
    }
    if (invqr_db_begin(db) != APR_SUCCESS)
        return 2;
    rv = invqr_delegation_apply(&change, &col, &reason, db, &d, "delegation add");
    if (rv == APR_EINVAL) {
        invqr_db_rollback(db);
        fprintf(stderr, "invqr-admin: %s: %s\n", invqr_dcol_name(col), reason);
        return 1;
    }
    if (rv != APR_SUCCESS
        || audit(db, "delegation_add", change == INVQR_DELEGATION_NEW ? "new"
                                       : change == INVQR_DELEGATION_UPDATED ? "updated" : "unchanged",
                 d.holder, d.delegate, invqr_role_name(d.role)) != 0
        || invqr_db_commit(db) != APR_SUCCESS) {
        invqr_db_rollback(db);
        fprintf(stderr, "invqr-admin: the status store failed; nothing was changed\n");
        return 2;
    }
    printf("delegation: %s acts for %s as %s (%s)\n", d.delegate, d.holder, invqr_role_name(d.role),
           change == INVQR_DELEGATION_NEW ? "new" : change == INVQR_DELEGATION_UPDATED ? "updated"
                                                                                     : "unchanged");
    return 0;
}

static int cmd_remove(invqr_db_t *db, int argc, char **argv)
{
    static const char *const names[] = { "--holder", "--delegate" };
    const char *opts[2] = { NULL, NULL };
    char holder[INVQR_FISCAL_LEN + 1], delegate[INVQR_FISCAL_LEN + 1];
    apr_status_t rv;

    if (options(opts, names, 2, argc, argv) != 0 || opts[0] == NULL || opts[1] == NULL)
        return usage();
    if (fiscal(holder, "--holder", opts[0]) != 0 || fiscal(delegate, "--delegate", opts[1]) != 0)
        return 2;
    if (invqr_db_begin(db) != APR_SUCCESS)
        return 2;
    rv = invqr_delegation_remove(db, holder, delegate, "delegation remove");
    if (rv == APR_NOTFOUND) {
        invqr_db_rollback(db);
        fprintf(stderr, "invqr-admin: %s has no delegation from %s\n", delegate, holder);
        return 1;
    }
    if (rv != APR_SUCCESS || audit(db, "delegation_remove", "ok", holder, delegate, NULL) != 0
        || invqr_db_commit(db) != APR_SUCCESS) {
        invqr_db_rollback(db);
        fprintf(stderr, "invqr-admin: the status store failed; nothing was changed\n");
        return 2;
    }
    printf("delegation: %s no longer acts for %s\n", delegate, holder);
    return 0;
}

/* The columns of a listed delegation, bound in this order. */
enum { L_HOLDER, L_DELEGATE, L_ROLE, L_FROM, L_UNTIL, L_BY, L_BIRTH, L__COUNT };

/* One line: the contract's six fields, then whether it is in effect today
 * ("yes" or "no"), decided as at sign-in (invqr_delegation_effective()). */
static int list_row(void *baton, invqr_binds_t *out)
{
    const char *today = baton;
    const char *col[L__COUNT];
    char birth[11];
    int i, role;

    for (i = 0; i < L__COUNT; i++)
        col[i] = out->b[i].buffer;
    role = invqr_role_parse(col[L_ROLE], strlen(col[L_ROLE]));
    invqr_delegation_birth(birth, col[L_BIRTH], col[L_HOLDER], today);
    for (i = 0; i < L_BIRTH; i++)
        printf("%s%s", i > 0 ? "\t" : "", col[i]);
    printf("\t%s\n", role >= 0 && invqr_delegation_effective((invqr_role_t)role, col[L_FROM],
                                                            strcmp(col[L_UNTIL], "-") == 0
                                                                ? "" : col[L_UNTIL],
                                                            birth, today)
                          ? "yes" : "no");
    return 0;
}

static int cmd_list(invqr_db_t *db, int argc, char **argv)
{
    static const char *const names[] = { "--holder", "--delegate" };
    const char *opts[2] = { NULL, NULL };
    char fc[INVQR_FISCAL_LEN + 1], holder[24], delegate[24], role[32], from[11], until[11], by[404],
         birth[11], today[11];
    invqr_binds_t in, out;
    invqr_sql_t sql = INVQR_SQL_DELEGATION_LIST_ALL;

    if (options(opts, names, 2, argc, argv) != 0 || (opts[0] != NULL && opts[1] != NULL))
        return usage();
    invqr_binds_init(&in);
    if (opts[0] != NULL || opts[1] != NULL) {
        if (fiscal(fc, opts[0] != NULL ? "--holder" : "--delegate", opts[0] != NULL ? opts[0] : opts[1]) != 0)
            return 2;
        invqr_bind_str(&in, fc, INVQR_FISCAL_LEN);
        sql = opts[0] != NULL ? INVQR_SQL_DELEGATION_LIST_HOLDER : INVQR_SQL_DELEGATION_LIST_DELEGATE;
    }
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, holder, sizeof(holder));
    invqr_bind_out_str(&out, delegate, sizeof(delegate));
    invqr_bind_out_str(&out, role, sizeof(role));
    invqr_bind_out_str(&out, from, sizeof(from));
    invqr_bind_out_str(&out, until, sizeof(until));
    invqr_bind_out_str(&out, by, sizeof(by));
    invqr_bind_out_str(&out, birth, sizeof(birth));
    invqr_delegation_today(today);
    return invqr_db_exec(db, sql, &in, &out, list_row, today, NULL) == APR_SUCCESS ? 0 : 2;
}

static int cmd_import(invqr_db_t *db, int argc, char **argv, apr_pool_t *p)
{
    invqr_import_stats_t st;
    const char *file = NULL;
    int strict = 0, i;
    invqr_import_rc rc;
    char detail[200];

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if (file == NULL)
            file = argv[i];
        else
            return usage();
    }
    if (file == NULL || *file == '\0')
        return usage();
    rc = invqr_delegation_import(&st, db, file, strict, stderr, p);
    printf("delegation import: %s: %lu rows read, %lu applied (%lu new, %lu updated, %lu unchanged), "
           "%lu rejected%s\n", file, st.rows, st.applied ? st.accepted : 0UL, st.inserted,
           st.updated, st.unchanged, st.rejected, st.applied ? "" : "; nothing was applied");
    snprintf(detail, sizeof(detail), "%lu rows, %lu new, %lu updated, %lu rejected%s", st.rows,
             st.inserted, st.updated, st.rejected, st.applied ? "" : ", nothing applied");
    if (audit(db, "delegation_import", rc == INVQR_IMPORT_ALL ? "ok" : st.applied ? "partial" : "refused",
              NULL, NULL, detail) != 0)
        return 2;
    return (int)rc;
}

int invqr_admin_delegation(invqr_db_t *db, int argc, char **argv, apr_pool_t *p)
{
    if (argc < 1)
        return usage();
    if (strcmp(argv[0], "add") == 0)
        return cmd_add(db, argc - 1, argv + 1);
    if (strcmp(argv[0], "remove") == 0)
        return cmd_remove(db, argc - 1, argv + 1);
    if (strcmp(argv[0], "list") == 0)
        return cmd_list(db, argc - 1, argv + 1);
    if (strcmp(argv[0], "import") == 0)
        return cmd_import(db, argc - 1, argv + 1, p);
    return usage();
}
