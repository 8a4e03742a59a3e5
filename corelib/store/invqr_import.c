/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the CSV import: validate, deduplicate, compare, load in key order.
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
 * costs a failed insert, a read and a compare under a row lock. On a first
 * load the server's own work (7-9 microseconds of CPU a row here: parsing
 * the values and InnoDB's insert, the same for LOAD DATA as for array-bound
 * INSERTs) is most of the time; the client's share is kept small and
 * overlapped with it. So:
 *  - rows are sent sorted by fiscal code (memcmp order, which is the order
 *    of the ascii_bin primary key): about twice as fast on the server;
 *  - when the file is a good part of the store (a whole archive, the usual
 *    case, and always a first load), the current rows are read once in key
 *    order and compared with the file: unchanged rows are not sent at all,
 *    and the counts come from the comparison, checked against the affected
 *    rows; re-importing the same archive reads the table once and writes
 *    nothing;
 *  - the rows found new are streamed from memory with LOAD DATA LOCAL
 *    INFILE (already validated and normalised, in a strict tab-separated
 *    form; no file is written or read): the client formats the stream while
 *    the server inserts, instead of packing batches between round trips. A
 *    server that refuses LOCAL INFILE gets them as array-bound prepared
 *    INSERTs instead, with one warning;
 *  - changed rows, usually few, go as array-bound prepared
 *    INSERT ... ON DUPLICATE KEY UPDATE bound straight onto the arena;
 *  - when the file is small next to the store, reading the whole table would
 *    cost more than it saves: every row is sent (sorted) as upserts and the
 *    counts come from COUNT(*) before and after, as the affected rows cannot
 *    tell an insert from an update of an array-bound statement.
 * Imports are serialised by a named lock, so the comparison cannot be
 * overtaken by another import. On the client, the costs are cache misses
 * more than instructions: the fiscal codes seen are kept in one flat hash
 * table, the sort compares keys inline, and the per-row state of the
 * comparison lives beside the sorted index, not in the rows.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <mysqld_error.h>

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
    uint8_t mobile_len, has_review, flags, blind, hcap;
    int8_t pct;                                       /* -1: none */
} row_t;

/* Sort key and where the row is. */
typedef struct {
    char fc[INVQR_FISCAL_LEN];
    size_t off;
} entry_t;

/* The rows in file order (idx, until sorted), and once compared with the
 * store the ROW_* state of each sorted row: a byte array read in order,
 * rather than a field of rows scattered over the arena. */
typedef struct {
    char *base;
    size_t len, cap;
    entry_t *idx;
    size_t n, idx_cap;
    unsigned char *state;
} rows_t;

#define ROW_ALIGN 8

static row_t *row_at(const rows_t *rs, size_t i)
{
    return (row_t *)(rs->base + rs->idx[i].off);
}

/* The sorted loops below read rows in key order, all over the arena: ask for
 * a row a few places ahead so its cache lines are there when needed. The
 * prefetch helpers must be inlined: GCC takes a function whose only effect
 * is a prefetch for one without effects, and drops the calls. */
#define PREFETCH_AHEAD 16
#if defined(__GNUC__)
#define INVQR_INLINE inline __attribute__((always_inline))
#else
#define INVQR_INLINE inline
#endif

static INVQR_INLINE void prefetch_row(const rows_t *rs, size_t i)
{
#if defined(__GNUC__)
    if (i < rs->n) {
        const char *r = rs->base + rs->idx[i].off;

        __builtin_prefetch(r);
        __builtin_prefetch(r + 64);
    }
#endif
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
    p = (char *)(r + 1);
    memcpy(p, rec->surname, sl);
    memcpy(p + sl, rec->given_name, gl);
    memcpy(p + sl + gl, rec->mobile, ml);
    memcpy(p + sl + gl + ml, rec->medical_judgment, jl);
    rs->len += need;
    return 0;
}

static void rows_free(rows_t *rs)
{
    free(rs->base);
    free(rs->idx);
    free(rs->state);
}

/* ---- sorting by fiscal code ---------------------------------------------------------- */

