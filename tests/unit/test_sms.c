/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the consent SMS and of its gateways.
 *
 * The text: exact wording in both languages, the organisation cleaned of
 * controls and cut with "..." so the message never passes 320 septets, bad
 * codes and names refused. The spool: one smstools3 file with exactly
 * "To: <digits>", an empty line and the text in ISO-8859-15, mode 0640, and
 * nothing left behind when the directory is missing, unwritable, or a write
 * fails half-way (RLIMIT_FSIZE). HTTP: a small server in a thread on
 * 127.0.0.1:0 answers 200, 500 or 302, answers too much, or never answers;
 * the test checks the form body byte for byte, the reasons, and that the
 * timeout holds. HTTPS: a plain socket, a self-signed certificate, and a
 * trusted certificate for the wrong name must all fail before any request
 * is sent, while a trusted certificate for 127.0.0.1 works, which shows
 * that peer and host verification are on.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "invqr_sms.h"

#define NUMBER    "+393331234567"
#define DIGITS    "393331234567"
#define REQ_MAX   16384
#define SRV_WAIT_MS 40000   /* the server's patience; stopping wakes it */
/* TLS timeouts: generous, for valgrind loads the system's CA store slowly */
#define TLS_CONNECT_MS 10000
#define TLS_TOTAL_MS   30000

/* ------------------------------------------------------------ fixture */

typedef struct {
    apr_pool_t *pool;
    char dir[64];       /* a fresh empty directory */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL || apr_pool_create(&f->pool, NULL) != APR_SUCCESS) {
        free(f);
        return -1;
    }
    strcpy(f->dir, "/tmp/invqr-test-sms-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        apr_pool_destroy(f->pool);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* Remove every entry of dir (one level, directories too). */
static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

    if (d == NULL)
        return;
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) {
            (void)chmod(path, 0700);
            empty_dir(path);
            (void)rmdir(path);
        }
    }
    closedir(d);
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    (void)chmod(f->dir, 0700);
    empty_dir(f->dir);
    (void)rmdir(f->dir);
    apr_pool_destroy(f->pool);
    free(f);
    return 0;
}

/* Entries of dir other than "." and ".."; the name of the last in name. */
static int count_entries(const char *dir, char *name, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (name != NULL)
            snprintf(name, size, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

/* The whole file at dir/name, NUL-terminated, in buf (capped). */
static size_t read_file(const char *dir, const char *name, char *buf, size_t size)
{
    char path[512];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return n;
}

/* Septets of a UTF-8 string as the sender counts them. */
static size_t septets(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;

    for (; *u != '\0'; u++) {
        if ((*u & 0xC0) == 0x80)
            continue;
        if (*u >= 0xF0 || strchr("^{}\\[~]|", *u) != NULL)
            n += 2;
        else if (*u == 0xE2 && u[1] == 0x82 && u[2] == 0xAC)
            n += 2; /* euro sign */
        else
            n++;
    }
    return n;
}

static const char *text_or_fail(fixture_t *f, invqr_lang_t lang, const char *org)
{
    const char *t = NULL;

    assert_int_equal(invqr_sms_text(&t, lang, org, "123456", 5, f->pool), APR_SUCCESS);
    assert_non_null(t);
    return t;
}

/* ------------------------------------------------------------ the text */

static void test_text_exact(void **state)
{
    fixture_t *f = *state;

    assert_string_equal(text_or_fail(f, INVQR_LANG_IT, "Comune di Roma"),
                        "Comune di Roma chiede di vedere il giudizio sanitario e la percentuale "
                        "del suo verbale di invalidità civile. Se è d'accordo, comunichi "
                        "all'operatore il codice 123456 (valido 5 minuti). Altrimenti non "
                        "lo comunichi a nessuno.");
    assert_string_equal(text_or_fail(f, INVQR_LANG_DE, "Gemeinde Bozen"),
                        "Gemeinde Bozen möchte die ärztliche Beurteilung und den "
                        "Invaliditätsgrad Ihres Bescheids über die Zivilinvalidität sehen. "
                        "Wenn Sie einverstanden sind, teilen Sie dem Sachbearbeiter den Code "
                        "123456 mit (gültig 5 Minuten). Andernfalls geben Sie ihn niemandem "
                        "weiter.");
    assert_string_equal(text_or_fail(f, INVQR_LANG_EN, "Comune di Roma"),
                        "Comune di Roma asks to see the medical judgment and the percentage of "
                        "your civil invalidity assessment. If you agree, tell the operator the "
                        "code 123456 (valid for 5 minutes). Otherwise, do not tell it to "
                        "anyone.");
}

static void test_text_minutes(void **state)
{
    fixture_t *f = *state;
    const char *t = NULL;

    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", "000001", 1, f->pool),
                     APR_SUCCESS);
    assert_non_null(strstr(t, "codice 000001 (valido 1 minuto)"));
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_EN, "ASL", "999999", 1, f->pool),
                     APR_SUCCESS);
    assert_non_null(strstr(t, "code 999999 (valid for 1 minute)"));
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", "123456", 1440, f->pool),
                     APR_SUCCESS);
    assert_non_null(strstr(t, "(valido 1440 minuti)"));
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_DE, "ASL", "000001", 1, f->pool),
                     APR_SUCCESS);
    assert_non_null(strstr(t, "Code 000001 mit (gültig 1 Minute)"));
    /* an unknown language is Italian */
    assert_int_equal(invqr_sms_text(&t, (invqr_lang_t)7, "ASL", "123456", 5, f->pool),
                     APR_SUCCESS);
    assert_non_null(strstr(t, "chiede di vedere"));
}

