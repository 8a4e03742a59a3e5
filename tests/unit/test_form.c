/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the form parser (core/invqr_form.c).
 *
 * Decoding, empty and valueless pairs, duplicate and empty names, malformed
 * escapes, invalid UTF-8 and control characters after decoding, and every
 * limit at its edge. Each test gets a fresh pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "invqr_form.h"

/* ---- fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    return apr_initialize() == APR_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    apr_terminate();
    return 0;
}

static int setup(void **state)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* A non-NULL pointer, never dereferenced, to see *pout reset on failure. */
static const char not_a_table;
#define SENTINEL ((apr_table_t *)(uintptr_t)&not_a_table)

/* Parse a copy of body[0..len) held in an exactly-sized buffer. */
static apr_status_t parse_mem(apr_table_t **pt, const char *body, size_t len,
                              apr_pool_t *p)
{
    char *copy = malloc(len ? len : 1);
    apr_status_t rv;

    assert_non_null(copy);
    memcpy(copy, body, len);
    *pt = SENTINEL;
    rv = invqr_form_parse(pt, copy, len, p);
    free(copy);
    if (rv != APR_SUCCESS) {
        assert_null(*pt);
    }
    else {
        assert_non_null(*pt);
    }
    return rv;
}

static apr_status_t parse(apr_table_t **pt, const char *body, apr_pool_t *p)
{
    return parse_mem(pt, body, strlen(body), p);
}

static int nfields(const apr_table_t *t)
{
    return apr_table_elts(t)->nelts;
}

static char *repeat(apr_pool_t *p, const char *unit, size_t times)
{
    size_t ulen = strlen(unit);
    char *s = apr_palloc(p, ulen * times + 1);

    for (size_t i = 0; i < times; i++) {
        memcpy(s + i * ulen, unit, ulen);
    }
    s[ulen * times] = '\0';
    return s;
}

/* ---- tests --------------------------------------------------------------- */

static void test_empty(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;

    assert_int_equal(parse(&t, "", p), APR_SUCCESS);
    assert_int_equal(nfields(t), 0);
    t = SENTINEL;
    assert_int_equal(invqr_form_parse(&t, NULL, 0, p), APR_SUCCESS);
    assert_int_equal(nfields(t), 0);
    t = SENTINEL;
    assert_int_equal(invqr_form_parse(&t, NULL, 5, p), APR_EINVAL);
    assert_null(t);
    assert_int_equal(parse(&t, "&", p), APR_SUCCESS);
    assert_int_equal(nfields(t), 0);
    assert_int_equal(parse(&t, "&&&&", p), APR_SUCCESS);
    assert_int_equal(nfields(t), 0);
}

static void test_simple(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;
    const apr_table_entry_t *e;

    assert_int_equal(parse(&t, "code=ABCDE&fiscal_code=RSSMRA85T10A562S", p),
                     APR_SUCCESS);
    assert_int_equal(nfields(t), 2);
    assert_string_equal(apr_table_get(t, "code"), "ABCDE");
    assert_string_equal(apr_table_get(t, "fiscal_code"), "RSSMRA85T10A562S");
    /* Order is kept. */
    e = (const apr_table_entry_t *)apr_table_elts(t)->elts;
    assert_string_equal(e[0].key, "code");
    assert_string_equal(e[1].key, "fiscal_code");
}

static void test_decoding(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;

    assert_int_equal(parse(&t, "a=hello+world&b=x%20y&c=1%2B1%3D2&d=%26%25"
                               "&e=%c3%a9%C3%A9&f%5Bx%5D=%7e+",
                           p),
                     APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "a"), "hello world");
    assert_string_equal(apr_table_get(t, "b"), "x y");
    assert_string_equal(apr_table_get(t, "c"), "1+1=2");
    assert_string_equal(apr_table_get(t, "d"), "&%");
    assert_string_equal(apr_table_get(t, "e"), "\xc3\xa9\xc3\xa9");
    assert_string_equal(apr_table_get(t, "f[x]"), "~ ");
    /* Name decoding too. */
    assert_int_equal(parse(&t, "my+name=1&%C3%A8=2", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "my name"), "1");
    assert_string_equal(apr_table_get(t, "\xc3\xa8"), "2");
    /* Raw UTF-8 (not percent-encoded) is accepted when valid. */
    assert_int_equal(parse(&t, "city=Citt\xc3\xa0", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "city"), "Citt\xc3\xa0");
}

static void test_pairs(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;

    assert_int_equal(parse(&t, "&a=1&&b=2&", p), APR_SUCCESS);
    assert_int_equal(nfields(t), 2);
    assert_string_equal(apr_table_get(t, "a"), "1");
    assert_string_equal(apr_table_get(t, "b"), "2");
    assert_int_equal(parse(&t, "flag&x=", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "flag"), "");
    assert_string_equal(apr_table_get(t, "x"), "");
    assert_int_equal(parse(&t, "a==b=", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "a"), "=b=");
    /* ';' is not a separator. */
    assert_int_equal(parse(&t, "a=1;b=2", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "a"), "1;b=2");
    /* The length bounds the body, not a NUL. */
    assert_int_equal(parse_mem(&t, "a=1&b=2", 3, p), APR_SUCCESS);
    assert_int_equal(nfields(t), 1);
    assert_null(apr_table_get(t, "b"));
}

