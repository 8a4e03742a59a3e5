/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the import record (core/invqr_record.c).
 *
 * Header mapping in any column order, with missing, unknown, repeated and
 * empty column names refused; then, for every column of the contract, good
 * and bad values one at a time on an otherwise good row: fiscal codes (case,
 * omocodia, check character), Unicode names and their 100-character limit,
 * calendar dates and leap days, the date order rules, E.164 mobiles, Y/N
 * flags, the invalidity percent and its agreement with civil_invalidity,
 * the blindness and handicap enumerations, and the medical judgment. A last
 * test runs a whole document through the CSV reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "invqr_csv.h"
#include "invqr_record.h"

/* A good row, in invqr_col_t order. */
static const char *const GOOD[INVQR_COL__COUNT] = {
    "RSSMRA80A01H501U",
    "Rossi",
    "Mario",
    "1980-01-01",
    "+393331234567",
    "Y",
    "2020-05-10",
    "2025-05-10",
    "Y",
    "75",
    "N",
    "N",
    "NONE",
    "N",
    "ART3_C3",
    "Riduzione permanente della capacità lavorativa.",
};

typedef struct {
    const char *v[INVQR_COL__COUNT];
    size_t len[INVQR_COL__COUNT];
} values_t;

static void values_good(values_t *vals)
{
    int i;

    for (i = 0; i < INVQR_COL__COUNT; i++) {
        vals->v[i] = GOOD[i];
        vals->len[i] = strlen(GOOD[i]);
    }
}

static void values_set(values_t *vals, invqr_col_t col, const char *v)
{
    vals->v[col] = v;
    vals->len[col] = strlen(v);
}

/* A header row naming the columns in the canonical order. */
static void header_row(invqr_csv_row_t *row)
{
    int i;

    memset(row, 0, sizeof(*row));
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        row->field[i] = invqr_col_name((invqr_col_t)i);
        row->len[i] = strlen(row->field[i]);
    }
    row->nfields = INVQR_COL__COUNT;
    row->line = 1;
}

static void data_row(invqr_csv_row_t *row, const values_t *vals)
{
    int i;

    memset(row, 0, sizeof(*row));
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        row->field[i] = vals->v[i];
        row->len[i] = vals->len[i];
    }
    row->nfields = INVQR_COL__COUNT;
    row->line = 2;
}

/* Parse vals with the canonical header; returns invqr_record_parse's rc. */
static int parse_values(const values_t *vals, invqr_record_t *rec,
                        invqr_col_t *pcol, const char **preason)
{
    invqr_csv_row_t h, row;
    int map[INVQR_COL__COUNT];
    const char *reason;
    char bad[64];

    header_row(&h);
    assert_int_equal(invqr_record_map_header(map, &h, &reason, bad, sizeof(bad)), 0);
    data_row(&row, vals);
    return invqr_record_parse(rec, map, h.nfields, &row, pcol, preason);
}

/* The good row with col set to v must parse. */
static void ok(invqr_col_t col, const char *v, invqr_record_t *rec)
{
    values_t vals;
    invqr_col_t bad_col;
    const char *reason;

    values_good(&vals);
    values_set(&vals, col, v);
    if (parse_values(&vals, rec, &bad_col, &reason) != 0) {
        fail_msg("%s='%s' refused: %s: %s", invqr_col_name(col), v,
                 invqr_col_name(bad_col), reason);
    }
}

/* The good row with col set to v must be refused on col, for a reason that
 * mentions why (when why is not NULL). */
static void ko(invqr_col_t col, const char *v, const char *why)
{
    values_t vals;
    invqr_record_t rec;
    invqr_col_t bad_col;
    const char *reason;

    values_good(&vals);
    values_set(&vals, col, v);
    if (parse_values(&vals, &rec, &bad_col, &reason) == 0) {
        fail_msg("%s='%s' accepted", invqr_col_name(col), v);
    }
    assert_non_null(reason);
    if (bad_col != col) {
        fail_msg("%s='%s' refused on %s: %s", invqr_col_name(col), v,
                 invqr_col_name(bad_col), reason);
    }
    if (why != NULL && strstr(reason, why) == NULL) {
        fail_msg("%s='%s': reason '%s' does not mention '%s'",
                 invqr_col_name(col), v, reason, why);
    }
}

static char *repeat(const char *unit, int n)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * (size_t)n + 1);
    int i;

    assert_non_null(s);
    for (i = 0; i < n; i++) {
        memcpy(s + ul * (size_t)i, unit, ul);
    }
    s[ul * (size_t)n] = '\0';
    return s;
}

/* ---- header ---------------------------------------------------------- */

