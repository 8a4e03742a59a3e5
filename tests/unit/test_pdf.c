/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the attestation PDF (corelib/invqr_pdf.c).
 *
 * Renders PDFs and checks them with the tools a reader would use: every
 * word of the holder's name (accents, Romanian and Polish letters, and
 * < > & " ') and the other printed data must come out of pdftotext and of
 * Ghostscript's txtwrite; the page rasterised by pdftoppm must scan with
 * zbarimg to exactly the URL; pdfinfo must see the metadata and an A4 page;
 * pdffonts must see every font embedded. The tools are required: if one is
 * missing the test fails (Debian: poppler-utils zbar-tools ghostscript).
 * Fonts come from INVQR_FONT_DIR or the build tree (INVQR_TEST_FONTDIR).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_pdf.h"

#ifndef INVQR_TEST_FONTDIR
#define INVQR_TEST_FONTDIR "fonts"
#endif
#ifndef INVQR_TEST_DEJAVU_DIR
#define INVQR_TEST_DEJAVU_DIR "/usr/share/fonts/truetype/dejavu"
#endif

static const char URL[] = "HTTP://127.0.0.1:8080/V/0123456789ABCDEFGHJK";
static const char CODE[] = "01234-56789-ABCDE-FGHJK";
static const char GIVEN[] = "Zo\xC3\xAB Niccol\xC3\xB2 <b>&\"'";
static const char SURNAME[] =
    "\xC8\x98tef\xC4\x83nescu-\xC5\x81ukasiewicz D'\xC3\x80rpino \xC5\x82\xC3\xB3"
    "d\xC5\xBA \xC8\x9B\xC3\xA0\xC3\xA8\xC3\xAC\xC3\xB2\xC3\xB9";
static const char FISCAL[] = "RSSMRA80A01H501U";
static const char ISSUER[] = "Istituto di prova \xC2\xB7 Sede di Forl\xC3\xAC";
static const char TITLE[] = "Attestazione dello status di invalidit\xC3\xA0 civile";

typedef struct fixture_t {
    apr_pool_t *p;
    char dir[64];
    const char *font_dir;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    const char *env = getenv("INVQR_FONT_DIR");

    if (fx == NULL || apr_pool_create(&fx->p, NULL) != APR_SUCCESS) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/invqr-test-pdf-XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        apr_pool_destroy(fx->p);
        free(fx);
        return -1;
    }
    fx->font_dir = (env != NULL && env[0] != '\0') ? env : INVQR_TEST_FONTDIR;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", fx->dir);
    }
    apr_pool_destroy(fx->p);
    free(fx);
    return 0;
}

static invqr_pdf_input_t base_input(const fixture_t *fx)
{
    invqr_pdf_input_t in;

    memset(&in, 0, sizeof(in));
    in.url = URL;
    in.code_grouped = CODE;
    in.given_name = GIVEN;
    in.surname = SURNAME;
    in.fiscal_code = FISCAL;
    in.issue_date = "2025-02-01";
    in.font_dir = fx->font_dir;
    return in;
}

static void require_tool(const char *tool, const char *package)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    if (system(cmd) != 0) {
        fail_msg("%s is missing: install the Debian package %s", tool,
                 package);
    }
}

/* Run a shell command; its standard output, NUL-terminated, from p. */
static char *run(const char *cmd, apr_pool_t *p)
{
    FILE *f = popen(cmd, "r");
    size_t cap = 65536, len = 0, n;
    char *buf, *out;
    int status;

    assert_non_null(f);
    buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        n = fread(buf + len, 1, cap - 1 - len, f);
        if (n == 0) {
            break;
        }
        len += n;
        if (len == cap - 1) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    status = pclose(f);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail_msg("command failed (%d): %s", status, cmd);
    }
    out = apr_pstrmemdup(p, buf, len);
    free(buf);
    return out;
}