/* Eight bytes of a key as a number that orders as memcmp orders them. */
static inline uint64_t key_word(const char *k)
{
    const unsigned char *u = (const unsigned char *)k;

    return (uint64_t)u[0] << 56 | (uint64_t)u[1] << 48 | (uint64_t)u[2] << 40
           | (uint64_t)u[3] << 32 | (uint64_t)u[4] << 24 | (uint64_t)u[5] << 16
           | (uint64_t)u[6] << 8 | (uint64_t)u[7];
}

/* memcmp(a->fc, b->fc, 16) < 0, as two word compares (the compiler makes
 * each key_word one load and a byte swap). */
static inline int entry_less(const entry_t *a, const entry_t *b)
{
    uint64_t x = key_word(a->fc), y = key_word(b->fc);

    if (x != y)
        return x < y;
    return key_word(a->fc + 8) < key_word(b->fc + 8);
}

#define SORT_SMALL 16

/* Sort e[0..n) into memcmp order of the keys: a top-down merge sort through
 * tmp (n entries), with insertion sort for short runs. Fiscal codes in a
 * file are distinct by now, so stability does not matter; a merge sort is
 * used because its time does not depend on the input, and the comparison is
 * inlined, which glibc's qsort() cannot do (it cost 15 % of an import). */
static void sort_entries(entry_t *e, entry_t *tmp, size_t n)
{
    size_t i, j, k, h;

    if (n <= SORT_SMALL) {
        for (i = 1; i < n; i++) {
            entry_t x = e[i];

            for (j = i; j > 0 && entry_less(&x, &e[j - 1]); j--)
                e[j] = e[j - 1];
            e[j] = x;
        }
        return;
    }
    h = n / 2;
    sort_entries(e, tmp, h);
    sort_entries(e + h, tmp, n - h);
    if (!entry_less(&e[h], &e[h - 1]))
        return;                 /* already in order (a file sorted by key) */
    memcpy(tmp, e, h * sizeof(*e));
    i = 0;
    j = h;
    k = 0;
    while (i < h && j < n)
        e[k++] = entry_less(&e[j], &tmp[i]) ? e[j++] : tmp[i++];
    while (i < h)
        e[k++] = tmp[i++];
}

/* ---- fiscal codes seen in this file ------------------------------------------------- */

/* Open-addressing set of the fiscal codes seen in this file, with the line
 * each was first seen on (0: empty slot). Key and line share a slot, so a
 * probe costs one cache miss, not two: with a million rows the table is far
 * bigger than the caches, and these misses were a tenth of an import. */
typedef struct {
    char fc[INVQR_FISCAL_LEN];
    unsigned long line;
} seen_slot_t;

typedef struct {
    seen_slot_t *slot;
    size_t cap, used;
} seen_t;

static size_t seen_hash(const char *k)
{
    uint64_t a, b, h;

    memcpy(&a, k, 8);
    memcpy(&b, k + 8, 8);
    h = (a ^ (b * UINT64_C(0x9E3779B97F4A7C15))) * UINT64_C(0xBF58476D1CE4E5B9);
    return (size_t)(h ^ (h >> 31));
}

static int seen_grow(seen_t *s)
{
    seen_t n;
    size_t i;

    n.cap = s->cap ? s->cap * 2 : 1 << 16;
    n.used = 0;
    n.slot = calloc(n.cap, sizeof(*n.slot));
    if (n.slot == NULL)
        return -1;
    for (i = 0; i < s->cap; i++) {
        if (s->slot[i].line != 0) {
            size_t j = seen_hash(s->slot[i].fc) & (n.cap - 1);

            while (n.slot[j].line != 0)
                j = (j + 1) & (n.cap - 1);
            n.slot[j] = s->slot[i];
            n.used++;
        }
    }
    free(s->slot);
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
    while (s->slot[j].line != 0) {
        if (memcmp(s->slot[j].fc, fc, INVQR_FISCAL_LEN) == 0)
            return (long)s->slot[j].line;
        j = (j + 1) & (s->cap - 1);
    }
    memcpy(s->slot[j].fc, fc, INVQR_FISCAL_LEN);
    s->slot[j].line = line;
    s->used++;
    return 0;
}

