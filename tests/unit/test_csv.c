/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the CSV reader (core/invqr_csv.c).
 *
 * Quoting, doubled quotes, embedded line breaks, CRLF, the byte order mark,
 * empty lines, a missing final newline, malformed records (reported BAD with
 * the right line number, the reader carrying on after them), an unterminated
 * quote (FATAL), the field and record limits, and reading from a file
 * descriptor: a temporary file larger than the reader's window, with
 * records straddling every refill, must read exactly like the same bytes in
 * memory, and so must a pipe fed a few bytes at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "invqr_csv.h"

/* A growable byte string for building test documents. */
typedef struct {
    char *s;
    size_t len;
    size_t cap;
} buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;

        while (b->len + n + 1 > cap) {
            cap *= 2;
        }
        b->s = realloc(b->s, cap);
        assert_non_null(b->s);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_rep(buf_t *b, char c, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        buf_add(b, &c, 1);
    }
}

static int setup_pool(void **state)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown_pool(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

static invqr_csv_t *mem(void **state, const char *s)
{
    invqr_csv_t *csv = invqr_csv_open_mem(s, strlen(s), *state);

    assert_non_null(csv);
    return csv;
}

/* Expect a record on line with the given fields (NUL-terminated strings). */
static void expect_record(invqr_csv_t *csv, unsigned long line, int n, ...)
{
    invqr_csv_row_t row;
    const char *reason = "unset";
    invqr_csv_rc rc;
    va_list ap;
    int i;

    rc = invqr_csv_next(csv, &row, &reason);
    if (rc != INVQR_CSV_RECORD) {
        fail_msg("expected a record on line %lu, got rc %d (%s) on line %lu",
                 line, (int)rc, reason ? reason : "-", row.line);
    }
    assert_null(reason);
    assert_int_equal(row.line, line);
    assert_int_equal(row.nfields, n);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);

        if (row.len[i] != strlen(want) || memcmp(row.field[i], want, row.len[i]) != 0) {
            fail_msg("line %lu field %d: got '%.*s', want '%s'", line, i,
                     (int)row.len[i], row.field[i], want);
        }
    }
    va_end(ap);
}

static void expect_rc(invqr_csv_t *csv, invqr_csv_rc want, unsigned long line,
                      const char *reason_part)
{
    invqr_csv_row_t row;
    const char *reason = "unset";
    invqr_csv_rc rc;

    rc = invqr_csv_next(csv, &row, &reason);
    if (rc != want) {
        fail_msg("expected rc %d on line %lu, got %d (%s) on line %lu", (int)want,
                 line, (int)rc, reason ? reason : "-", row.line);
    }
    if (want == INVQR_CSV_EOF) {
        assert_null(reason);
        return;
    }
    assert_int_equal(row.line, line);
    assert_int_equal(row.nfields, 0);
    assert_non_null(reason);
    if (reason_part != NULL && strstr(reason, reason_part) == NULL) {
        fail_msg("reason '%s' does not mention '%s'", reason, reason_part);
    }
}