static void test_text_refused(void **state)
{
    fixture_t *f = *state;
    static const char *const otps[] = { "12345", "1234567", "12345a", "", " 123456",
                                        "１２３４５６" };
    const char *t = "x";
    size_t i;

    for (i = 0; i < sizeof(otps) / sizeof(otps[0]); i++) {
        t = "x";
        assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", otps[i], 5, f->pool),
                         APR_EINVAL);
        assert_null(t);
    }
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", NULL, 5, f->pool), APR_EINVAL);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", "123456", 0, f->pool), APR_EINVAL);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", "123456", -5, f->pool),
                     APR_EINVAL);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "ASL", "123456", 1441, f->pool),
                     APR_EINVAL);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, NULL, "123456", 5, f->pool), APR_EINVAL);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "", "123456", 5, f->pool), APR_EINVAL);
    /* nothing left once cleaned */
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_EN, " \t\r\n\x01\x7f\xe2\x80\xae ", "123456",
                                    5, f->pool), APR_EINVAL);
    assert_null(t);
}

static void test_text_cleaned(void **state)
{
    fixture_t *f = *state;
    const char *t;
    const unsigned char *u;

    /* controls dropped, line breaks and tabs one space, ends trimmed */
    t = text_or_fail(f, INVQR_LANG_EN, "\r\n  Comune\x01\x1b[31m di\t\tRoma\x7f\n ");
    assert_true(strncmp(t, "Comune[31m di Roma asks", 23) == 0);
    for (u = (const unsigned char *)t; *u != '\0'; u++)
        assert_true(*u >= 0x20 && *u != 0x7f);
    /* C1 controls (NEL), bidi overrides, zero-width and BOM are dropped */
    t = text_or_fail(f, INVQR_LANG_EN, "INPS\xc2\x85Sede \xe2\x80\xae" "ilrebmahC\xe2\x80\xac"
                     "\xe2\x80\x8b\xef\xbb\xbf" "Est");
    assert_true(strncmp(t, "INPS Sede ilrebmahCEst asks", 27) == 0);
    /* typographic punctuation and Unicode spaces become ASCII */
    t = text_or_fail(f, INVQR_LANG_EN, "L\xe2\x80\x99" "Aquila\xc2\xa0\xe2\x80\x93 "
                     "\xe2\x80\x9c" "ASL\xe2\x80\x9d\xe2\x80\xa6");
    assert_true(strncmp(t, "L'Aquila - \"ASL\"... asks", 24) == 0);
    /* Italian accents stay (GSM has them), the others fold to ASCII */
    t = text_or_fail(f, INVQR_LANG_IT, "Forlì Città Perché Più Ñandú Åre Ê Łódź Šibenik");
    assert_true(strncmp(t, "Forlì Città Perché Più Ñandu Åre E Lodz Sibenik chiede",
                        strlen("Forlì Città Perché Più Ñandu Åre E Lodz Sibenik chiede")) == 0);
    /* invalid UTF-8 shows as '?' */
    t = text_or_fail(f, INVQR_LANG_EN, "Ente \xff\xc0\xaf" "1");
    assert_true(strncmp(t, "Ente ???1 asks", 14) == 0);
}

/* With a name of n 'A's: the text, and whether the name was cut. */
static const char *long_name_text(fixture_t *f, invqr_lang_t lang, size_t n, int *pcut)
{
    char *name = apr_palloc(f->pool, n + 1);
    const char *t;

    memset(name, 'A', n);
    name[n] = '\0';
    t = text_or_fail(f, lang, name);
    *pcut = strstr(t, "A...") != NULL;
    return t;
}

