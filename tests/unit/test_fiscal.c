/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the fiscal code parser (core/invqr_fiscal.c).
 *
 * Check characters are verified two ways that do not share code with the
 * parser: published example codes, and a small reference implementation
 * below (its own odd-value table, indexed by character). Constants marked
 * "reference" were computed with an independent script and agree with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "invqr_fiscal.h"

/* ---- reference implementation ------------------------------------------- */

/* Value of each character in odd positions, from the DM 23/12/1976 table. */
static int ref_odd(char c)
{
    static const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const int values[] = {
        /* 0-9 */ 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
        /* A-J */ 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
        /* K-T */ 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
        /* U-Z */ 16, 10, 22, 25, 24, 23
    };
    const char *hit = strchr(chars, c);

    return hit ? values[hit - chars] : -1000;
}

static int ref_even(char c)
{
    return (c >= '0' && c <= '9') ? c - '0' : c - 'A';
}

static char ref_check(const char *first15)
{
    int sum = 0;

    for (int pos = 1; pos <= 15; pos++) {
        char c = first15[pos - 1];

        sum += (pos % 2 == 1) ? ref_odd(c) : ref_even(c);
    }
    return (char)('A' + sum % 26);
}

/* Copy a 15-character base and append its reference check character. */
static void with_check(char out[17], const char *base15)
{
    memcpy(out, base15, 15);
    out[15] = ref_check(out);
    out[16] = '\0';
}

static invqr_fiscal_rc parse_str(char out[17], const char *s)
{
    return invqr_fiscal_parse(out, s, strlen(s));
}

static invqr_fiscal_rc parse_id_str(char out[17], const char *s)
{
    return invqr_fiscal_parse_identity(out, s, strlen(s));
}

static const int DIGIT_POS[] = { 6, 7, 9, 10, 12, 13, 14 };
static const char OMO[] = "LMNPQRSTUV";

/* ---- tests --------------------------------------------------------------- */

static void test_published_examples(void **state)
{
    /* Widely published examples, check characters as printed. */
    static const char *codes[] = {
        "RSSMRA85T10A562S", /* Mario Rossi, Rome, 10 Dec 1985 */
        "MRTMTT25D09F205Z", /* Matteo Moretti, Milan, 9 Apr 1925 */
        "RSSMRA80A01H501U",
    };
    char out[17];

    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_int_equal(parse_str(out, codes[i]), INVQR_FISCAL_OK);
        assert_string_equal(out, codes[i]);
        assert_int_equal(invqr_fiscal_check_char(codes[i]), codes[i][15]);
        assert_int_equal(ref_check(codes[i]), codes[i][15]);
    }
}

static void test_reference_constants(void **state)
{
    /* reference: computed by an independent script */
    static const char *codes[] = {
        "MRARSS70A41F205Y", "BNCLRA92E59H501L", "VRDGPP13P10B157L",
        "FRRLCU99C71Z404D", "CLMCST80H52L219V", "MNZLSN71R22F839P",
        "ZZZZZZ00A01Z999O", "XXXAAA00A41A000E", "TRNGLI60D31L736K",
    };
    char out[17];

    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_int_equal(ref_check(codes[i]), codes[i][15]);
        assert_int_equal(parse_str(out, codes[i]), INVQR_FISCAL_OK);
        assert_string_equal(out, codes[i]);
    }
}

/* Many well-formed codes built from a fixed pseudo-random sequence: the
 * parser's check character and the reference must agree on every one. */
