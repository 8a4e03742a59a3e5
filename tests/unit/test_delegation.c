/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the delegation rules that need no store: roles,
 * the birth date a fiscal code encodes, who is a minor, when a delegation
 * is in effect, and the check of one delegation row (invqr_delegation.c,
 * invqr_delegation_admin.c, invqr_fiscal_birth_date()). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "invqr_delegation.h"
#include "invqr_delegation_admin.h"
#include "invqr_fiscal.h"
#include "invqr_page.h"

static void test_roles_parse_in_any_case_and_nothing_else(void **state)
{
    static const char *const names[] = { "parent", "guardian", "curator", "support_administrator",
                                         "delegate" };
    int r;

    (void)state;
    for (r = 0; r < INVQR_ROLE__COUNT; r++) {
        assert_int_equal(invqr_role_parse(names[r], strlen(names[r])), r);
        assert_string_equal(invqr_role_name((invqr_role_t)r), names[r]);
    }
    assert_int_equal(invqr_role_parse(" Support_ADMINISTRATOR\t", 23), INVQR_ROLE_SUPPORT_ADMINISTRATOR);
    assert_int_equal(invqr_role_parse("parents", 7), -1);
    assert_int_equal(invqr_role_parse("paren", 5), -1);
    assert_int_equal(invqr_role_parse("tutore", 6), -1);
    assert_int_equal(invqr_role_parse("", 0), -1);
    assert_int_equal(invqr_role_parse(NULL, 0), -1);
    /* the length is the caller's: "parent" inside a longer buffer */
    assert_int_equal(invqr_role_parse("parentXYZ", 6), INVQR_ROLE_PARENT);
}

static void test_the_fiscal_code_tells_a_birth_date(void **state)
{
    char out[11];

    (void)state;
    /* Colombo Sofia, born 30 May 2015 (a woman: day + 40) */
    assert_int_equal(invqr_fiscal_birth_date(out, "CLMSFO15E70F704C", "2026-12-07"), 0);
    assert_string_equal(out, "2015-05-30");
    /* Rossi Mario, 14 March 1975 */
    assert_int_equal(invqr_fiscal_birth_date(out, "RSSMRA75C14H501L", "2026-12-07"), 0);
    assert_string_equal(out, "1975-03-14");
    /* the latest century not in the future: 26 is 2026 today, 27 is 1927 */
    assert_int_equal(invqr_fiscal_birth_date(out, "RSSMRA26A01H501X", "2026-12-07"), 0);
    assert_string_equal(out, "2026-01-01");
    assert_int_equal(invqr_fiscal_birth_date(out, "RSSMRA27A01H501X", "2026-12-07"), 0);
    assert_string_equal(out, "1927-01-01");
    /* omocodia: year 1R = 15, day SL = 60 (a woman born on the 20th) */
    assert_int_equal(invqr_fiscal_birth_date(out, "CLMSFOMRESLF704C", "2026-12-07"), 0);
    assert_string_equal(out, "2015-05-20");
    /* no such month letter */
    assert_int_equal(invqr_fiscal_birth_date(out, "RSSMRA75F14H501L", "2026-12-07"), -1);
    assert_string_equal(out, "");
}

static void test_a_minor_until_the_18th_birthday(void **state)
{
    (void)state;
    assert_true(invqr_delegation_minor("2008-12-08", "2026-12-07"));
    assert_false(invqr_delegation_minor("2008-12-07", "2026-12-07"));   /* the birthday */
    assert_false(invqr_delegation_minor("1960-05-20", "2026-12-07"));
    assert_true(invqr_delegation_minor("2026-01-01", "2026-12-07"));
    /* born on 29 February: of age from 1 March in a common year */
    assert_true(invqr_delegation_minor("2008-02-29", "2026-02-28"));
    assert_false(invqr_delegation_minor("2008-02-29", "2026-03-01"));
    /* unknown: not a minor */
    assert_false(invqr_delegation_minor("", "2026-12-07"));
}

static void test_the_record_wins_over_the_fiscal_code(void **state)
{
    char out[11];

    (void)state;
    invqr_delegation_birth(out, "1915-05-30", "CLMSFO15E70F704C", "2026-12-07");
    assert_string_equal(out, "1915-05-30");
    invqr_delegation_birth(out, "", "CLMSFO15E70F704C", "2026-12-07");
    assert_string_equal(out, "2015-05-30");
    invqr_delegation_birth(out, NULL, "NOTACODE", "2026-12-07");
    assert_string_equal(out, "");
}

static void test_in_effect_between_its_days_and_a_parent_while_a_minor(void **state)
{
    const char *today = "2026-12-07", *adult = "1980-01-01", *child = "2015-01-01";

    (void)state;
    assert_true(invqr_delegation_effective(INVQR_ROLE_DELEGATE, "2026-12-07", "", adult, today));
    assert_true(invqr_delegation_effective(INVQR_ROLE_DELEGATE, "2020-01-01", "2026-12-07", adult, today));
    assert_false(invqr_delegation_effective(INVQR_ROLE_DELEGATE, "2026-12-08", "", adult, today));
    assert_false(invqr_delegation_effective(INVQR_ROLE_DELEGATE, "2020-01-01", "2026-12-06", adult, today));
    assert_true(invqr_delegation_effective(INVQR_ROLE_PARENT, "2020-01-01", "", child, today));
    assert_false(invqr_delegation_effective(INVQR_ROLE_PARENT, "2020-01-01", "", adult, today));
    assert_false(invqr_delegation_effective(INVQR_ROLE_PARENT, "2020-01-01", "", "", today));
    /* a guardian's does not end at 18 (interdiction) */
    assert_true(invqr_delegation_effective(INVQR_ROLE_GUARDIAN, "2020-01-01", "", adult, today));
}