/* Start fetching the slot of a row's fiscal code, from the raw field, while
 * the row is validated: by the time seen_add() probes, the miss is paid.
 * Only the usual spelling (16 characters, nothing to trim) is guessed at;
 * a wrong guess costs nothing but the prefetch. */
static INVQR_INLINE void seen_prefetch(const seen_t *s, const char *raw, size_t len)
{
#if defined(__GNUC__)
    char k[INVQR_FISCAL_LEN];
    size_t i;

    if (len != INVQR_FISCAL_LEN || s->cap == 0)
        return;
    for (i = 0; i < INVQR_FISCAL_LEN; i++)
        k[i] = (char)(raw[i] >= 'a' && raw[i] <= 'z' ? raw[i] - 'a' + 'A' : raw[i]);
    __builtin_prefetch(&s->slot[seen_hash(k) & (s->cap - 1)]);
#endif
}

static void seen_free(seen_t *s)
{
    free(s->slot);
    s->slot = NULL;
    s->cap = s->used = 0;
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

/* On Galera the whole import is still one transaction (the contract: all or
 * nothing), but replicated in fragments of rows as it goes (Galera 4's
 * streaming replication) rather than as one write set at commit: a write
 * set of millions of rows would stall every other commit of the cluster
 * while the other nodes certify and apply it, and meets wsrep_max_ws_size
 * (2 GB) at about 8 million citizens. Measured here (docs/operations.md),
 * 1 M new citizens under first-level load: one write set stalled every
 * verification of the cluster for 12.5 s at commit; fragments of 20,000
 * rows kept the slowest answer under 2 s, for an import 1.5 times as long.
 * INVQR_IMPORT_FRAGMENT_ROWS sets the rows of a fragment; 0 turns it off. */
#define FRAGMENT_ROWS 20000

static int streaming(MYSQL *m)
{
    const char *env = getenv("INVQR_IMPORT_FRAGMENT_ROWS");
    long rows = env != NULL && *env != '\0' ? strtol(env, NULL, 10) : FRAGMENT_ROWS;
    char sql[128];

    if (rows < 0 || rows > 10000000)
        rows = FRAGMENT_ROWS;
    snprintf(sql, sizeof(sql), "SET SESSION wsrep_trx_fragment_unit = 'rows',"
             " wsrep_trx_fragment_size = %ld", rows);
    return mysql_real_query(m, sql, strlen(sql)) != 0 ? -1 : 0;
}

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
        if (want >= 0 && rs->state[i] != want)
            continue;
        prefetch_row(rs, i + PREFETCH_AHEAD);
        batch_add(b, rs->idx[i].fc, row_at(rs, i));
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

/* Read the store in key order and set the state of each (sorted) row: new,
 * changed or the same. Counts the rows of each kind into n[]. */
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
            rs->state[i++] = ROW_NEW;
        if (i < rs->n && c == 0) {
            prefetch_row(rs, i + PREFETCH_AHEAD);
            rs->state[i] = row_same(row_at(rs, i), v, l) ? ROW_SAME : ROW_CHANGED;
            i++;
        }
    }
    if (mysql_errno(m) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0403: import query failed: %s", mysql_error(m));
        mysql_free_result(res);
        return -1;
    }
    mysql_free_result(res);   /* reads what is left of the table, if anything */
    for (; i < rs->n; i++)
        rs->state[i] = ROW_NEW;
    for (k = 0; k < rs->n; k++)
        n[rs->state[k]]++;
    return 0;
}

/* ---- new rows through LOAD DATA LOCAL INFILE ---------------------------------------- */

/* The file name is a placeholder: the server sends it back in its request
 * and invqr_db's handler ignores it (see invqr_db_set_infile()). Fields as
 * LOAD DATA's defaults read them (tab-separated, backslash escapes, \N for
 * NULL, a line feed after each row), but spelled out so a server default
 * cannot change them; the column list is the one of CITIZEN_INSERT. LOAD
 * DATA cannot be prepared, so this text is not in invqr_sql.def. LOCAL
 * implies IGNORE: a duplicate key or a value the server had to adjust is a
 * warning, not an error, so load_new_rows() checks the affected rows and the
 * warnings and fails the import on either.
 *
 * CHARACTER SET binary, not utf8mb4: the text has been checked as strict
 * UTF-8 by invqr_record_parse() already, and with utf8mb4 the server would
 * decode and re-encode every character to convert utf8mb4 to utf8mb4 (~5 %
 * of its CPU on a first load, measured A/B). From binary it copies the
 * bytes, and still checks they are well-formed utf8mb4 for the column: a
 * bad byte would be a warning (1366), which fails the import like any other. */
