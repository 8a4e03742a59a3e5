/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the log sink, and how a failure that repeats once per request
 * is written once per interval with a count (invqr_log_repeat). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "invqr_log.h"

static char lines[16][1200];
static int n_lines;

static void sink(void *baton, const char *file, int line, invqr_log_level level,
                 const char *msg)
{
    (void)baton;
    (void)file;
    (void)line;
    (void)level;
    if (n_lines < 16)
        snprintf(lines[n_lines], sizeof(lines[0]), "%s", msg);
    n_lines++;
}

static int setup(void **state)
{
    (void)state;
    n_lines = 0;
    invqr_log_set(sink, NULL, INVQR_LOG_INFO);
    invqr_log_repeat_interval(INVQR_LOG_REPEAT_SECONDS);
    return 0;
}

static void test_once_per_interval_with_the_count(void **state)
{
    unsigned long left = 99;
    int i;

    (void)state;
    assert_int_equal(invqr_log_repeat_due("INVQR0003: down", &left, 1000), 1);
    assert_int_equal(left, 0);
    for (i = 0; i < 500; i++)
        assert_int_equal(invqr_log_repeat_due("INVQR0003: down", &left, 1000 + i % 10), 0);
    /* another tag has an interval of its own */
    assert_int_equal(invqr_log_repeat_due("INVQR0111: no connection", &left, 1005), 1);
    /* the interval is over: written, with what was left out */
    assert_int_equal(invqr_log_repeat_due("INVQR0003: down", &left, 1010), 1);
    assert_int_equal(left, 500);
    assert_int_equal(invqr_log_repeat_due("INVQR0003: down", &left, 1021), 1);
    assert_int_equal(left, 0);
}

static void test_untagged_lines_are_always_due(void **state)
{
    unsigned long left = 7;

    (void)state;
    assert_int_equal(invqr_log_repeat_due("no tag here", &left, 1), 1);
    assert_int_equal(invqr_log_repeat_due("no tag here", &left, 1), 1);
    assert_int_equal(invqr_log_repeat_due("INVQR12: short tag", &left, 1), 1);
    assert_int_equal(left, 0);
}

static void test_a_clock_going_back_does_not_silence_a_tag(void **state)
{
    unsigned long left = 0;

    (void)state;
    assert_int_equal(invqr_log_repeat_due("INVQR0007: failed", &left, 5000), 1);
    assert_int_equal(invqr_log_repeat_due("INVQR0007: failed", &left, 4000), 1);
}

static void test_many_tags_share_the_slots(void **state)
{
    char msg[32];
    unsigned long left = 0;
    int i;

    (void)state;
    /* more tags than slots: the oldest is forgotten, never the newest */
    for (i = 0; i < 100; i++) {
        snprintf(msg, sizeof(msg), "INVQR%04d: x", 1000 + i);
        assert_int_equal(invqr_log_repeat_due(msg, &left, 100 + i), 1);
        assert_int_equal(invqr_log_repeat_due(msg, &left, 100 + i), 0);
    }
}

static void test_invqr_log_repeat_writes_the_count(void **state)
{
    int i;

    (void)state;
    invqr_log_repeat_interval(3600);   /* nothing in this test lasts an hour */
    for (i = 0; i < 50; i++)
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0008: %s: status store connection lost", "X");
    assert_int_equal(n_lines, 1);
    assert_string_equal(lines[0], "INVQR0008: X: status store connection lost");
    invqr_log_repeat_interval(0);      /* every interval over at once */
    invqr_log_repeat(INVQR_LOG_ERR, "INVQR0008: once");
    invqr_log_repeat(INVQR_LOG_ERR, "INVQR0008: twice");
    assert_int_equal(n_lines, 3);
    /* and invqr_log itself never holds anything back */
    for (i = 0; i < 3; i++)
        invqr_log(INVQR_LOG_ERR, "INVQR0309: worker killed");
    assert_int_equal(n_lines, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_once_per_interval_with_the_count, setup),
        cmocka_unit_test_setup(test_untagged_lines_are_always_due, setup),
        cmocka_unit_test_setup(test_a_clock_going_back_does_not_silence_a_tag, setup),
        cmocka_unit_test_setup(test_many_tags_share_the_slots, setup),
        cmocka_unit_test_setup(test_invqr_log_repeat_writes_the_count, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