static void test_simple(void **state)
{
    invqr_csv_t *csv = mem(state, "a,b,c\nd,e,f\n");

    expect_record(csv, 1, 3, "a", "b", "c");
    expect_record(csv, 2, 3, "d", "e", "f");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_crlf(void **state)
{
    invqr_csv_t *csv = mem(state, "a,b\r\nc,d\r\n\"e\",\"f\"\r\n");

    expect_record(csv, 1, 2, "a", "b");
    expect_record(csv, 2, 2, "c", "d");
    expect_record(csv, 3, 2, "e", "f");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_mixed_line_ends(void **state)
{
    invqr_csv_t *csv = mem(state, "a\r\nb\nc\r\nd");

    expect_record(csv, 1, 1, "a");
    expect_record(csv, 2, 1, "b");
    expect_record(csv, 3, 1, "c");
    expect_record(csv, 4, 1, "d");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_empty_fields(void **state)
{
    invqr_csv_t *csv = mem(state, ",\na,,b\n,,\n\"\"\n\"\",\"\"\n  \n");

    expect_record(csv, 1, 2, "", "");
    expect_record(csv, 2, 3, "a", "", "b");
    expect_record(csv, 3, 3, "", "", "");
    expect_record(csv, 4, 1, "");          /* "" is a record, not an empty line */
    expect_record(csv, 5, 2, "", "");
    expect_record(csv, 6, 1, "  ");        /* spaces are data */
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_quoted(void **state)
{
    invqr_csv_t *csv = mem(state,
                           "\"a,b\",\"say \"\"hi\"\"\",\"\"\"\",\"x\"\"\"\"y\"\n"
                           "\"\"\"lead\",\"trail\"\"\",plain\n");

    expect_record(csv, 1, 4, "a,b", "say \"hi\"", "\"", "x\"\"y");
    expect_record(csv, 2, 3, "\"lead", "trail\"", "plain");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_embedded_newlines(void **state)
{
    invqr_csv_t *csv = mem(state,
                           "1,\"line one\nline two\nline three\",x\n"
                           "2,\"crlf\r\ninside\",\"a \"\"q\"\"\r\nb\"\r\n"
                           "3,\"\n\",\"\r\n\"\n"
                           "4,end\n");

    expect_record(csv, 1, 3, "1", "line one\nline two\nline three", "x");
    expect_record(csv, 4, 3, "2", "crlf\r\ninside", "a \"q\"\r\nb");
    expect_record(csv, 7, 3, "3", "\n", "\r\n");
    expect_record(csv, 10, 2, "4", "end");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_bom(void **state)
{
    invqr_csv_t *csv = mem(state, "\xEF\xBB\xBF" "a,b\n\xEF\xBB\xBF" "c\n");

    expect_record(csv, 1, 2, "a", "b");
    expect_record(csv, 2, 1, "\xEF\xBB\xBF" "c");   /* only at the start */
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);

    csv = mem(state, "\xEF\xBB\xBF");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "\xEF\xBB\xBF\n\n");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "\xEF\xBB\xBF\"q\"\n");
    expect_record(csv, 1, 1, "q");
    csv = mem(state, "\xEF\xBB");                    /* a partial BOM is data */
    expect_record(csv, 1, 1, "\xEF\xBB");
}

static void test_empty_lines(void **state)
{
    invqr_csv_t *csv = mem(state, "\n\r\n\na\n\n\r\nb\r\n\n\n");

    expect_record(csv, 4, 1, "a");
    expect_record(csv, 7, 1, "b");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);

    csv = mem(state, "");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "\n\n\n");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "\r");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = invqr_csv_open_mem(NULL, 0, *state);
    assert_non_null(csv);
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_no_final_newline(void **state)
{
    invqr_csv_t *csv = mem(state, "a,b\nc,d");

    expect_record(csv, 1, 2, "a", "b");
    expect_record(csv, 2, 2, "c", "d");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);

    csv = mem(state, "a,");
    expect_record(csv, 1, 2, "a", "");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "a,\"q\"");
    expect_record(csv, 1, 2, "a", "q");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "a,\"q\"\"\"");
    expect_record(csv, 1, 2, "a", "q\"");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "a,b\r");
    expect_record(csv, 1, 2, "a", "b");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    csv = mem(state, "\"a\"\r");
    expect_record(csv, 1, 1, "a");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_stray_quote(void **state)
{
    invqr_csv_t *csv = mem(state,
                           "ok,1\n"
                           "ab\"c,2\n"
                           "ok,3\n"
                           "x,y\",\"never\nopened\"\n"
                           "ok,6\n");

    expect_record(csv, 1, 2, "ok", "1");
    expect_rc(csv, INVQR_CSV_BAD, 2, "quote");
    expect_record(csv, 3, 2, "ok", "3");
    /* the bad record ends with its physical line: "opened"" is line 5 */
    expect_rc(csv, INVQR_CSV_BAD, 4, "quote");
    expect_rc(csv, INVQR_CSV_BAD, 5, "quote");
    expect_record(csv, 6, 2, "ok", "6");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);

    csv = mem(state, " \"a\",b\nc\n");                /* space before the quote */
    expect_rc(csv, INVQR_CSV_BAD, 1, "quote");
    expect_record(csv, 2, 1, "c");
    csv = mem(state, "ab\"");                        /* at the end of input */
    expect_rc(csv, INVQR_CSV_BAD, 1, "quote");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_garbage_after_quote(void **state)
{
    invqr_csv_t *csv = mem(state,
                           "\"multi\nline\"x,\"y\nz\"\n"
                           "after,1\n"
                           "\"a\" ,b\r\n"
                           "\"a\"\"b\"c\n"
                           "last\n");

    /* the garbage is on line 2: the record ends with line 2, whose
     * opening quote is not honoured, so "z"" on line 3 is bad on its own */
    expect_rc(csv, INVQR_CSV_BAD, 1, "closing quote");
    expect_rc(csv, INVQR_CSV_BAD, 3, "quote");
    expect_record(csv, 4, 2, "after", "1");
    expect_rc(csv, INVQR_CSV_BAD, 5, "closing quote");
    expect_rc(csv, INVQR_CSV_BAD, 6, "closing quote");
    expect_record(csv, 7, 1, "last");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_bare_cr(void **state)
{
    invqr_csv_t *csv = mem(state, "a\rb,c\nd\n\"e\"\rf\ng\n");

    expect_rc(csv, INVQR_CSV_BAD, 1, "carriage return");
    expect_record(csv, 2, 1, "d");
    expect_rc(csv, INVQR_CSV_BAD, 3, "carriage return");
    expect_record(csv, 4, 1, "g");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_unterminated(void **state)
{
    invqr_csv_t *csv = mem(state, "a,b\n\"open,\nstill open\n\nno end");

    expect_record(csv, 1, 2, "a", "b");
    expect_rc(csv, INVQR_CSV_FATAL, 2, "unterminated");
    expect_rc(csv, INVQR_CSV_FATAL, 2, "unterminated");   /* sticky */
    assert_false(invqr_csv_read_failed(csv));             /* the input was all read */

    csv = mem(state, "\"");
    expect_rc(csv, INVQR_CSV_FATAL, 1, "unterminated");
    csv = mem(state, "x,\"abc\"\"");
    expect_rc(csv, INVQR_CSV_FATAL, 1, "unterminated");
}

static void test_max_fields(void **state)
{
    buf_t b = { 0 };
    int i;
    invqr_csv_row_t row;
    const char *reason;

    for (i = 0; i < INVQR_CSV_MAX_FIELDS; i++) {
        buf_str(&b, i ? ",f" : "f");
    }
    buf_str(&b, "\n");
    for (i = 0; i <= INVQR_CSV_MAX_FIELDS; i++) {
        buf_str(&b, i ? ",g" : "g");
    }
    buf_str(&b, "\nnext\n");
    /* too many fields, one of them spanning lines: the record still ends
     * where the grammar says */
    for (i = 0; i <= INVQR_CSV_MAX_FIELDS; i++) {
        buf_str(&b, i ? "," : "");
    }
    buf_str(&b, "\"x\ny\"\r\nafter\n");
    for (i = 0; i < INVQR_CSV_MAX_FIELDS; i++) {
        buf_str(&b, i ? ",\"\"\"\"" : "\"\"\"\"");
    }
    buf_str(&b, "\n");

    invqr_csv_t *csv = mem(state, b.s);

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.nfields, INVQR_CSV_MAX_FIELDS);
    assert_int_equal(row.len[INVQR_CSV_MAX_FIELDS - 1], 1);
    expect_rc(csv, INVQR_CSV_BAD, 2, "too many fields");
    expect_record(csv, 3, 1, "next");
    expect_rc(csv, INVQR_CSV_BAD, 4, "too many fields");
    expect_record(csv, 6, 1, "after");
    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.nfields, INVQR_CSV_MAX_FIELDS);
    for (i = 0; i < INVQR_CSV_MAX_FIELDS; i++) {
        assert_int_equal(row.len[i], 1);
        assert_int_equal(row.field[i][0], '"');
    }
    assert_int_equal(row.line, 7);
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
    free(b.s);
}

