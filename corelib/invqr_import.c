/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the CSV import: validate, deduplicate, compare, upsert in key order.
 *
 * Rows are validated by invqr_record_parse() as they are read, and each
 * reject is reported at once, in file order; a fiscal code seen twice in one
 * file is a reject (which of the two would win is not for us to guess).
 * Valid rows are kept in one arena, compactly, and only then go to the store,
 * inside one transaction: the store sees the whole file or nothing of it.
 *
 * Where the time goes (script/bench, 1 M rows): InnoDB inserting rows in
 * random key order splits pages all over the clustered index, and an
 * INSERT ... ON DUPLICATE KEY UPDATE of a row that did not change still
 * costs a failed insert, a read and a compare under a row lock. So:
 *  - rows are sent sorted by fiscal code (memcmp order, which is the order
 *    of the ascii_bin primary key): about twice as fast on the server;
 *  - when the file is a good part of the store (a whole archive, the usual
 *    case), the current rows are read once in key order and compared with
 *    the file: unchanged rows are not sent at all, new rows and changed rows
 *    are sent as two sorted streams, and the counts come from the comparison,
 *    checked against the affected rows; re-importing the same archive reads
 *    the table once and writes nothing;
 *  - when the file is small next to the store, reading the whole table would
 *    cost more than it saves: every row is sent (sorted) and the counts come
 *    from COUNT(*) before and after, as the affected rows cannot tell an
 *    insert from an update of an array-bound statement.
 * Both use one array-bound prepared INSERT ... ON DUPLICATE KEY UPDATE, bound
 * straight onto the arena. Imports are serialised by a named lock, so the
 * comparison cannot be overtaken by another import.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

/* Compare with the store only when the file holds at least this share of
 * the store's rows (1/COMPARE_RATIO); below, reading the whole table costs
 * more than the updates it saves. */
#define COMPARE_RATIO 4

/* ---- the arena of valid rows ------------------------------------------------------ */

enum { ROW_NEW = 0, ROW_CHANGED, ROW_SAME };
enum { F_DEFINITIVE = 1, F_CIVIL = 2, F_MINOR = 4, F_ATTENDANCE = 8, F_DEAF = 16 };

/* One valid row; its variable-length text follows it in the arena: surname,
 * given name, mobile, medical judgment. */
typedef struct {
    char birth[10], judgment_date[10], review[10];   /* YYYY-MM-DD, not terminated */
    uint16_t surname_len, given_len, judgment_len;
    uint8_t mobile_len, has_review, flags, blind, hcap, state;
    int8_t pct;                                       /* -1: none */
} row_t;

/* Sort key and where the row is. */
typedef struct {
    char fc[INVQR_FISCAL_LEN];
    size_t off;
} entry_t;

typedef struct {
    char *base;
    size_t len, cap;
    entry_t *idx;
    size_t n, idx_cap;
} rows_t;

#define ROW_ALIGN 8

static row_t *row_at(const rows_t *rs, size_t i)
{
    return (row_t *)(rs->base + rs->idx[i].off);
}

static const char *row_surname(const row_t *r)
{
    return (const char *)(r + 1);
}

static const char *row_given(const row_t *r)
{
    return row_surname(r) + r->surname_len;
}

static const char *row_mobile(const row_t *r)
{
    return row_given(r) + r->given_len;
}

static const char *row_judgment(const row_t *r)
{
    return row_mobile(r) + r->mobile_len;
}