static void test_empty_name(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;

    assert_int_equal(parse(&t, "=x", p), APR_EINVAL);
    assert_int_equal(parse(&t, "=", p), APR_EINVAL);
    assert_int_equal(parse(&t, "a=1&=2", p), APR_EINVAL);
    /* A space is a name, if an odd one. */
    assert_int_equal(parse(&t, "+=1", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, " "), "1");
}

static void test_duplicates(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;

    assert_int_equal(parse(&t, "a=1&a=2", p), APR_EINVAL);
    assert_int_equal(parse(&t, "a=1&a=1", p), APR_EINVAL);
    assert_int_equal(parse(&t, "a&a", p), APR_EINVAL);
    assert_int_equal(parse(&t, "a=1&b=2&a=", p), APR_EINVAL);
    assert_int_equal(parse(&t, "a=1&%61=2", p), APR_EINVAL);
    /* apr_table looks keys up without regard to case: so do we. */
    assert_int_equal(parse(&t, "code=1&CODE=2", p), APR_EINVAL);
    assert_int_equal(parse(&t, "code=1&codes=2", p), APR_SUCCESS);
}

static void test_bad_escapes(void **state)
{
    static const char *bad[] = {
        "%", "a=%", "a=%4", "a=%G0", "a=%4G", "a=%%41", "%zz=1", "a=100%",
        "a=%+1", "a=% 1", "a=%-1", "a=%\xc3\xa9", "a%=1", "a=1&b=%0",
        "a=%0x1",
    };
    apr_pool_t *p = *state;
    apr_table_t *t;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(&t, bad[i], p), APR_EINVAL);
    }
    /* An escape cut by the end of the given length. */
    assert_int_equal(parse_mem(&t, "a=%41", 4, p), APR_EINVAL);
}

static void test_invalid_utf8(void **state)
{
    static const char *bad[] = {
        "a=%C3%28", "a=%C3", "a=%C0%80", "a=%E0%80%80", "a=%ED%A0%80",
        "a=%F4%90%80%80", "a=%FF", "a=%80", "%C3%28=1", "a=\xff",
        "a=\xc3(", "\xed\xa0\x80=1",
    };
    apr_pool_t *p = *state;
    apr_table_t *t;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(&t, bad[i], p), APR_EINVAL);
    }
    assert_int_equal(parse(&t, "a=%F0%9F%98%80", p), APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "a"), "\xf0\x9f\x98\x80");
}

static void test_controls(void **state)
{
    static const char *bad[] = {
        "a=%00", "a=x%00y", "a=%01", "a=%1B", "a=%1F", "a=%7F", "a=%0B",
        "a=%C2%80", "a=%C2%85", "a=%C2%9F", "a%00=1", "a%0A=1", "a%0D=1",
        "a%09=1", "%09=1",
    };
    apr_pool_t *p = *state;
    apr_table_t *t;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(&t, bad[i], p), APR_EINVAL);
    }
    /* A raw NUL inside the given length. */
    assert_int_equal(parse_mem(&t, "a=1\0&b=2", 8, p), APR_EINVAL);
    /* Values may hold TAB, CR and LF. */
    assert_int_equal(parse(&t, "note=line1%0D%0Aline2%0Aend%09x", p),
                     APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "note"), "line1\r\nline2\nend\tx");
    assert_int_equal(parse(&t, "a=%C2%A0", p), APR_SUCCESS);
}

static void test_field_limit(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;
    const char *body = "";
    int i;

    for (i = 0; i < INVQR_FORM_MAX_FIELDS; i++) {
        body = apr_psprintf(p, "%s&&f%d=%d", body, i, i);
    }
    assert_int_equal(parse(&t, body, p), APR_SUCCESS);
    assert_int_equal(nfields(t), INVQR_FORM_MAX_FIELDS);
    assert_string_equal(apr_table_get(t, "f31"), "31");
    assert_int_equal(parse(&t, apr_pstrcat(p, body, "&x", NULL), p),
                     APR_ENOSPC);
    assert_int_equal(parse(&t, apr_pstrcat(p, body, "&&&", NULL), p),
                     APR_SUCCESS);
    /* A duplicate beyond the limit is refused either way. */
    assert_int_not_equal(parse(&t, apr_pstrcat(p, body, "&f0=1", NULL), p),
                         APR_SUCCESS);
}