static const char *check(invqr_delegation_row_t *d, invqr_dcol_t *col, const char *h,
                         const char *dl, const char *role, const char *from, const char *until)
{
    const char *f[INVQR_DCOL__COUNT] = { h, dl, role, from, until };
    size_t n[INVQR_DCOL__COUNT];
    int i;

    for (i = 0; i < INVQR_DCOL__COUNT; i++)
        n[i] = strlen(f[i]);
    return invqr_delegation_row_check(d, col, f, n);
}

static void test_a_row_is_checked_column_by_column(void **state)
{
    invqr_delegation_row_t d;
    invqr_dcol_t col;

    (void)state;
    assert_null(check(&d, &col, " clmsfo15e70f704c", "CLMMRC80A01F205V", "Parent", "2024-01-01", ""));
    assert_string_equal(d.holder, "CLMSFO15E70F704C");
    assert_int_equal(d.role, INVQR_ROLE_PARENT);
    assert_string_equal(d.from, "2024-01-01");
    assert_string_equal(d.until, "");
    assert_null(check(&d, &col, "CLMSFO15E70F704C", "CLMMRC80A01F205V", "guardian", "", " 2030-02-28 "));
    assert_string_equal(d.from, "");
    assert_string_equal(d.until, "2030-02-28");

    assert_non_null(check(&d, &col, "CLMSFO15E70F704D", "CLMMRC80A01F205V", "parent", "", ""));
    assert_int_equal(col, INVQR_DCOL_HOLDER);
    assert_non_null(check(&d, &col, "CLMSFO15E70F704C", "", "parent", "", ""));
    assert_int_equal(col, INVQR_DCOL_DELEGATE);
    assert_string_equal(check(&d, &col, "CLMSFO15E70F704C", "clmsfo15e70f704c", "parent", "", ""),
                        "the delegate is the holder");
    assert_int_equal(col, INVQR_DCOL_DELEGATE);
    assert_non_null(check(&d, &col, "CLMSFO15E70F704C", "CLMMRC80A01F205V", "tutore", "", ""));
    assert_int_equal(col, INVQR_DCOL_ROLE);
    assert_non_null(check(&d, &col, "CLMSFO15E70F704C", "CLMMRC80A01F205V", "parent", "2026-02-29", ""));
    assert_int_equal(col, INVQR_DCOL_FROM);
    assert_non_null(check(&d, &col, "CLMSFO15E70F704C", "CLMMRC80A01F205V", "parent", "", "31/12/2030"));
    assert_int_equal(col, INVQR_DCOL_UNTIL);
    assert_string_equal(check(&d, &col, "CLMSFO15E70F704C", "CLMMRC80A01F205V", "parent", "2030-01-02",
                              "2030-01-01"), "valid_until is before valid_from");
    assert_int_equal(col, INVQR_DCOL_UNTIL);
    assert_string_equal(invqr_dcol_name(INVQR_DCOL_FROM), "valid_from");
}

static void test_every_page_names_the_holder_acted_for(void **state)
{
    invqr_page_ctx_t ctx;
    apr_pool_t *p;
    const char *html = NULL;

    (void)state;
    apr_initialize();
    apr_pool_create(&p, NULL);
    memset(&ctx, 0, sizeof(ctx));
    ctx.who = "CLMMRC80A01F205V";
    assert_int_equal(invqr_page_render(&html, NULL, invqr_page_new(&ctx, "x", p), p), APR_SUCCESS);
    assert_null(strstr(html, "acting_for"));
    ctx.acting_for = "CLMSFO15E70F704C";
    ctx.acting_name = "Sofia <Colombo>";
    ctx.acting_role = "parent";
    ctx.lang = INVQR_LANG_EN;
    assert_int_equal(invqr_page_render(&html, NULL, invqr_page_new(&ctx, "x", p), p), APR_SUCCESS);
    assert_non_null(strstr(html, "<p data-field=\"acting_for\" data-value=\"CLMSFO15E70F704C\">"
                                 "You are acting on behalf of: <strong>Sofia &lt;Colombo&gt;</strong>"
                                 " (CLMSFO15E70F704C), as parent</p>"));
    /* an error page too */
    assert_int_equal(invqr_page_render(&html, NULL, invqr_page_error(&ctx, 404, NULL, p), p),
                     APR_SUCCESS);
    assert_non_null(strstr(html, "data-value=\"CLMSFO15E70F704C\""));
    apr_pool_destroy(p);
    apr_terminate();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_parse_in_any_case_and_nothing_else),
        cmocka_unit_test(test_the_fiscal_code_tells_a_birth_date),
        cmocka_unit_test(test_a_minor_until_the_18th_birthday),
        cmocka_unit_test(test_the_record_wins_over_the_fiscal_code),
        cmocka_unit_test(test_in_effect_between_its_days_and_a_parent_while_a_minor),
        cmocka_unit_test(test_a_row_is_checked_column_by_column),
        cmocka_unit_test(test_every_page_names_the_holder_acted_for),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