/* Append a validated record; -1 when memory runs out. */
static int rows_add(rows_t *rs, const invqr_record_t *rec)
{
    size_t sl = strlen(rec->surname), gl = strlen(rec->given_name), ml = strlen(rec->mobile);
    size_t jl = rec->medical_judgment_len;
    size_t need = (sizeof(row_t) + sl + gl + ml + jl + ROW_ALIGN - 1) & ~(size_t)(ROW_ALIGN - 1);
    row_t *r;
    char *p;

    if (rs->len + need > rs->cap) {
        size_t cap = rs->cap ? rs->cap : (size_t)1 << 20;
        char *nb;

        while (cap < rs->len + need)
            cap *= 2;
        nb = realloc(rs->base, cap);
        if (nb == NULL)
            return -1;
        rs->base = nb;
        rs->cap = cap;
    }
    if (rs->n == rs->idx_cap) {
        size_t cap = rs->idx_cap ? rs->idx_cap * 2 : 1 << 14;
        entry_t *ni = realloc(rs->idx, cap * sizeof(*ni));

        if (ni == NULL)
            return -1;
        rs->idx = ni;
        rs->idx_cap = cap;
    }
    memcpy(rs->idx[rs->n].fc, rec->fiscal_code, INVQR_FISCAL_LEN);
    rs->idx[rs->n].off = rs->len;
    rs->n++;

    r = (row_t *)(rs->base + rs->len);
    memcpy(r->birth, rec->birth_date, 10);
    memcpy(r->judgment_date, rec->judgment_date, 10);
    r->has_review = rec->review_date[0] != '\0';
    memcpy(r->review, r->has_review ? rec->review_date : "0000-00-00", 10);
    r->surname_len = (uint16_t)sl;
    r->given_len = (uint16_t)gl;
    r->mobile_len = (uint8_t)ml;
    r->judgment_len = (uint16_t)jl;
    r->flags = (uint8_t)((rec->definitive ? F_DEFINITIVE : 0) | (rec->civil_invalidity ? F_CIVIL : 0)
                         | (rec->minor_invalidity ? F_MINOR : 0)
                         | (rec->attendance_allowance ? F_ATTENDANCE : 0)
                         | (rec->deafness ? F_DEAF : 0));
    r->blind = (uint8_t)rec->civil_blindness;
    r->hcap = (uint8_t)rec->handicap;
    r->pct = (int8_t)(rec->invalidity_percent < 0 ? -1 : rec->invalidity_percent);
    r->state = ROW_NEW;
    p = (char *)(r + 1);
    memcpy(p, rec->surname, sl);
    memcpy(p + sl, rec->given_name, gl);
    memcpy(p + sl + gl, rec->mobile, ml);
    memcpy(p + sl + gl + ml, rec->medical_judgment, jl);
    rs->len += need;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return memcmp(((const entry_t *)a)->fc, ((const entry_t *)b)->fc, INVQR_FISCAL_LEN);
}

static void rows_free(rows_t *rs)
{
    free(rs->base);
    free(rs->idx);
}

/* ---- fiscal codes seen in this file ------------------------------------------------- */

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

/* ---- the store ----------------------------------------------------------------------- */

static const char *const blind_names[] = { "NONE", "PARTIAL", "ABSOLUTE" };
static const char *const hcap_names[] = { "NONE", "ART3_C1", "ART3_C3" };

/* Column order of the CITIZEN_UPSERT statement, and of SELECT_CURRENT. */
enum { C_FC, C_SURNAME, C_GIVEN, C_BIRTH, C_MOBILE, C_DEF, C_JDATE, C_REVIEW, C_CIV, C_PCT,
       C_MINOR, C_ATT, C_BLIND, C_DEAF, C_HCAP, C_JUDGMENT };

/* The store's rows in key order, for the comparison (no parameters). */
static const char SELECT_CURRENT[] =
    "SELECT fiscal_code, surname, given_name, birth_date, mobile, definitive, judgment_date,"
    " review_date, civil_invalidity, invalidity_percent, minor_invalidity,"
    " attendance_allowance, civil_blindness, deafness, handicap, medical_judgment"
    " FROM citizen ORDER BY fiscal_code";
static const char ROWS_ESTIMATE[] =
    "SELECT TABLE_ROWS FROM information_schema.TABLES"
    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'citizen'";