static void test_agrees_with_reference(void **state)
{
    static const char months[] = "ABCDEHLMPRST";
    uint32_t x = 12345;
    char base[16], code[17], out[17];

    (void)state;
    for (int n = 0; n < 20000; n++) {
        int day;

        for (int i = 0; i < 15; i++) {
            x = x * 1103515245u + 12345u;
            base[i] = (char)('A' + (x >> 16) % 26);
        }
        for (size_t k = 0; k < 7; k++) {
            x = x * 1103515245u + 12345u;
            base[DIGIT_POS[k]] = (char)('0' + (x >> 16) % 10);
        }
        x = x * 1103515245u + 12345u;
        base[8] = months[(x >> 16) % 12];
        x = x * 1103515245u + 12345u;
        day = 1 + (int)((x >> 16) % 31) + ((x >> 8) & 1 ? 40 : 0);
        base[9] = (char)('0' + day / 10);
        base[10] = (char)('0' + day % 10);
        base[15] = '\0';
        with_check(code, base);

        assert_int_equal(invqr_fiscal_check_char(code), code[15]);
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_OK);
        assert_string_equal(out, code);
        code[15] = (char)('A' + (code[15] - 'A' + 1 + n % 25) % 26);
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_CHECK);
    }
}

static void test_omocodia_each_position(void **state)
{
    /* reference: RSSMRA85T10A562 with one digit substituted */
    static const char *expected[] = {
        "RSSMRAU5T10A562P", "RSSMRA8RT10A562E", "RSSMRA85TM0A562D",
        "RSSMRA85T1LA562V", "RSSMRA85T10AR62N", "RSSMRA85T10A5S2E",
        "RSSMRA85T10A56NH",
    };
    char base[16] = "RSSMRA85T10A562", code[17], out[17];

    (void)state;
    for (size_t k = 0; k < 7; k++) {
        char b[16];

        memcpy(b, base, sizeof(b));
        b[DIGIT_POS[k]] = OMO[b[DIGIT_POS[k]] - '0'];
        with_check(code, b);
        assert_string_equal(code, expected[k]);
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_OK);
        assert_string_equal(out, code);
        /* The original check character no longer fits. */
        code[15] = 'S';
        if (ref_check(code) != 'S') {
            assert_int_equal(parse_str(out, code), INVQR_FISCAL_CHECK);
        }
    }
}

static void test_omocodia_every_combination(void **state)
{
    char code[17], out[17];

    (void)state;
    assert_int_equal(parse_str(out, "RSSMRAURTMLARSNL"), INVQR_FISCAL_OK);
    for (unsigned mask = 0; mask < 128; mask++) {
        char b[16] = "MRTMTT25D09F205";

        for (size_t k = 0; k < 7; k++) {
            if (mask & (1u << k)) {
                b[DIGIT_POS[k]] = OMO[b[DIGIT_POS[k]] - '0'];
            }
        }
        with_check(code, b);
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_OK);
        assert_string_equal(out, code);
    }
}