static void test_text_length(void **state)
{
    fixture_t *f = *state;
    invqr_lang_t langs[2] = { INVQR_LANG_IT, INVQR_LANG_EN };
    size_t base, n, i;
    const char *t;
    int cut;

    for (i = 0; i < 2; i++) {
        /* the septets the text takes besides the name */
        base = septets(long_name_text(f, langs[i], 1, &cut)) - 1;
        assert_false(cut);
        assert_true(base < INVQR_SMS_MAX_CHARS - 100);
        for (n = 1; n <= 210; n++) {
            t = long_name_text(f, langs[i], n, &cut);
            assert_true(septets(t) <= INVQR_SMS_MAX_CHARS);
            assert_non_null(strstr(t, "123456"));
            /* cut exactly when the whole name does not fit */
            assert_int_equal(cut, base + n > INVQR_SMS_MAX_CHARS);
            if (cut)
                assert_int_equal(septets(t), INVQR_SMS_MAX_CHARS);
        }
    }

    /* a realistic 200-character name, accents and all */
    t = text_or_fail(f, INVQR_LANG_IT,
                     "Azienda Sanitaria Locale della Provincia di Forlì-Cesena e Città "
                     "Metropolitana, Dipartimento di Prevenzione, Unità Operativa Complessa "
                     "Medicina Legale e Accertamenti dell'Invalidità Civile, sede di Ravenna");
    assert_true(septets(t) <= INVQR_SMS_MAX_CHARS);
    assert_true(strncmp(t, "Azienda Sanitaria Locale della Provincia di Forlì", 50) == 0);
    assert_non_null(strstr(t, "... chiede di vedere"));
    assert_non_null(strstr(t, "123456"));

    /* extension-table characters count twice */
    {
        char name[201];

        memset(name, '[', 200);
        name[200] = '\0';
        t = text_or_fail(f, INVQR_LANG_EN, name);
        assert_true(septets(t) <= INVQR_SMS_MAX_CHARS);
        assert_non_null(strstr(t, "[... asks"));
    }

    /* a name far past what is looked at is cut too */
    {
        size_t big = 5000;
        char *name = apr_palloc(f->pool, big + 1);

        memset(name, ' ', big);
        memcpy(name + big - 3, "ASL", 3);
        name[big] = '\0';
        name[0] = 'X';
        t = text_or_fail(f, INVQR_LANG_EN, name);
        assert_true(strncmp(t, "X... asks", 9) == 0);
    }
}

/* ------------------------------------------------------------ parsing */

static void test_parse(void **state)
{
    fixture_t *f = *state;
    static const char *const good[] = {
        "spool:/var/spool/sms/outgoing", "spool:/var/spool/sms/outgoing///", "spool:/",
        "http://127.0.0.1:8080/send", "https://sms.example.it/api/v1?key=k",
        "HTTPS://sms.example.it/", "http://[::1]:9/x",
    };
    static const char *const bad[] = {
        "", "spool:", "spool:relative/dir", "spool:/var/\nspool", "/var/spool/sms",
        "ftp://example.it/", "http://", "https://", "http:/x", "http://exa mple.it/",
        "https://sms.example.it/\x01", "https://sms.example.it/\xc3\xa0", "smtp:x",
        "https://user:secret@/path",
    };
    invqr_sms_gateway_t *gw;
    const char *err;
    char *big;
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        gw = NULL;
        err = "x";
        assert_int_equal(invqr_sms_gateway_parse(&gw, &err, good[i], f->pool), APR_SUCCESS);
        assert_non_null(gw);
        assert_null(err);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gw = (invqr_sms_gateway_t *)f;
        err = NULL;
        assert_int_equal(invqr_sms_gateway_parse(&gw, &err, bad[i], f->pool), APR_EINVAL);
        assert_null(gw);
        assert_non_null(err);
        /* a reason never repeats the specification (it may hold a key) */
        assert_null(strstr(err, "secret"));
        assert_null(strstr(err, "example"));
    }
    assert_int_equal(invqr_sms_gateway_parse(&gw, &err, NULL, f->pool), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_parse(&gw, NULL, "nope", f->pool), APR_EINVAL);

    big = apr_palloc(f->pool, 2001);
    memcpy(big, "http://a.it/", 12);
    memset(big + 12, 'x', 2000 - 12);
    big[2000] = '\0';
    assert_int_equal(invqr_sms_gateway_parse(&gw, &err, big, f->pool), APR_EINVAL);
    assert_non_null(strstr(err, "too long"));

    assert_int_equal(invqr_sms_gateway_parse(&gw, &err, "http://127.0.0.1/", f->pool),
                     APR_SUCCESS);
    assert_int_equal(invqr_sms_gateway_set_timeouts(gw, 0, 1000), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_set_timeouts(gw, 1000, -1), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_set_timeouts(gw, 1000, 60001), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_set_timeouts(NULL, 1000, 1000), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_set_timeouts(gw, 3000, 1000), APR_SUCCESS);
    assert_int_equal(invqr_sms_gateway_set_ca_file(gw, "relative.pem"), APR_EINVAL);
    assert_int_equal(invqr_sms_gateway_set_ca_file(gw, "/etc/ssl/certs/x.pem"), APR_SUCCESS);
    assert_int_equal(invqr_sms_gateway_set_ca_file(gw, NULL), APR_SUCCESS);
}

