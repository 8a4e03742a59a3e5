/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of attestation codes (core/invqr_code.c).
 *
 * Generation is checked for shape, uniqueness and a rough spread over the
 * alphabet; parsing for every way people mistype a printed code; grouping
 * for the printed form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "invqr_code.h"

static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int parse_str(char out[INVQR_CODE_LEN + 1], const char *s)
{
    return invqr_code_parse(out, s, strlen(s));
}

static void assert_canonical(const char *code)
{
    assert_int_equal(strlen(code), INVQR_CODE_LEN);
    for (size_t i = 0; i < INVQR_CODE_LEN; i++) {
        assert_non_null(strchr(CROCKFORD, code[i]));
    }
}

static int cmp_codes(const void *a, const void *b)
{
    return memcmp(a, b, INVQR_CODE_LEN + 1);
}

static void test_generate_shape(void **state)
{
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    assert_int_equal(invqr_code_generate(out), 0);
    assert_canonical(out);
}

static void test_round_trip(void **state)
{
    char code[INVQR_CODE_LEN + 1], grouped[INVQR_CODE_GROUPED_LEN + 1];
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    for (int n = 0; n < 100; n++) {
        assert_int_equal(invqr_code_generate(code), 0);
        assert_int_equal(parse_str(out, code), 0);
        assert_string_equal(out, code);

        invqr_code_group(grouped, code);
        assert_int_equal(strlen(grouped), INVQR_CODE_GROUPED_LEN);
        assert_int_equal(parse_str(out, grouped), 0);
        assert_string_equal(out, code);

        for (size_t i = 0; grouped[i]; i++) {
            if (grouped[i] >= 'A' && grouped[i] <= 'Z') {
                grouped[i] = (char)(grouped[i] - 'A' + 'a');
            }
        }
        assert_int_equal(parse_str(out, grouped), 0);
        assert_string_equal(out, code);
    }
}

static void test_thousand_distinct(void **state)
{
    enum { N = 1000 };
    char (*codes)[INVQR_CODE_LEN + 1] = calloc(N, sizeof(*codes));
    unsigned seen[INVQR_CODE_LEN][32];
    unsigned first_bits = 0, last_bits = 0;

    (void)state;
    assert_non_null(codes);
    memset(seen, 0, sizeof(seen));
    for (int n = 0; n < N; n++) {
        assert_int_equal(invqr_code_generate(codes[n]), 0);
        assert_canonical(codes[n]);
        for (size_t i = 0; i < INVQR_CODE_LEN; i++) {
            seen[i][strchr(CROCKFORD, codes[n][i]) - CROCKFORD]++;
        }
    }
    qsort(codes, N, sizeof(*codes), cmp_codes);
    for (int n = 1; n < N; n++) {
        assert_true(memcmp(codes[n - 1], codes[n], INVQR_CODE_LEN) != 0);
    }
    /* Every position takes all 32 symbols: 1000 draws leave a symbol out
     * with probability about 32 * (31/32)^1000, i.e. never. This catches
     * stuck or truncated bits, at the first and last position as well. */
    for (size_t i = 0; i < INVQR_CODE_LEN; i++) {
        for (size_t v = 0; v < 32; v++) {
            assert_true(seen[i][v] > 0);
        }
    }
    for (size_t v = 0; v < 32; v++) {
        first_bits += seen[0][v] > 10;
        last_bits += seen[INVQR_CODE_LEN - 1][v] > 10;
    }
    assert_int_equal(first_bits, 32);
    assert_int_equal(last_bits, 32);
    free(codes);
}