static int valid_day(int day)
{
    return (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
}

static void test_omocodia_only_ten_letters(void **state)
{
    char b[16], code[17], out[17];

    (void)state;
    for (char c = 'A'; c <= 'Z'; c++) {
        const char *omo = strchr(OMO, c);

        for (size_t k = 0; k < 7; k++) {
            int v, day = 10; /* the base code's day */

            memcpy(b, "RSSMRA85T10A562", 16);
            b[DIGIT_POS[k]] = c;
            with_check(code, b);
            if (omo == NULL) {
                assert_int_equal(parse_str(out, code), INVQR_FISCAL_FORMAT);
                continue;
            }
            v = (int)(omo - OMO);
            if (DIGIT_POS[k] == 9) {
                day = v * 10;
            }
            else if (DIGIT_POS[k] == 10) {
                day = 10 + v;
            }
            assert_int_equal(parse_str(out, code), valid_day(day)
                                                       ? INVQR_FISCAL_OK
                                                       : INVQR_FISCAL_DATE);
        }
    }
}

static void test_wrong_check_char(void **state)
{
    char code[17], out[17];

    (void)state;
    memcpy(code, "RSSMRA85T10A562S", 17);
    for (char c = 'A'; c <= 'Z'; c++) {
        code[15] = c;
        assert_int_equal(parse_str(out, code),
                         c == 'S' ? INVQR_FISCAL_OK : INVQR_FISCAL_CHECK);
    }
    code[15] = '7';
    assert_int_equal(parse_str(out, code), INVQR_FISCAL_FORMAT);
    /* A swapped pair of characters is caught by the check character. */
    assert_int_equal(parse_str(out, "SRSMRA85T10A562S"), INVQR_FISCAL_CHECK);
    assert_int_equal(parse_str(out, "RSSMRA58T10A562S"), INVQR_FISCAL_CHECK);
}

static void test_month_letters(void **state)
{
    static const char months[] = "ABCDEHLMPRST";
    char b[16], code[17], out[17];

    (void)state;
    for (char c = 'A'; c <= 'Z'; c++) {
        memcpy(b, "RSSMRA85T10A562", 16);
        b[8] = c;
        with_check(code, b);
        assert_int_equal(parse_str(out, code), strchr(months, c)
                                                   ? INVQR_FISCAL_OK
                                                   : INVQR_FISCAL_DATE);
    }
    /* A digit where the month letter belongs. */
    memcpy(b, "RSSMRA85T10A562", 16);
    b[8] = '5';
    with_check(code, b);
    assert_int_equal(parse_str(out, code), INVQR_FISCAL_FORMAT);
}

static void test_days(void **state)
{
    char b[16], code[17], out[17];

    (void)state;
    for (int day = 0; day <= 99; day++) {
        int ok = valid_day(day);

        memcpy(b, "RSSMRA85T10A562", 16);
        b[9] = (char)('0' + day / 10);
        b[10] = (char)('0' + day % 10);
        with_check(code, b);
        assert_int_equal(parse_str(out, code),
                         ok ? INVQR_FISCAL_OK : INVQR_FISCAL_DATE);
    }
}

static void test_women(void **state)
{
    char b[16], code[17], out[17];

    (void)state;
    /* reference: a woman born on the 1st of January */
    assert_int_equal(parse_str(out, "XXXAAA00A41A000E"), INVQR_FISCAL_OK);
    for (int day = 41; day <= 71; day++) {
        memcpy(b, "BNCLRA92E59H501", 16);
        b[9] = (char)('0' + day / 10);
        b[10] = (char)('0' + day % 10);
        with_check(code, b);
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_OK);
    }
    /* Day 72 with omocodia (T = 7, N = 2) is still day 72. */
    with_check(code, "BNCLRA92ETNH501");
    assert_int_equal(parse_str(out, code), INVQR_FISCAL_DATE);
    /* Day 52 with omocodia (R = 5, N = 2) is a valid day for a woman. */
    with_check(code, "BNCLRA92ERNH501");
    assert_int_equal(parse_str(out, code), INVQR_FISCAL_OK);
}