/* ------------------------------------------------------------ the spool */

static invqr_sms_gateway_t *spool_gw(fixture_t *f, const char *dir)
{
    invqr_sms_gateway_t *gw = NULL;
    const char *err = NULL;

    assert_int_equal(invqr_sms_gateway_parse(&gw, &err,
                                             apr_pstrcat(f->pool, "spool:", dir, "/", NULL),
                                             f->pool), APR_SUCCESS);
    return gw;
}

static void test_spool_format(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    const char *err = "x";
    char name[256], buf[1024], path[512];
    struct stat st;

    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456 per ASL.\nFine.", &err, f->pool),
                     APR_SUCCESS);
    assert_null(err);
    assert_int_equal(count_entries(f->dir, name, sizeof(name)), 1);
    assert_true(strncmp(name, "invqr-", 6) == 0);
    assert_null(strstr(name, "LOCK"));
    read_file(f->dir, name, buf, sizeof(buf));
    assert_string_equal(buf, "To: " DIGITS "\n\nCodice 123456 per ASL.\nFine.");
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_true(S_ISREG(st.st_mode));

    /* a second message is a second file */
    assert_int_equal(invqr_sms_send(gw, "+12025550123", "Hello", &err, f->pool), APR_SUCCESS);
    assert_int_equal(count_entries(f->dir, NULL, 0), 2);
}

static void test_spool_latin9(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    const char *err = NULL, *t;
    char name[256], buf[1024];
    size_t n;

    assert_int_equal(invqr_sms_send(gw, NUMBER, "invalidità è € Š ¤ Ω 😀 ok", &err, f->pool),
                     APR_SUCCESS);
    assert_int_equal(count_entries(f->dir, name, sizeof(name)), 1);
    n = read_file(f->dir, name, buf, sizeof(buf));
    assert_int_equal(n, strlen("To: " DIGITS "\n\ninvalidit\xe0 \xe8 \xa4 \xa6 ? ? ? ok"));
    assert_memory_equal(buf, "To: " DIGITS "\n\ninvalidit\xe0 \xe8 \xa4 \xa6 ? ? ? ok", n);

    /* the real message, end to end */
    empty_dir(f->dir);
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT, "Comune di Forlì", "654321", 5, f->pool),
                     APR_SUCCESS);
    assert_int_equal(invqr_sms_send(gw, NUMBER, t, &err, f->pool), APR_SUCCESS);
    assert_int_equal(count_entries(f->dir, name, sizeof(name)), 1);
    read_file(f->dir, name, buf, sizeof(buf));
    assert_true(strncmp(buf, "To: " DIGITS "\n\nComune di Forl\xec chiede", 36) == 0);
    assert_non_null(strstr(buf, "invalidit\xe0 civile"));
    assert_non_null(strstr(buf, "codice 654321 (valido 5 minuti)"));
}

/* err is a reason that names neither the number nor the text. */
static void assert_clean_reason(const char *err)
{
    assert_non_null(err);
    assert_true(err[0] != '\0');
    assert_null(strstr(err, "3331234567"));
    assert_null(strstr(err, "Codice"));
}

static void test_spool_missing_dir(void **state)
{
    fixture_t *f = *state;
    char *missing = apr_pstrcat(f->pool, f->dir, "/missing", NULL);
    char *file = apr_pstrcat(f->pool, f->dir, "/file", NULL);
    invqr_sms_gateway_t *gw = spool_gw(f, missing);
    const char *err = NULL;
    FILE *fp;

    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool),
                     APR_FROM_OS_ERROR(ENOENT));
    assert_clean_reason(err);
    assert_non_null(strstr(err, "cannot create a file in the SMS spool"));
    assert_int_equal(count_entries(f->dir, NULL, 0), 0);

    /* a file where the directory should be */
    fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    gw = spool_gw(f, file);
    err = NULL;
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool),
                     APR_FROM_OS_ERROR(ENOTDIR));
    assert_clean_reason(err);
    assert_int_equal(count_entries(f->dir, NULL, 0), 1);
}

static void test_spool_unwritable(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    const char *err = NULL;

    if (geteuid() == 0) {
        /* root writes anyway; test_spool_write_fails covers the cleanup */
        skip();
    }
    assert_int_equal(chmod(f->dir, 0500), 0);
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool),
                     APR_FROM_OS_ERROR(EACCES));
    assert_clean_reason(err);
    assert_int_equal(count_entries(f->dir, NULL, 0), 0);
}

