/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the second level's pure parts: the one-time codes (shape,
 * spread, no repetition pattern) and the masking of mobile numbers. The
 * rules that need the store are tested through HTTP and SOAP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "invqr_level2.h"

static void test_otp_is_six_digits(void **state)
{
    char otp[INVQR_OTP_DIGITS + 1];
    int i, j;

    for (i = 0; i < 2000; i++) {
        assert_int_equal(invqr_level2_new_otp(otp), 0);
        assert_int_equal(strlen(otp), 6);
        for (j = 0; j < 6; j++)
            assert_true(otp[j] >= '0' && otp[j] <= '9');
    }
}

static void test_otp_digits_are_spread_evenly(void **state)
{
    /* 20,000 codes, 120,000 digits: each digit near 12,000; a chi-square
     * over 9 degrees of freedom stays far below 40 unless something is
     * badly wrong (p < 0.00001). Leading zeros must occur too. */
    static unsigned counts[6][10];
    char otp[INVQR_OTP_DIGITS + 1];
    double chi = 0;
    int i, pos, d, leading_zero = 0;

    memset(counts, 0, sizeof(counts));
    for (i = 0; i < 20000; i++) {
        assert_int_equal(invqr_level2_new_otp(otp), 0);
        leading_zero += otp[0] == '0';
        for (pos = 0; pos < 6; pos++)
            counts[pos][otp[pos] - '0']++;
    }
    for (d = 0; d < 10; d++) {
        unsigned total = 0;
        for (pos = 0; pos < 6; pos++)
            total += counts[pos][d];
        chi += (total - 12000.0) * (total - 12000.0) / 12000.0;
    }
    assert_true(chi < 40.0);
    assert_true(leading_zero > 1500 && leading_zero < 2500);
}

static void test_consecutive_otps_differ(void **state)
{
    char a[INVQR_OTP_DIGITS + 1], b[INVQR_OTP_DIGITS + 1];
    int i, same = 0;

    for (i = 0; i < 1000; i++) {
        invqr_level2_new_otp(a);
        invqr_level2_new_otp(b);
        same += strcmp(a, b) == 0;
    }
    assert_true(same <= 2);   /* 1 in 10^6 each */
}

static void test_mobile_masking(void **state)
{
    char out[32];

    invqr_level2_mask_mobile(out, "+393331234567");
    assert_string_equal(out, "+39 ******* 567");
    assert_null(strstr(out, "1234"));
    invqr_level2_mask_mobile(out, "+4915112345678");
    assert_string_equal(out, "+49 ******** 678");
    invqr_level2_mask_mobile(out, "+39");
    assert_string_equal(out, "***");
    invqr_level2_mask_mobile(out, "+3912345678901234567");
    assert_string_equal(out, "***");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_otp_is_six_digits),
        cmocka_unit_test(test_otp_digits_are_spread_evenly),
        cmocka_unit_test(test_consecutive_otps_differ),
        cmocka_unit_test(test_mobile_masking),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
