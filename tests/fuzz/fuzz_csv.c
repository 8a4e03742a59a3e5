/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the CSV reader (core/invqr_csv.c).
 *
 * Reads the input with invqr_csv_open_mem() and, side by side, with a slow
 * byte-at-a-time reference reader written straight from the rules in
 * invqr_csv.h, and aborts on any difference: the sequence of RECORD / BAD /
 * FATAL / EOF, line numbers, field counts and field bytes. It also checks
 * that fields needing no unquoting point into the input (the reader copies
 * only fields that held a doubled quote), that lengths stay within the
 * limits, and that the reader always comes to an end. One APR pool per input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "invqr_csv.h"
#include "invqr_delegation_row.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* One record as the reference reader sees it. */
typedef struct {
    invqr_csv_rc rc;
    unsigned long line;
    int nfields;
    size_t start[INVQR_CSV_MAX_FIELDS];   /* into ref_t.out */
    size_t len[INVQR_CSV_MAX_FIELDS];
    int copied[INVQR_CSV_MAX_FIELDS];     /* held a doubled quote */
} ref_row_t;

typedef struct {
    const uint8_t *d;
    size_t n;
    size_t pos;
    unsigned long line;
    int fatal;
    char *out;              /* field bytes of the current record */
    size_t out_len;
} ref_t;

/* The reference: one byte at a time, no lookahead tricks. */
static void ref_next(ref_t *r, ref_row_t *row)
{
    size_t rec, cend = 0;
    int bad;
    uint8_t c;

again:
    memset(row, 0, sizeof(*row));
    r->out_len = 0;
    if (r->fatal) {
        row->rc = INVQR_CSV_FATAL;
        return;
    }
    if (r->pos == r->n) {
        row->rc = INVQR_CSV_EOF;
        return;
    }
    rec = r->pos;
    row->line = r->line;
    bad = 0;
    for (;;) {
        /* one field */
        size_t fstart = r->out_len;

        if (r->pos < r->n && r->d[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos == r->n) {
                    r->fatal = 1;
                    row->rc = INVQR_CSV_FATAL;
                    return;
                }
                c = r->d[r->pos];
                if (c == '"') {
                    if (r->pos + 1 < r->n && r->d[r->pos + 1] == '"') {
                        r->out[r->out_len++] = '"';
                        if (row->nfields < INVQR_CSV_MAX_FIELDS) {
                            row->copied[row->nfields] = 1;
                        }
                        r->pos += 2;
                        continue;
                    }
                    r->pos++;
                    break;
                }
                if (c == '\n') {
                    r->line++;
                }
                r->out[r->out_len++] = (char)c;
                r->pos++;
            }
        }
        else {
            while (r->pos < r->n) {
                c = r->d[r->pos];
                if (c == ',' || c == '\n' || c == '\r' || c == '"') {
                    break;
                }
                r->out[r->out_len++] = (char)c;
                r->pos++;
            }
        }
        if (row->nfields < INVQR_CSV_MAX_FIELDS) {
            row->start[row->nfields] = fstart;
            row->len[row->nfields] = r->out_len - fstart;
            row->nfields++;
        }
        else {
            bad = 1;
        }
        /* what ends the field */
        if (r->pos == r->n) {
            cend = r->pos;
            break;
        }
        c = r->d[r->pos];
        if (c == ',') {
            r->pos++;
            continue;
        }
        if (c == '\n') {
            cend = r->pos;
            r->pos++;
            r->line++;
            break;
        }
        if (c == '\r') {
            cend = r->pos;
            if (r->pos + 1 == r->n) {
                r->pos++;
                break;
            }
            if (r->d[r->pos + 1] == '\n') {
                r->pos += 2;
                r->line++;
                break;
            }
        }
        /* a quote in an unquoted field, garbage after a closing quote, or a
         * CR without LF: the record ends with this physical line */
        bad = 1;
        while (r->pos < r->n && r->d[r->pos] != '\n') {
            r->pos++;
        }
        if (r->pos < r->n) {
            r->pos++;
            r->line++;
        }
        row->rc = INVQR_CSV_BAD;
        row->nfields = 0;
        return;
    }
    if (!bad && cend - rec > INVQR_CSV_MAX_RECORD) {
        bad = 1;
    }
    if (bad) {
        row->rc = INVQR_CSV_BAD;
        row->nfields = 0;
        return;
    }
    if (cend == rec) {
        goto again;             /* empty line */
    }
    row->rc = INVQR_CSV_RECORD;
}

