/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the attestation's download name and of the copy's
 * URL segment that carries it to the module (corelib/pdf/invqr_pdf_copy.h).
 *
 * The worker names the PDF from the code's issue date and first group; the
 * module parses the same parts back out of /citizen/qr/<segment> and names
 * the copy with the same function, so both agree. Whatever the segment
 * holds ends up in a Content-Disposition header: only exact shapes pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_pdf_copy.h"

#define TAG "0123456789abcdef0123456789abcdef"
#define CODE "SX1VS6CX2EWZH54BDJQV"

static apr_pool_t *pool;

static int group_setup(void **state)
{
    (void)state;
    if (apr_initialize() != APR_SUCCESS)
        return -1;
    return apr_pool_create(&pool, NULL) == APR_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}

static void test_file_name(void **state)
{
    (void)state;
    assert_string_equal(invqr_pdf_file_name("2026-12-06", CODE, pool),
                        "attestazione-invalidita-2026-12-06-SX1VS.pdf");
    assert_null(invqr_pdf_file_name("2026-12-6", CODE, pool));
    assert_null(invqr_pdf_file_name("2026/12/06", CODE, pool));
    assert_null(invqr_pdf_file_name("2026-12-06", "SX1V", pool));
    assert_null(invqr_pdf_file_name("2026-12-06", "sx1vs6cx2e", pool));
    assert_null(invqr_pdf_file_name("2026-12-06", "SX\"VS", pool));
    assert_null(invqr_pdf_file_name(NULL, CODE, pool));
    assert_null(invqr_pdf_file_name("2026-12-06", NULL, pool));
}

static void test_segment_round_trip(void **state)
{
    char tag[INVQR_PDF_TAG_LEN + 1], issued[11], group[6];
    const char *seg = invqr_pdf_copy_segment(TAG, "2026-12-06", CODE, pool);

    (void)state;
    assert_string_equal(seg, TAG "-2026-12-06-SX1VS.pdf");
    assert_true(invqr_pdf_copy_segment_split(seg, tag, issued, group));
    assert_string_equal(tag, TAG);
    /* the module's name is the worker's */
    assert_string_equal(invqr_pdf_file_name(issued, group, pool),
                        invqr_pdf_file_name("2026-12-06", CODE, pool));
    assert_null(invqr_pdf_copy_segment(TAG, "06-12-2026", CODE, pool));
}

static void test_segment_refused(void **state)
{
    static const char *const bad[] = {
        "",
        TAG ".pdf",                              /* the old shape */
        TAG "-2026-12-06-SX1VS.PDF",
        TAG "-2026-12-06-SX1VS.pdf.pdf",
        TAG "-2026-12-06-SX1V.pdf",
        TAG "-2026-12-06-SX1VSX.pdf",
        TAG "-2026-12-06-sx1vs.pdf",
        TAG "-2026-12-06-SX\"VS.pdf",
        TAG "-2026-1206--SX1VS.pdf",
        TAG "_2026-12-06-SX1VS.pdf",
        TAG "-2026-12-06_SX1VS.pdf",
        "0123456789ABCDEF0123456789abcdef-2026-12-06-SX1VS.pdf",
        "0123456789abcdef0123456789abcde-2026-12-06-SX1VS.pdf",
        "0123456789abcdef0123456789abcdeg-2026-12-06-SX1VS.pdf",
        TAG "-2026-12-06-SX1VS.pdf\n",
    };
    char tag[INVQR_PDF_TAG_LEN + 1], issued[11], group[6];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (invqr_pdf_copy_segment_split(bad[i], tag, issued, group))
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_false(invqr_pdf_copy_segment_split(NULL, tag, issued, group));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_name),
        cmocka_unit_test(test_segment_round_trip),
        cmocka_unit_test(test_segment_refused),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
