/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the status record and its import columns (docs/contract.md).
 *
 * invqr_record_map_header() turns a CSV header into a column -> field index
 * map; invqr_record_parse() checks one data row against the contract and
 * fills an invqr_record_t. Every short field (dates, flags, enumerations,
 * mobile, percent, names) is trimmed of surrounding ASCII spaces first;
 * fiscal codes are trimmed by invqr_fiscal_parse(); the medical judgment is
 * taken verbatim. Columns are checked in the order of invqr_col_t and the
 * first wrong one is reported, cross-column rules (birth before judgment,
 * review not before judgment, percent agreeing with civil_invalidity) on the
 * later column. The importer runs this on every row of files with a million
 * rows, so nothing is allocated and each field is looked at once or twice.
 */
#include <string.h>

#include "invqr_record.h"
#include "invqr_utf8.h"

static const char *const COL_NAMES[INVQR_COL__COUNT] = {
    [INVQR_COL_FISCAL_CODE] = "fiscal_code",
    [INVQR_COL_SURNAME] = "surname",
    [INVQR_COL_GIVEN_NAME] = "given_name",
    [INVQR_COL_BIRTH_DATE] = "birth_date",
    [INVQR_COL_MOBILE] = "mobile",
    [INVQR_COL_DEFINITIVE] = "definitive",
    [INVQR_COL_JUDGMENT_DATE] = "judgment_date",
    [INVQR_COL_REVIEW_DATE] = "review_date",
    [INVQR_COL_CIVIL_INVALIDITY] = "civil_invalidity",
    [INVQR_COL_INVALIDITY_PERCENT] = "invalidity_percent",
    [INVQR_COL_MINOR_INVALIDITY] = "minor_invalidity",
    [INVQR_COL_ATTENDANCE_ALLOWANCE] = "attendance_allowance",
    [INVQR_COL_CIVIL_BLINDNESS] = "civil_blindness",
    [INVQR_COL_DEAFNESS] = "deafness",
    [INVQR_COL_HANDICAP] = "handicap",
    [INVQR_COL_MEDICAL_JUDGMENT] = "medical_judgment",
};

/* Reasons (static, English). */
static const char R_EMPTY_NAME[]   = "empty column name";
static const char R_UNKNOWN[]      = "unknown column";
static const char R_REPEATED[]     = "repeated column";
static const char R_MISSING[]      = "missing column";
static const char R_NFIELDS[]      = "number of fields differs from the header";
static const char R_UNMAPPED[]     = "column not in the header";
static const char R_UTF8[]         = "not valid UTF-8";
static const char R_CONTROL[]      = "control characters are not allowed";
static const char R_NAME_EMPTY[]   = "empty";
static const char R_NAME_LONG[]    = "longer than 100 characters";
static const char R_DATE[]         = "not a valid date (YYYY-MM-DD)";
static const char R_DATE_YEAR[]    = "year outside 1900-2100";
static const char R_DATE_DAY[]     = "no such day in the calendar";
static const char R_AFTER_JUDG[]   = "judgment_date is before birth_date";
static const char R_BEFORE_JUDG[]  = "review_date is before judgment_date";
static const char R_MOBILE[]       = "not an E.164 number (+ then 8-15 digits, not starting with 0)";
static const char R_FLAG[]         = "must be Y or N";
static const char R_PERCENT[]      = "not an integer 0-100";
static const char R_PERCENT_LOW[]  = "must be 34 or more when civil_invalidity is Y";
static const char R_PERCENT_HIGH[] = "must be below 34 when civil_invalidity is N";
static const char R_BLINDNESS[]    = "must be NONE, PARTIAL or ABSOLUTE";
static const char R_HANDICAP[]     = "must be NONE, ART3_C1 or ART3_C3";
static const char R_JUDG_LONG[]    = "longer than 4000 bytes";

const char *invqr_col_name(invqr_col_t col)
{
    return ((int)col >= 0 && col < INVQR_COL__COUNT) ? COL_NAMES[col] : "(record)";
}

/* s[0..*plen) without surrounding ASCII spaces. */
static const char *trim(const char *s, size_t *plen)
{
    size_t len = *plen;

    while (len > 0 && s[0] == ' ') {
        s++;
        len--;
    }
    while (len > 0 && s[len - 1] == ' ') {
        len--;
    }
    *plen = len;
    return s;
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* s[0..len) equals the NUL-terminated word, ignoring ASCII case. */
static int eq_nocase(const char *s, size_t len, const char *word)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (word[i] == '\0' ||
            lower((unsigned char)s[i]) != lower((unsigned char)word[i])) {
            return 0;
        }
    }
    return word[len] == '\0';
}

/* Copy s[0..len) into bad[0..bad_len) as a NUL-terminated string, cut short
 * if need be. */
static void copy_bad(char *bad, size_t bad_len, const char *s, size_t len)
{
    if (bad == NULL || bad_len == 0) {
        return;
    }
    if (len > bad_len - 1) {
        len = bad_len - 1;
    }
    if (len > 0) {
        memcpy(bad, s, len);
    }
    bad[len] = '\0';
}