static void test_spool_write_fails(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    const char *err = NULL;
    struct rlimit old, small;
    char *text = apr_palloc(f->pool, 1501);
    apr_status_t rv;

    memset(text, 'x', 1500);
    text[1500] = '\0';
    /* the file can be created, but not grow past 100 bytes */
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 100;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    rv = invqr_sms_send(gw, NUMBER, text, &err, f->pool);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);

    assert_int_equal(rv, APR_FROM_OS_ERROR(EFBIG));
    assert_clean_reason(err);
    assert_non_null(strstr(err, "cannot write the SMS spool file"));
    /* the temporary file is gone */
    assert_int_equal(count_entries(f->dir, NULL, 0), 0);
}

typedef struct {
    invqr_sms_gateway_t *gw;
    int failures;
} sender_t;

#define SENDERS     8
#define PER_SENDER  25

/* One thread: PER_SENDER messages, each from its own pool. */
static void *sender_main(void *baton)
{
    sender_t *s = baton;
    apr_pool_t *p = NULL;
    const char *err;
    int i;

    for (i = 0; i < PER_SENDER; i++) {
        if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
            s->failures++;
            continue;
        }
        if (invqr_sms_send(s->gw, NUMBER, "Codice 123456", &err, p) != APR_SUCCESS)
            s->failures++;
        apr_pool_destroy(p);
    }
    return NULL;
}

static void test_spool_threads(void **state)
{
    fixture_t *f = *state;
    pthread_t t[SENDERS];
    sender_t s[SENDERS];
    int i;

    for (i = 0; i < SENDERS; i++) {
        s[i].gw = spool_gw(f, f->dir);
        s[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, sender_main, &s[i]), 0);
    }
    for (i = 0; i < SENDERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(s[i].failures, 0);
    }
    /* every message is its own file, and no temporary file is left */
    assert_int_equal(count_entries(f->dir, NULL, 0), SENDERS * PER_SENDER);
}

static void test_numbers(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    static const char *const bad[] = {
        "", "+", DIGITS, "+39 3331234567", "+39-333-1234567", "+1234567",
        "+1234567890123456", "+0393331234567", "++393331234567", "+39333123456a",
        NUMBER "\n", " " NUMBER, "+\xef\xbc\x93\xef\xbc\x99" "3331234567", "00393331234567",
    };
    const char *err;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        assert_int_equal(invqr_sms_send(gw, bad[i], "Codice 123456", &err, f->pool),
                         APR_EINVAL);
        assert_clean_reason(err);
        assert_non_null(strstr(err, "phone number"));
    }
    assert_int_equal(invqr_sms_send(gw, NULL, "Codice 123456", &err, f->pool), APR_EINVAL);
    assert_int_equal(count_entries(f->dir, NULL, 0), 0);

    /* the shortest and the longest numbers E.164 allows */
    assert_int_equal(invqr_sms_send(gw, "+12345678", "ok", &err, f->pool), APR_SUCCESS);
    assert_int_equal(invqr_sms_send(gw, "+123456789012345", "ok", &err, f->pool), APR_SUCCESS);
    assert_int_equal(count_entries(f->dir, NULL, 0), 2);

    assert_int_equal(invqr_sms_send(NULL, NUMBER, "ok", &err, f->pool), APR_EINVAL);
    assert_non_null(err);
}

static void test_texts_refused(void **state)
{
    fixture_t *f = *state;
    invqr_sms_gateway_t *gw = spool_gw(f, f->dir);
    static const char *const bad[] = { "", "a\x01" "b", "a\rb", "a\tb", "\xff", "\xc3",
                                       "a\xc2\x85" "b", "\xed\xa0\x80" };
    char *big = apr_palloc(f->pool, INVQR_SMS_MAX_TEXT_BYTES + 2);
    const char *err;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        assert_int_equal(invqr_sms_send(gw, NUMBER, bad[i], &err, f->pool), APR_EINVAL);
        assert_string_equal(err, "invalid message text");
    }
    assert_int_equal(invqr_sms_send(gw, NUMBER, NULL, &err, f->pool), APR_EINVAL);
    memset(big, 'x', INVQR_SMS_MAX_TEXT_BYTES + 1);
    big[INVQR_SMS_MAX_TEXT_BYTES + 1] = '\0';
    assert_int_equal(invqr_sms_send(gw, NUMBER, big, &err, f->pool), APR_EINVAL);
    assert_int_equal(count_entries(f->dir, NULL, 0), 0);
    big[INVQR_SMS_MAX_TEXT_BYTES] = '\0';
    assert_int_equal(invqr_sms_send(gw, NUMBER, big, &err, f->pool), APR_SUCCESS);
    assert_int_equal(count_entries(f->dir, NULL, 0), 1);
}