static void test_col_names(void **state)
{
    (void)state;
    assert_string_equal(invqr_col_name(INVQR_COL_FISCAL_CODE), "fiscal_code");
    assert_string_equal(invqr_col_name(INVQR_COL_SURNAME), "surname");
    assert_string_equal(invqr_col_name(INVQR_COL_GIVEN_NAME), "given_name");
    assert_string_equal(invqr_col_name(INVQR_COL_BIRTH_DATE), "birth_date");
    assert_string_equal(invqr_col_name(INVQR_COL_MOBILE), "mobile");
    assert_string_equal(invqr_col_name(INVQR_COL_DEFINITIVE), "definitive");
    assert_string_equal(invqr_col_name(INVQR_COL_JUDGMENT_DATE), "judgment_date");
    assert_string_equal(invqr_col_name(INVQR_COL_REVIEW_DATE), "review_date");
    assert_string_equal(invqr_col_name(INVQR_COL_CIVIL_INVALIDITY), "civil_invalidity");
    assert_string_equal(invqr_col_name(INVQR_COL_INVALIDITY_PERCENT), "invalidity_percent");
    assert_string_equal(invqr_col_name(INVQR_COL_MINOR_INVALIDITY), "minor_invalidity");
    assert_string_equal(invqr_col_name(INVQR_COL_ATTENDANCE_ALLOWANCE), "attendance_allowance");
    assert_string_equal(invqr_col_name(INVQR_COL_CIVIL_BLINDNESS), "civil_blindness");
    assert_string_equal(invqr_col_name(INVQR_COL_DEAFNESS), "deafness");
    assert_string_equal(invqr_col_name(INVQR_COL_HANDICAP), "handicap");
    assert_string_equal(invqr_col_name(INVQR_COL_MEDICAL_JUDGMENT), "medical_judgment");
    assert_non_null(invqr_col_name(INVQR_COL__COUNT));
    assert_non_null(invqr_col_name((invqr_col_t)-1));
}

static void test_header_canonical(void **state)
{
    invqr_csv_row_t h;
    int map[INVQR_COL__COUNT];
    const char *reason = "unset";
    char bad[32] = "unset";
    int i;

    (void)state;
    header_row(&h);
    assert_int_equal(invqr_record_map_header(map, &h, &reason, bad, sizeof(bad)), 0);
    assert_null(reason);
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        assert_int_equal(map[i], i);
    }
}

/* Columns reversed, names in other cases and with spaces around. */
static void test_header_any_order(void **state)
{
    static const char *const names[INVQR_COL__COUNT] = {
        " MEDICAL_JUDGMENT", "Handicap ", "deafness", "Civil_Blindness",
        "attendance_allowance", "minor_invalidity", "invalidity_percent",
        "civil_invalidity", "review_date", "judgment_date", "definitive",
        "mobile", "birth_date", "  given_name  ", "surname", "Fiscal_Code"
    };
    invqr_csv_row_t h, row;
    int map[INVQR_COL__COUNT];
    const char *reason;
    char bad[32];
    invqr_record_t rec;
    invqr_col_t col;
    int i;

    (void)state;
    memset(&h, 0, sizeof(h));
    memset(&row, 0, sizeof(row));
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        h.field[i] = names[i];
        h.len[i] = strlen(names[i]);
        row.field[INVQR_COL__COUNT - 1 - i] = GOOD[i];
        row.len[INVQR_COL__COUNT - 1 - i] = strlen(GOOD[i]);
    }
    h.nfields = row.nfields = INVQR_COL__COUNT;
    assert_int_equal(invqr_record_map_header(map, &h, &reason, bad, sizeof(bad)), 0);
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        assert_int_equal(map[i], INVQR_COL__COUNT - 1 - i);
    }
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), 0);
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H501U");
    assert_string_equal(rec.surname, "Rossi");
    assert_string_equal(rec.given_name, "Mario");
    assert_int_equal(rec.handicap, INVQR_HANDICAP_ART3_C3);
}

static void expect_header_error(invqr_csv_row_t *h, const char *why, const char *name)
{
    int map[INVQR_COL__COUNT];
    const char *reason = NULL;
    char bad[32] = "unset";

    assert_int_equal(invqr_record_map_header(map, h, &reason, bad, sizeof(bad)), -1);
    assert_non_null(reason);
    if (strstr(reason, why) == NULL) {
        fail_msg("reason '%s' does not mention '%s'", reason, why);
    }
    assert_string_equal(bad, name);
}