/* A document with records of exactly max, max + 1 bytes, in several shapes. */
static void build_long(buf_t *b, const char *eol)
{
    const size_t max = INVQR_CSV_MAX_RECORD;

    buf_rep(b, 'a', max);                       /* line 1: exactly max */
    buf_str(b, eol);
    buf_rep(b, 'b', max + 1);                   /* line 2: one too many */
    buf_str(b, eol);
    buf_str(b, "ok");                           /* line 3 */
    buf_str(b, eol);
    buf_str(b, "\"");                           /* line 4-6: quoted, too long */
    buf_rep(b, 'c', max / 2);
    buf_str(b, "\n\"\"\n");
    buf_rep(b, 'c', max / 2);
    buf_str(b, "\"");
    buf_str(b, eol);
    buf_str(b, "x,\"");                         /* line 7: quoted, exactly max */
    buf_rep(b, 'd', max - 4);
    buf_str(b, "\"");
    buf_str(b, eol);
    buf_str(b, "\"");                           /* line 8: unquoted copy max */
    buf_rep(b, 'e', (max - 2) / 2 - 1);
    buf_str(b, "\"\"");
    buf_rep(b, 'e', (max - 2) / 2 - 1);
    buf_str(b, "\"");
    buf_str(b, eol);
    buf_str(b, "end");                          /* line 9 */
    buf_str(b, eol);
    buf_rep(b, 'f', max + 1);                   /* line 10: long, at the end */
}