/* ------------------------------------------------------------ a test server */

typedef enum {
    SRV_OK,         /* 200 */
    SRV_FAIL,       /* 500 */
    SRV_REDIRECT,   /* 302 to another path */
    SRV_HANG,       /* reads the request, never answers */
    SRV_BIG,        /* 200 with a 1 MiB body */
    SRV_PLAIN,      /* plain HTTP 200 to whatever the first bytes were (TLS) */
    SRV_TLS         /* TLS with cert/key, then 200 */
} srv_mode_t;

typedef struct {
    srv_mode_t mode;
    int lfd;
    unsigned short port;
    pthread_t thread;
    SSL_CTX *tls;
    int handshake_ok;       /* SRV_TLS: the client finished the handshake */
    char req[REQ_MAX + 1];  /* what the client sent */
    size_t req_len;
} srv_t;

static ssize_t srv_read(SSL *ssl, int fd, char *buf, size_t n)
{
    if (ssl != NULL)
        return SSL_read(ssl, buf, (int)n);
    return recv(fd, buf, n, 0);
}

static void srv_write(SSL *ssl, int fd, const char *buf, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = (ssl != NULL) ? SSL_write(ssl, buf, (int)n) : send(fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* Read one request (headers and Content-Length body) into s->req. */
static void srv_read_request(srv_t *s, SSL *ssl, int fd)
{
    size_t need = 0;
    ssize_t n;
    char *end, *cl;

    while (s->req_len < REQ_MAX) {
        n = srv_read(ssl, fd, s->req + s->req_len, REQ_MAX - s->req_len);
        if (n <= 0)
            break;
        s->req_len += (size_t)n;
        s->req[s->req_len] = '\0';
        if (s->mode == SRV_PLAIN)
            break;
        if (need == 0) {
            end = strstr(s->req, "\r\n\r\n");
            if (end == NULL)
                continue;
            cl = strcasestr(s->req, "\r\nContent-Length:");
            need = (size_t)(end - s->req) + 4 + (cl != NULL ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (s->req_len >= need)
            break;
    }
}

static void *srv_main(void *baton)
{
    static const char ok[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
        "Connection: close\r\n\r\nOK\n";
    static const char fail[] =
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n"
        "Connection: close\r\n\r\nfail\n";
    static const char redirect[] =
        "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n";
    static const char big_head[] =
        "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n";
    srv_t *s = baton;
    struct pollfd pfd = { s->lfd, POLLIN, 0 };
    struct timeval tv = { SRV_WAIT_MS / 1000, 0 };
    char chunk[4096], sink[256];
    SSL *ssl = NULL;
    int fd = -1, i;

    if (poll(&pfd, 1, SRV_WAIT_MS) != 1)
        goto out;
    fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        goto out;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (s->mode == SRV_TLS) {
        ssl = SSL_new(s->tls);
        if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
            goto out;
        s->handshake_ok = 1;
    }
    srv_read_request(s, ssl, fd);
    switch (s->mode) {
    case SRV_OK:
    case SRV_PLAIN:
    case SRV_TLS:
        srv_write(ssl, fd, ok, sizeof(ok) - 1);
        break;
    case SRV_FAIL:
        srv_write(ssl, fd, fail, sizeof(fail) - 1);
        break;
    case SRV_REDIRECT:
        srv_write(ssl, fd, redirect, sizeof(redirect) - 1);
        break;
    case SRV_BIG:
        srv_write(ssl, fd, big_head, sizeof(big_head) - 1);
        memset(chunk, 'z', sizeof(chunk));
        for (i = 0; i < 256; i++)
            srv_write(ssl, fd, chunk, sizeof(chunk));
        break;
    case SRV_HANG:
        /* until the client gives up and closes */
        while (recv(fd, sink, sizeof(sink), 0) > 0)
            ;
        break;
    }
    if (ssl != NULL)
        (void)SSL_shutdown(ssl);
out:
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void srv_start(srv_t *s, srv_mode_t mode, SSL_CTX *tls)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);

    memset(s, 0, sizeof(*s));
    s->mode = mode;
    s->tls = tls;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->lfd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(s->lfd, 4), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &len), 0);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
}

static void srv_stop(srv_t *s)
{
    (void)shutdown(s->lfd, SHUT_RDWR);   /* wakes a thread still waiting */
    pthread_join(s->thread, NULL);
    close(s->lfd);
}

static invqr_sms_gateway_t *http_gw(fixture_t *f, const char *scheme, unsigned short port,
                                    long connect_ms, long total_ms)
{
    invqr_sms_gateway_t *gw = NULL;
    const char *err = NULL;
    const char *url = apr_psprintf(f->pool, "%s://127.0.0.1:%u/sms", scheme, port);

    assert_int_equal(invqr_sms_gateway_parse(&gw, &err, url, f->pool), APR_SUCCESS);
    assert_int_equal(invqr_sms_gateway_set_timeouts(gw, connect_ms, total_ms), APR_SUCCESS);
    return gw;
}

/* application/x-www-form-urlencoded as RFC 3986 unreserved-only escaping. */
static const char *form_escape(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *d = out;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~') {
            *d++ = (char)c;
        }
        else {
            snprintf(d, 4, "%%%02X", c);
            d += 3;
        }
    }
    *d = '\0';
    return out;
}