static void test_case_and_space(void **state)
{
    char out[17];

    (void)state;
    assert_int_equal(parse_str(out, "rssmra85t10a562s"), INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    assert_int_equal(parse_str(out, "RsSmRa85t10A562s"), INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    assert_int_equal(parse_str(out, "  RSSMRA85T10A562S  "), INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    assert_int_equal(parse_str(out, "\t\r\n rssmraurtmlarsnl \v\f\n"),
                     INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRAURTMLARSNL");
    /* Inner white space is not trimmed. */
    assert_int_equal(parse_str(out, "RSSMRA85 T10A562S"), INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_str(out, "RSSMRA8 T10A562S"), INVQR_FISCAL_CHARSET);
    /* A non-breaking space is not ASCII white space. */
    assert_int_equal(parse_str(out, "\xc2\xa0RSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
}

/* What a person types into a form: groups, pasted no-break spaces. */
static void test_typed(void **state)
{
    char out[17];
    const char *s;

    (void)state;
    s = "RSS MRA 85T10 A562S";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    s = " rss\tmra\xc2\xa0" "85t10a562s\n";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    /* what is not white space still counts */
    s = "RSS-MRA-85T10-A562S";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_LENGTH);
    assert_string_equal(out, "");
    s = "RSS MRA 85T10 A562T";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_CHECK);
    s = "RSS MRA 85T10 A562";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_LENGTH);
    s = "  \xc2\xa0 ";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_EMPTY);
    /* a lone 0xC2 is no space: a character outside A-Z 0-9 */
    s = "RSSMRA85T10A562\xc2";
    assert_int_equal(invqr_fiscal_parse_typed(out, s, strlen(s)), INVQR_FISCAL_CHARSET);
    assert_int_equal(invqr_fiscal_parse_typed(out, NULL, 0), INVQR_FISCAL_EMPTY);
    /* the bound is on the input as given, spaces included */
    {
        char big[INVQR_FISCAL_MAX_INPUT + 2];

        memset(big, ' ', sizeof(big));
        memcpy(big, "RSSMRA85T10A562S", 16);
        assert_int_equal(invqr_fiscal_parse_typed(out, big, INVQR_FISCAL_MAX_INPUT),
                         INVQR_FISCAL_OK);
        assert_int_equal(invqr_fiscal_parse_typed(out, big, INVQR_FISCAL_MAX_INPUT + 1),
                         INVQR_FISCAL_LENGTH);
    }
}

static void test_empty(void **state)
{
    char out[17];

    (void)state;
    memset(out, 'X', sizeof(out));
    assert_int_equal(invqr_fiscal_parse(out, NULL, 0), INVQR_FISCAL_EMPTY);
    assert_string_equal(out, "");
    assert_int_equal(invqr_fiscal_parse(out, NULL, 16), INVQR_FISCAL_EMPTY);
    assert_int_equal(parse_str(out, ""), INVQR_FISCAL_EMPTY);
    assert_int_equal(parse_str(out, "   \t\r\n"), INVQR_FISCAL_EMPTY);
    assert_int_equal(parse_id_str(out, ""), INVQR_FISCAL_EMPTY);
    assert_int_equal(parse_id_str(out, " TINIT- "), INVQR_FISCAL_EMPTY);
}

static void test_length(void **state)
{
    char out[17];

    (void)state;
    assert_int_equal(parse_str(out, "RSSMRA85T10A562"), INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_str(out, "RSSMRA85T10A562SS"), INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_str(out, "X"), INVQR_FISCAL_LENGTH);
    /* A temporary (numeric, 11-digit) code is not accepted. */
    assert_int_equal(parse_str(out, "12345678901"), INVQR_FISCAL_LENGTH);
}

static void test_charset(void **state)
{
    char out[17];

    (void)state;
    memset(out, 'X', sizeof(out));
    assert_int_equal(parse_str(out, "RSSMRA85T10A562-"), INVQR_FISCAL_CHARSET);
    assert_string_equal(out, "");
    assert_int_equal(parse_str(out, "RSSMRA85T10A56_S"), INVQR_FISCAL_CHARSET);
    assert_int_equal(parse_str(out, "RSSMRA85T10A562\xc3"),
                     INVQR_FISCAL_CHARSET);
    assert_int_equal(invqr_fiscal_parse(out, "RSSMRA85\0" "10A562S", 16),
                     INVQR_FISCAL_CHARSET);
}

static void test_format(void **state)
{
    char b[16], code[17], out[17];

    (void)state;
    /* A digit in each letter position. */
    for (int pos = 0; pos < 15; pos++) {
        int is_digit_pos = 0;

        for (size_t k = 0; k < 7; k++) {
            is_digit_pos |= DIGIT_POS[k] == pos;
        }
        if (is_digit_pos) {
            continue;
        }
        memcpy(b, "RSSMRA85T10A562", 16);
        b[pos] = '1';
        with_check(code, b);
        memset(out, 'X', sizeof(out));
        assert_int_equal(parse_str(out, code), INVQR_FISCAL_FORMAT);
        assert_string_equal(out, "");
    }
    /* O is not an omocodia letter for zero. */
    with_check(code, "RSSMRA85T1OA562");
    assert_int_equal(parse_str(out, code), INVQR_FISCAL_FORMAT);
    assert_int_equal(parse_str(out, "1234567890123456"), INVQR_FISCAL_FORMAT);
    assert_int_equal(parse_str(out, "ABCDEFGHIJKLMNOP"), INVQR_FISCAL_FORMAT);
}

static void test_overlong_input(void **state)
{
    char buf[INVQR_FISCAL_MAX_INPUT + 2];
    char out[17];
    size_t pad = (INVQR_FISCAL_MAX_INPUT - 16) / 2;

    (void)state;
    /* Exactly the maximum, code in the middle of spaces: accepted. */
    memset(buf, ' ', sizeof(buf));
    memcpy(buf + pad, "RSSMRA85T10A562S", 16);
    assert_int_equal(invqr_fiscal_parse(out, buf, INVQR_FISCAL_MAX_INPUT),
                     INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    /* One more byte of space: refused. */
    assert_int_equal(invqr_fiscal_parse(out, buf, INVQR_FISCAL_MAX_INPUT + 1),
                     INVQR_FISCAL_LENGTH);
    assert_int_equal(invqr_fiscal_parse_identity(out, buf,
                                                 INVQR_FISCAL_MAX_INPUT + 1),
                     INVQR_FISCAL_LENGTH);
    /* Refused without reading: the length claims far more than exists
     * (AddressSanitizer would report any read beyond the 17 bytes). */
    assert_int_equal(invqr_fiscal_parse(out, "RSSMRA85T10A562S", SIZE_MAX),
                     INVQR_FISCAL_LENGTH);
    assert_int_equal(invqr_fiscal_parse_identity(out, "x", (size_t)1 << 40),
                     INVQR_FISCAL_LENGTH);
}

static void test_identity(void **state)
{
    char out[17];

    (void)state;
    assert_int_equal(parse_id_str(out, "TINIT-RSSMRA85T10A562S"),
                     INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    assert_int_equal(parse_id_str(out, "tinit-rssmra85t10a562s"),
                     INVQR_FISCAL_OK);
    assert_string_equal(out, "RSSMRA85T10A562S");
    assert_int_equal(parse_id_str(out, " TiNiT-MRTMTT25D09F205Z\n"),
                     INVQR_FISCAL_OK);
    assert_string_equal(out, "MRTMTT25D09F205Z");
    assert_int_equal(parse_id_str(out, "RSSMRA85T10A562S"), INVQR_FISCAL_OK);
    assert_int_equal(parse_id_str(out, "TINIT-RSSMRA85T10A562X"),
                     INVQR_FISCAL_CHECK);
    memset(out, 'X', sizeof(out));
    assert_int_equal(parse_id_str(out, "TINIT-TINIT-RSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
    assert_string_equal(out, "");
    assert_int_equal(parse_id_str(out, "TINITRSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_id_str(out, "XINIT-RSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_id_str(out, "TINIT- RSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
    assert_int_equal(parse_id_str(out, "TINIT"), INVQR_FISCAL_LENGTH);
    /* Only the identity variant strips the prefix. */
    assert_int_equal(parse_str(out, "TINIT-RSSMRA85T10A562S"),
                     INVQR_FISCAL_LENGTH);
}

static void test_reasons(void **state)
{
    const char *seen[7];

    (void)state;
    for (int rc = INVQR_FISCAL_OK; rc <= INVQR_FISCAL_CHECK; rc++) {
        seen[rc] = invqr_fiscal_reason((invqr_fiscal_rc)rc);
        assert_non_null(seen[rc]);
        assert_true(strlen(seen[rc]) > 0);
        for (int j = 0; j < rc; j++) {
            assert_string_not_equal(seen[j], seen[rc]);
        }
    }
    assert_non_null(invqr_fiscal_reason((invqr_fiscal_rc)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_examples),
        cmocka_unit_test(test_reference_constants),
        cmocka_unit_test(test_agrees_with_reference),
        cmocka_unit_test(test_omocodia_each_position),
        cmocka_unit_test(test_omocodia_every_combination),
        cmocka_unit_test(test_omocodia_only_ten_letters),
        cmocka_unit_test(test_wrong_check_char),
        cmocka_unit_test(test_month_letters),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_women),
        cmocka_unit_test(test_case_and_space),
        cmocka_unit_test(test_typed),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_charset),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_overlong_input),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_reasons),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
