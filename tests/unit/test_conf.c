/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of invqr.conf parsing: defaults, bounds, unknown and repeated
 * keys, the secret, and messages that name the line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_conf.h"

#define SECRET "secret = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define MINIMAL "db_user = invqr\npublic_base_url = https://x.example/invqr\n" SECRET

static apr_pool_t *pool;

static apr_status_t parse(invqr_conf_t **c, const char **err, const char *text)
{
    return invqr_conf_parse(c, err, text, strlen(text), "test.conf", pool);
}

static void test_minimal_file_gets_defaults(void **state)
{
    invqr_conf_t *c;
    const char *err;

    assert_int_equal(parse(&c, &err, MINIMAL), APR_SUCCESS);
    assert_string_equal(c->db_name, "invqr");
    assert_string_equal(c->db_host, "127.0.0.1");
    assert_int_equal(c->db_port, 3306);
    assert_int_equal(c->worker_threads, 8);
    assert_int_equal(c->session_idle_seconds, 900);
    assert_int_equal(c->test_faults, 0);
    assert_int_equal(c->code_max_age_days, 0);   /* codes have no expiry of their own */
    assert_int_equal(c->worker_socket_mode, 0660);
    assert_null(c->worker_socket_owner);
    assert_null(c->worker_socket_group);
    assert_int_equal(c->worker_io_timeout_seconds, 10);
    assert_null(c->db_socket);
    /* PDND lets a consumer reuse a voucher until it expires */
    assert_int_equal(c->pdnd_voucher_single_use, 0);
    /* no admin user: the admin tools use the application's */
    assert_string_equal(c->admin_db_user, "invqr");
    assert_int_equal(c->secret[0], 0x00);
    assert_int_equal(c->secret[1], 0x11);
    assert_int_equal(c->secret[31], 0xff);
}

static void test_comments_spaces_and_crlf(void **state)
{
    invqr_conf_t *c;
    const char *err;
    const char *text = "# comment\r\n\r\n  db_user   =   app  \r\npublic_base_url=https://a.b\r\n"
                       SECRET "worker_threads = 16\r\ntest_faults = yes\r\n";

    assert_int_equal(parse(&c, &err, text), APR_SUCCESS);
    assert_string_equal(c->db_user, "app");
    assert_int_equal(c->worker_threads, 16);
    assert_int_equal(c->test_faults, 1);
}

static void expect_error(const char *text, const char *fragment);

static void test_socket_mode_is_octal(void **state)
{
    invqr_conf_t *c;
    const char *err;

    assert_int_equal(parse(&c, &err, MINIMAL "worker_socket_mode = 0600\n"
                                             "worker_socket_group = www-data\n"), APR_SUCCESS);
    assert_int_equal(c->worker_socket_mode, 0600);
    assert_string_equal(c->worker_socket_group, "www-data");
    expect_error(MINIMAL "worker_socket_mode = 660\n", "octal");
    expect_error(MINIMAL "worker_socket_mode = 0668\n", "octal");
    expect_error(MINIMAL "worker_socket_mode = 01777\n", "0777");
    expect_error(MINIMAL "worker_io_timeout_seconds = 0\n", "between");
}

static void expect_error(const char *text, const char *fragment)
{
    invqr_conf_t *c = (invqr_conf_t *)1;
    const char *err = NULL;

    assert_int_not_equal(parse(&c, &err, text), APR_SUCCESS);
    assert_null(c);
    assert_non_null(err);
    if (strstr(err, fragment) == NULL)
        fail_msg("error '%s' does not mention '%s'", err, fragment);
}