static void test_header_missing(void **state)
{
    invqr_csv_row_t h;
    int i;

    (void)state;
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        header_row(&h);
        /* drop column i by moving the last one into its place */
        h.field[i] = h.field[INVQR_COL__COUNT - 1];
        h.len[i] = h.len[INVQR_COL__COUNT - 1];
        h.nfields--;
        expect_header_error(&h, "missing", invqr_col_name((invqr_col_t)i));
    }
    h.nfields = 0;
    expect_header_error(&h, "missing", "fiscal_code");
}

static void test_header_unknown(void **state)
{
    invqr_csv_row_t h;

    (void)state;
    header_row(&h);
    h.field[INVQR_COL__COUNT] = "email";
    h.len[INVQR_COL__COUNT] = 5;
    h.nfields++;
    expect_header_error(&h, "unknown", "email");

    header_row(&h);
    h.field[3] = "birth date";                 /* not birth_date */
    h.len[3] = 10;
    expect_header_error(&h, "unknown", "birth date");

    header_row(&h);
    h.field[0] = "fiscal_codex";
    h.len[0] = 12;
    expect_header_error(&h, "unknown", "fiscal_codex");

    header_row(&h);
    h.field[0] = "fiscal_cod";
    h.len[0] = 10;
    expect_header_error(&h, "unknown", "fiscal_cod");

    header_row(&h);
    h.field[5] = "  ";
    h.len[5] = 2;
    expect_header_error(&h, "empty", "");

    /* a long unknown name is cut to fit the buffer */
    header_row(&h);
    h.field[2] = "a_column_name_that_is_far_too_long_for_the_buffer";
    h.len[2] = strlen(h.field[2]);
    expect_header_error(&h, "unknown", "a_column_name_that_is_far_too_l");
}

static void test_header_repeated(void **state)
{
    invqr_csv_row_t h;
    int map[INVQR_COL__COUNT];
    const char *reason;

    (void)state;
    header_row(&h);
    h.field[INVQR_COL__COUNT] = " SURNAME ";
    h.len[INVQR_COL__COUNT] = 9;
    h.nfields++;
    expect_header_error(&h, "repeated", "surname");
    /* no room for the name: still refused, nothing written */
    assert_int_equal(invqr_record_map_header(map, &h, &reason, NULL, 0), -1);
    assert_non_null(reason);
}

static void test_field_count(void **state)
{
    values_t vals;
    invqr_csv_row_t h, row;
    int map[INVQR_COL__COUNT];
    const char *reason;
    char bad[32];
    invqr_record_t rec;
    invqr_col_t col;

    (void)state;
    header_row(&h);
    assert_int_equal(invqr_record_map_header(map, &h, &reason, bad, sizeof(bad)), 0);
    values_good(&vals);
    data_row(&row, &vals);
    row.nfields--;
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL__COUNT);
    assert_non_null(reason);
    row.nfields += 2;
    row.field[INVQR_COL__COUNT] = "extra";
    row.len[INVQR_COL__COUNT] = 5;
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL__COUNT);
}

/* ---- a good row, field by field ------------------------------------- */

static void test_good_row(void **state)
{
    values_t vals;
    invqr_record_t rec;
    invqr_col_t col = INVQR_COL_FISCAL_CODE;
    const char *reason = "unset";

    (void)state;
    values_good(&vals);
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), 0);
    assert_null(reason);
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H501U");
    assert_string_equal(rec.surname, "Rossi");
    assert_string_equal(rec.given_name, "Mario");
    assert_string_equal(rec.birth_date, "1980-01-01");
    assert_string_equal(rec.mobile, "+393331234567");
    assert_int_equal(rec.definitive, 1);
    assert_string_equal(rec.judgment_date, "2020-05-10");
    assert_string_equal(rec.review_date, "2025-05-10");
    assert_int_equal(rec.civil_invalidity, 1);
    assert_int_equal(rec.invalidity_percent, 75);
    assert_int_equal(rec.minor_invalidity, 0);
    assert_int_equal(rec.attendance_allowance, 0);
    assert_int_equal(rec.civil_blindness, INVQR_BLIND_NONE);
    assert_int_equal(rec.deafness, 0);
    assert_int_equal(rec.handicap, INVQR_HANDICAP_ART3_C3);
    assert_ptr_equal(rec.medical_judgment, GOOD[INVQR_COL_MEDICAL_JUDGMENT]);
    assert_int_equal(rec.medical_judgment_len, strlen(GOOD[INVQR_COL_MEDICAL_JUDGMENT]));
}