static const char *render_to_file(fixture_t *fx, const invqr_pdf_input_t *in,
                                  const char *name)
{
    const char *pdf = NULL, *path;
    apr_size_t len = 0;
    FILE *f;

    assert_int_equal(invqr_pdf_render(&pdf, &len, in, fx->p), APR_SUCCESS);
    assert_non_null(pdf);
    assert_true(len > 1000 && len <= INVQR_PDF_MAX_SIZE);
    assert_memory_equal(pdf, "%PDF-1.", 7);
    path = apr_psprintf(fx->p, "%s/%s.pdf", fx->dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Every space-separated word of s occurs in text. */
static void assert_words(const char *text, const char *s, const char *tool)
{
    char *copy = strdup(s), *save = NULL, *w;

    assert_non_null(copy);
    for (w = strtok_r(copy, " ", &save); w != NULL;
         w = strtok_r(NULL, " ", &save)) {
        if (strstr(text, w) == NULL) {
            fail_msg("%s did not extract \"%s\"", tool, w);
        }
    }
    free(copy);
}

static void assert_contains(const char *text, const char *what,
                            const char *tool)
{
    if (strstr(text, what) == NULL) {
        fail_msg("%s output lacks \"%s\"", tool, what);
    }
}

static void check_text(const char *text, const char *tool)
{
    static const char *const keys[] = {
        "fotocamera", "telefono", "codice fiscale", "tessera sanitaria",
        "identit\xC3\xA0", "s\xC3\xAC/no", "online", "phone camera",
        "fiscal code", "health card", "identity document", "yes/no",
        "status at the moment of the check", "01/02/2025", "RSSMRA80A01H501U",
        "01234-56789-ABCDE-FGHJK", "Civil invalidity status attestation",
    };
    size_t i;

    assert_words(text, GIVEN, tool);
    assert_words(text, SURNAME, tool);
    assert_contains(text, TITLE, tool);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        assert_contains(text, keys[i], tool);
    }
}

static void test_text_extracted(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    const char *path, *text;

    require_tool("pdftotext", "poppler-utils");
    require_tool("gs", "ghostscript");
    path = render_to_file(fx, &in, "text");

    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' - 2>&1", path),
               fx->p);
    check_text(text, "pdftotext");
    /* libharu's own ToUnicode CMap draws this poppler warning */
    assert_null(strstr(text, "Syntax Warning"));
    assert_contains(text, "/verify", "pdftotext");

    text = run(apr_psprintf(fx->p,
                            "gs -q -dNOPAUSE -dBATCH -dSAFER "
                            "-sDEVICE=txtwrite -sOutputFile=- '%s'",
                            path),
               fx->p);
    check_text(text, "gs txtwrite");
}

static void test_verify_url_and_issuer(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    const char *path, *text;

    require_tool("pdftotext", "poppler-utils");
    in.verify_url = "https://servizi.esempio.gov.it/invqr/verify";
    in.issuer = ISSUER;
    path = render_to_file(fx, &in, "url");
    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' -", path),
               fx->p);
    assert_contains(text, in.verify_url, "pdftotext");
    assert_contains(text, ISSUER, "pdftotext");
    check_text(text, "pdftotext");
}

static void scan_and_compare(fixture_t *fx, const char *path, const char *url)
{
    const char *out;

    require_tool("pdftoppm", "poppler-utils");
    require_tool("zbarimg", "zbar-tools");
    run(apr_psprintf(fx->p, "pdftoppm -r 150 -png '%s' '%s/page'", path,
                     fx->dir),
        fx->p);
    out = run(apr_psprintf(fx->p, "zbarimg --raw -q '%s/page-1.png' "
                                  "2>/dev/null",
                           fx->dir),
              fx->p);
    assert_string_equal(out, apr_pstrcat(fx->p, url, "\n", NULL));
}

static void test_qr_scans_to_url(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);

    scan_and_compare(fx, render_to_file(fx, &in, "qr"), URL);
}

static void test_qr_longer_url(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);

    in.url = "HTTPS://SERVIZI.ESEMPIO.GOV.IT/INVQR/V/ZZZZZZZZZZZZZZZZZZZZ";
    scan_and_compare(fx, render_to_file(fx, &in, "qr2"), in.url);
}