static void check_long(invqr_csv_t *csv)
{
    invqr_csv_row_t row;
    const char *reason;

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 1);
    assert_int_equal(row.nfields, 1);
    assert_int_equal(row.len[0], INVQR_CSV_MAX_RECORD);
    assert_int_equal(row.field[0][INVQR_CSV_MAX_RECORD - 1], 'a');
    expect_rc(csv, INVQR_CSV_BAD, 2, "too long");
    expect_record(csv, 3, 1, "ok");
    expect_rc(csv, INVQR_CSV_BAD, 4, "too long");
    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 7);
    assert_int_equal(row.nfields, 2);
    assert_int_equal(row.len[1], INVQR_CSV_MAX_RECORD - 4);
    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 8);
    assert_int_equal(row.nfields, 1);
    assert_int_equal(row.len[0], INVQR_CSV_MAX_RECORD - 3);
    assert_int_equal(row.field[0][(INVQR_CSV_MAX_RECORD - 2) / 2 - 1], '"');
    expect_record(csv, 9, 1, "end");
    expect_rc(csv, INVQR_CSV_BAD, 10, "too long");
    expect_rc(csv, INVQR_CSV_EOF, 0, NULL);
}

static void test_long_records(void **state)
{
    buf_t b = { 0 };
    invqr_csv_t *csv;

    build_long(&b, "\n");
    csv = invqr_csv_open_mem(b.s, b.len, *state);
    check_long(csv);
    b.len = 0;
    build_long(&b, "\r\n");
    csv = invqr_csv_open_mem(b.s, b.len, *state);
    check_long(csv);
    free(b.s);
}

static void test_nul_bytes(void **state)
{
    static const char doc[] = "a\0b,\"c\0d\"\n";
    invqr_csv_t *csv = invqr_csv_open_mem(doc, sizeof(doc) - 1, *state);
    invqr_csv_row_t row;
    const char *reason;

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.nfields, 2);
    assert_int_equal(row.len[0], 3);
    assert_memory_equal(row.field[0], "a\0b", 3);
    assert_memory_equal(row.field[1], "c\0d", 3);
}

static void test_zero_copy(void **state)
{
    static const char doc[] = "abc,\"de,f\",\"g\"\"h\"\n";
    invqr_csv_t *csv = invqr_csv_open_mem(doc, sizeof(doc) - 1, *state);
    invqr_csv_row_t row;
    const char *reason;

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_ptr_equal(row.field[0], doc);
    assert_ptr_equal(row.field[1], doc + 5);
    /* the unquoted copy must not touch the caller's bytes */
    assert_memory_equal(row.field[2], "g\"h", 3);
    assert_string_equal(doc, "abc,\"de,f\",\"g\"\"h\"\n");
}