/* The body of the request the server received. */
static const char *req_body(srv_t *s)
{
    char *end = strstr(s->req, "\r\n\r\n");

    assert_non_null(end);
    return end + 4;
}

static void test_http_ok(void **state)
{
    fixture_t *f = *state;
    srv_t *s = calloc(1, sizeof(*s));
    const char *err = "x", *t;

    assert_non_null(s);
    srv_start(s, SRV_OK, NULL);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", s->port, 1000, 2000), NUMBER,
                                    "Prova àè & = + ~ok\nfine", &err, f->pool), APR_SUCCESS);
    srv_stop(s);
    assert_null(err);
    assert_true(strncmp(s->req, "POST /sms HTTP/1.1\r\n", 20) == 0);
    assert_non_null(strcasestr(s->req, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    assert_null(strcasestr(s->req, "\r\nExpect:"));
    assert_string_equal(req_body(s),
                        "to=" DIGITS "&text=Prova%20%C3%A0%C3%A8%20%26%20%3D%20%2B%20~ok%0Afine");

    /* the real message, at its longest */
    memset(s, 0, sizeof(*s));
    assert_int_equal(invqr_sms_text(&t, INVQR_LANG_IT,
                                    "Unità Operativa \"Medicina Legale\" & Accertamenti "
                                    "dell'Invalidità Civile, Azienda Sanitaria Locale della "
                                    "Romagna, sede di Forlì-Cesena, Ravenna e Rimini (100%)",
                                    "012345", 5, f->pool), APR_SUCCESS);
    srv_start(s, SRV_OK, NULL);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", s->port, 1000, 2000), NUMBER, t, &err,
                                    f->pool), APR_SUCCESS);
    srv_stop(s);
    assert_string_equal(req_body(s),
                        apr_pstrcat(f->pool, "to=" DIGITS "&text=", form_escape(f->pool, t),
                                    NULL));
    free(s);
}

static void test_http_errors(void **state)
{
    fixture_t *f = *state;
    srv_t *s = calloc(1, sizeof(*s));
    const char *err = NULL;

    assert_non_null(s);
    srv_start(s, SRV_FAIL, NULL);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", s->port, 1000, 2000), NUMBER,
                                    "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_string_equal(err, "gateway answered 500");
    assert_non_null(strstr(s->req, "to=" DIGITS "&text=Codice%20123456"));

    /* a redirect is not followed */
    srv_start(s, SRV_REDIRECT, NULL);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", s->port, 1000, 2000), NUMBER,
                                    "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_string_equal(err, "gateway answered 302");

    /* an endless answer is cut */
    srv_start(s, SRV_BIG, NULL);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", s->port, 1000, 2000), NUMBER,
                                    "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_string_equal(err, "gateway answer too long");
    free(s);
}

static void test_http_refused(void **state)
{
    fixture_t *f = *state;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    const char *err = NULL;
    int fd;

    /* a port that was free a moment ago, with nobody listening */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    assert_int_equal(invqr_sms_send(http_gw(f, "http", ntohs(sa.sin_port), 1000, 2000), NUMBER,
                                    "Codice 123456", &err, f->pool), APR_EGENERAL);
    close(fd);
    assert_string_equal(err, "cannot connect to the gateway");
}

static void test_http_timeout(void **state)
{
    fixture_t *f = *state;
    srv_t *s = calloc(1, sizeof(*s));
    const char *err = NULL;
    apr_time_t t0, elapsed;
    apr_status_t rv;

    assert_non_null(s);
    srv_start(s, SRV_HANG, NULL);
    t0 = apr_time_now();
    rv = invqr_sms_send(http_gw(f, "http", s->port, 500, 1000), NUMBER, "Codice 123456", &err,
                        f->pool);
    elapsed = apr_time_now() - t0;
    srv_stop(s);
    assert_int_equal(rv, APR_TIMEUP);
    assert_string_equal(err, "gateway timed out");
    assert_true(elapsed >= apr_time_from_msec(900));
    assert_true(elapsed < apr_time_from_msec(2500));
    /* the request did arrive: it was the answer that never came */
    assert_non_null(strstr(s->req, "to=" DIGITS "&text=Codice%20123456"));
    free(s);
}

