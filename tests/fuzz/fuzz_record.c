/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the import record (core/invqr_record.c).
 *
 * The input is a CSV document whose first record is the header. The header
 * goes through invqr_record_map_header(), every later record through
 * invqr_record_parse(). A refused header or row must come with a reason and
 * a column in range; an accepted row is checked again, independently, against
 * the rules of the contract (docs/contract.md, the import): a fiscal code that parses
 * to itself, names of 1-100 characters of text without controls, real dates
 * in order, an E.164 or empty mobile, flags and enumerations in range, a
 * percent that agrees with civil_invalidity, a judgment of valid text within
 * its limit and inside the row. One APR pool per input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "invqr_csv.h"
#include "invqr_fiscal.h"
#include "invqr_record.h"
#include "invqr_utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A YYYY-MM-DD date that exists, year 1900-2100. */
static void check_date(const char *s)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, i;

    CHECK(strlen(s) == 10);
    for (i = 0; i < 10; i++) {
        CHECK(i == 4 || i == 7 ? s[i] == '-' : is_digit(s[i]));
    }
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    CHECK(y >= 1900 && y <= 2100);
    CHECK(m >= 1 && m <= 12);
    CHECK(d >= 1 && d <= mdays[m - 1]);
    if (m == 2 && d == 29) {
        CHECK(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    }
}

static void check_name(const char *s)
{
    size_t len = strlen(s);
    long n = invqr_utf8_count_text(s, len, 0);

    CHECK(len <= INVQR_NAME_MAX_BYTES);
    CHECK(n >= 1 && n <= INVQR_NAME_MAX_CHARS);
    CHECK(s[0] != ' ' && s[len - 1] != ' ');
    CHECK(strchr(s, '\t') == NULL);
}

static void check_flag(int v)
{
    CHECK(v == 0 || v == 1);
}

/* Everything an accepted row promises. */
static void check_record(const invqr_record_t *rec, const invqr_csv_row_t *row,
                         const int map[INVQR_COL__COUNT])
{
    char again[INVQR_FISCAL_LEN + 1];
    size_t i, len;
    const char *f;

    CHECK(strlen(rec->fiscal_code) == INVQR_FISCAL_LEN);
    for (i = 0; i < INVQR_FISCAL_LEN; i++) {
        CHECK((rec->fiscal_code[i] >= 'A' && rec->fiscal_code[i] <= 'Z') ||
              is_digit(rec->fiscal_code[i]));
    }
    CHECK(invqr_fiscal_parse(again, rec->fiscal_code, INVQR_FISCAL_LEN) == INVQR_FISCAL_OK);
    CHECK(strcmp(again, rec->fiscal_code) == 0);

    check_name(rec->surname);
    check_name(rec->given_name);

    check_date(rec->birth_date);
    check_date(rec->judgment_date);
    CHECK(strcmp(rec->birth_date, rec->judgment_date) <= 0);
    if (rec->review_date[0] != '\0') {
        check_date(rec->review_date);
        CHECK(strcmp(rec->judgment_date, rec->review_date) <= 0);
    }

    len = strlen(rec->mobile);
    if (len > 0) {
        CHECK(len >= 9 && len <= INVQR_MOBILE_MAX);
        CHECK(rec->mobile[0] == '+' && rec->mobile[1] != '0');
        for (i = 1; i < len; i++) {
            CHECK(is_digit(rec->mobile[i]));
        }
    }

    check_flag(rec->definitive);
    check_flag(rec->civil_invalidity);
    check_flag(rec->minor_invalidity);
    check_flag(rec->attendance_allowance);
    check_flag(rec->deafness);
    CHECK(rec->invalidity_percent >= -1 && rec->invalidity_percent <= 100);
    if (rec->invalidity_percent >= 0) {
        CHECK(rec->civil_invalidity ? rec->invalidity_percent >= 34
                                    : rec->invalidity_percent < 34);
    }
    CHECK(rec->civil_blindness == INVQR_BLIND_NONE ||
          rec->civil_blindness == INVQR_BLIND_PARTIAL ||
          rec->civil_blindness == INVQR_BLIND_ABSOLUTE);
    CHECK(rec->handicap == INVQR_HANDICAP_NONE ||
          rec->handicap == INVQR_HANDICAP_ART3_C1 ||
          rec->handicap == INVQR_HANDICAP_ART3_C3);

    /* the judgment is exactly its field of the row */
    f = row->field[map[INVQR_COL_MEDICAL_JUDGMENT]];
    CHECK(rec->medical_judgment == f);
    CHECK(rec->medical_judgment_len == row->len[map[INVQR_COL_MEDICAL_JUDGMENT]]);
    CHECK(rec->medical_judgment_len <= INVQR_JUDGMENT_MAX_BYTES);
    CHECK(invqr_utf8_count_text(rec->medical_judgment, rec->medical_judgment_len, 1) >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* APR is initialised once per process; a fuzz harness may keep this
     * one flag. */
    static int apr_ready = 0;
    apr_pool_t *p = NULL;
    invqr_csv_t *csv;
    invqr_csv_row_t header, row;
    invqr_record_t rec;
    invqr_col_t col;
    int map[INVQR_COL__COUNT];
    const char *reason;
    char bad[24];
    invqr_csv_rc rc;
    int i, n;

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
    csv = invqr_csv_open_mem((const char *)data, size, p);
    CHECK(csv != NULL);

    rc = invqr_csv_next(csv, &header, &reason);
    if (rc != INVQR_CSV_RECORD) {
        goto out;
    }
    memset(bad, 'x', sizeof(bad));
    reason = NULL;
    if (invqr_record_map_header(map, &header, &reason, bad, sizeof(bad)) != 0) {
        CHECK(reason != NULL);
        CHECK(memchr(bad, '\0', sizeof(bad)) != NULL);
        goto out;
    }
    CHECK(reason == NULL);
    /* a good header names each column once */
    CHECK(header.nfields == INVQR_COL__COUNT);
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        CHECK(map[i] >= 0 && map[i] < header.nfields);
        for (n = 0; n < i; n++) {
            CHECK(map[n] != map[i]);
        }
    }

    for (;;) {
        rc = invqr_csv_next(csv, &row, &reason);
        if (rc == INVQR_CSV_EOF || rc == INVQR_CSV_FATAL) {
            break;
        }
        if (rc == INVQR_CSV_BAD) {
            continue;
        }
        memset(&rec, 0xA5, sizeof(rec));
        reason = NULL;
        col = (invqr_col_t)-1;
        if (invqr_record_parse(&rec, map, header.nfields, &row, &col, &reason) == 0) {
            CHECK(row.nfields == header.nfields);
            CHECK(reason == NULL);
            check_record(&rec, &row, map);
        }
        else {
            CHECK(reason != NULL && reason[0] != '\0');
            CHECK((int)col >= 0 && col <= INVQR_COL__COUNT);
            CHECK((col == INVQR_COL__COUNT) == (row.nfields != header.nfields));
        }
    }

out:
    apr_pool_destroy(p);
    return 0;
}