/* ---- file descriptors ------------------------------------------------ */

/* A deterministic document of about size bytes whose records come in many
 * shapes and lengths, so that refills land everywhere in them. */
static void build_big(buf_t *b, size_t size, unsigned seed, int with_bad)
{
    unsigned long x = seed * 2654435761UL + 1;
    char tmp[64];
    unsigned long n = 0;

    buf_str(b, "\xEF\xBB\xBF" "id,text,more\r\n");
    while (b->len < size) {
        unsigned r;

        x = x * 6364136223846793005UL + 1442695040888963407UL;
        r = (unsigned)(x >> 33);
        snprintf(tmp, sizeof(tmp), "%lu,", n++);
        buf_str(b, tmp);
        switch (r % 11) {
        case 0:
            buf_str(b, "\"multi\r\nline \"\"quoted\"\"\nfield\",z");
            break;
        case 1:
            buf_rep(b, 'L', 1000 + r % 30000);
            buf_str(b, ",\"\"");
            break;
        case 2:
            buf_str(b, "\"");
            buf_rep(b, 'Q', 500 + r % 9000);
            buf_str(b, "\"\"\",\"\"");
            break;
        case 3:
            buf_str(b, ",");
            break;
        case 4:
            buf_str(b, "e,\n");                    /* an empty line follows */
            break;
        case 5:
            if (with_bad) {
                buf_str(b, "bad\"quote,x");
            }
            else {
                buf_str(b, "plain,x");
            }
            break;
        case 6:
            if (with_bad) {
                buf_rep(b, 'X', INVQR_CSV_MAX_RECORD + r % 100000);
            }
            else {
                buf_str(b, "short,y");
            }
            break;
        default:
            buf_str(b, "Rossi,\"Mario, detto \"\"Super\"\"\"");
            break;
        }
        buf_str(b, (r & 0x100) ? "\r\n" : "\n");
    }
}

typedef struct {
    invqr_csv_rc rc;
    unsigned long line;
    int nfields;
    size_t len[INVQR_CSV_MAX_FIELDS];
    uint32_t sum;           /* of every field's bytes */
} result_t;

static uint32_t fnv(const char *s, size_t n, uint32_t h)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/* Read everything; returns the number of results, at most max. */
static size_t read_all(invqr_csv_t *csv, result_t *out, size_t max)
{
    size_t n = 0;
    invqr_csv_row_t row;
    const char *reason;
    invqr_csv_rc rc;
    int i;

    do {
        rc = invqr_csv_next(csv, &row, &reason);
        assert_true(n < max);
        out[n].rc = rc;
        out[n].line = row.line;
        out[n].nfields = row.nfields;
        out[n].sum = 2166136261u;
        for (i = 0; rc == INVQR_CSV_RECORD && i < row.nfields; i++) {
            out[n].len[i] = row.len[i];
            out[n].sum = fnv(row.field[i], row.len[i], out[n].sum);
            out[n].sum = fnv("|", 1, out[n].sum);
        }
        n++;
    } while (rc == INVQR_CSV_RECORD || rc == INVQR_CSV_BAD);
    return n;
}

static void compare(const result_t *a, size_t na, const result_t *b, size_t nb)
{
    size_t i;
    int k;

    assert_int_equal(na, nb);
    for (i = 0; i < na; i++) {
        if (a[i].rc != b[i].rc || a[i].line != b[i].line ||
            a[i].nfields != b[i].nfields || a[i].sum != b[i].sum) {
            fail_msg("result %zu differs: rc %d/%d line %lu/%lu nfields %d/%d",
                     i, (int)a[i].rc, (int)b[i].rc, a[i].line, b[i].line,
                     a[i].nfields, b[i].nfields);
        }
        for (k = 0; a[i].rc == INVQR_CSV_RECORD && k < a[i].nfields; k++) {
            assert_int_equal(a[i].len[k], b[i].len[k]);
        }
    }
}

#define MAX_RESULTS 200000

