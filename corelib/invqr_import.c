/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the CSV import: validate, deduplicate, upsert in batches.
 *
 * Rows are validated by invqr_record_parse(), a fiscal code seen twice in one
 * file is a reject (which of the two would win is not for us to guess), and
 * valid rows go to the store in batches of BATCH rows through one array-bound
 * prepared INSERT ... ON DUPLICATE KEY UPDATE, all inside one transaction:
 * the store sees the whole file or nothing of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "invqr_csv.h"
#include "invqr_import.h"
#include "invqr_log.h"
#include "invqr_record.h"

#define BATCH 1000
#define NCOLS 16

/* One batch, column-wise as Connector/C array binding wants it. */
typedef struct {
    char fc[BATCH][INVQR_FISCAL_LEN + 1];
    char surname[BATCH][INVQR_NAME_MAX_BYTES + 1];
    char given[BATCH][INVQR_NAME_MAX_BYTES + 1];
    char birth[BATCH][11];
    char mobile[BATCH][INVQR_MOBILE_MAX + 1];
    char judgment_date[BATCH][11];
    char review[BATCH][11];
    char judgment[BATCH][INVQR_JUDGMENT_MAX_BYTES + 1];
    const char *blind[BATCH];
    const char *hcap[BATCH];
    signed char definitive[BATCH], civ[BATCH], pct[BATCH], minor[BATCH], att[BATCH], deaf[BATCH];
    char *ptr[NCOLS][BATCH];               /* string columns: pointers */
    unsigned long len[NCOLS][BATCH];
    char ind[NCOLS][BATCH];                /* STMT_INDICATOR_NONE / _NULL */
    unsigned n;
} batch_t;

/* Open-addressing set of the fiscal codes seen in this file. */
typedef struct {
    char (*keys)[INVQR_FISCAL_LEN];
    unsigned long *lines;
    size_t cap, used;
} seen_t;