/* ------------------------------------------------------------ TLS */

/* A self-signed certificate for subjectAltName san, its key, and a server
 * context using them. */
static SSL_CTX *tls_server(const char *san, X509 **pcert)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    X509_EXTENSION *ext;
    X509V3_CTX v3;
    SSL_CTX *ctx;

    assert_non_null(key);
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    name = X509_get_subject_name(x);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"invqr test gateway",
                                                -1, -1, 0), 1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);

    ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
    EVP_PKEY_free(key);
    *pcert = x;
    return ctx;
}

/* Write cert as PEM into the fixture's directory; returns the path. */
static const char *write_ca(fixture_t *f, X509 *cert)
{
    const char *path = apr_pstrcat(f->pool, f->dir, "/ca.pem", NULL);
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(PEM_write_X509(fp, cert), 1);
    fclose(fp);
    return path;
}

static void test_https_plain_socket(void **state)
{
    fixture_t *f = *state;
    srv_t *s = calloc(1, sizeof(*s));
    invqr_sms_gateway_t *gw;
    const char *err = NULL;

    assert_non_null(s);
    srv_start(s, SRV_PLAIN, NULL);
    gw = http_gw(f, "https", s->port, TLS_CONNECT_MS, TLS_TOTAL_MS);
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_clean_reason(err);
    assert_true(strncmp(err, "TLS with the gateway failed", 27) == 0);
    /* the client opened with a TLS handshake record, and sent no request */
    assert_true(s->req_len > 5);
    assert_int_equal((unsigned char)s->req[0], 0x16);
    assert_null(strstr(s->req, "POST"));
    free(s);
}

static void test_https_verification(void **state)
{
    fixture_t *f = *state;
    srv_t *s = calloc(1, sizeof(*s));
    invqr_sms_gateway_t *gw;
    const char *err = NULL;
    SSL_CTX *ctx;
    X509 *cert;

    assert_non_null(s);

    /* self-signed, for the right address, not trusted: refused */
    ctx = tls_server("IP:127.0.0.1", &cert);
    srv_start(s, SRV_TLS, ctx);
    gw = http_gw(f, "https", s->port, TLS_CONNECT_MS, TLS_TOTAL_MS);
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_clean_reason(err);
    assert_true(strncmp(err, "TLS with the gateway failed", 27) == 0);
    assert_false(s->handshake_ok);
    assert_int_equal(s->req_len, 0);

    /* the same certificate, trusted: accepted (so the refusal above was
     * the verification of the peer, not a broken server) */
    memset(s, 0, sizeof(*s));
    srv_start(s, SRV_TLS, ctx);
    gw = http_gw(f, "https", s->port, TLS_CONNECT_MS, TLS_TOTAL_MS);
    assert_int_equal(invqr_sms_gateway_set_ca_file(gw, write_ca(f, cert)), APR_SUCCESS);
    err = "x";
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool), APR_SUCCESS);
    srv_stop(s);
    assert_null(err);
    assert_true(s->handshake_ok);
    assert_string_equal(req_body(s), "to=" DIGITS "&text=Codice%20123456");
    SSL_CTX_free(ctx);
    X509_free(cert);

    /* trusted, but issued to another name: refused (host verification) */
    ctx = tls_server("DNS:elsewhere.invalid", &cert);
    memset(s, 0, sizeof(*s));
    srv_start(s, SRV_TLS, ctx);
    gw = http_gw(f, "https", s->port, TLS_CONNECT_MS, TLS_TOTAL_MS);
    assert_int_equal(invqr_sms_gateway_set_ca_file(gw, write_ca(f, cert)), APR_SUCCESS);
    assert_int_equal(invqr_sms_send(gw, NUMBER, "Codice 123456", &err, f->pool), APR_EGENERAL);
    srv_stop(s);
    assert_clean_reason(err);
    assert_true(strncmp(err, "TLS with the gateway failed", 27) == 0);
    /* libcurl checks the name once the handshake is over: what matters is
     * that nothing was sent over that connection */
    assert_int_equal(s->req_len, 0);
    SSL_CTX_free(ctx);
    X509_free(cert);
    free(s);
}

int main(void)
{
    static const char *const proxies[] = { "http_proxy", "https_proxy", "HTTP_PROXY",
                                           "HTTPS_PROXY", "ALL_PROXY", "all_proxy" };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_minutes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_cleaned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_latin9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_write_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_texts_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_plain_socket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_verification, setup, teardown),
    };
    size_t i;
    int failed;

    /* the test servers are on loopback: no proxy in between */
    for (i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
        unsetenv(proxies[i]);
    if (apr_initialize() != APR_SUCCESS)
        return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    failed = cmocka_run_group_tests_name("sms", tests, NULL, NULL);
    curl_global_cleanup();
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