static void test_fiscal_code(void **state)
{
    invqr_record_t rec;

    (void)state;
    ok(INVQR_COL_FISCAL_CODE, "rssmra80a01h501u", &rec);
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H501U");
    ok(INVQR_COL_FISCAL_CODE, "  RSSMRA80A01H501U ", &rec);
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H501U");
    ok(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H50MM", &rec);     /* omocodia */
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H50MM");
    ok(INVQR_COL_FISCAL_CODE, "RSSMRAUPALMHRLMH", &rec);     /* all seven */
    ok(INVQR_COL_FISCAL_CODE, "BNCLCU85T45F205C", &rec);     /* a woman */
    ko(INVQR_COL_FISCAL_CODE, "", "empty");
    ko(INVQR_COL_FISCAL_CODE, "   ", "empty");
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H501", "16");
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H501UU", "16");
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H501X", "check character");
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H5O1U", NULL);    /* letter O */
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A01H50-U", NULL);
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80Z01H501U", NULL);    /* no month Z */
    ko(INVQR_COL_FISCAL_CODE, "RSSMRA80A32H501U", NULL);    /* day 32 */
}

static void test_names(void **state)
{
    invqr_record_t rec;
    char *s;

    (void)state;
    ok(INVQR_COL_SURNAME, "D'Annunzio", &rec);
    assert_string_equal(rec.surname, "D'Annunzio");
    ok(INVQR_COL_GIVEN_NAME, "Șerban", &rec);
    assert_string_equal(rec.given_name, "Șerban");
    ok(INVQR_COL_GIVEN_NAME, "Łukasz", &rec);
    ok(INVQR_COL_SURNAME, "Niccolò Dell'Acqua-Müller", &rec);
    ok(INVQR_COL_SURNAME, "<b>Test</b> \"Quote\" & Co", &rec);
    assert_string_equal(rec.surname, "<b>Test</b> \"Quote\" & Co");
    ok(INVQR_COL_SURNAME, "  De Rossi  ", &rec);
    assert_string_equal(rec.surname, "De Rossi");
    ok(INVQR_COL_GIVEN_NAME, "X", &rec);
    ok(INVQR_COL_GIVEN_NAME, "李小龍", &rec);

    s = repeat("à", 100);                    /* 100 characters, 200 bytes */
    ok(INVQR_COL_SURNAME, s, &rec);
    assert_string_equal(rec.surname, s);
    free(s);
    s = repeat("à", 101);
    ko(INVQR_COL_SURNAME, s, "100");
    free(s);
    s = repeat("\xF0\x9D\x94\xB8", 100);     /* 100 characters, 400 bytes */
    ok(INVQR_COL_GIVEN_NAME, s, &rec);
    assert_int_equal(strlen(rec.given_name), 400);
    free(s);
    s = repeat("\xF0\x9D\x94\xB8", 101);
    ko(INVQR_COL_GIVEN_NAME, s, "100");
    free(s);
    s = repeat("a", 100);
    ok(INVQR_COL_GIVEN_NAME, s, &rec);
    free(s);
    s = repeat("a", 101);
    ko(INVQR_COL_GIVEN_NAME, s, "100");
    free(s);

    ko(INVQR_COL_SURNAME, "", "empty");
    ko(INVQR_COL_SURNAME, "    ", "empty");
    ko(INVQR_COL_GIVEN_NAME, "", "empty");
    ko(INVQR_COL_SURNAME, "Ro\xC3\x28ssi", "UTF-8");    /* bad continuation */
    ko(INVQR_COL_SURNAME, "\xC0\xAF", "UTF-8");         /* overlong */
    ko(INVQR_COL_SURNAME, "\xED\xA0\x80", "UTF-8");     /* surrogate */
    ko(INVQR_COL_SURNAME, "Rossi\xC3", "UTF-8");        /* truncated */
    ko(INVQR_COL_SURNAME, "Ro\x01ssi", "control");
    ko(INVQR_COL_SURNAME, "Ro\tssi", "control");
    ko(INVQR_COL_GIVEN_NAME, "Ma\nrio", "control");
    ko(INVQR_COL_GIVEN_NAME, "Ma\r\nrio", "control");
    ko(INVQR_COL_GIVEN_NAME, "Ma\x7Frio", "control");
    ko(INVQR_COL_GIVEN_NAME, "Ma\xC2\x85rio", "control"); /* C1 NEL */
}

static void test_name_with_nul(void **state)
{
    values_t vals;
    invqr_record_t rec;
    invqr_col_t col;
    const char *reason;

    (void)state;
    values_good(&vals);
    vals.v[INVQR_COL_SURNAME] = "Ro\0ssi";
    vals.len[INVQR_COL_SURNAME] = 6;
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_SURNAME);
}