static const char LOAD_NEW[] =
    "LOAD DATA LOCAL INFILE 'invqr-import-stream' INTO TABLE citizen CHARACTER SET binary"
    " FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\'"
    " LINES STARTING BY '' TERMINATED BY '\\n'"
    " (fiscal_code, surname, given_name, birth_date, mobile, definitive, judgment_date,"
    " review_date, civil_invalidity, invalidity_percent, minor_invalidity,"
    " attendance_allowance, civil_blindness, deafness, handicap, medical_judgment)";

/* Longest formatted row: every text byte escaped, plus the short fields. */
#define LINE_MAX_BYTES \
    (INVQR_FISCAL_LEN + 4 * INVQR_NAME_MAX_BYTES + 2 * INVQR_JUDGMENT_MAX_BYTES + 256)
#define STREAM_BUF (64 * 1024)

/* Bytes that LOAD DATA would read as syntax: escaped with a backslash. */
static const unsigned char NEEDS_ESCAPE[256] = {
    ['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\0'] = '0'
};

/* The rows of one state, formatted as they are asked for. */
typedef struct {
    const rows_t *rs;
    int want;                   /* ROW_NEW */
    size_t next;                /* next sorted row to look at */
    unsigned long rows;         /* rows formatted so far */
    char *buf;                  /* STREAM_BUF bytes */
    size_t len, pos;            /* formatted, and handed over */
} stream_t;

/* s[0..n) with LOAD DATA's escapes; returns the end of what was written
 * (at most 2 n bytes). Runs without a special byte are copied whole. */
static char *put_text(char *o, const char *s, size_t n)
{
    size_t i = 0, run;

    while (i < n) {
        run = i;
        while (run < n && NEEDS_ESCAPE[(unsigned char)s[run]] == 0)
            run++;
        memcpy(o, s + i, run - i);
        o += run - i;
        if (run == n)
            break;
        *o++ = '\\';
        *o++ = (char)NEEDS_ESCAPE[(unsigned char)s[run]];
        i = run + 1;
    }
    return o;
}

static char *put_raw(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}

static char *put_flag(char *o, int on)
{
    *o++ = on ? '1' : '0';
    *o++ = '\t';
    return o;
}

/* One row, tab-separated in the column order of LOAD_NEW, with its line
 * feed; at most LINE_MAX_BYTES bytes. */
static char *put_row(char *o, const char *fc, const row_t *r)
{
    o = put_raw(o, fc, INVQR_FISCAL_LEN);
    *o++ = '\t';
    o = put_text(o, row_surname(r), r->surname_len);
    *o++ = '\t';
    o = put_text(o, row_given(r), r->given_len);
    *o++ = '\t';
    o = put_raw(o, r->birth, 10);
    *o++ = '\t';
    o = r->mobile_len > 0 ? put_raw(o, row_mobile(r), r->mobile_len) : put_raw(o, "\\N", 2);
    *o++ = '\t';
    o = put_flag(o, r->flags & F_DEFINITIVE);
    o = put_raw(o, r->judgment_date, 10);
    *o++ = '\t';
    o = r->has_review ? put_raw(o, r->review, 10) : put_raw(o, "\\N", 2);
    *o++ = '\t';
    o = put_flag(o, r->flags & F_CIVIL);
    if (r->pct < 0) {
        o = put_raw(o, "\\N", 2);
    }
    else {
        if (r->pct >= 100)
            *o++ = (char)('0' + r->pct / 100);
        if (r->pct >= 10)
            *o++ = (char)('0' + r->pct / 10 % 10);
        *o++ = (char)('0' + r->pct % 10);
    }
    *o++ = '\t';
    o = put_flag(o, r->flags & F_MINOR);
    o = put_flag(o, r->flags & F_ATTENDANCE);
    o = put_raw(o, blind_names[r->blind], strlen(blind_names[r->blind]));
    *o++ = '\t';
    o = put_flag(o, r->flags & F_DEAF);
    o = put_raw(o, hcap_names[r->hcap], strlen(hcap_names[r->hcap]));
    *o++ = '\t';
    o = put_text(o, row_judgment(r), r->judgment_len);
    *o++ = '\n';
    return o;
}