static void test_messy_typing(void **state)
{
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    assert_int_equal(parse_str(out, "abcde-fghjk mnpqr-stvwx"), 0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
    assert_int_equal(parse_str(out, "ABCDEFGHJKMNPQRSTVWX"), 0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
    assert_int_equal(parse_str(out, "  AbCdE\tfGhJk\r\nMnPqR  sTvWx\n"), 0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
    assert_int_equal(parse_str(out, "--0123-4567-89YZ--yz98-abcd-"), 0);
    assert_string_equal(out, "0123456789YZYZ98ABCD");
    assert_int_equal(parse_str(out, "a b c d e f g h j k m n p q r s t v w x"),
                     0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
}

static void test_confusable_letters(void **state)
{
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    assert_int_equal(parse_str(out, "OOOOO-IIIII-LLLLL-oilOI"), 0);
    assert_string_equal(out, "00000111111111101101");
    assert_int_equal(parse_str(out, "o0o0o-i1l1I-L1l1i-ZZZZZ"), 0);
    assert_string_equal(out, "000001111111111ZZZZZ");
}

static void test_u_refused(void **state)
{
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    memset(out, 'X', sizeof(out));
    assert_int_equal(parse_str(out, "ABCDE-FGHJK-MNPQR-STUWX"), -1);
    assert_string_equal(out, "");
    assert_int_equal(parse_str(out, "abcde-fghjk-mnpqr-stuwx"), -1);
    assert_int_equal(parse_str(out, "UUUUUUUUUUUUUUUUUUUU"), -1);
}

static void test_wrong_length(void **state)
{
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    assert_int_equal(parse_str(out, "ABCDEFGHJKMNPQRSTVW"), -1);       /* 19 */
    assert_int_equal(parse_str(out, "ABCDEFGHJKMNPQRSTVWXY"), -1);     /* 21 */
    assert_int_equal(parse_str(out, "ABCDE-FGHJK-MNPQR-STVW"), -1);
    assert_int_equal(parse_str(out, "ABCDE-FGHJK-MNPQR-STVWX-Y"), -1);
    assert_int_equal(parse_str(out, ""), -1);
    assert_int_equal(parse_str(out, "-----"), -1);
    assert_int_equal(parse_str(out, "   "), -1);
    assert_int_equal(invqr_code_parse(out, NULL, 0), -1);
    assert_int_equal(invqr_code_parse(out, NULL, 20), -1);
    /* The length, not the NUL, bounds the input. */
    assert_int_equal(invqr_code_parse(out, "ABCDEFGHJKMNPQRSTVWXYZ", 20), 0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
}

static void test_bad_characters(void **state)
{
    static const char *bad[] = {
        "ABCDE_FGHJK_MNPQR_STVW", "ABCDE.FGHJK.MNPQR.STVW",
        "ABCDEFGHJKMNPQRSTVW*", "ABCDEFGHJKMNPQRSTVW\xc3\x89",
        "ABCDEFGHJKMNPQRSTVW=",
        "ABCDE\342\200\223FGHJKMNPQRSTVWX", /* en dash */
        "/v/ABCDEFGHJKMNPQRSTVWX",
    };
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(out, 'X', sizeof(out));
        assert_int_equal(parse_str(out, bad[i]), -1);
        assert_string_equal(out, "");
    }
    assert_int_equal(invqr_code_parse(out, "ABCDEFGHJK\0MNPQRSTVWX", 21), -1);
}

static void test_max_input(void **state)
{
    char buf[INVQR_CODE_MAX_INPUT + 1];
    char out[INVQR_CODE_LEN + 1];

    (void)state;
    memset(buf, ' ', sizeof(buf));
    memcpy(buf + 50, "ABCDEFGHJKMNPQRSTVWX", 20);
    assert_int_equal(invqr_code_parse(out, buf, INVQR_CODE_MAX_INPUT), 0);
    assert_string_equal(out, "ABCDEFGHJKMNPQRSTVWX");
    assert_int_equal(invqr_code_parse(out, buf, INVQR_CODE_MAX_INPUT + 1), -1);
    assert_string_equal(out, "");
    /* Refused before reading: the 21 bytes that exist are never touched
     * beyond (AddressSanitizer would say so). */
    assert_int_equal(invqr_code_parse(out, "ABCDEFGHJKMNPQRSTVWX", SIZE_MAX),
                     -1);
}

static void test_group(void **state)
{
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    const char shorter[INVQR_CODE_LEN + 1] = "ABCDEFG";
    const char empty[INVQR_CODE_LEN + 1] = "";

    (void)state;
    memset(grouped, 'X', sizeof(grouped));
    invqr_code_group(grouped, "ABCDEFGHJKMNPQRSTVWX");
    assert_string_equal(grouped, "ABCDE-FGHJK-MNPQR-STVWX");
    invqr_code_group(grouped, "00000000000000000000");
    assert_string_equal(grouped, "00000-00000-00000-00000");
    /* A short string is grouped as far as it goes, never read past. */
    invqr_code_group(grouped, shorter);
    assert_string_equal(grouped, "ABCDE-FG");
    invqr_code_group(grouped, empty);
    assert_string_equal(grouped, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_shape),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_thousand_distinct),
        cmocka_unit_test(test_messy_typing),
        cmocka_unit_test(test_confusable_letters),
        cmocka_unit_test(test_u_refused),
        cmocka_unit_test(test_wrong_length),
        cmocka_unit_test(test_bad_characters),
        cmocka_unit_test(test_max_input),
        cmocka_unit_test(test_group),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