static void test_dates(void **state)
{
    invqr_record_t rec;

    (void)state;
    ok(INVQR_COL_BIRTH_DATE, "2000-02-29", &rec);       /* divisible by 400 */
    assert_string_equal(rec.birth_date, "2000-02-29");
    ok(INVQR_COL_BIRTH_DATE, "1996-02-29", &rec);
    ok(INVQR_COL_BIRTH_DATE, "1900-01-01", &rec);
    ok(INVQR_COL_BIRTH_DATE, " 1980-12-31 ", &rec);
    assert_string_equal(rec.birth_date, "1980-12-31");
    ok(INVQR_COL_JUDGMENT_DATE, "2024-02-29", &rec);
    ok(INVQR_COL_REVIEW_DATE, "2100-12-31", &rec);
    ok(INVQR_COL_REVIEW_DATE, "2096-02-29", &rec);

    ko(INVQR_COL_BIRTH_DATE, "1900-02-29", "calendar");  /* not a leap year */
    ko(INVQR_COL_REVIEW_DATE, "2100-02-29", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1999-02-29", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "2000-02-30", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1980-04-31", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1980-06-31", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1980-09-31", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1980-11-31", "calendar");
    ko(INVQR_COL_BIRTH_DATE, "1980-01-32", NULL);
    ko(INVQR_COL_BIRTH_DATE, "1980-13-01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-00-01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-01-00", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1899-12-31", "1900");
    ko(INVQR_COL_REVIEW_DATE, "2101-01-01", "2100");
    ko(INVQR_COL_BIRTH_DATE, "0000-01-01", "1900");
    ko(INVQR_COL_BIRTH_DATE, "", "YYYY-MM-DD");
    ko(INVQR_COL_JUDGMENT_DATE, "", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-1-01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980/01/01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "19800101", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-01-01x", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "01/01/1980", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-0a-01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "+980-01-01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980 01 01", "YYYY-MM-DD");
    ko(INVQR_COL_BIRTH_DATE, "1980-01-01T00:00", "YYYY-MM-DD");
}

static void test_date_order(void **state)
{
    values_t vals;
    invqr_record_t rec;
    invqr_col_t col;
    const char *reason;

    (void)state;
    /* judgment on the day of birth is fine, the day before is not */
    values_good(&vals);
    values_set(&vals, INVQR_COL_BIRTH_DATE, "2020-05-10");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), 0);
    values_set(&vals, INVQR_COL_BIRTH_DATE, "2020-05-11");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_JUDGMENT_DATE);
    assert_non_null(strstr(reason, "birth_date"));
    values_set(&vals, INVQR_COL_BIRTH_DATE, "2021-01-01");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_JUDGMENT_DATE);

    /* review on the judgment day is fine, before it is not, none is fine */
    values_good(&vals);
    values_set(&vals, INVQR_COL_REVIEW_DATE, "2020-05-10");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), 0);
    values_set(&vals, INVQR_COL_REVIEW_DATE, "2020-05-09");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_REVIEW_DATE);
    assert_non_null(strstr(reason, "judgment_date"));
    values_set(&vals, INVQR_COL_REVIEW_DATE, "");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), 0);
    assert_string_equal(rec.review_date, "");
    values_set(&vals, INVQR_COL_REVIEW_DATE, "   ");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), 0);
    assert_string_equal(rec.review_date, "");
}

static void test_mobile(void **state)
{
    invqr_record_t rec;

    (void)state;
    ok(INVQR_COL_MOBILE, "", &rec);
    assert_string_equal(rec.mobile, "");
    ok(INVQR_COL_MOBILE, "  ", &rec);
    assert_string_equal(rec.mobile, "");
    ok(INVQR_COL_MOBILE, "+393331234567", &rec);
    assert_string_equal(rec.mobile, "+393331234567");
    ok(INVQR_COL_MOBILE, "+12345678", &rec);             /* 8 digits */
    ok(INVQR_COL_MOBILE, "+123456789012345", &rec);      /* 15 digits */
    assert_string_equal(rec.mobile, "+123456789012345");
    ok(INVQR_COL_MOBILE, " +393401112223 ", &rec);
    assert_string_equal(rec.mobile, "+393401112223");

    ko(INVQR_COL_MOBILE, "+1234567", "E.164");           /* 7 digits */
    ko(INVQR_COL_MOBILE, "+1234567890123456", "E.164");  /* 16 digits */
    ko(INVQR_COL_MOBILE, "393331234567", "E.164");
    ko(INVQR_COL_MOBILE, "+0393331234567", "E.164");
    ko(INVQR_COL_MOBILE, "+39 333 1234567", "E.164");
    ko(INVQR_COL_MOBILE, "+39-333-1234567", "E.164");
    ko(INVQR_COL_MOBILE, "++393331234567", "E.164");
    ko(INVQR_COL_MOBILE, "+", "E.164");
    ko(INVQR_COL_MOBILE, "+39333123456a", "E.164");
    ko(INVQR_COL_MOBILE, "00393331234567", "E.164");
}