static void test_errors_name_file_line_and_key(void **state)
{
    expect_error(MINIMAL "colour = blue\n", "test.conf:4: unknown key 'colour'");
    expect_error(MINIMAL "db_user = again\n", "test.conf:4: 'db_user' given twice");
    expect_error(MINIMAL "worker_threads = 0\n", "must be between 1 and 256");
    expect_error(MINIMAL "worker_threads = 300\n", "must be between 1 and 256");
    expect_error(MINIMAL "worker_threads = 8x\n", "not an integer");
    expect_error(MINIMAL "code_max_age_days = -1\n", "must be between 0 and 3650");
    expect_error(MINIMAL "code_max_age_days = 3651\n", "must be between 0 and 3650");
    expect_error(MINIMAL "test_faults = maybe\n", "yes or no");
    expect_error(MINIMAL "just words\n", "expected key = value");
    expect_error("db_user = a\n" SECRET, "'public_base_url' is required");
    expect_error("db_user = a\npublic_base_url = https://x\n", "'secret' is required");
    expect_error("db_user = a\npublic_base_url = https://x\nsecret = 0011\n", "64 hexadecimal");
    expect_error("db_user = a\npublic_base_url = https://x\nsecret = "
                 "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                 "64 hexadecimal");
    expect_error(MINIMAL "session_idle_seconds = 3600\nsession_max_seconds = 600\n",
                 "shorter than");
    expect_error(MINIMAL "db_name =\n", "must not be empty");
}

static void test_nul_byte_and_huge_file_refused(void **state)
{
    invqr_conf_t *c;
    const char *err;
    char text[] = "db_user = a\0b\n";
    static char big[70 * 1024];

    assert_int_not_equal(invqr_conf_parse(&c, &err, text, sizeof(text) - 1, "t", pool), APR_SUCCESS);
    memset(big, '#', sizeof(big));
    assert_int_not_equal(invqr_conf_parse(&c, &err, big, sizeof(big), "t", pool), APR_SUCCESS);
}

static void test_load_missing_file(void **state)
{
    invqr_conf_t *c;
    const char *err;

    assert_int_not_equal(invqr_conf_load(&c, &err, "/nonexistent/invqr.conf", pool), APR_SUCCESS);
    assert_non_null(strstr(err, "/nonexistent/invqr.conf"));
}

/* The example a deployment copies is itself a valid file: every key in it,
 * commented or not, is one the parser knows, with a value in bounds. */
/* The issuer's name goes on every PDF: any UTF-8 text on one line, up to
 * 200 bytes; anything else is refused when the file is read, not when a
 * citizen downloads. */
static void test_issuer_name(void **state)
{
    invqr_conf_t *c;
    const char *err = NULL;
    char longest[256], text[512];

    (void)state;
    assert_int_equal(parse(&c, &err, MINIMAL "issuer_name = Comune di Forl\xC3\xAC\n"),
                     APR_SUCCESS);
    assert_string_equal(c->issuer_name, "Comune di Forl\xC3\xAC");
    assert_int_equal(parse(&c, &err, MINIMAL "issuer_name = Comune di Forl\xEC\n"), APR_EINVAL);
    assert_non_null(strstr(err, "issuer_name"));
    assert_int_equal(parse(&c, &err, MINIMAL "issuer_name = a\x7F" "b\n"), APR_EINVAL);
    assert_int_equal(parse(&c, &err, MINIMAL "issuer_name =\n"), APR_EINVAL);
    memset(longest, 'x', 200);
    longest[200] = '\0';
    snprintf(text, sizeof(text), MINIMAL "issuer_name = %s\n", longest);
    assert_int_equal(parse(&c, &err, text), APR_SUCCESS);
    snprintf(text, sizeof(text), MINIMAL "issuer_name = %sx\n", longest);
    assert_int_equal(parse(&c, &err, text), APR_EINVAL);
    assert_int_equal(parse(&c, &err, MINIMAL), APR_SUCCESS);
    assert_string_equal(c->issuer_name, INVQR_CONF_ISSUER_DEFAULT);
}

/* pdf_copies_dir was called pdf_cache_dir: a deployed file with the old
 * name still works, and naming the directory both ways is an error. */
static void test_pdf_copies_dir_and_its_old_name(void **state)
{
    invqr_conf_t *c;
    const char *err = NULL;

    (void)state;
    assert_int_equal(parse(&c, &err, MINIMAL "pdf_copies_dir = /var/cache/invqr/pdf\n"), APR_SUCCESS);
    assert_string_equal(c->pdf_copies_dir, "/var/cache/invqr/pdf");
    assert_int_equal(parse(&c, &err, MINIMAL "pdf_cache_dir = /srv/pdf\n"), APR_SUCCESS);
    assert_string_equal(c->pdf_copies_dir, "/srv/pdf");
    assert_int_equal(parse(&c, &err, MINIMAL), APR_SUCCESS);
    assert_null(c->pdf_copies_dir);
    expect_error(MINIMAL "pdf_copies_dir = /a\npdf_cache_dir = /b\n",
                 "test.conf:5: 'pdf_copies_dir' and 'pdf_cache_dir' are one setting: give it once");
}

/* The administration's identity: links are web addresses or paths on this
 * site, the logo an .svg or .png file, the privacy texts one line each;
 * all unset by default (privacy and help then point at invqr's own pages). */
static void test_agency_identity(void **state)
{
    invqr_conf_t *c;
    const char *err = NULL;

    (void)state;
    assert_int_equal(parse(&c, &err, MINIMAL), APR_SUCCESS);
    assert_null(c->agency_logo);
    assert_null(c->agency_privacy_url);
    assert_null(c->privacy_dpo);
    assert_int_equal(parse(&c, &err, MINIMAL "agency_logo = /etc/invqr/logo.svg\n"
                                     "agency_site_url = https://www.comune.example.it/\n"
                                     "agency_privacy_url = /privacy\n"
                                     "agency_accessibility_url = https://form.agid.gov.it/view/x\n"
                                     "agency_legal_url = http://intranet.example/note\n"
                                     "agency_contacts_url = /contatti\n"
                                     "agency_help_url = https://help.example.it/\n"
                                     "privacy_controller = Comune di Forl\xC3\xAC, Piazza Saffi 8\n"
                                     "privacy_dpo = rpd@comune.forli.fc.it\n"), APR_SUCCESS);
    assert_string_equal(c->agency_logo, "/etc/invqr/logo.svg");
    assert_string_equal(c->agency_contacts_url, "/contatti");
    assert_string_equal(c->privacy_controller, "Comune di Forl\xC3\xAC, Piazza Saffi 8");
    assert_int_equal(parse(&c, &err, MINIMAL "agency_site_url = javascript:alert(1)\n"), APR_EINVAL);
    assert_non_null(strstr(err, "agency_site_url"));
    assert_int_equal(parse(&c, &err, MINIMAL "agency_help_url = //evil.example/\n"), APR_EINVAL);
    assert_int_equal(parse(&c, &err, MINIMAL "agency_legal_url = https://a.example/\"x\n"), APR_EINVAL);
    assert_int_equal(parse(&c, &err, MINIMAL "agency_logo = logo.svg\n"), APR_EINVAL);
    assert_int_equal(parse(&c, &err, MINIMAL "agency_logo = /etc/invqr/logo.gif\n"), APR_EINVAL);
    assert_non_null(strstr(err, "agency_logo"));
    assert_int_equal(parse(&c, &err, MINIMAL "privacy_dpo = a\x7F" "b\n"), APR_EINVAL);
}

static void test_example_file(void **state)
{
    const char *top = getenv("top_srcdir");
    const char *path = apr_pstrcat(pool, top != NULL ? top : ".", "/conf/invqr.conf.example", NULL);
    apr_file_t *f = NULL;
    char line[1024], *text = apr_pstrdup(pool, "");
    invqr_conf_t *c;
    const char *err = NULL;

    (void)state;
    assert_int_equal(invqr_conf_load(&c, &err, path, pool), APR_SUCCESS);
    assert_string_equal(c->sms_gateway, "spool:/var/spool/invqr/sms");
    assert_int_equal(c->code_max_age_days, 0);
    /* the commented keys, uncommented, parse too (their documented defaults) */
    assert_int_equal(apr_file_open(&f, path, APR_FOPEN_READ, 0, pool), APR_SUCCESS);
    while (apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        const char *l = line;

        if (strncmp(l, "# ", 2) == 0 && strchr(l, '=') != NULL && strchr(l, ' ') < strchr(l, '=')
            && strspn(l + 2, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(strchr(l + 2, ' ') - (l + 2)))
            l += 2;
        text = apr_pstrcat(pool, text, l, NULL);
    }
    apr_file_close(f);
    assert_int_equal(invqr_conf_parse(&c, &err, text, strlen(text), "uncommented", pool),
                     APR_SUCCESS);
    assert_int_equal(c->verify_max_failures, 5);
    assert_int_equal(c->code_max_age_days, 365);
    assert_int_equal(c->test_faults, 0);
    assert_string_equal(c->issuer_name, INVQR_CONF_ISSUER_DEFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_file_gets_defaults),
        cmocka_unit_test(test_comments_spaces_and_crlf),
        cmocka_unit_test(test_socket_mode_is_octal),
        cmocka_unit_test(test_errors_name_file_line_and_key),
        cmocka_unit_test(test_nul_byte_and_huge_file_refused),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_issuer_name),
        cmocka_unit_test(test_pdf_copies_dir_and_its_old_name),
        cmocka_unit_test(test_agency_identity),
        cmocka_unit_test(test_example_file),
    };
    int rc;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
