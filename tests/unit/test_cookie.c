/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the Cookie header reader (core/invqr_cookie.c).
 *
 * Finding one cookie among several with the spacing browsers send, quoted
 * values, names that only look alike, cookies sent twice, values with
 * characters outside RFC 6265 cookie-octets, and the value and header limits
 * at their edges. Each test gets a fresh pool.
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

#include "invqr_cookie.h"

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

/* Look up name; on failure also check that *pvalue was reset to NULL. */
static apr_status_t get(const char **pv, const char *header, const char *name,
                        apr_pool_t *p)
{
    apr_status_t rv;

    *pv = "garbage";
    rv = invqr_cookie_get(pv, header, name, p);
    if (rv != APR_SUCCESS) {
        assert_null(*pv);
    }
    else {
        assert_non_null(*pv);
    }
    return rv;
}

static char *repeat(apr_pool_t *p, char c, size_t n)
{
    char *s = apr_palloc(p, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_single(void **state)
{
    apr_pool_t *p = *state;
    const char *v;
    const char *header = "sid=abc123";

    assert_int_equal(get(&v, header, "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc123");
    /* A copy, not a pointer into the header. */
    assert_true(v < header || v > header + strlen(header));
}

static void test_several(void **state)
{
    apr_pool_t *p = *state;
    const char *v;
    const char *header = "lang=it; sid=abc; csrf=x-y_z.1; theme=dark";

    assert_int_equal(get(&v, header, "lang", p), APR_SUCCESS);
    assert_string_equal(v, "it");
    assert_int_equal(get(&v, header, "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, header, "csrf", p), APR_SUCCESS);
    assert_string_equal(v, "x-y_z.1");
    assert_int_equal(get(&v, header, "theme", p), APR_SUCCESS);
    assert_string_equal(v, "dark");
}

static void test_spacing(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, "a=1;sid=abc;b=2", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, "  sid = abc  ; b=2", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, "a=1;\tsid=abc\t;", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, ";;; sid=abc ;;;", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    /* Space inside the value is not allowed. */
    assert_int_equal(get(&v, "sid=a bc", "sid", p), APR_EINVAL);
}

static void test_quoted(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, "sid=\"abc\"", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, "a=1; sid = \"abc\" ; b=2", "sid", p),
                     APR_SUCCESS);
    assert_string_equal(v, "abc");
    assert_int_equal(get(&v, "sid=\"\"", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "");
    assert_int_equal(get(&v, "sid=\"", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=\"abc", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=abc\"", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=a\"b\"c", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=\"\"abc\"\"", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=\"a b\"", "sid", p), APR_EINVAL);
}

static void test_duplicates(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, "sid=a; sid=b", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=a; sid=a", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=a; x=1; sid=", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=a;sid =b", "sid", p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=bad value; sid=ok", "sid", p), APR_EINVAL);
    /* Other names sent twice are not our concern. */
    assert_int_equal(get(&v, "x=1; x=2; sid=ok", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "ok");
}

static void test_missing(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, NULL, "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, "", "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, "   ", "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, ";", "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, "a=1; b=2", "sid", p), APR_NOTFOUND);
    /* Names that only look alike. */
    assert_int_equal(get(&v, "xsid=1; sidx=2; SID=3; Sid=4", "sid", p),
                     APR_NOTFOUND);
    assert_int_equal(get(&v, "s id=1; \"sid\"=2", "sid", p), APR_NOTFOUND);
    /* A pair without '=' is not a cookie called that. */
    assert_int_equal(get(&v, "sid; a=1", "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, "sid", "sid", p), APR_NOTFOUND);
    assert_int_equal(get(&v, "foo; sid=1", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "1");
    /* The name appears only inside another cookie's value. */
    assert_int_equal(get(&v, "a=sid=1", "sid", p), APR_NOTFOUND);
}

static void test_values(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, "sid=", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "");
    assert_int_equal(get(&v, "sid= ; a=1", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "");
    assert_int_equal(get(&v, "sid=a=b==", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "a=b==");
    /* Every cookie-octet, in one value. */
    assert_int_equal(get(&v, "sid=!#$%&'()*+-./0123456789:<=>?@AZ[]^_`az{|}~",
                         "sid", p),
                     APR_SUCCESS);
    assert_string_equal(v, "!#$%&'()*+-./0123456789:<=>?@AZ[]^_`az{|}~");
}

static void test_bad_chars(void **state)
{
    static const char *bad[] = {
        "sid=a,b", "sid=a\\b", "sid=a\x7f", "sid=a\x01", "sid=a\tb",
        "sid=\xc3\xa9", "sid=a\x80", "sid=a\"b", "sid=\x1b[0m",
    };
    apr_pool_t *p = *state;
    const char *v;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(get(&v, bad[i], "sid", p), APR_EINVAL);
    }
    /* Garbage in other cookies does not matter. */
    assert_int_equal(get(&v, "x=\x01\xff bad,\\; sid=ok; y=\"", "sid", p),
                     APR_SUCCESS);
    assert_string_equal(v, "ok");
}

static void test_value_limit(void **state)
{
    apr_pool_t *p = *state;
    const char *v;
    char *max = repeat(p, 'v', INVQR_COOKIE_MAX_VALUE);

    assert_int_equal(get(&v, apr_pstrcat(p, "sid=", max, NULL), "sid", p),
                     APR_SUCCESS);
    assert_string_equal(v, max);
    assert_int_equal(get(&v, apr_pstrcat(p, "sid=", max, "v", NULL), "sid", p),
                     APR_EINVAL);
    /* Quotes do not count towards the limit. */
    assert_int_equal(get(&v, apr_pstrcat(p, "sid=\"", max, "\"", NULL), "sid",
                         p),
                     APR_SUCCESS);
    assert_string_equal(v, max);
    assert_int_equal(get(&v, apr_pstrcat(p, "sid=\"", max, "v\"", NULL), "sid",
                         p),
                     APR_EINVAL);
    /* A long value of another cookie is fine. */
    assert_int_equal(get(&v, apr_pstrcat(p, "big=", max, max, "; sid=1", NULL),
                         "sid", p),
                     APR_SUCCESS);
}

static void test_header_limit(void **state)
{
    apr_pool_t *p = *state;
    const char *v;
    size_t pad = INVQR_COOKIE_MAX_HEADER - strlen("sid=1; x=");
    char *header = apr_pstrcat(p, "sid=1; x=", repeat(p, 'x', pad), NULL);

    assert_int_equal(strlen(header), INVQR_COOKIE_MAX_HEADER);
    assert_int_equal(get(&v, header, "sid", p), APR_SUCCESS);
    assert_string_equal(v, "1");
    header = apr_pstrcat(p, header, "x", NULL);
    assert_int_equal(get(&v, header, "sid", p), APR_ENOSPC);
    assert_int_equal(get(&v, header, "absent", p), APR_ENOSPC);
}

static void test_bad_name(void **state)
{
    apr_pool_t *p = *state;
    const char *v;

    assert_int_equal(get(&v, "sid=1", NULL, p), APR_EINVAL);
    assert_int_equal(get(&v, "sid=1", "", p), APR_EINVAL);
    /* A nameless pair ("=x") never matches. */
    assert_int_equal(get(&v, "=x; sid=1", "sid", p), APR_SUCCESS);
    assert_string_equal(v, "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spacing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_chars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_name, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