static int contains_bytes(const char *buf, size_t len, const char *what)
{
    size_t n = strlen(what), i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, what, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_info_and_page(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    const char *path, *info, *pdf = NULL;
    apr_size_t len = 0;

    require_tool("pdfinfo", "poppler-utils");
    in.issuer = ISSUER;
    path = render_to_file(fx, &in, "info");
    info = run(apr_psprintf(fx->p, "pdfinfo '%s'", path), fx->p);
    assert_contains(info, apr_pstrcat(fx->p, "Title:", NULL), "pdfinfo");
    assert_contains(info, TITLE, "pdfinfo");
    assert_contains(info, "Civil invalidity status attestation", "pdfinfo");
    assert_contains(info, apr_pstrcat(fx->p, "Author:          ", ISSUER,
                                      NULL),
                    "pdfinfo");
    assert_contains(info, "Creator:         invqr", "pdfinfo");
    assert_contains(info, "Pages:           1\n", "pdfinfo");
    assert_contains(info, "595.276 x 841.89 pts (A4)", "pdfinfo");

    /* the catalog is not compressed: /Lang is there in the clear */
    assert_int_equal(invqr_pdf_render(&pdf, &len, &in, fx->p), APR_SUCCESS);
    assert_true(contains_bytes(pdf, len, "/Lang (it-IT)"));
}

static void test_fonts_embedded(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    const char *path;
    char *fonts, *line, *save = NULL;
    int n = 0;

    require_tool("pdffonts", "poppler-utils");
    path = render_to_file(fx, &in, "fonts");
    fonts = run(apr_psprintf(fx->p, "pdffonts '%s'", path), fx->p);
    for (line = strtok_r(fonts, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *tok[32], *s2 = NULL, *t;
        int nt = 0;

        if (strncmp(line, "name ", 5) == 0 || strncmp(line, "----", 4) == 0) {
            continue;
        }
        for (t = strtok_r(line, " ", &s2); t != NULL && nt < 32;
             t = strtok_r(NULL, " ", &s2)) {
            tok[nt++] = t;
        }
        /* ... emb sub uni object-id generation */
        assert_true(nt >= 6);
        assert_string_equal(tok[nt - 5], "yes"); /* embedded */
        assert_string_equal(tok[nt - 4], "yes"); /* subset */
        if (strstr(line, "DejaVuSans-") != NULL ||
            strstr(line, "DejaVuSans,") != NULL) {
            assert_string_equal(tok[nt - 3], "yes"); /* ToUnicode */
        }
        n++;
    }
    assert_int_equal(n, 3); /* regular, bold, code */
}

static void test_fallback_font(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    static const char greek[] = "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7";
    const char *path, *text;

    require_tool("pdftotext", "poppler-utils");
    /* without a fallback the letters the subsets lack print as '?' */
    in.given_name = greek;
    path = render_to_file(fx, &in, "nofallback");
    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                            path),
               fx->p);
    assert_contains(text, "????? ", "pdftotext");
    assert_words(text, SURNAME, "pdftotext");

    /* with one, the name is drawn in it, whole */
    in.font_fallback = INVQR_TEST_DEJAVU_DIR "/DejaVuSans-Bold.ttf";
    path = render_to_file(fx, &in, "fallback");
    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' - 2>&1", path),
               fx->p);
    assert_contains(text, greek, "pdftotext");
    assert_words(text, SURNAME, "pdftotext");
    assert_contains(text, "tessera sanitaria", "pdftotext");
    assert_null(strstr(text, "Syntax Warning"));
    require_tool("gs", "ghostscript");
    text = run(apr_psprintf(fx->p,
                            "gs -q -dNOPAUSE -dBATCH -dSAFER "
                            "-sDEVICE=txtwrite -sOutputFile=- '%s'",
                            path),
               fx->p);
    assert_contains(text, greek, "gs txtwrite");
    assert_words(text, SURNAME, "gs txtwrite");
    scan_and_compare(fx, path, URL);

    /* an unreadable fallback degrades to '?' instead of failing */
    in.font_fallback = "/nonexistent/font.ttf";
    path = render_to_file(fx, &in, "badfallback");
    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                            path),
               fx->p);
    assert_contains(text, "????? ", "pdftotext");
}

static void test_long_names(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    char given[512], surname[512];
    const char *path, *text;
    size_t i;

    require_tool("pdftotext", "poppler-utils");
    /* 100 characters each, the most the contract allows */
    given[0] = surname[0] = '\0';
    for (i = 0; i < 10; i++) {
        strcat(given, i == 9 ? "Gianmar\xC3\xAC" "aX" : "Gianmar\xC3\xAC" "a ");
        strcat(surname, i == 9 ? "\xC5\x81ukasiewic" : "\xC5\x81ukasiewi ");
    }
    in.given_name = given;
    in.surname = surname;
    path = render_to_file(fx, &in, "long");
    text = run(apr_psprintf(fx->p, "pdftotext -enc UTF-8 '%s' -", path),
               fx->p);
    assert_words(text, given, "pdftotext");
    assert_words(text, surname, "pdftotext");
    assert_contains(text, "identity document", "pdftotext");
    assert_contains(text, "contains no health data", "pdftotext");
    scan_and_compare(fx, path, URL);

    /* a 101st character is refused */
    strcat(surname, "z");
    assert_int_equal(invqr_pdf_render(&text, &i, &in, fx->p), APR_EINVAL);
}