static size_t seen_hash(const char *k)
{
    size_t h = 1469598103934665603ULL;
    int i;

    for (i = 0; i < INVQR_FISCAL_LEN; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h;
}

static int seen_grow(seen_t *s)
{
    seen_t n;
    size_t i;

    n.cap = s->cap ? s->cap * 2 : 1 << 16;
    n.used = 0;
    n.keys = calloc(n.cap, sizeof(*n.keys));
    n.lines = calloc(n.cap, sizeof(*n.lines));
    if (n.keys == NULL || n.lines == NULL) {
        free(n.keys);
        free(n.lines);
        return -1;
    }
    for (i = 0; i < s->cap; i++) {
        if (s->lines[i] != 0) {
            size_t j = seen_hash(s->keys[i]) & (n.cap - 1);
            while (n.lines[j] != 0)
                j = (j + 1) & (n.cap - 1);
            memcpy(n.keys[j], s->keys[i], INVQR_FISCAL_LEN);
            n.lines[j] = s->lines[i];
            n.used++;
        }
    }
    free(s->keys);
    free(s->lines);
    *s = n;
    return 0;
}

/* Record fc first seen at line; returns 0, the earlier line, or -1 (no memory). */
static long seen_add(seen_t *s, const char *fc, unsigned long line)
{
    size_t j;

    if ((s->used + 1) * 2 > s->cap && seen_grow(s) != 0)
        return -1;
    j = seen_hash(fc) & (s->cap - 1);
    while (s->lines[j] != 0) {
        if (memcmp(s->keys[j], fc, INVQR_FISCAL_LEN) == 0)
            return (long)s->lines[j];
        j = (j + 1) & (s->cap - 1);
    }
    memcpy(s->keys[j], fc, INVQR_FISCAL_LEN);
    s->lines[j] = line;
    s->used++;
    return 0;
}

static const char *const blind_names[] = { "NONE", "PARTIAL", "ABSOLUTE" };
static const char *const hcap_names[] = { "NONE", "ART3_C1", "ART3_C3" };

/* Column order of the CITIZEN_UPSERT statement. */
enum { C_FC, C_SURNAME, C_GIVEN, C_BIRTH, C_MOBILE, C_DEF, C_JDATE, C_REVIEW, C_CIV, C_PCT,
       C_MINOR, C_ATT, C_BLIND, C_DEAF, C_HCAP, C_JUDGMENT };

static void set_str(batch_t *b, int col, unsigned i, char *s, size_t len, int null)
{
    b->ptr[col][i] = s;
    b->len[col][i] = (unsigned long)len;
    b->ind[col][i] = null ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
}

static void batch_add(batch_t *b, const invqr_record_t *r)
{
    unsigned i = b->n++;
    size_t jl = r->medical_judgment_len;

    memcpy(b->fc[i], r->fiscal_code, sizeof(b->fc[i]));
    strcpy(b->surname[i], r->surname);
    strcpy(b->given[i], r->given_name);
    memcpy(b->birth[i], r->birth_date, 11);
    strcpy(b->mobile[i], r->mobile);
    memcpy(b->judgment_date[i], r->judgment_date, 11);
    memcpy(b->review[i], r->review_date, 11);
    memcpy(b->judgment[i], r->medical_judgment, jl);
    b->judgment[i][jl] = '\0';
    set_str(b, C_FC, i, b->fc[i], INVQR_FISCAL_LEN, 0);
    set_str(b, C_SURNAME, i, b->surname[i], strlen(b->surname[i]), 0);
    set_str(b, C_GIVEN, i, b->given[i], strlen(b->given[i]), 0);
    set_str(b, C_BIRTH, i, b->birth[i], 10, 0);
    set_str(b, C_MOBILE, i, b->mobile[i], strlen(b->mobile[i]), b->mobile[i][0] == '\0');
    set_str(b, C_JDATE, i, b->judgment_date[i], 10, 0);
    set_str(b, C_REVIEW, i, b->review[i], strlen(b->review[i]), b->review[i][0] == '\0');
    set_str(b, C_BLIND, i, (char *)blind_names[r->civil_blindness],
            strlen(blind_names[r->civil_blindness]), 0);
    set_str(b, C_HCAP, i, (char *)hcap_names[r->handicap], strlen(hcap_names[r->handicap]), 0);
    set_str(b, C_JUDGMENT, i, b->judgment[i], jl, 0);
    b->definitive[i] = (signed char)r->definitive;
    b->civ[i] = (signed char)r->civil_invalidity;
    b->pct[i] = (signed char)(r->invalidity_percent < 0 ? 0 : r->invalidity_percent);
    b->ind[C_PCT][i] = r->invalidity_percent < 0 ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
    b->minor[i] = (signed char)r->minor_invalidity;
    b->att[i] = (signed char)r->attendance_allowance;
    b->deaf[i] = (signed char)r->deafness;
}

static void bind_tiny(MYSQL_BIND *bd, signed char *arr, char *ind)
{
    memset(bd, 0, sizeof(*bd));
    bd->buffer_type = MYSQL_TYPE_TINY;
    bd->buffer = arr;
    bd->u.indicator = ind;
}

/* Send the batch; adds the statement's affected rows to *paffected. */
static int batch_flush(batch_t *b, MYSQL_STMT *stmt, unsigned long long *paffected)
{
    MYSQL_BIND bd[NCOLS];
    unsigned int size = b->n;
    int col;
    static const int str_cols[] = { C_FC, C_SURNAME, C_GIVEN, C_BIRTH, C_MOBILE, C_JDATE,
                                    C_REVIEW, C_BLIND, C_HCAP, C_JUDGMENT };
    size_t k;

    if (b->n == 0)
        return 0;
    for (k = 0; k < sizeof(str_cols) / sizeof(str_cols[0]); k++) {
        col = str_cols[k];
        memset(&bd[col], 0, sizeof(bd[col]));
        bd[col].buffer_type = MYSQL_TYPE_STRING;
        bd[col].buffer = b->ptr[col];
        bd[col].length = b->len[col];
        bd[col].u.indicator = b->ind[col];
    }
    memset(b->ind[C_DEF], STMT_INDICATOR_NONE, size);
    memset(b->ind[C_CIV], STMT_INDICATOR_NONE, size);
    memset(b->ind[C_MINOR], STMT_INDICATOR_NONE, size);
    memset(b->ind[C_ATT], STMT_INDICATOR_NONE, size);
    memset(b->ind[C_DEAF], STMT_INDICATOR_NONE, size);
    bind_tiny(&bd[C_DEF], b->definitive, b->ind[C_DEF]);
    bind_tiny(&bd[C_CIV], b->civ, b->ind[C_CIV]);
    bind_tiny(&bd[C_PCT], b->pct, b->ind[C_PCT]);
    bind_tiny(&bd[C_MINOR], b->minor, b->ind[C_MINOR]);
    bind_tiny(&bd[C_ATT], b->att, b->ind[C_ATT]);
    bind_tiny(&bd[C_DEAF], b->deaf, b->ind[C_DEAF]);
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0
        || mysql_stmt_bind_param(stmt, bd) != 0 || mysql_stmt_execute(stmt) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0400: import batch failed: %s", mysql_stmt_error(stmt));
        return -1;
    }
    *paffected += mysql_stmt_affected_rows(stmt);
    b->n = 0;
    return 0;
}

static int count_citizens(invqr_db_t *db, unsigned long long *pn)
{
    invqr_binds_t out;
    long long n = 0;

    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &n);
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_COUNT, NULL, &out, NULL, NULL, NULL) != APR_SUCCESS)
        return -1;
    *pn = (unsigned long long)n;
    return 0;
}

static const char *col_label(invqr_col_t c)
{
    return c == INVQR_COL__COUNT ? "row" : invqr_col_name(c);
}