static void test_flags(void **state)
{
    static const invqr_col_t flags[] = {
        INVQR_COL_DEFINITIVE, INVQR_COL_MINOR_INVALIDITY,
        INVQR_COL_ATTENDANCE_ALLOWANCE, INVQR_COL_DEAFNESS,
    };
    invqr_record_t rec;
    size_t i;
    int *field;

    (void)state;
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        ok(flags[i], "Y", &rec);
        ok(flags[i], "y", &rec);
        ok(flags[i], " Y ", &rec);
        ok(flags[i], "N", &rec);
        ok(flags[i], "n", &rec);
        ko(flags[i], "", "Y or N");
        ko(flags[i], "yes", "Y or N");
        ko(flags[i], "no", "Y or N");
        ko(flags[i], "1", "Y or N");
        ko(flags[i], "0", "Y or N");
        ko(flags[i], "YN", "Y or N");
        ko(flags[i], "S", "Y or N");
        ko(flags[i], "\xC3\x9D", "Y or N");               /* Ý */
    }
    /* each flag lands in its own field */
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        ok(flags[i], "y", &rec);
        field = flags[i] == INVQR_COL_DEFINITIVE ? &rec.definitive
              : flags[i] == INVQR_COL_MINOR_INVALIDITY ? &rec.minor_invalidity
              : flags[i] == INVQR_COL_ATTENDANCE_ALLOWANCE ? &rec.attendance_allowance
              : &rec.deafness;
        assert_int_equal(*field, 1);
        ok(flags[i], "n", &rec);
        assert_int_equal(*field, 0);
    }
    ko(INVQR_COL_CIVIL_INVALIDITY, "", "Y or N");
    ko(INVQR_COL_CIVIL_INVALIDITY, "true", "Y or N");
}

/* civil_invalidity and invalidity_percent together. */
static int parse_ci(const char *ci, const char *pct, invqr_record_t *rec,
                    invqr_col_t *pcol, const char **preason)
{
    values_t vals;

    values_good(&vals);
    values_set(&vals, INVQR_COL_CIVIL_INVALIDITY, ci);
    values_set(&vals, INVQR_COL_INVALIDITY_PERCENT, pct);
    return parse_values(&vals, rec, pcol, preason);
}