/* A record of five fields is also a delegation row (invqr-admin delegation
 * import): refused with a reason and a column in range, or accepted as two
 * different well-formed fiscal codes, a role and dates in order. */
static void check_delegation(const invqr_csv_row_t *row)
{
    invqr_delegation_row_t d;
    invqr_dcol_t col = INVQR_DCOL__COUNT;
    const char *reason = invqr_delegation_row_check(&d, &col, row->field, row->len);
    char again[INVQR_FISCAL_LEN + 1];

    if (reason != NULL) {
        CHECK(reason[0] != '\0' && (int)col >= 0 && col < INVQR_DCOL__COUNT);
        return;
    }
    CHECK(invqr_fiscal_parse(again, d.holder, strlen(d.holder)) == INVQR_FISCAL_OK);
    CHECK(strcmp(again, d.holder) == 0);
    CHECK(invqr_fiscal_parse(again, d.delegate, strlen(d.delegate)) == INVQR_FISCAL_OK);
    CHECK(strcmp(again, d.delegate) == 0 && strcmp(d.holder, d.delegate) != 0);
    CHECK((int)d.role >= 0 && d.role < INVQR_ROLE__COUNT);
    CHECK(strlen(d.from) == 0 || strlen(d.from) == 10);
    CHECK(strlen(d.until) == 0 || strlen(d.until) == 10);
    CHECK(d.from[0] == '\0' || d.until[0] == '\0' || strcmp(d.from, d.until) <= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* APR is initialised once per process; a fuzz harness may keep this
     * one flag. */
    static int apr_ready = 0;
    apr_pool_t *p = NULL;
    invqr_csv_t *csv;
    invqr_csv_row_t row;
    ref_row_t want;
    ref_t ref;
    const char *reason;
    const char *in = (const char *)data;
    invqr_csv_rc rc;
    size_t calls = 0;
    int i;

    if (!apr_ready) {
        if (apr_initialize() != APR_SUCCESS) {
            abort();
        }
        atexit(apr_terminate);
        apr_ready = 1;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }

    memset(&ref, 0, sizeof(ref));
    ref.d = data;
    ref.n = size;
    ref.line = 1;
    ref.out = malloc(size + 1);
    CHECK(ref.out != NULL);
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        ref.pos = 3;
    }

    csv = invqr_csv_open_mem(in, size, p);
    CHECK(csv != NULL);
    do {
        rc = invqr_csv_next(csv, &row, &reason);
        ref_next(&ref, &want);
        /* every call consumes at least one byte, or ends the input */
        CHECK(++calls <= size + 2);
        if (rc != want.rc) {
            fprintf(stderr, "rc %d, reference %d (line %lu / %lu, %s)\n",
                    (int)rc, (int)want.rc, row.line, want.line,
                    reason ? reason : "-");
            abort();
        }
        CHECK((rc == INVQR_CSV_BAD || rc == INVQR_CSV_FATAL) == (reason != NULL));
        if (rc == INVQR_CSV_EOF) {
            break;
        }
        CHECK(row.line == want.line);
        CHECK(row.line >= 1 && row.line <= size + 1);
        if (rc != INVQR_CSV_RECORD) {
            CHECK(row.nfields == 0);
            continue;
        }
        CHECK(row.nfields == want.nfields);
        CHECK(row.nfields >= 1 && row.nfields <= INVQR_CSV_MAX_FIELDS);
        for (i = 0; i < row.nfields; i++) {
            CHECK(row.len[i] <= INVQR_CSV_MAX_RECORD);
            CHECK(row.len[i] == want.len[i]);
            CHECK(row.field[i] != NULL);
            CHECK(memcmp(row.field[i], ref.out + want.start[i], row.len[i]) == 0);
            if (!want.copied[i]) {
                /* zero copy: the field lies inside the input */
                CHECK(row.field[i] >= in && row.field[i] <= in + size);
                CHECK(row.len[i] <= (size_t)(in + size - row.field[i]));
            }
        }
        if (row.nfields == INVQR_DCOL__COUNT)
            check_delegation(&row);
    } while (rc == INVQR_CSV_RECORD || rc == INVQR_CSV_BAD);

    /* after the end, the end again */
    rc = invqr_csv_next(csv, &row, &reason);
    CHECK(rc == INVQR_CSV_EOF || rc == INVQR_CSV_FATAL);

    free(ref.out);
    apr_pool_destroy(p);
    return 0;
}