invqr_import_rc invqr_import_file(invqr_import_stats_t *st, invqr_db_t *db, const char *path,
                                  int strict, FILE *rejects, apr_pool_t *p)
{
    invqr_csv_t *csv;
    invqr_csv_row_t row;
    invqr_record_t rec;
    int map[INVQR_COL__COUNT];
    int header_fields, fd = -1, in_txn = 0;
    const char *reason = NULL;
    char bad[64];
    batch_t *b = NULL;
    seen_t seen = { NULL, NULL, 0, 0 };
    MYSQL_STMT *stmt = NULL;
    unsigned long long before = 0, after = 0, affected = 0;
    invqr_import_rc rc = INVQR_IMPORT_NOTHING;
    invqr_csv_rc r;

    memset(st, 0, sizeof(*st));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(rejects, "%s: cannot open: %s\n", path, strerror(errno));
        goto out;
    }
    csv = invqr_csv_open_fd(fd, p);
    r = invqr_csv_next(csv, &row, &reason);
    if (r != INVQR_CSV_RECORD) {
        fprintf(rejects, "%s:%lu: header: %s\n", path, row.line ? row.line : 1UL,
                r == INVQR_CSV_EOF ? "the file is empty" : reason);
        goto out;
    }
    if (invqr_record_map_header(map, &row, &reason, bad, sizeof(bad)) != 0) {
        fprintf(rejects, "%s:%lu: header: %s: %s\n", path, row.line, bad, reason);
        goto out;
    }
    header_fields = row.nfields;

    b = malloc(sizeof(*b));
    stmt = mysql_stmt_init(invqr_db_mysql(db));
    if (b == NULL || stmt == NULL) {
        fprintf(rejects, "%s: out of memory\n", path);
        goto out;
    }
    b->n = 0;
    if (mysql_stmt_prepare(stmt, invqr_db_sql_text(INVQR_SQL_CITIZEN_UPSERT),
                           strlen(invqr_db_sql_text(INVQR_SQL_CITIZEN_UPSERT))) != 0) {
        fprintf(rejects, "%s: the status store refused the import statement: %s\n", path,
                mysql_stmt_error(stmt));
        goto out;
    }
    if (count_citizens(db, &before) != 0 || invqr_db_begin(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store is not available\n", path);
        goto out;
    }
    in_txn = 1;

    for (;;) {
        invqr_col_t badcol = INVQR_COL__COUNT;
        long first;

        r = invqr_csv_next(csv, &row, &reason);
        if (r == INVQR_CSV_EOF)
            break;
        if (r == INVQR_CSV_FATAL && row.line == 0) {
            fprintf(rejects, "%s: %s\n", path, reason);
            goto out;
        }
        st->rows++;
        if (r != INVQR_CSV_RECORD) {
            fprintf(rejects, "%s:%lu: row: %s\n", path, row.line, reason);
            st->rejected++;
            if (r == INVQR_CSV_FATAL)
                break;
            continue;
        }
        if (invqr_record_parse(&rec, map, header_fields, &row, &badcol, &reason) != 0) {
            fprintf(rejects, "%s:%lu: %s: %s\n", path, row.line, col_label(badcol), reason);
            st->rejected++;
            continue;
        }
        first = seen_add(&seen, rec.fiscal_code, row.line);
        if (first != 0) {
            if (first < 0) {
                fprintf(rejects, "%s: out of memory\n", path);
                goto out;
            }
            fprintf(rejects, "%s:%lu: fiscal_code: %s appears already on line %ld\n", path,
                    row.line, rec.fiscal_code, first);
            st->rejected++;
            continue;
        }
        st->accepted++;
        if (strict && st->rejected > 0)
            continue;   /* nothing will be applied: just keep validating */
        batch_add(b, &rec);
        if (b->n == BATCH && batch_flush(b, stmt, &affected) != 0)
            goto out;
    }
    if (strict && st->rejected > 0) {
        invqr_db_rollback(db);
        in_txn = 0;
        rc = INVQR_IMPORT_SOME_REJECTED;
        goto out;
    }
    if (batch_flush(b, stmt, &affected) != 0 || count_citizens(db, &after) != 0
        || invqr_db_commit(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store failed; nothing was applied\n", path);
        goto out;
    }
    in_txn = 0;
    st->applied = 1;
    st->inserted = (unsigned long)(after - before);
    st->updated = (unsigned long)((affected - st->inserted) / 2);
    st->unchanged = st->accepted - st->inserted - st->updated;
    rc = st->rejected > 0 ? INVQR_IMPORT_SOME_REJECTED : INVQR_IMPORT_ALL;
out:
    if (in_txn)
        invqr_db_rollback(db);
    if (rc == INVQR_IMPORT_NOTHING)
        st->applied = 0;
    if (stmt != NULL)
        mysql_stmt_close(stmt);
    free(b);
    free(seen.keys);
    free(seen.lines);
    if (fd >= 0)
        close(fd);
    return rc;
}