static void test_percent(void **state)
{
    static const char *const good_y[] = { "34", "100", "75", "034", "", " 50 " };
    static const char *const good_n[] = { "0", "33", "00", "000", "7", "" };
    static const char *const bad_any[] = {
        "-1", "+5", "101", "1000", "0100", "5 0", "abc", "3.5", "50%", "1e2",
        "999", "\xD9\xA5"
    };
    invqr_record_t rec;
    invqr_col_t col;
    const char *reason;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good_y) / sizeof(good_y[0]); i++) {
        if (parse_ci("Y", good_y[i], &rec, &col, &reason) != 0) {
            fail_msg("Y with '%s' refused: %s", good_y[i], reason);
        }
        assert_int_equal(rec.civil_invalidity, 1);
    }
    assert_int_equal(parse_ci("y", "100", &rec, &col, &reason), 0);
    assert_int_equal(rec.invalidity_percent, 100);
    assert_int_equal(parse_ci("Y", "034", &rec, &col, &reason), 0);
    assert_int_equal(rec.invalidity_percent, 34);
    assert_int_equal(parse_ci("Y", "", &rec, &col, &reason), 0);
    assert_int_equal(rec.invalidity_percent, -1);
    for (i = 0; i < sizeof(good_n) / sizeof(good_n[0]); i++) {
        if (parse_ci("N", good_n[i], &rec, &col, &reason) != 0) {
            fail_msg("N with '%s' refused: %s", good_n[i], reason);
        }
        assert_int_equal(rec.civil_invalidity, 0);
    }
    assert_int_equal(parse_ci("n", "33", &rec, &col, &reason), 0);
    assert_int_equal(rec.invalidity_percent, 33);
    assert_int_equal(parse_ci("N", "0", &rec, &col, &reason), 0);
    assert_int_equal(rec.invalidity_percent, 0);

    /* disagreement is the percent's fault */
    assert_int_equal(parse_ci("Y", "33", &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_INVALIDITY_PERCENT);
    assert_non_null(strstr(reason, "34"));
    assert_int_equal(parse_ci("Y", "0", &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_INVALIDITY_PERCENT);
    assert_int_equal(parse_ci("N", "34", &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_INVALIDITY_PERCENT);
    assert_non_null(strstr(reason, "34"));
    assert_int_equal(parse_ci("N", "100", &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_INVALIDITY_PERCENT);

    for (i = 0; i < sizeof(bad_any) / sizeof(bad_any[0]); i++) {
        ko(INVQR_COL_INVALIDITY_PERCENT, bad_any[i], "0-100");
        assert_int_equal(parse_ci("N", bad_any[i], &rec, &col, &reason), -1);
        assert_int_equal(col, INVQR_COL_INVALIDITY_PERCENT);
    }
}

static void test_blindness(void **state)
{
    invqr_record_t rec;

    (void)state;
    ok(INVQR_COL_CIVIL_BLINDNESS, "NONE", &rec);
    assert_int_equal(rec.civil_blindness, INVQR_BLIND_NONE);
    ok(INVQR_COL_CIVIL_BLINDNESS, "partial", &rec);
    assert_int_equal(rec.civil_blindness, INVQR_BLIND_PARTIAL);
    ok(INVQR_COL_CIVIL_BLINDNESS, " Absolute ", &rec);
    assert_int_equal(rec.civil_blindness, INVQR_BLIND_ABSOLUTE);
    ko(INVQR_COL_CIVIL_BLINDNESS, "", "NONE, PARTIAL or ABSOLUTE");
    ko(INVQR_COL_CIVIL_BLINDNESS, "N", NULL);
    ko(INVQR_COL_CIVIL_BLINDNESS, "TOTAL", NULL);
    ko(INVQR_COL_CIVIL_BLINDNESS, "NONEX", NULL);
    ko(INVQR_COL_CIVIL_BLINDNESS, "NON", NULL);
    ko(INVQR_COL_CIVIL_BLINDNESS, "PARTIAL,ABSOLUTE", NULL);
}

static void test_handicap(void **state)
{
    invqr_record_t rec;

    (void)state;
    ok(INVQR_COL_HANDICAP, "NONE", &rec);
    assert_int_equal(rec.handicap, INVQR_HANDICAP_NONE);
    ok(INVQR_COL_HANDICAP, "art3_c1", &rec);
    assert_int_equal(rec.handicap, INVQR_HANDICAP_ART3_C1);
    ok(INVQR_COL_HANDICAP, "Art3_C3", &rec);
    assert_int_equal(rec.handicap, INVQR_HANDICAP_ART3_C3);
    ko(INVQR_COL_HANDICAP, "", "NONE, ART3_C1 or ART3_C3");
    ko(INVQR_COL_HANDICAP, "ART3_C2", NULL);
    ko(INVQR_COL_HANDICAP, "ART3", NULL);
    ko(INVQR_COL_HANDICAP, "ART3 C1", NULL);
    ko(INVQR_COL_HANDICAP, "Y", NULL);
}

static void test_medical_judgment(void **state)
{
    invqr_record_t rec;
    values_t vals;
    invqr_col_t col;
    const char *reason;
    char *s;

    (void)state;
    ok(INVQR_COL_MEDICAL_JUDGMENT, "", &rec);
    assert_int_equal(rec.medical_judgment_len, 0);
    ok(INVQR_COL_MEDICAL_JUDGMENT, "Riga uno\nRiga due\r\nRiga tre\tcon tab", &rec);
    assert_int_equal(rec.medical_judgment_len, strlen("Riga uno\nRiga due\r\nRiga tre\tcon tab"));
    ok(INVQR_COL_MEDICAL_JUDGMENT, "  spazi  ", &rec);     /* verbatim */
    assert_int_equal(rec.medical_judgment_len, 9);
    ok(INVQR_COL_MEDICAL_JUDGMENT, "<script>alert(1)</script> & \"così\"", &rec);
    s = repeat("x", INVQR_JUDGMENT_MAX_BYTES);
    ok(INVQR_COL_MEDICAL_JUDGMENT, s, &rec);
    free(s);
    s = repeat("x", INVQR_JUDGMENT_MAX_BYTES + 1);
    ko(INVQR_COL_MEDICAL_JUDGMENT, s, "4000");
    free(s);
    s = repeat("è", INVQR_JUDGMENT_MAX_BYTES / 2 + 1);    /* 2001 chars, 4002 bytes */
    ko(INVQR_COL_MEDICAL_JUDGMENT, s, "4000");
    free(s);
    ko(INVQR_COL_MEDICAL_JUDGMENT, "bad \xFF byte", "UTF-8");
    ko(INVQR_COL_MEDICAL_JUDGMENT, "bell \x07", "control");
    ko(INVQR_COL_MEDICAL_JUDGMENT, "esc \x1B[31m", "control");

    values_good(&vals);
    vals.v[INVQR_COL_MEDICAL_JUDGMENT] = "nul\0inside";
    vals.len[INVQR_COL_MEDICAL_JUDGMENT] = 10;
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_MEDICAL_JUDGMENT);
}

/* The first wrong column, in invqr_col_t order, is the one reported. */
static void test_first_error(void **state)
{
    values_t vals;
    invqr_record_t rec;
    invqr_col_t col;
    const char *reason;

    (void)state;
    values_good(&vals);
    values_set(&vals, INVQR_COL_HANDICAP, "bad");
    values_set(&vals, INVQR_COL_MOBILE, "bad");
    values_set(&vals, INVQR_COL_MEDICAL_JUDGMENT, "\x01");
    assert_int_equal(parse_values(&vals, &rec, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_MOBILE);
}

/* A small document through the CSV reader: quoting, a multi-line
 * judgment, a BOM, CRLF, columns in another order, a bad row between good
 * ones. */
static void test_through_csv(void **state)
{
    static const char doc[] =
        "\xEF\xBB\xBF" "Surname,Given_Name,fiscal_code,birth_date,mobile,definitive,"
        "judgment_date,review_date,civil_invalidity,invalidity_percent,"
        "minor_invalidity,attendance_allowance,civil_blindness,deafness,"
        "handicap,medical_judgment\r\n"
        "D'Annunzio,\"Gabriele, detto \"\"il Vate\"\"\",rssmra80a01h501u,1980-01-01,"
        "+393331234567,Y,2020-05-10,,Y,100,N,Y,ABSOLUTE,N,ART3_C3,"
        "\"Prima riga\r\nseconda riga, con virgola\"\r\n"
        "Bianchi,Lucia,BNCLCU85T45F205X,1985-12-05,,Y,2019-01-01,,N,,N,N,NONE,N,NONE,\r\n"
        "Bianchi,Lucia,BNCLCU85T45F205C,1985-12-05,,N,2019-01-01,,N,20,N,N,PARTIAL,Y,ART3_C1,\r\n";
    apr_pool_t *p = *state;
    invqr_csv_t *csv = invqr_csv_open_mem(doc, sizeof(doc) - 1, p);
    invqr_csv_row_t h, row;
    int map[INVQR_COL__COUNT];
    const char *reason;
    char bad[32];
    invqr_record_t rec;
    invqr_col_t col;

    assert_int_equal(invqr_csv_next(csv, &h, &reason), INVQR_CSV_RECORD);
    assert_int_equal(invqr_record_map_header(map, &h, &reason, bad, sizeof(bad)), 0);

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 2);
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), 0);
    assert_string_equal(rec.surname, "D'Annunzio");
    assert_string_equal(rec.given_name, "Gabriele, detto \"il Vate\"");
    assert_string_equal(rec.fiscal_code, "RSSMRA80A01H501U");
    assert_int_equal(rec.attendance_allowance, 1);
    assert_int_equal(rec.civil_blindness, INVQR_BLIND_ABSOLUTE);
    assert_int_equal(rec.medical_judgment_len, strlen("Prima riga\r\nseconda riga, con virgola"));
    assert_memory_equal(rec.medical_judgment, "Prima riga\r\nseconda riga, con virgola",
                        rec.medical_judgment_len);

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 4);
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), -1);
    assert_int_equal(col, INVQR_COL_FISCAL_CODE);

    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_RECORD);
    assert_int_equal(row.line, 5);
    assert_int_equal(invqr_record_parse(&rec, map, h.nfields, &row, &col, &reason), 0);
    assert_int_equal(rec.definitive, 0);
    assert_int_equal(rec.invalidity_percent, 20);
    assert_int_equal(rec.deafness, 1);
    assert_int_equal(rec.handicap, INVQR_HANDICAP_ART3_C1);
    assert_int_equal(rec.medical_judgment_len, 0);
    assert_int_equal(invqr_csv_next(csv, &row, &reason), INVQR_CSV_EOF);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_col_names),
        cmocka_unit_test(test_header_canonical),
        cmocka_unit_test(test_header_any_order),
        cmocka_unit_test(test_header_missing),
        cmocka_unit_test(test_header_unknown),
        cmocka_unit_test(test_header_repeated),
        cmocka_unit_test(test_field_count),
        cmocka_unit_test(test_good_row),
        cmocka_unit_test(test_fiscal_code),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_name_with_nul),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_date_order),
        cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_blindness),
        cmocka_unit_test(test_handicap),
        cmocka_unit_test(test_medical_judgment),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test_setup_teardown(test_through_csv, setup_pool, teardown_pool),
    };
    int failed;

    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    failed = cmocka_run_group_tests_name("record", tests, NULL, NULL);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