static void expect_einval(fixture_t *fx, const invqr_pdf_input_t *in)
{
    const char *pdf = "x";
    apr_size_t len = 1;

    assert_int_equal(invqr_pdf_render(&pdf, &len, in, fx->p), APR_EINVAL);
    assert_null(pdf);
    assert_int_equal(len, 0);
}

static void test_invalid_input(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in;
    const char *pdf = NULL;
    apr_size_t len = 0;

    assert_int_equal(invqr_pdf_render(&pdf, &len, NULL, fx->p), APR_EINVAL);

#define BAD(field, value)          \
    do {                           \
        in = base_input(fx);       \
        in.field = (value);        \
        expect_einval(fx, &in);    \
    } while (0)
    BAD(url, NULL);
    BAD(url, "");
    BAD(code_grouped, NULL);
    BAD(code_grouped, "01234-56789-abcde-fghjk");
    BAD(code_grouped, "01234 56789");
    BAD(given_name, NULL);
    BAD(given_name, "Zo\xC3");              /* truncated UTF-8 */
    BAD(given_name, "Zo\xC3\xAB\nEve");     /* control character */
    BAD(surname, "");
    BAD(surname, "\xC0\xAF");                /* overlong */
    BAD(fiscal_code, NULL);
    BAD(issue_date, NULL);
    BAD(issue_date, "01/02/2025");
    BAD(issue_date, "2025-13-01");
    BAD(issue_date, "2025-02-00");
    BAD(issue_date, "2025-02-011");
    BAD(font_dir, NULL);
    BAD(verify_url, "https://x/\xFF");
    BAD(issuer, "\xED\xA0\x80");             /* surrogate */
#undef BAD
}

static void test_missing_fonts(void **state)
{
    fixture_t *fx = *state;
    invqr_pdf_input_t in = base_input(fx);
    const char *pdf = "x";
    apr_size_t len = 1;

    in.font_dir = "/nonexistent-invqr-fonts";
    assert_int_equal(invqr_pdf_render(&pdf, &len, &in, fx->p), APR_EGENERAL);
    assert_null(pdf);
    assert_int_equal(len, 0);
    /* and the good directory still works afterwards */
    in.font_dir = fx->font_dir;
    assert_int_equal(invqr_pdf_render(&pdf, &len, &in, fx->p), APR_SUCCESS);
}

typedef struct worker_t {
    const char *font_dir;
    int ok;
} worker_t;

static void *render_many(void *data)
{
    worker_t *w = data;
    apr_pool_t *root = NULL;
    int i;

    if (apr_pool_create(&root, NULL) != APR_SUCCESS) {
        return NULL;
    }
    for (i = 0; i < 25; i++) {
        apr_pool_t *p = NULL;
        invqr_pdf_input_t in;
        const char *pdf = NULL;
        apr_size_t len = 0;

        memset(&in, 0, sizeof(in));
        in.url = URL;
        in.code_grouped = CODE;
        in.given_name = GIVEN;
        in.surname = SURNAME;
        in.fiscal_code = FISCAL;
        in.issue_date = "2025-02-01";
        in.font_dir = w->font_dir;
        apr_pool_create(&p, root);
        if (invqr_pdf_render(&pdf, &len, &in, p) == APR_SUCCESS &&
            len > 1000 && memcmp(pdf, "%PDF-1.", 7) == 0) {
            w->ok++;
        }
        apr_pool_destroy(p);
    }
    apr_pool_destroy(root);
    return NULL;
}

static void test_threads_and_cache(void **state)
{
    fixture_t *fx = *state;
    pthread_t th[4];
    worker_t w[4];
    int i;

    for (i = 0; i < 4; i++) {
        w[i].font_dir = fx->font_dir;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &w[i]), 0);
        if (i == 1) {
            invqr_pdf_cache_clear(); /* while others render */
        }
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].ok, 25);
    }
    invqr_pdf_cache_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_extracted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_url_and_issuer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_qr_scans_to_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qr_longer_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_and_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fonts_embedded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback_font, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_fonts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_and_cache, setup,
                                        teardown),
    };
    int rc;

    apr_initialize();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    invqr_pdf_cache_clear();
    apr_terminate();
    return rc;
}