/* invqr_db_infile_fn: hand over formatted bytes, formatting more rows into
 * the stream's buffer whenever it is empty. */
static int stream_read(void *baton, char *buf, unsigned int cap)
{
    stream_t *s = baton;
    size_t give;

    if (s->pos == s->len) {
        const rows_t *rs = s->rs;
        char *o = s->buf, *end = s->buf + STREAM_BUF - LINE_MAX_BYTES;

        while (s->next < rs->n && o <= end) {
            size_t i = s->next++;

            if (rs->state[i] != s->want)
                continue;
            prefetch_row(rs, i + PREFETCH_AHEAD);
            o = put_row(o, rs->idx[i].fc, row_at(rs, i));
            s->rows++;
        }
        s->pos = 0;
        s->len = (size_t)(o - s->buf);
        if (s->len == 0)
            return 0;           /* every row sent */
    }
    give = s->len - s->pos < cap ? s->len - s->pos : cap;
    memcpy(buf, s->buf + s->pos, give);
    s->pos += give;
    return (int)give;
}

/* Whether the statement failed because LOAD DATA LOCAL is switched off on
 * the server (local_infile=OFF) or was not granted to this client. */
static int local_infile_refused(unsigned e)
{
    return e == ER_NOT_ALLOWED_COMMAND || e == ER_LOAD_INFILE_CAPABILITY_DISABLED;
}

/* Insert the rows of state want with one LOAD DATA LOCAL INFILE. Returns 0
 * with *paffected the rows inserted and *pwarnings the server's warnings,
 * 1 when the server refuses LOCAL INFILE (nothing was sent), -1 on failure. */
static int load_rows(const rows_t *rs, int want, invqr_db_t *db,
                     unsigned long long *paffected, unsigned *pwarnings)
{
    MYSQL *m = invqr_db_mysql(db);
    stream_t s;
    int rc = -1;

    memset(&s, 0, sizeof(s));
    s.rs = rs;
    s.want = want;
    s.buf = malloc(STREAM_BUF);
    if (s.buf == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0405: import load failed: out of memory");
        return -1;
    }
    invqr_db_set_infile(db, stream_read, &s);
    if (mysql_real_query(m, LOAD_NEW, sizeof(LOAD_NEW) - 1) != 0) {
        if (s.rows == 0 && local_infile_refused(mysql_errno(m)))
            rc = 1;
        else
            invqr_log(INVQR_LOG_ERR, "INVQR0406: import load failed: %s", mysql_error(m));
        goto out;
    }
    *paffected = mysql_affected_rows(m);
    *pwarnings = mysql_warning_count(m);
    rc = 0;
out:
    invqr_db_set_infile(db, NULL, NULL);
    free(s.buf);
    return rc;
}

/* The server's first warning of the last statement, for the message that
 * fails the import. */
static void first_warning(MYSQL *m, char *out, size_t cap)
{
    static const char SHOW[] = "SHOW WARNINGS LIMIT 1";
    MYSQL_RES *res;
    MYSQL_ROW w;

    snprintf(out, cap, "(warning not available)");
    if (mysql_real_query(m, SHOW, sizeof(SHOW) - 1) != 0
        || (res = mysql_store_result(m)) == NULL)
        return;
    w = mysql_fetch_row(res);
    if (w != NULL && w[2] != NULL)
        snprintf(out, cap, "%s", w[2]);
    mysql_free_result(res);
}

/* Insert the rows found new: LOAD DATA, or prepared INSERTs when the server
 * refuses it (said once, on the log). 0, or -1 with the reason written. */