int invqr_record_map_header(int map[INVQR_COL__COUNT], const invqr_csv_row_t *header,
                            const char **preason, char *bad, size_t bad_len)
{
    int i, col, rv = -1;
    size_t len;
    const char *name;

    *preason = NULL;
    copy_bad(bad, bad_len, "", 0);
    for (col = 0; col < INVQR_COL__COUNT; col++) {
        map[col] = -1;
    }
    for (i = 0; i < header->nfields; i++) {
        len = header->len[i];
        name = trim(header->field[i], &len);
        if (len == 0) {
            *preason = R_EMPTY_NAME;
            goto out;
        }
        for (col = 0; col < INVQR_COL__COUNT; col++) {
            if (eq_nocase(name, len, COL_NAMES[col])) {
                break;
            }
        }
        if (col == INVQR_COL__COUNT) {
            *preason = R_UNKNOWN;
            copy_bad(bad, bad_len, name, len);
            goto out;
        }
        if (map[col] >= 0) {
            *preason = R_REPEATED;
            copy_bad(bad, bad_len, COL_NAMES[col], strlen(COL_NAMES[col]));
            goto out;
        }
        map[col] = i;
    }
    for (col = 0; col < INVQR_COL__COUNT; col++) {
        if (map[col] < 0) {
            *preason = R_MISSING;
            copy_bad(bad, bad_len, COL_NAMES[col], strlen(COL_NAMES[col]));
            goto out;
        }
    }
    rv = 0;

out:
    return rv;
}

/*
 * A name: valid UTF-8 text without control characters (TAB included),
 * 1-100 code points once trimmed; copied NUL-terminated into out, which has
 * INVQR_NAME_MAX_BYTES + 1 bytes. Returns NULL or a reason.
 */
static const char *parse_name(char *out, const char *s, size_t len)
{
    long n;

    s = trim(s, &len);
    n = invqr_utf8_count_text(s, len, 0);
    if (n < 0) {
        return invqr_utf8_count(s, len) < 0 ? R_UTF8 : R_CONTROL;
    }
    if (n == 0) {
        return R_NAME_EMPTY;
    }
    if (n > INVQR_NAME_MAX_CHARS || len > INVQR_NAME_MAX_BYTES) {
        return R_NAME_LONG;
    }
    if (memchr(s, '\t', len) != NULL) {
        return R_CONTROL;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return NULL;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * A calendar date YYYY-MM-DD with a year in 1900-2100; copied with a NUL
 * into out (11 bytes). Empty input is refused unless optional, and then
 * gives "". Returns NULL or a reason.
 */
static const char *parse_date(char out[11], const char *s, size_t len, int optional)
{
    static const unsigned char MDAYS[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    int i, year, month, day, mdays;

    s = trim(s, &len);
    out[0] = '\0';
    if (len == 0 && optional) {
        return NULL;
    }
    if (len != 10 || s[4] != '-' || s[7] != '-') {
        return R_DATE;
    }
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !is_digit(s[i])) {
            return R_DATE;
        }
    }
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12 || day < 1) {
        return R_DATE;
    }
    if (year < 1900 || year > 2100) {
        return R_DATE_YEAR;
    }
    mdays = MDAYS[month - 1];
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) {
        mdays = 29;
    }
    if (day > mdays) {
        return R_DATE_DAY;
    }
    memcpy(out, s, 10);
    out[10] = '\0';
    return NULL;
}

const char *invqr_record_parse_date(char out[11], const char *s, size_t len, int optional)
{
    return parse_date(out, s, len, optional);
}

