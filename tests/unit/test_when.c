/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: instants to the local calendar, and a code's lifetime in local
 * days (invqr_when.h), in Europe/Rome across midnight, DST and leap days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "invqr_when.h"

/* Unix seconds of local Europe/Rome times (computed with Python's zoneinfo) */
#define ROME_2026_11_26_2330 1795732200LL   /* CET, 22:30Z */
#define ROME_2026_11_27_0030 1795735800LL
#define ROME_2026_07_01_2359 1782943140LL   /* CEST */
#define ROME_2026_07_02_0030 1782945000LL   /* 22:30Z the day before */
#define ROME_2026_01_30_1000 1769763600LL
#define ROME_2026_03_01_2359 1772405940LL
#define ROME_2026_03_02_0000 1772406000LL
#define ROME_2028_02_28_1200 1835348400LL
#define ROME_2026_03_28_1200 1774695600LL
#define ROME_2026_03_29_2330 1774819800LL   /* the day clocks go forward */
#define ROME_2026_03_30_0030 1774823400LL

static int rome(void **state)
{
    (void)state;
    setenv("TZ", "Europe/Rome", 1);
    tzset();
    return 0;
}

static void test_days_and_minutes_are_local(void **state)
{
    char day[11], minute[17], hhmm[6];

    (void)state;
    invqr_when_day(day, ROME_2026_11_26_2330);
    assert_string_equal(day, "2026-11-26");
    invqr_when_day(day, ROME_2026_11_27_0030);
    assert_string_equal(day, "2026-11-27");     /* still the 26th in UTC */
    invqr_when_minute(minute, ROME_2026_07_02_0030);
    assert_string_equal(minute, "2026-07-02 00:30");
    invqr_when_hhmm(hhmm, ROME_2026_07_01_2359);
    assert_string_equal(hhmm, "23:59");
}

static void test_lifetime_runs_through_the_last_local_day(void **state)
{
    char last[11];
    int expired = -7, left = -7;

    (void)state;
    /* 30 days from 30 January 2026: 1 March */
    invqr_when_lifetime(last, &expired, &left, ROME_2026_01_30_1000, 30, ROME_2026_01_30_1000);
    assert_string_equal(last, "2026-03-01");
    assert_int_equal(expired, 0);
    assert_int_equal(left, 30);
    invqr_when_lifetime(last, &expired, &left, ROME_2026_01_30_1000, 30, ROME_2026_03_01_2359);
    assert_int_equal(expired, 0);
    assert_int_equal(left, 0);
    invqr_when_lifetime(last, &expired, &left, ROME_2026_01_30_1000, 30, ROME_2026_03_02_0000);
    assert_int_equal(expired, 1);
    assert_int_equal(left, -1);
    /* the verdict alone agrees */
    assert_int_equal(invqr_when_expired(ROME_2026_01_30_1000, 30, ROME_2026_03_01_2359), 0);
    assert_int_equal(invqr_when_expired(ROME_2026_01_30_1000, 30, ROME_2026_03_02_0000), 1);
    assert_int_equal(invqr_when_expired(ROME_2026_01_30_1000, 0, ROME_2026_03_02_0000), 0);
}

static void test_lifetime_across_leap_day_and_dst(void **state)
{
    char last[11];
    int expired, left;

    (void)state;
    invqr_when_lifetime(last, &expired, &left, ROME_2028_02_28_1200, 1, ROME_2028_02_28_1200);
    assert_string_equal(last, "2028-02-29");
    invqr_when_lifetime(last, &expired, &left, ROME_2026_03_28_1200, 1, ROME_2026_03_29_2330);
    assert_string_equal(last, "2026-03-29");
    assert_int_equal(expired, 0);
    invqr_when_lifetime(last, &expired, &left, ROME_2026_03_28_1200, 1, ROME_2026_03_30_0030);
    assert_int_equal(expired, 1);
}

static void test_no_lifetime(void **state)
{
    char last[11] = "x";
    int expired = 1, left = 0;

    (void)state;
    invqr_when_lifetime(last, &expired, &left, 0, 0, ROME_2026_03_30_0030);
    assert_string_equal(last, "");
    assert_int_equal(expired, 0);
    assert_int_equal(left, -1);
}

static void test_unshowable_time(void **state)
{
    char day[11];

    (void)state;
    invqr_when_day(day, 400000000000LL);      /* the year 14645 */
    assert_string_equal(day, "----------");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_and_minutes_are_local),
        cmocka_unit_test(test_lifetime_runs_through_the_last_local_day),
        cmocka_unit_test(test_lifetime_across_leap_day_and_dst),
        cmocka_unit_test(test_no_lifetime),
        cmocka_unit_test(test_unshowable_time),
    };
    return cmocka_run_group_tests(tests, rome, NULL);
}