static int insert_new_rows(const rows_t *rs, unsigned long expected, invqr_db_t *db,
                           batch_t *b, MYSQL_STMT *ins, const char *path, FILE *rejects)
{
    unsigned long long affected = 0;
    unsigned warnings = 0;
    char why[256];
    int r;

    if (expected == 0)
        return 0;
    r = load_rows(rs, ROW_NEW, db, &affected, &warnings);
    if (r < 0)
        return -1;
    if (r > 0) {
        invqr_log(INVQR_LOG_WARN, "INVQR0404: the status store does not allow LOAD DATA LOCAL"
                  " INFILE (local_infile is OFF): new rows go as prepared INSERTs, which is"
                  " slower");
        /* a plain INSERT: a row someone else added meanwhile fails the
         * import instead of being merged */
        if (send_rows(rs, ROW_NEW, b, ins, &affected) != 0)
            return -1;
    }
    if (affected != expected) {
        /* a new row was there after all: someone wrote the store meanwhile */
        fprintf(rejects, "%s: the status store changed during the import\n", path);
        return -1;
    }
    if (warnings > 0) {
        first_warning(invqr_db_mysql(db), why, sizeof(why));
        fprintf(rejects, "%s: the status store altered a value: %s\n", path, why);
        return -1;
    }
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
    if (compare_with_store(rs, m, n) != 0
        || insert_new_rows(rs, n[ROW_NEW], db, b, ins, path, rejects) != 0)
        return -1;
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

invqr_csv_rc invqr_import_next_record(invqr_csv_t *csv, invqr_csv_row_t *row, FILE *rejects,
                                      const char *path, unsigned long *prows,
                                      unsigned long *prejected)
{
    const char *reason;
    invqr_csv_rc r;

    for (;;) {
        r = invqr_csv_next(csv, row, &reason);
        if (r == INVQR_CSV_EOF || r == INVQR_CSV_RECORD) {
            if (r == INVQR_CSV_RECORD)
                (*prows)++;
            return r;
        }
        if (r == INVQR_CSV_FATAL && row->line == 0) {
            fprintf(rejects, "%s: %s\n", path, reason);
            return INVQR_CSV_FATAL;
        }
        (*prows)++;
        (*prejected)++;
        fprintf(rejects, "%s:%lu: row: %s\n", path, row->line, reason);
        if (r == INVQR_CSV_FATAL)
            return invqr_csv_read_failed(csv) ? INVQR_CSV_FATAL : INVQR_CSV_EOF;
    }
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
    seen_t seen = { NULL, 0, 0 };
    rows_t rs = { NULL, 0, 0, NULL, 0, 0, NULL };
    entry_t *tmp = NULL;
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

        r = invqr_import_next_record(csv, &row, rejects, path, &st->rows, &st->rejected);
        if (r == INVQR_CSV_EOF)
            break;
        if (r != INVQR_CSV_RECORD)
            goto out;       /* the rest of the file is unknown: apply nothing (2) */
        if (row.nfields > map[INVQR_COL_FISCAL_CODE])
            seen_prefetch(&seen, row.field[map[INVQR_COL_FISCAL_CODE]],
                          row.len[map[INVQR_COL_FISCAL_CODE]]);
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
    seen_free(&seen);
    if (strict && st->rejected > 0) {
        rc = INVQR_IMPORT_NOTHING;     /* the contract's 2: nothing was applied */
        goto out;
    }

    if (rs.n == 0) {
        /* no rows: all applied, trivially; every row rejected: nothing */
        st->applied = st->rejected == 0;
        rc = st->rejected > 0 ? INVQR_IMPORT_NOTHING : INVQR_IMPORT_ALL;
        goto out;
    }
    tmp = malloc((rs.n / 2 + 1) * sizeof(*tmp));
    rs.state = malloc(rs.n);
    if (tmp == NULL || rs.state == NULL) {
        fprintf(rejects, "%s: out of memory\n", path);
        goto out;
    }
    sort_entries(rs.idx, tmp, rs.n);
    free(tmp);
    tmp = NULL;
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
    if (invqr_db_is_galera(db) && streaming(invqr_db_mysql(db)) != 0) {
        fprintf(rejects, "%s: the Galera node refused streaming replication: %s;"
                " nothing was applied\n", path, mysql_error(invqr_db_mysql(db)));
        goto out;
    }
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
    free(tmp);
    seen_free(&seen);
    rows_free(&rs);
    if (fd >= 0)
        close(fd);
    return rc;
}