static void test_name_limit(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;
    char *name64 = repeat(p, "n", INVQR_FORM_MAX_NAME);

    assert_int_equal(parse(&t, apr_pstrcat(p, name64, "=v", NULL), p),
                     APR_SUCCESS);
    assert_string_equal(apr_table_get(t, name64), "v");
    assert_int_equal(parse(&t, apr_pstrcat(p, name64, "n=v", NULL), p),
                     APR_ENOSPC);
    assert_int_equal(parse(&t, apr_pstrcat(p, name64, "n", NULL), p),
                     APR_ENOSPC);
    /* The limit counts decoded bytes. */
    assert_int_equal(parse(&t, apr_pstrcat(p, repeat(p, "%41", 64), "=v",
                                           NULL), p),
                     APR_SUCCESS);
    assert_string_equal(apr_table_get(t, repeat(p, "A", 64)), "v");
    assert_int_equal(parse(&t, apr_pstrcat(p, repeat(p, "%41", 65), "=v",
                                           NULL), p),
                     APR_ENOSPC);
    /* 32 two-byte characters are 64 bytes; 33 are too many. */
    assert_int_equal(parse(&t, apr_pstrcat(p, repeat(p, "\xc3\xa9", 32), "=v",
                                           NULL), p),
                     APR_SUCCESS);
    assert_int_equal(parse(&t, apr_pstrcat(p, repeat(p, "\xc3\xa9", 33), "=v",
                                           NULL), p),
                     APR_ENOSPC);
}

static void test_value_limit(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;
    char *v4096 = repeat(p, "v", INVQR_FORM_MAX_VALUE);

    assert_int_equal(parse(&t, apr_pstrcat(p, "a=", v4096, NULL), p),
                     APR_SUCCESS);
    assert_int_equal(strlen(apr_table_get(t, "a")), INVQR_FORM_MAX_VALUE);
    assert_int_equal(parse(&t, apr_pstrcat(p, "a=", v4096, "v", NULL), p),
                     APR_ENOSPC);
    assert_int_equal(parse(&t, apr_pstrcat(p, "a=", v4096, "+", NULL), p),
                     APR_ENOSPC);
    assert_int_equal(parse(&t, apr_pstrcat(p, "a=", repeat(p, "%7E", 4096),
                                           NULL), p),
                     APR_SUCCESS);
    assert_string_equal(apr_table_get(t, "a"), repeat(p, "~", 4096));
    assert_int_equal(parse(&t, apr_pstrcat(p, "a=", repeat(p, "%7E", 4097),
                                           NULL), p),
                     APR_ENOSPC);
}

static void test_body_limit(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t;
    size_t max = INVQR_FORM_MAX_BODY;
    char *body = apr_palloc(p, max + 2);

    memset(body, '&', max + 1);
    memcpy(body, "a=1", 3);
    assert_int_equal(parse_mem(&t, body, max, p), APR_SUCCESS);
    assert_int_equal(nfields(t), 1);
    assert_int_equal(parse_mem(&t, body, max + 1, p), APR_ENOSPC);
    /* Refused before anything is read: the buffer is far shorter. */
    t = SENTINEL;
    assert_int_equal(invqr_form_parse(&t, "a=1", (apr_size_t)1 << 40, p),
                     APR_ENOSPC);
    assert_null(t);
}

/* Where a sign-in may return to: a local path, nothing that leaves. */
static void test_return_to(void **state)
{
    char longest[INVQR_FORM_MAX_RETURN_TO + 2];

    (void)state;
    assert_true(invqr_form_return_to_ok("/operator"));
    assert_true(invqr_form_return_to_ok("/v/ABCDEFGHJKMNPQRSTVWX/level2"));
    assert_true(invqr_form_return_to_ok("/"));
    assert_true(invqr_form_return_to_ok("/a/b.c_d-e/"));
    assert_false(invqr_form_return_to_ok(NULL));
    assert_false(invqr_form_return_to_ok(""));
    assert_false(invqr_form_return_to_ok("operator"));
    assert_false(invqr_form_return_to_ok("//evil.example/x"));
    assert_false(invqr_form_return_to_ok("/\\evil.example"));
    assert_false(invqr_form_return_to_ok("https://evil.example/"));
    assert_false(invqr_form_return_to_ok("/a//b"));
    assert_false(invqr_form_return_to_ok("/../etc/passwd"));
    assert_false(invqr_form_return_to_ok("/a/.."));
    assert_false(invqr_form_return_to_ok("/a/./b"));
    assert_false(invqr_form_return_to_ok("/a?x=1"));
    assert_false(invqr_form_return_to_ok("/a#x"));
    assert_false(invqr_form_return_to_ok("/a%2f%2fb"));
    assert_false(invqr_form_return_to_ok("/a b"));
    assert_false(invqr_form_return_to_ok("/a\nb"));
    assert_false(invqr_form_return_to_ok("/\xc3\xa8"));
    memset(longest, 'a', sizeof(longest));
    longest[0] = '/';
    longest[INVQR_FORM_MAX_RETURN_TO] = '\0';
    assert_true(invqr_form_return_to_ok(longest));
    longest[INVQR_FORM_MAX_RETURN_TO] = 'a';
    longest[INVQR_FORM_MAX_RETURN_TO + 1] = '\0';
    assert_false(invqr_form_return_to_ok(longest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simple, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test(test_return_to),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