static const char GET_LOCK[] = "SELECT GET_LOCK('invqr.import', 600)";
static const char RELEASE_LOCK[] = "DO RELEASE_LOCK('invqr.import')";

/* One batch, column-wise as Connector/C array binding wants it; the strings
 * point into the arena. */
typedef struct {
    char *ptr[NCOLS][BATCH];
    unsigned long len[NCOLS][BATCH];
    char ind[NCOLS][BATCH];                /* STMT_INDICATOR_NONE / _NULL */
    signed char tiny[NCOLS][BATCH];
    unsigned n;
} batch_t;

static void set_str(batch_t *b, int col, unsigned i, const char *s, size_t len, int null)
{
    b->ptr[col][i] = (char *)s;
    b->len[col][i] = (unsigned long)len;
    b->ind[col][i] = null ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
}

static void set_tiny(batch_t *b, int col, unsigned i, int v)
{
    b->tiny[col][i] = (signed char)v;
    b->ind[col][i] = STMT_INDICATOR_NONE;
}

static void batch_add(batch_t *b, const char *fc, const row_t *r)
{
    unsigned i = b->n++;

    set_str(b, C_FC, i, fc, INVQR_FISCAL_LEN, 0);
    set_str(b, C_SURNAME, i, row_surname(r), r->surname_len, 0);
    set_str(b, C_GIVEN, i, row_given(r), r->given_len, 0);
    set_str(b, C_BIRTH, i, r->birth, 10, 0);
    set_str(b, C_MOBILE, i, row_mobile(r), r->mobile_len, r->mobile_len == 0);
    set_str(b, C_JDATE, i, r->judgment_date, 10, 0);
    set_str(b, C_REVIEW, i, r->review, 10, !r->has_review);
    set_str(b, C_BLIND, i, blind_names[r->blind], strlen(blind_names[r->blind]), 0);
    set_str(b, C_HCAP, i, hcap_names[r->hcap], strlen(hcap_names[r->hcap]), 0);
    set_str(b, C_JUDGMENT, i, row_judgment(r), r->judgment_len, 0);
    set_tiny(b, C_DEF, i, (r->flags & F_DEFINITIVE) != 0);
    set_tiny(b, C_CIV, i, (r->flags & F_CIVIL) != 0);
    set_tiny(b, C_MINOR, i, (r->flags & F_MINOR) != 0);
    set_tiny(b, C_ATT, i, (r->flags & F_ATTENDANCE) != 0);
    set_tiny(b, C_DEAF, i, (r->flags & F_DEAF) != 0);
    set_tiny(b, C_PCT, i, r->pct < 0 ? 0 : r->pct);
    if (r->pct < 0)
        b->ind[C_PCT][i] = STMT_INDICATOR_NULL;
}

/* Send the batch; adds the statement's affected rows to *paffected. */
static int batch_flush(batch_t *b, MYSQL_STMT *stmt, unsigned long long *paffected)
{
    MYSQL_BIND bd[NCOLS];
    unsigned int size = b->n;
    int col;

    if (b->n == 0)
        return 0;
    memset(bd, 0, sizeof(bd));
    for (col = 0; col < NCOLS; col++) {
        bd[col].u.indicator = b->ind[col];
        if (col == C_DEF || col == C_CIV || col == C_PCT || col == C_MINOR || col == C_ATT
            || col == C_DEAF) {
            bd[col].buffer_type = MYSQL_TYPE_TINY;
            bd[col].buffer = b->tiny[col];
        }
        else {
            bd[col].buffer_type = MYSQL_TYPE_STRING;
            bd[col].buffer = b->ptr[col];
            bd[col].length = b->len[col];
        }
    }
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0
        || mysql_stmt_bind_param(stmt, bd) != 0 || mysql_stmt_execute(stmt) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0400: import batch failed: %s", mysql_stmt_error(stmt));
        return -1;
    }
    *paffected += mysql_stmt_affected_rows(stmt);
    b->n = 0;
    return 0;
}

