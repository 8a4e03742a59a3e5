/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the status record and its import columns (docs/contract.md).
 *
 * Maps a CSV header onto the contract's columns in any order and turns one
 * CSV record into a validated invqr_record_t, or says which column is wrong
 * and why. Pure: no I/O, no allocation.
 */
#ifndef INVQR_RECORD_H
#define INVQR_RECORD_H

#include <stddef.h>
#include "invqr_csv.h"
#include "invqr_fiscal.h"

typedef enum {
    INVQR_COL_FISCAL_CODE = 0,
    INVQR_COL_SURNAME,
    INVQR_COL_GIVEN_NAME,
    INVQR_COL_BIRTH_DATE,
    INVQR_COL_MOBILE,
    INVQR_COL_DEFINITIVE,
    INVQR_COL_JUDGMENT_DATE,
    INVQR_COL_REVIEW_DATE,
    INVQR_COL_CIVIL_INVALIDITY,
    INVQR_COL_INVALIDITY_PERCENT,
    INVQR_COL_MINOR_INVALIDITY,
    INVQR_COL_ATTENDANCE_ALLOWANCE,
    INVQR_COL_CIVIL_BLINDNESS,
    INVQR_COL_DEAFNESS,
    INVQR_COL_HANDICAP,
    INVQR_COL_MEDICAL_JUDGMENT,
    INVQR_COL__COUNT
} invqr_col_t;

#define INVQR_NAME_MAX_CHARS     100
#define INVQR_NAME_MAX_BYTES     (INVQR_NAME_MAX_CHARS * 4)
#define INVQR_JUDGMENT_MAX_BYTES 4000
#define INVQR_MOBILE_MAX         16   /* '+' and up to 15 digits */

typedef enum { INVQR_BLIND_NONE = 0, INVQR_BLIND_PARTIAL, INVQR_BLIND_ABSOLUTE } invqr_blindness_t;
typedef enum { INVQR_HANDICAP_NONE = 0, INVQR_HANDICAP_ART3_C1, INVQR_HANDICAP_ART3_C3 } invqr_handicap_t;

typedef struct {
    char fiscal_code[INVQR_FISCAL_LEN + 1];
    char surname[INVQR_NAME_MAX_BYTES + 1];
    char given_name[INVQR_NAME_MAX_BYTES + 1];
    char birth_date[11];              /* YYYY-MM-DD */
    char mobile[INVQR_MOBILE_MAX + 1]; /* E.164 or "" */
    int definitive;                   /* 0/1 */
    char judgment_date[11];
    char review_date[11];             /* "" when none */
    int civil_invalidity;
    int invalidity_percent;           /* -1 when empty */
    int minor_invalidity;
    int attendance_allowance;
    invqr_blindness_t civil_blindness;
    int deafness;
    invqr_handicap_t handicap;
    const char *medical_judgment;     /* points into the CSV row, not NUL-terminated */
    size_t medical_judgment_len;
} invqr_record_t;

/**
 * Column name as written in the CSV header ("fiscal_code", ...); for
 * INVQR_COL__COUNT (a row-level problem) or any other value, "(record)".
 */
const char *invqr_col_name(invqr_col_t col);

/**
 * Map header fields to columns: map[col] is the field index of col.
 * Header names are matched exactly after trimming ASCII spaces, case-
 * insensitively. Returns 0, or -1 with a static English reason in *preason
 * and the offending column or field name copied to bad (bad_len bytes, NUL-
 * terminated, cut short if need be; bad may be NULL) for a missing, unknown
 * or repeated column. An empty column name is refused too. A repeated column
 * is named as the contract spells it; an unknown one as written (trimmed):
 * it is raw input, to be escaped by whoever shows it.
 */
int invqr_record_map_header(int map[INVQR_COL__COUNT], const invqr_csv_row_t *header,
                            const char **preason, char *bad, size_t bad_len);

/**
 * Validate one data row against the header map. Returns 0 with rec filled,
 * or -1 with *pbad_col the first wrong column and *preason a static English
 * reason. A row with a different number of fields than the header is wrong
 * with *pbad_col = INVQR_COL__COUNT.
 *
 * Columns are checked in invqr_col_t order. Every value but the medical
 * judgment is trimmed of surrounding ASCII spaces first (the fiscal code of
 * any ASCII white space); the judgment is taken verbatim. Names are text
 * without control characters (TAB included), 1-100 code points. A rule that
 * ties two columns is reported on the later one: judgment_date before
 * birth_date on judgment_date, review_date before judgment_date on
 * review_date, a percent that disagrees with civil_invalidity on
 * invalidity_percent. On failure rec is partly written and must not be
 * used. rec->medical_judgment points into the row, so it lives as long as
 * the row's fields. Allocates nothing.
 */
int invqr_record_parse(invqr_record_t *rec, const int map[INVQR_COL__COUNT],
                       int header_fields, const invqr_csv_row_t *row,
                       invqr_col_t *pbad_col, const char **preason);

/**
 * The import's date parser, for other files' dates: YYYY-MM-DD, a real
 * calendar day, year 1900-2100, surrounding spaces ignored; with optional,
 * empty input gives "". Writes out (11 bytes) and returns NULL, or returns
 * a static English reason. Allocates nothing.
 */
const char *invqr_record_parse_date(char out[11], const char *s, size_t len, int optional);

#endif