static int write_temp(const buf_t *b)
{
    char path[] = "/tmp/invqr_test_csv_XXXXXX";
    int fd = mkstemp(path);
    size_t off = 0;

    assert_true(fd >= 0);
    unlink(path);
    while (off < b->len) {
        ssize_t w = write(fd, b->s + off, b->len - off);

        assert_true(w > 0);
        off += (size_t)w;
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void check_file_like_memory(void **state, size_t size, unsigned seed, int with_bad)
{
    buf_t b = { 0 };
    result_t *ra = calloc(MAX_RESULTS, sizeof(*ra));
    result_t *rb = calloc(MAX_RESULTS, sizeof(*rb));
    size_t na, nb, i, nbad = 0;
    int fd;

    assert_non_null(ra);
    assert_non_null(rb);
    build_big(&b, size, seed, with_bad);
    na = read_all(invqr_csv_open_mem(b.s, b.len, *state), ra, MAX_RESULTS);
    fd = write_temp(&b);
    nb = read_all(invqr_csv_open_fd(fd, *state), rb, MAX_RESULTS);
    close(fd);
    compare(ra, na, rb, nb);
    assert_int_equal(ra[na - 1].rc, INVQR_CSV_EOF);
    for (i = 0; i < na; i++) {
        nbad += ra[i].rc == INVQR_CSV_BAD;
    }
    if (with_bad) {
        assert_true(nbad > 10);
    }
    else {
        assert_int_equal(nbad, 0);
        /* header and every record read as 3 fields */
        for (i = 0; i + 1 < na; i++) {
            assert_int_equal(ra[i].nfields, 3);
        }
    }
    free(ra);
    free(rb);
    free(b.s);
}

static void test_fd_large(void **state)
{
    check_file_like_memory(state, 5 * 1024 * 1024 + 123, 1, 0);
    check_file_like_memory(state, 3 * 1024 * 1024, 2, 0);
}

static void test_fd_large_with_bad(void **state)
{
    check_file_like_memory(state, 6 * 1024 * 1024, 3, 1);
}

/* The reader's first read(2) of a regular file fills its whole window; this
 * mirrors its size (CSV_CAP in invqr_csv.c). Were it to change, the test
 * would still pass, only aim less well. */
#define WINDOW (1024 * 1024 + INVQR_CSV_MAX_RECORD + 16)

/* Exact boundaries: a record of exactly INVQR_CSV_MAX_RECORD bytes whose CR
 * or LF is around the last byte of the first read, then a long record
 * straddling it. */
static void test_fd_boundaries(void **state)
{
    const size_t chunk = WINDOW;
    size_t shift;
    buf_t b = { 0 };
    result_t *ra = calloc(MAX_RESULTS, sizeof(*ra));
    result_t *rb = calloc(MAX_RESULTS, sizeof(*rb));
    size_t na, nb;
    int fd;

    assert_non_null(ra);
    assert_non_null(rb);
    /* the CR of the long line lands from 5 bytes before the window's end
     * to 2 bytes after it */
    for (shift = 0; shift < 8; shift++) {
        size_t fill = chunk - INVQR_CSV_MAX_RECORD - 6 + shift;

        b.len = 0;
        while (fill > 0) {                      /* short lines up to there */
            size_t n = fill > 1000 ? 1000 : fill;

            buf_rep(&b, 'p', n - 1);
            buf_str(&b, "\n");
            fill -= n;
        }
        buf_rep(&b, 'r', INVQR_CSV_MAX_RECORD);
        buf_str(&b, "\r\n\"");
        buf_rep(&b, 's', 2 * INVQR_CSV_MAX_RECORD);
        buf_str(&b, "\"\r\nlast\r\n");
        na = read_all(invqr_csv_open_mem(b.s, b.len, *state), ra, MAX_RESULTS);
        fd = write_temp(&b);
        nb = read_all(invqr_csv_open_fd(fd, *state), rb, MAX_RESULTS);
        close(fd);
        compare(ra, na, rb, nb);
        assert_true(na > 5);
        assert_int_equal(ra[na - 5].rc, INVQR_CSV_RECORD);
        assert_int_equal(ra[na - 4].rc, INVQR_CSV_RECORD);
        assert_int_equal(ra[na - 4].len[0], INVQR_CSV_MAX_RECORD);
        assert_int_equal(ra[na - 3].rc, INVQR_CSV_BAD);
        assert_int_equal(ra[na - 2].rc, INVQR_CSV_RECORD);
        assert_int_equal(ra[na - 2].line, ra[na - 4].line + 2);
        assert_int_equal(ra[na - 1].rc, INVQR_CSV_EOF);
    }
    free(ra);
    free(rb);
    free(b.s);
}

/* Feed b through a pipe in pieces of step bytes from a child process. */
static int pipe_from_child(const buf_t *b, size_t step, pid_t *ppid)
{
    int fds[2];
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        size_t off = 0;

        close(fds[0]);
        while (off < b->len) {
            size_t n = b->len - off < step ? b->len - off : step;
            ssize_t w = write(fds[1], b->s + off, n);

            if (w <= 0) {
                _exit(1);
            }
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    *ppid = pid;
    return fds[0];
}

static void check_pipe(void **state, const buf_t *b, size_t step)
{
    result_t *ra = calloc(MAX_RESULTS, sizeof(*ra));
    result_t *rb = calloc(MAX_RESULTS, sizeof(*rb));
    size_t na, nb;
    pid_t pid;
    int fd, status;

    assert_non_null(ra);
    assert_non_null(rb);
    na = read_all(invqr_csv_open_mem(b->s, b->len, *state), ra, MAX_RESULTS);
    fd = pipe_from_child(b, step, &pid);
    nb = read_all(invqr_csv_open_fd(fd, *state), rb, MAX_RESULTS);
    close(fd);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    compare(ra, na, rb, nb);
    free(ra);
    free(rb);
}

static void test_pipe(void **state)
{
    buf_t b = { 0 };

    build_big(&b, 3 * 1024 * 1024, 4, 1);
    check_pipe(state, &b, 4093);
    check_pipe(state, &b, 65536);
    b.len = 0;
    build_big(&b, 40000, 5, 0);
    check_pipe(state, &b, 1);                    /* BOM split too */
    check_pipe(state, &b, 7);
    free(b.s);
}

static void test_fd_unterminated(void **state)
{
    buf_t b = { 0 };
    int fd;
    invqr_csv_t *csv;

    buf_str(&b, "a\n\"");
    buf_rep(&b, 'u', 3 * 1024 * 1024);
    fd = write_temp(&b);
    csv = invqr_csv_open_fd(fd, *state);
    expect_record(csv, 1, 1, "a");
    expect_rc(csv, INVQR_CSV_FATAL, 2, "unterminated");
    close(fd);
    free(b.s);
}

static void test_read_error(void **state)
{
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    invqr_csv_t *csv;

    assert_true(fd >= 0);
    csv = invqr_csv_open_fd(fd, *state);      /* read(2) gives EISDIR */
    expect_rc(csv, INVQR_CSV_FATAL, 1, "read error");
    expect_rc(csv, INVQR_CSV_FATAL, 1, "read error");
    assert_true(invqr_csv_read_failed(csv));               /* the rest is unknown */
    close(fd);
}

static void test_empty_fd(void **state)
{
    buf_t b = { 0 };
    int fd;

    buf_str(&b, "");
    fd = write_temp(&b);
    expect_rc(invqr_csv_open_fd(fd, *state), INVQR_CSV_EOF, 0, NULL);
    close(fd);
    free(b.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simple, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_crlf, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_mixed_line_ends, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_empty_fields, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_quoted, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_embedded_newlines, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_bom, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_empty_lines, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_no_final_newline, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_stray_quote, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_garbage_after_quote, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_bare_cr, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_unterminated, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_max_fields, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_long_records, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_nul_bytes, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_zero_copy, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_fd_large, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_fd_large_with_bad, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_fd_boundaries, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_pipe, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_fd_unterminated, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_read_error, setup_pool, teardown_pool),
        cmocka_unit_test_setup_teardown(test_empty_fd, setup_pool, teardown_pool),
    };
    int failed;

    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    failed = cmocka_run_group_tests_name("csv", tests, NULL, NULL);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