/* Upsert the rows (in sorted order) whose state is want, or all when want < 0. */
static int send_rows(const rows_t *rs, int want, batch_t *b, MYSQL_STMT *stmt,
                     unsigned long long *paffected)
{
    size_t i;

    b->n = 0;
    for (i = 0; i < rs->n; i++) {
        const row_t *r = row_at(rs, i);

        if (want >= 0 && r->state != want)
            continue;
        batch_add(b, rs->idx[i].fc, r);
        if (b->n == BATCH && batch_flush(b, stmt, paffected) != 0)
            return -1;
    }
    return batch_flush(b, stmt, paffected);
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

/* A fixed query of one value: *pvalue (0 for NULL), *pnull. */
static int query_value(MYSQL *m, const char *sql, unsigned long long *pvalue, int *pnull)
{
    MYSQL_RES *res;
    MYSQL_ROW row;

    *pvalue = 0;
    *pnull = 1;
    if (mysql_real_query(m, sql, strlen(sql)) != 0 || (res = mysql_store_result(m)) == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0401: import query failed: %s", mysql_error(m));
        return -1;
    }
    row = mysql_fetch_row(res);
    if (row != NULL && row[0] != NULL) {
        *pvalue = strtoull(row[0], NULL, 10);
        *pnull = 0;
    }
    mysql_free_result(res);
    return 0;
}

static int field_is(const char *v, unsigned long vlen, const char *s, size_t len)
{
    return v != NULL && vlen == len && memcmp(v, s, len) == 0;
}

static int flag_is(const char *v, unsigned long vlen, int on)
{
    return v != NULL && vlen == 1 && v[0] == (on ? '1' : '0');
}

/* Whether the store's row (text protocol) holds exactly what r would write. */
static int row_same(const row_t *r, MYSQL_ROW v, const unsigned long *l)
{
    char pct[4];
    size_t pl = 0;

    if (r->pct >= 0) {
        int x = r->pct;
        if (x >= 100)
            pct[pl++] = (char)('0' + x / 100);
        if (x >= 10)
            pct[pl++] = (char)('0' + x / 10 % 10);
        pct[pl++] = (char)('0' + x % 10);
    }
    return field_is(v[C_SURNAME], l[C_SURNAME], row_surname(r), r->surname_len)
        && field_is(v[C_GIVEN], l[C_GIVEN], row_given(r), r->given_len)
        && field_is(v[C_BIRTH], l[C_BIRTH], r->birth, 10)
        && (r->mobile_len == 0 ? v[C_MOBILE] == NULL
                               : field_is(v[C_MOBILE], l[C_MOBILE], row_mobile(r), r->mobile_len))
        && flag_is(v[C_DEF], l[C_DEF], r->flags & F_DEFINITIVE)
        && field_is(v[C_JDATE], l[C_JDATE], r->judgment_date, 10)
        && (r->has_review ? field_is(v[C_REVIEW], l[C_REVIEW], r->review, 10)
                          : v[C_REVIEW] == NULL)
        && flag_is(v[C_CIV], l[C_CIV], r->flags & F_CIVIL)
        && (r->pct < 0 ? v[C_PCT] == NULL : field_is(v[C_PCT], l[C_PCT], pct, pl))
        && flag_is(v[C_MINOR], l[C_MINOR], r->flags & F_MINOR)
        && flag_is(v[C_ATT], l[C_ATT], r->flags & F_ATTENDANCE)
        && field_is(v[C_BLIND], l[C_BLIND], blind_names[r->blind], strlen(blind_names[r->blind]))
        && flag_is(v[C_DEAF], l[C_DEAF], r->flags & F_DEAF)
        && field_is(v[C_HCAP], l[C_HCAP], hcap_names[r->hcap], strlen(hcap_names[r->hcap]))
        && field_is(v[C_JUDGMENT], l[C_JUDGMENT], row_judgment(r), r->judgment_len);
}

/* Read the store in key order and mark each (sorted) row new, changed or the
 * same. Counts the rows of each kind into n[]. */
static int compare_with_store(rows_t *rs, MYSQL *m, unsigned long n[3])
{
    MYSQL_RES *res;
    MYSQL_ROW v;
    size_t i = 0, k;

    n[ROW_NEW] = n[ROW_CHANGED] = n[ROW_SAME] = 0;
    if (mysql_real_query(m, SELECT_CURRENT, sizeof(SELECT_CURRENT) - 1) != 0
        || (res = mysql_use_result(m)) == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0402: import query failed: %s", mysql_error(m));
        return -1;
    }
    while (i < rs->n && (v = mysql_fetch_row(res)) != NULL) {
        const unsigned long *l = mysql_fetch_lengths(res);
        int c = 1;

        if (v[C_FC] == NULL || l[C_FC] != INVQR_FISCAL_LEN)
            continue;   /* not a code this file can hold */
        while (i < rs->n && (c = memcmp(rs->idx[i].fc, v[C_FC], INVQR_FISCAL_LEN)) < 0)
            row_at(rs, i++)->state = ROW_NEW;
        if (i < rs->n && c == 0) {
            row_t *r = row_at(rs, i++);
            r->state = row_same(r, v, l) ? ROW_SAME : ROW_CHANGED;
        }
    }
    if (mysql_errno(m) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0403: import query failed: %s", mysql_error(m));
        mysql_free_result(res);
        return -1;
    }
    mysql_free_result(res);   /* reads what is left of the table, if anything */
    for (; i < rs->n; i++)
        row_at(rs, i)->state = ROW_NEW;
    for (k = 0; k < rs->n; k++)
        n[row_at(rs, k)->state]++;
    return 0;
}

/* Apply the sorted rows inside the open transaction; fills the counts. */
static int apply_rows(invqr_import_stats_t *st, rows_t *rs, invqr_db_t *db, MYSQL_STMT *stmt,
                      MYSQL_STMT *ins, batch_t *b, const char *path, FILE *rejects)
{
    MYSQL *m = invqr_db_mysql(db);
    unsigned long long estimate = 0, before = 0, after = 0, affected = 0;
    unsigned long n[3];
    int null;

    if (query_value(m, ROWS_ESTIMATE, &estimate, &null) != 0)
        return -1;
    if ((unsigned long long)rs->n * COMPARE_RATIO < estimate) {
        /* a few rows next to a big store: send them all */
        if (count_citizens(db, &before) != 0 || send_rows(rs, -1, b, stmt, &affected) != 0
            || count_citizens(db, &after) != 0)
            return -1;
        st->inserted = (unsigned long)(after - before);
        st->updated = (unsigned long)((affected - st->inserted) / 2);
        st->unchanged = st->accepted - st->inserted - st->updated;
        return 0;
    }
    /* rows known to be new go in with a plain INSERT: cheaper, and a row
     * someone else added meanwhile fails the import instead of being merged */
    if (compare_with_store(rs, m, n) != 0 || send_rows(rs, ROW_NEW, b, ins, &affected) != 0)
        return -1;
    if (affected != n[ROW_NEW]) {
        /* a new row was there after all: someone wrote the store meanwhile */
        fprintf(rejects, "%s: the status store changed during the import\n", path);
        return -1;
    }
    affected = 0;
    if (send_rows(rs, ROW_CHANGED, b, stmt, &affected) != 0)
        return -1;
    if (affected % 2 != 0 || affected > 2ULL * n[ROW_CHANGED]) {
        fprintf(rejects, "%s: the status store changed during the import\n", path);
        return -1;
    }
    st->inserted = n[ROW_NEW];
    st->updated = (unsigned long)(affected / 2);
    st->unchanged = n[ROW_SAME] + (n[ROW_CHANGED] - st->updated);
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
    int header_fields, fd = -1, in_txn = 0, locked = 0, null;
    const char *reason = NULL;
    char bad[64];
    batch_t *b = NULL;
    seen_t seen = { NULL, NULL, 0, 0 };
    rows_t rs = { NULL, 0, 0, NULL, 0, 0 };
    MYSQL_STMT *stmt = NULL, *ins = NULL;
    unsigned long long got = 0;
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

    /* Read and check everything first; nothing touches the store yet. */
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
        if (rows_add(&rs, &rec) != 0) {
            fprintf(rejects, "%s: out of memory\n", path);
            goto out;
        }
    }
    free(seen.keys);
    free(seen.lines);
    seen.keys = NULL;
    seen.lines = NULL;
    if (strict && st->rejected > 0) {
        rc = INVQR_IMPORT_SOME_REJECTED;
        goto out;
    }

    if (rs.n == 0) {
        /* every row was rejected, or there were none: nothing to send */
        st->applied = 1;
        rc = st->rejected > 0 ? INVQR_IMPORT_SOME_REJECTED : INVQR_IMPORT_ALL;
        goto out;
    }
    qsort(rs.idx, rs.n, sizeof(*rs.idx), entry_cmp);
    b = malloc(sizeof(*b));
    stmt = mysql_stmt_init(invqr_db_mysql(db));
    if (b == NULL || stmt == NULL) {
        fprintf(rejects, "%s: out of memory\n", path);
        goto out;
    }
    ins = mysql_stmt_init(invqr_db_mysql(db));
    if (ins == NULL
        || mysql_stmt_prepare(ins, invqr_db_sql_text(INVQR_SQL_CITIZEN_INSERT),
                              strlen(invqr_db_sql_text(INVQR_SQL_CITIZEN_INSERT))) != 0
        || mysql_stmt_prepare(stmt, invqr_db_sql_text(INVQR_SQL_CITIZEN_UPSERT),
                              strlen(invqr_db_sql_text(INVQR_SQL_CITIZEN_UPSERT))) != 0) {
        fprintf(rejects, "%s: the status store refused the import statement: %s\n", path,
                ins == NULL ? "out of memory"
                : mysql_stmt_error(ins)[0] != '\0' ? mysql_stmt_error(ins) : mysql_stmt_error(stmt));
        goto out;
    }
    if (query_value(invqr_db_mysql(db), GET_LOCK, &got, &null) != 0 || got != 1) {
        fprintf(rejects, "%s: %s\n", path, null ? "the status store is not available"
                : "another import has been running for 10 minutes; nothing was applied");
        goto out;
    }
    locked = 1;
    if (invqr_db_begin(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store is not available\n", path);
        goto out;
    }
    in_txn = 1;
    if (apply_rows(st, &rs, db, stmt, ins, b, path, rejects) != 0
        || invqr_db_commit(db) != APR_SUCCESS) {
        fprintf(rejects, "%s: the status store failed; nothing was applied\n", path);
        goto out;
    }
    in_txn = 0;
    st->applied = 1;
    rc = st->rejected > 0 ? INVQR_IMPORT_SOME_REJECTED : INVQR_IMPORT_ALL;
out:
    if (in_txn)
        invqr_db_rollback(db);
    if (locked)
        mysql_real_query(invqr_db_mysql(db), RELEASE_LOCK, sizeof(RELEASE_LOCK) - 1);
    if (rc != INVQR_IMPORT_ALL && rc != INVQR_IMPORT_SOME_REJECTED) {
        st->applied = 0;
        st->inserted = st->updated = st->unchanged = 0;
    }
    else if (!st->applied) {
        st->inserted = st->updated = st->unchanged = 0;
    }
    if (stmt != NULL)
        mysql_stmt_close(stmt);
    if (ins != NULL)
        mysql_stmt_close(ins);
    free(b);
    free(seen.keys);
    free(seen.lines);
    rows_free(&rs);
    if (fd >= 0)
        close(fd);
    return rc;
}
