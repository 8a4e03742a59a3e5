/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the shared counters (invqr_metrics.h) and their Prometheus
 * text rendering: valid exposition lines, HELP and TYPE before each
 * family's samples, cumulative histogram buckets, escaped label values,
 * counts added by another process into the same file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "invqr_metrics.h"

static apr_pool_t *pool;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    apr_pool_create(&pool, NULL);
    snprintf(dir, sizeof(dir), "/tmp/invqr-metrics-XXXXXX");
    assert_non_null(mkdtemp(dir));
    invqr_metrics_attach(NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    invqr_metrics_attach(NULL);
    unlink(apr_pstrcat(pool, dir, "/" INVQR_METRICS_HTTPD_FILE, NULL));
    unlink(apr_pstrcat(pool, dir, "/" INVQR_METRICS_WORKER_FILE, NULL));
    rmdir(dir);
    apr_pool_destroy(pool);
    return 0;
}

/* The value of the sample line that starts with prefix (name and labels). */
static long long sample(const char *text, const char *prefix)
{
    const char *at = text;
    size_t n = strlen(prefix);

    while (at != NULL && *at != '\0') {
        if (strncmp(at, prefix, n) == 0 && at[n] == ' ')
            return atoll(at + n + 1);
        at = strchr(at, '\n');
        if (at != NULL)
            at++;
    }
    return -1;
}

/* Every line is a comment (HELP/TYPE) or a valid sample, every sample's
 * family was announced by TYPE before, and the text ends with a newline. */
static void assert_valid_exposition(const char *text)
{
    regex_t sample_re, help_re, type_re;
    char *copy = strdup(text), *line, *save = NULL;
    char typed[64][80];
    int ntyped = 0, i, samples = 0;

    assert_int_equal(regcomp(&sample_re,
                             "^([a-zA-Z_:][a-zA-Z0-9_:]*)"
                             "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
                             "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*\\})?"
                             " [0-9]+(\\.[0-9]+)?$", REG_EXTENDED), 0);
    assert_int_equal(regcomp(&help_re, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* [^\n]+$",
                             REG_EXTENDED), 0);
    assert_int_equal(regcomp(&type_re, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) "
                             "(counter|gauge|histogram)$", REG_EXTENDED), 0);
    assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
    for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        regmatch_t m[2];

        if (regexec(&type_re, line, 2, m, 0) == 0) {
            assert_true(ntyped < 64);
            snprintf(typed[ntyped++], sizeof(typed[0]), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
                     line + m[1].rm_so);
            continue;
        }
        if (regexec(&help_re, line, 0, NULL, 0) == 0)
            continue;
        if (regexec(&sample_re, line, 2, m, 0) != 0)
            fail_msg("not an exposition line: %s", line);
        {
            char name[80];
            int found = 0;
            size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);

            snprintf(name, sizeof(name), "%.*s", (int)len, line);
            for (i = 0; i < ntyped && !found; i++) {
                size_t f = strlen(typed[i]);

                found = strcmp(name, typed[i]) == 0
                        || (strncmp(name, typed[i], f) == 0
                            && (!strcmp(name + f, "_bucket") || !strcmp(name + f, "_sum")
                                || !strcmp(name + f, "_count")));
            }
            if (!found)
                fail_msg("sample before its TYPE line: %s", line);
        }
        samples++;
    }
    assert_true(samples > INVQR_METRIC__COUNT);
    regfree(&sample_re);
    regfree(&help_re);
    regfree(&type_re);
    free(copy);
}

static void test_nothing_attached_counts_nothing(void **state)
{
    const void *blocks[1] = { NULL };
    const char *names[1] = { "httpd" };
    const char *text;

    (void)state;
    invqr_metric_inc(INVQR_METRIC_VERIFY1_MATCH);
    assert_int_equal(invqr_metrics_clock(), 0);
    invqr_metric_observe(INVQR_HIST_AUDIT_WRITE, 1);
    text = invqr_metrics_render(blocks, names, 1, pool);
    assert_valid_exposition(text);
    assert_int_equal(sample(text, "invqr_verifications_total{level=\"1\",outcome=\"match\"}"), 0);
    assert_int_equal(sample(text, "invqr_metrics_source_up{source=\"httpd\"}"), 0);
}