/* Empty, or '+' and 8-15 digits, the first not 0. */
static const char *parse_mobile(char out[INVQR_MOBILE_MAX + 1], const char *s, size_t len)
{
    size_t i;

    s = trim(s, &len);
    out[0] = '\0';
    if (len == 0) {
        return NULL;
    }
    if (len < 9 || len > INVQR_MOBILE_MAX || s[0] != '+' || s[1] == '0') {
        return R_MOBILE;
    }
    for (i = 1; i < len; i++) {
        if (!is_digit(s[i])) {
            return R_MOBILE;
        }
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return NULL;
}

/* Y or N in either case. */
static const char *parse_flag(int *out, const char *s, size_t len)
{
    s = trim(s, &len);
    if (len == 1 && (s[0] == 'Y' || s[0] == 'y')) {
        *out = 1;
        return NULL;
    }
    if (len == 1 && (s[0] == 'N' || s[0] == 'n')) {
        *out = 0;
        return NULL;
    }
    return R_FLAG;
}

/* Empty (-1) or 1-3 digits worth 0-100. */
static const char *parse_percent(int *out, const char *s, size_t len)
{
    size_t i;
    int v = 0;

    s = trim(s, &len);
    *out = -1;
    if (len == 0) {
        return NULL;
    }
    if (len > 3) {
        return R_PERCENT;
    }
    for (i = 0; i < len; i++) {
        if (!is_digit(s[i])) {
            return R_PERCENT;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v > 100) {
        return R_PERCENT;
    }
    *out = v;
    return NULL;
}

/* One of words[0..n) (case-insensitive); *out is its index. */
static const char *parse_enum(int *out, const char *s, size_t len,
                              const char *const *words, int n, const char *reason)
{
    int i;

    s = trim(s, &len);
    for (i = 0; i < n; i++) {
        if (eq_nocase(s, len, words[i])) {
            *out = i;
            return NULL;
        }
    }
    return reason;
}

int invqr_record_parse(invqr_record_t *rec, const int map[INVQR_COL__COUNT],
                       int header_fields, const invqr_csv_row_t *row,
                       invqr_col_t *pbad_col, const char **preason)
{
    static const char *const BLINDNESS[] = { "NONE", "PARTIAL", "ABSOLUTE" };
    static const char *const HANDICAP[] = { "NONE", "ART3_C1", "ART3_C3" };
    const char *f[INVQR_COL__COUNT];
    size_t n[INVQR_COL__COUNT];
    const char *reason = NULL;
    invqr_col_t col = INVQR_COL__COUNT;
    invqr_fiscal_rc frc;
    int i, v;

    *pbad_col = INVQR_COL__COUNT;
    *preason = NULL;
    if (row->nfields != header_fields) {
        reason = R_NFIELDS;
        goto out;
    }
    for (i = 0; i < INVQR_COL__COUNT; i++) {
        if (map[i] < 0 || map[i] >= row->nfields) {
            col = (invqr_col_t)i;
            reason = R_UNMAPPED;
            goto out;
        }
        f[i] = row->field[map[i]];
        n[i] = row->len[map[i]];
    }

    col = INVQR_COL_FISCAL_CODE;
    frc = invqr_fiscal_parse(rec->fiscal_code, f[col], n[col]);
    if (frc != INVQR_FISCAL_OK) {
        reason = invqr_fiscal_reason(frc);
        goto out;
    }

    col = INVQR_COL_SURNAME;
    reason = parse_name(rec->surname, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_GIVEN_NAME;
    reason = parse_name(rec->given_name, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_BIRTH_DATE;
    reason = parse_date(rec->birth_date, f[col], n[col], 0);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_MOBILE;
    reason = parse_mobile(rec->mobile, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_DEFINITIVE;
    reason = parse_flag(&rec->definitive, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_JUDGMENT_DATE;
    reason = parse_date(rec->judgment_date, f[col], n[col], 0);
    if (reason != NULL) {
        goto out;
    }
    if (strcmp(rec->judgment_date, rec->birth_date) < 0) {
        reason = R_AFTER_JUDG;
        goto out;
    }
    col = INVQR_COL_REVIEW_DATE;
    reason = parse_date(rec->review_date, f[col], n[col], 1);
    if (reason != NULL) {
        goto out;
    }
    if (rec->review_date[0] != '\0' &&
        strcmp(rec->review_date, rec->judgment_date) < 0) {
        reason = R_BEFORE_JUDG;
        goto out;
    }
    col = INVQR_COL_CIVIL_INVALIDITY;
    reason = parse_flag(&rec->civil_invalidity, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_INVALIDITY_PERCENT;
    reason = parse_percent(&rec->invalidity_percent, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    if (rec->invalidity_percent >= 0) {
        if (rec->civil_invalidity && rec->invalidity_percent < 34) {
            reason = R_PERCENT_LOW;
            goto out;
        }
        if (!rec->civil_invalidity && rec->invalidity_percent >= 34) {
            reason = R_PERCENT_HIGH;
            goto out;
        }
    }
    col = INVQR_COL_MINOR_INVALIDITY;
    reason = parse_flag(&rec->minor_invalidity, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_ATTENDANCE_ALLOWANCE;
    reason = parse_flag(&rec->attendance_allowance, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_CIVIL_BLINDNESS;
    reason = parse_enum(&v, f[col], n[col], BLINDNESS, 3, R_BLINDNESS);
    if (reason != NULL) {
        goto out;
    }
    rec->civil_blindness = (invqr_blindness_t)v;
    col = INVQR_COL_DEAFNESS;
    reason = parse_flag(&rec->deafness, f[col], n[col]);
    if (reason != NULL) {
        goto out;
    }
    col = INVQR_COL_HANDICAP;
    reason = parse_enum(&v, f[col], n[col], HANDICAP, 3, R_HANDICAP);
    if (reason != NULL) {
        goto out;
    }
    rec->handicap = (invqr_handicap_t)v;
    col = INVQR_COL_MEDICAL_JUDGMENT;
    if (n[col] > INVQR_JUDGMENT_MAX_BYTES) {
        reason = R_JUDG_LONG;
        goto out;
    }
    if (invqr_utf8_count_text(f[col], n[col], 1) < 0) {
        reason = invqr_utf8_count(f[col], n[col]) < 0 ? R_UTF8 : R_CONTROL;
        goto out;
    }
    rec->medical_judgment = f[col];
    rec->medical_judgment_len = n[col];

out:
    if (reason != NULL) {
        *pbad_col = col;
        *preason = reason;
        return -1;
    }
    return 0;
}