static void test_counts_of_two_processes_and_two_files_are_summed(void **state)
{
    void *httpd = NULL, *worker = NULL;
    const void *copy = NULL, *blocks[2];
    const char *names[2] = { "httpd", "worker" }, *err = NULL, *text;
    pid_t pid;
    int status, i;

    (void)state;
    assert_int_equal(invqr_metrics_map(&httpd, &err, dir, INVQR_METRICS_HTTPD_FILE, pool),
                     APR_SUCCESS);
    assert_int_equal(invqr_metrics_map(&worker, &err, dir, INVQR_METRICS_WORKER_FILE, pool),
                     APR_SUCCESS);
    invqr_metrics_attach(httpd);
    invqr_metric_inc(INVQR_METRIC_SIGNIN_WEB_FAILED);
    /* a child forked after the mapping adds into the same numbers */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (i = 0; i < 1000; i++)
            invqr_metric_inc(INVQR_METRIC_SIGNIN_WEB_FAILED);
        _exit(0);
    }
    for (i = 0; i < 1000; i++)
        invqr_metric_inc(INVQR_METRIC_SIGNIN_WEB_FAILED);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* the other file: the workers' */
    invqr_metrics_attach(worker);
    invqr_metric_add(INVQR_METRIC_SIGNIN_WEB_FAILED, 5);
    invqr_metric_inc(INVQR_METRIC_WORKER_RESTARTS);
    invqr_metric_observe(INVQR_HIST_AUDIT_WRITE, invqr_metrics_clock());
    invqr_metric_observe(INVQR_HIST_AUDIT_WRITE, invqr_metrics_clock() - 30000);  /* 30 ms */
    invqr_metrics_attach(NULL);

    /* as the module renders: its own mapping and a copy of the workers' file */
    assert_int_equal(invqr_metrics_read(&copy, dir, INVQR_METRICS_WORKER_FILE, pool), APR_SUCCESS);
    blocks[0] = httpd;
    blocks[1] = copy;
    text = invqr_metrics_render(blocks, names, 2, pool);
    assert_valid_exposition(text);
    assert_int_equal(sample(text, "invqr_signins_total{channel=\"web\",outcome=\"failed\"}"),
                     2006);
    assert_int_equal(sample(text, "invqr_signins_total{channel=\"soap\",outcome=\"failed\"}"), 0);
    assert_int_equal(sample(text, "invqr_worker_restarts_total"), 1);
    /* cumulative buckets; +Inf is the count */
    assert_int_equal(sample(text, "invqr_audit_write_seconds_bucket{le=\"0.025000\"}"), 1);
    assert_int_equal(sample(text, "invqr_audit_write_seconds_bucket{le=\"0.050000\"}"), 2);
    assert_int_equal(sample(text, "invqr_audit_write_seconds_bucket{le=\"+Inf\"}"), 2);
    assert_int_equal(sample(text, "invqr_audit_write_seconds_count"), 2);
    assert_non_null(strstr(text, "invqr_audit_write_seconds_sum 0.03"));
    assert_non_null(strstr(text, "# TYPE invqr_audit_write_seconds histogram\n"));
    assert_int_equal(sample(text, "invqr_metrics_source_up{source=\"worker\"}"), 1);
    /* HELP and TYPE once per family */
    assert_non_null(strstr(text, "# TYPE invqr_signins_total counter\n"));
    assert_null(strstr(strstr(text, "# TYPE invqr_signins_total") + 1,
                       "# TYPE invqr_signins_total"));

    /* mapped again (a restart): the counts are still there */
    invqr_metrics_unmap(httpd);
    assert_int_equal(invqr_metrics_map(&httpd, &err, dir, INVQR_METRICS_HTTPD_FILE, pool),
                     APR_SUCCESS);
    blocks[1] = NULL;
    text = invqr_metrics_render(blocks, names, 2, pool);
    assert_int_equal(sample(text, "invqr_signins_total{channel=\"web\",outcome=\"failed\"}"),
                     2001);
    assert_int_equal(sample(text, "invqr_metrics_source_up{source=\"worker\"}"), 0);
    invqr_metrics_unmap(httpd);
    invqr_metrics_unmap(worker);
}

static void test_a_file_of_another_layout_starts_afresh(void **state)
{
    const char *path = apr_pstrcat(pool, dir, "/" INVQR_METRICS_WORKER_FILE, NULL);
    const void *copy = NULL;
    void *map = NULL;
    const char *err = NULL;
    FILE *f = fopen(path, "w");
    char junk[4096];
    size_t i;

    (void)state;
    assert_non_null(f);
    memset(junk, 0x7f, sizeof(junk));
    fwrite(junk, 1, invqr_metrics_size() < sizeof(junk) ? invqr_metrics_size() : sizeof(junk), f);
    fclose(f);
    /* a reader does not take it for counts */
    assert_int_not_equal(invqr_metrics_read(&copy, dir, INVQR_METRICS_WORKER_FILE, pool),
                         APR_SUCCESS);
    assert_null(copy);
    assert_int_equal(invqr_metrics_map(&map, &err, dir, INVQR_METRICS_WORKER_FILE, pool),
                     APR_SUCCESS);
    for (i = 64; i < invqr_metrics_size(); i++)   /* past the header: all zero */
        assert_int_equal(((unsigned char *)map)[i], 0);
    invqr_metrics_unmap(map);
    /* no such directory: an error that says where */
    assert_int_not_equal(invqr_metrics_map(&map, &err, "/nonexistent/invqr", "x", pool),
                         APR_SUCCESS);
    assert_non_null(strstr(err, "/nonexistent/invqr/x"));
}

static void test_label_values_are_escaped(void **state)
{
    const void *blocks[1] = { NULL };
    const char *names[1] = { "we\"ird\\na\nme" };
    const char *text;

    (void)state;
    assert_string_equal(invqr_metrics_escape("plain", pool), "plain");
    assert_string_equal(invqr_metrics_escape("a\"b\\c\nd", pool), "a\\\"b\\\\c\\nd");
    assert_string_equal(invqr_metrics_escape("", pool), "");
    text = invqr_metrics_render(blocks, names, 1, pool);
    assert_valid_exposition(text);
    assert_non_null(strstr(text, "invqr_metrics_source_up{source=\"we\\\"ird\\\\na\\nme\"} 0\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing_attached_counts_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_of_two_processes_and_two_files_are_summed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_file_of_another_layout_starts_afresh, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_label_values_are_escaped, setup, teardown),
    };

    apr_initialize();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
