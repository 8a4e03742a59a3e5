/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the attestation e-mail: the address parser
 * (parse/invqr_mail_addr.c), the message (services/invqr_mail_msg.c) read
 * back line by line, and the sendmail transport (services/invqr_mail_send.c)
 * against a stand-in program that records what it was given. The SMTP
 * transport talks to a real Postfix in tests/integration/test_094_mail.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_base64.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_mail_addr.h"
#include "invqr_mail_msg.h"
#include "invqr_mail_send.h"
#include "invqr_utf8.h"

static apr_pool_t *pool;

static invqr_mail_addr_rc parse(char *out, const char *in)
{
    return invqr_mail_addr_parse(out, in, in != NULL ? strlen(in) : 0);
}

/* ---- the address ------------------------------------------------------- */

static void test_addresses_taken(void **state)
{
    static const struct {
        const char *in, *out;
    } ok[] = {
        { "anna@invqr.test", "anna@invqr.test" },
        { "  Anna.Rossi+pdf@Comune.Forli.IT \t", "Anna.Rossi+pdf@comune.forli.it" },
        { "a@b.co", "a@b.co" },
        { "o'brien@mail-server.example", "o'brien@mail-server.example" },
        { "x_y-z!#$%&*/=?^`{|}~@a1.b2", "x_y-z!#$%&*/=?^`{|}~@a1.b2" },
        { "-lead@invqr.test", "-lead@invqr.test" },
    };
    char out[INVQR_MAIL_ADDR_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(parse(out, ok[i].in), INVQR_MAIL_ADDR_OK);
        assert_string_equal(out, ok[i].out);
    }
}

static void test_addresses_refused(void **state)
{
    static const struct {
        const char *in;
        invqr_mail_addr_rc rc;
    } bad[] = {
        { NULL, INVQR_MAIL_ADDR_EMPTY },
        { " \t\r\n", INVQR_MAIL_ADDR_EMPTY },
        { "anna", INVQR_MAIL_ADDR_NO_AT },
        { "anna@b@invqr.test", INVQR_MAIL_ADDR_NO_AT },
        { "@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { ".anna@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "anna.@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "an..na@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "an na@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "\"anna\"@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "anna(x)@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "<anna>@invqr.test", INVQR_MAIL_ADDR_LOCAL },
        { "anna@invqr.test\r\nBcc: spy@invqr.test", INVQR_MAIL_ADDR_NO_AT },
        { "anna@invqr.test>\r\nRCPT TO:<spy", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@invqr.test,spy@invqr.test", INVQR_MAIL_ADDR_NO_AT },
        { "anna@invqr.test spy", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@localhost", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@.invqr.test", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@invqr..test", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@invqr.test.", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@-invqr.test", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@invqr-.test", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@[127.0.0.1]", INVQR_MAIL_ADDR_DOMAIN },
        { "anna@inv_qr.test", INVQR_MAIL_ADDR_DOMAIN },
        { "ann\xC3\xA0@invqr.test", INVQR_MAIL_ADDR_UTF8 },
        { "anna@invq\xC3\xA0.test", INVQR_MAIL_ADDR_UTF8 },
        { "an\x00na@invqr.test", INVQR_MAIL_ADDR_NO_AT },  /* cut at the NUL by strlen */
    };
    char out[INVQR_MAIL_ADDR_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(out, 'X', sizeof(out));
        assert_int_equal(parse(out, bad[i].in), bad[i].rc);
        assert_string_equal(out, "");
        assert_non_null(invqr_mail_addr_reason(bad[i].rc));
    }
    /* a NUL inside the given length is a character the address may not have */
    assert_int_equal(invqr_mail_addr_parse(out, "an\0na@invqr.test", 16), INVQR_MAIL_ADDR_LOCAL);
}

static void test_address_lengths(void **state)
{
    char out[INVQR_MAIL_ADDR_MAX + 1], in[INVQR_MAIL_MAX_INPUT + 2];
    char label[70];

    (void)state;
    /* local part: 64 taken, 65 refused */
    memset(in, 'a', 64);
    strcpy(in + 64, "@invqr.test");
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_OK);
    memset(in, 'a', 65);
    strcpy(in + 65, "@invqr.test");
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_LENGTH);
    /* a label: 63 taken, 64 refused */
    memset(label, 'b', 64);
    label[63] = '\0';
    snprintf(in, sizeof(in), "a@%s.test", label);
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_OK);
    label[63] = 'b';
    label[64] = '\0';
    snprintf(in, sizeof(in), "a@%s.test", label);
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_LENGTH);
    /* the whole address: 254 taken, 255 refused */
    memset(in, 0, sizeof(in));
    memset(in, 'a', 60);
    strcat(in, "@");
    while (strlen(in) < 254 - 2)
        strcat(in, "c.");
    strcat(in, "cd");
    in[254] = '\0';
    assert_int_equal(strlen(in), 254);
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_OK);
    in[254] = 'e';
    in[255] = '\0';
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_LENGTH);
    /* input over the limit is not read */
    memset(in, ' ', INVQR_MAIL_MAX_INPUT + 1);
    in[INVQR_MAIL_MAX_INPUT + 1] = '\0';
    memcpy(in, "a@b.cd", 6);
    assert_int_equal(parse(out, in), INVQR_MAIL_ADDR_LENGTH);
}

/* ---- the message ------------------------------------------------------- */

/* The decoded text of a header's encoded words (value after "Name:"),
 * checking each word is "=?UTF-8?B?...?=" of whole UTF-8 characters. */
static char *decode_words(const char *value)
{
    char *out = apr_pcalloc(pool, 4096), *dup = apr_pstrdup(pool, value), *w, *last = NULL;
    size_t len = 0;

    for (w = apr_strtok(dup, " \r\n", &last); w != NULL; w = apr_strtok(NULL, " \r\n", &last)) {
        size_t n = strlen(w);
        char *b64, *plain;
        int got;

        if (w[0] == '<')
            break;          /* From: the address after the name */
        assert_true(n > 12 && strncmp(w, "=?UTF-8?B?", 10) == 0 && strcmp(w + n - 2, "?=") == 0);
        assert_true(n <= 75);
        b64 = apr_pstrndup(pool, w + 10, n - 12);
        plain = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64));
        got = apr_base64_decode_binary((unsigned char *)plain, b64);
        assert_true(invqr_utf8_count(plain, (size_t)got) >= 0);
        memcpy(out + len, plain, (size_t)got);
        len += (size_t)got;
    }
    out[len] = '\0';
    return out;
}

/* The base64 lines of a body part as one string (apr's decoder stops at
 * the first line break). */
static char *unfold(const char *s, size_t n)
{
    char *out = apr_palloc(pool, n + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            out[j++] = s[i];
    out[j] = '\0';
    return out;
}

typedef struct {
    const char *headers[32];
    int n_headers;
    const char *body;
} parsed_t;

/* Split msg into unfolded header fields and the body, checking every line
 * ends in CRLF, is ASCII and at most 78 characters. */
static void split(parsed_t *ps, const char *msg, size_t len)
{
    const char *s = msg, *end = msg + len, *eol;
    int in_headers = 1;

    memset(ps, 0, sizeof(*ps));
    while (s < end) {
        eol = strstr(s, "\r\n");
        assert_non_null(eol);
        assert_true(eol - s <= 78);
        for (const char *c = s; c < eol; c++)
            assert_true((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
        if (in_headers) {
            if (eol == s) {
                in_headers = 0;
                ps->body = eol + 2;
            }
            else if (*s == ' ' || *s == '\t') {
                assert_true(ps->n_headers > 0);
                ps->headers[ps->n_headers - 1] =
                    apr_pstrcat(pool, ps->headers[ps->n_headers - 1], "\r\n",
                                apr_pstrndup(pool, s, (apr_size_t)(eol - s)), NULL);
            }
            else {
                assert_true(ps->n_headers < 32);
                ps->headers[ps->n_headers++] = apr_pstrndup(pool, s, (apr_size_t)(eol - s));
            }
        }
        s = eol + 2;
    }
    assert_non_null(ps->body);
}

static const char *header(const parsed_t *ps, const char *name)
{
    const char *found = NULL;
    size_t n = strlen(name);

    for (int i = 0; i < ps->n_headers; i++)
        if (strncasecmp(ps->headers[i], name, n) == 0 && ps->headers[i][n] == ':') {
            assert_null(found);     /* each once */
            found = ps->headers[i] + n + 1;
        }
    return found;
}

static invqr_mail_msg_t sample(void)
{
    static char pdf[3000];
    invqr_mail_msg_t m;

    for (size_t i = 0; i < sizeof(pdf); i++)
        pdf[i] = (char)(i * 7 + 3);
    memcpy(pdf, "%PDF-1.7\r\n", 10);
    memset(&m, 0, sizeof(m));
    m.from = "attestazioni@comune.example";
    m.from_name = "Comune di Forl\xC3\xAC \xC2\xB7 Servizi sociali";
    m.to = "Anna.Rossi@Invqr.Test";
    m.subject = "Attestazione dello status di invalidit\xC3\xA0 civile \xE2\x80\x94 "
                "una riga lunga che deve andare a capo pi\xC3\xB9 volte senza spezzare "
                "nessun carattere \xC3\xA8\xC3\xA8\xC3\xA8\xC3\xA8\xC3\xA8\xC3\xA8";
    m.text = "Gentile Nicol\xC3\xB2,\n\nin allegato.\n.\nFine\n";
    m.file_name = "attestazione-invalidita-2026-12-07-ABCDE.pdf";
    m.pdf = pdf;
    m.pdf_len = sizeof(pdf);
    m.date = apr_time_from_sec(1796601600); /* 2026-12-07 00:00:00 UTC, a Monday */
    return m;
}

static void test_message_reads_back(void **state)
{
    invqr_mail_msg_t m = sample();
    const char *msg = NULL, *v, *part, *b64end;
    apr_size_t len = 0;
    parsed_t ps;
    char *boundary, *b64, *plain;
    int got;

    (void)state;
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_SUCCESS);
    assert_int_equal(strlen(msg), len);
    split(&ps, msg, len);
    assert_string_equal(decode_words(header(&ps, "Subject")), m.subject);
    v = header(&ps, "From");
    assert_string_equal(decode_words(v), m.from_name);
    assert_non_null(strstr(v, "\r\n <attestazioni@comune.example>"));
    assert_string_equal(header(&ps, "To"), " <Anna.Rossi@invqr.test>");
    assert_string_equal(header(&ps, "Date"), " Mon, 07 Dec 2026 00:00:00 +0000");
    v = header(&ps, "Message-ID");
    assert_true(strlen(v) == 1 + 1 + 32 + 1 + strlen("comune.example") + 1);
    assert_non_null(strstr(v, "@comune.example>"));
    assert_string_equal(header(&ps, "MIME-Version"), " 1.0");
    v = header(&ps, "Content-Type");
    assert_non_null(strstr(v, "multipart/mixed; boundary=\""));
    boundary = apr_pstrndup(pool, strchr(v, '"') + 1, (apr_size_t)(strrchr(v, '"') - strchr(v, '"') - 1));
    assert_null(header(&ps, "Bcc"));
    assert_null(header(&ps, "Cc"));

    /* the text part: base64 of the text with CRLF line breaks */
    part = strstr(ps.body, apr_pstrcat(pool, "--", boundary, "\r\n", NULL));
    assert_non_null(part);
    assert_non_null(strstr(part, "Content-Type: text/plain; charset=UTF-8\r\n"));
    part = strstr(part, "\r\n\r\n") + 4;
    b64end = strstr(part, "\r\n\r\n");
    b64 = unfold(part, (size_t)(b64end - part));
    plain = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64) + 1);
    got = apr_base64_decode_binary((unsigned char *)plain, b64);
    plain[got] = '\0';
    assert_string_equal(plain, "Gentile Nicol\xC3\xB2,\r\n\r\nin allegato.\r\n.\r\nFine\r\n");

    /* the attachment: the PDF's bytes, under its name */
    part = strstr(b64end, "Content-Type: application/pdf;\r\n"
                          " name=\"attestazione-invalidita-2026-12-07-ABCDE.pdf\"\r\n");
    assert_non_null(part);
    assert_non_null(strstr(part, "Content-Disposition: attachment;\r\n filename=\""
                                 "attestazione-invalidita-2026-12-07-ABCDE.pdf\"\r\n"));
    part = strstr(part, "\r\n\r\n") + 4;
    b64end = strstr(part, "\r\n\r\n");
    b64 = unfold(part, (size_t)(b64end - part));
    plain = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64));
    got = apr_base64_decode_binary((unsigned char *)plain, b64);
    assert_int_equal(got, m.pdf_len);
    assert_memory_equal(plain, m.pdf, m.pdf_len);
    /* and the closing boundary ends the message */
    assert_string_equal(b64end + 4, apr_pstrcat(pool, "--", boundary, "--\r\n", NULL));
}

static void test_message_refuses_what_could_inject(void **state)
{
    const char *msg;
    apr_size_t len;
    invqr_mail_msg_t m;

    (void)state;
    m = sample();
    m.to = "anna@invqr.test\r\nBcc: spy@invqr.test";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    assert_null(msg);
    m = sample();
    m.from = "a@b\r\n.c";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    /* white space around an address is the parser's to drop, never copied */
    m = sample();
    m.from = " a@b.cd\r\n";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_SUCCESS);
    assert_non_null(strstr(msg, "\r\n <a@b.cd>\r\nTo: "));
    m = sample();
    m.file_name = "a\"; x=\"y.pdf";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.file_name = "../x.pdf";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.subject = "\xC3(";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.pdf_len = 0;
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.pdf_len = INVQR_MAIL_MAX_PDF + 1;
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);

    /* a subject with a line break goes inside an encoded word, never raw */
    m = sample();
    m.subject = "Attestazione\r\nBcc: spy@invqr.test";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.from_name = "Comune\nBcc: spy@invqr.test";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_EINVAL);
    m = sample();
    m.subject = "Bcc: spy@invqr.test";
    assert_int_equal(invqr_mail_msg_build(&msg, &len, &m, pool), APR_SUCCESS);
    assert_null(strstr(msg, "spy@"));
}

static void test_encoded_words_never_split_a_character(void **state)
{
    char value[601];
    const char *h;
    parsed_t ps;

    (void)state;
    /* 300 two-byte characters: the 45-byte words must end on a boundary */
    for (int i = 0; i < 300; i++)
        memcpy(value + 2 * i, "\xC3\xA8", 2);
    value[600] = '\0';
    h = invqr_mail_encoded_header("Subject", value, pool);
    assert_non_null(h);
    split(&ps, apr_pstrcat(pool, h, "\r\n", NULL), strlen(h) + 2);
    assert_string_equal(decode_words(header(&ps, "Subject")), value);
    /* one byte short of a character: refused */
    value[599] = '\0';
    assert_null(invqr_mail_encoded_header("Subject", value, pool));
}

/* ---- the sendmail transport -------------------------------------------- */

static char dir[64];

static const char *stand_in(int status)
{
    const char *path = apr_psprintf(pool, "%s/sendmail-%d", dir, status);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s/args\ncat > %s/stdin\nexit %d\n", dir, dir,
            status);
    fclose(f);
    chmod(path, 0700);
    return path;
}

static char *slurp(const char *name, size_t *plen)
{
    char *path = apr_pstrcat(pool, dir, "/", name, NULL), *buf = apr_palloc(pool, 65536);
    FILE *f = fopen(path, "rb");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    if (plen != NULL)
        *plen = n;
    return buf;
}

static void test_sendmail_gets_the_message_with_lf(void **state)
{
    static const char msg[] = "Subject: x\r\n\r\nline\r\n.\r\nend\r\n";
    invqr_mail_transport_t *t = NULL;
    const char *err = NULL, *why = NULL;
    size_t n;

    (void)state;
    assert_int_equal(invqr_mail_transport_parse(&t, &err,
                                                apr_pstrcat(pool, "sendmail:", stand_in(0), NULL),
                                                NULL, pool), APR_SUCCESS);
    assert_int_equal(invqr_mail_send(t, "from@invqr.test", "-to@invqr.test", msg, strlen(msg), &why,
                                     pool),
                     APR_SUCCESS);
    assert_null(why);
    assert_string_equal(slurp("args", NULL), "-i\n-f\nfrom@invqr.test\n--\n-to@invqr.test\n");
    assert_string_equal(slurp("stdin", &n), "Subject: x\n\nline\n.\nend\n");
}

static void test_sendmail_failure_is_reported(void **state)
{
    invqr_mail_transport_t *t = NULL;
    const char *err = NULL, *why = NULL;

    (void)state;
    assert_int_equal(invqr_mail_transport_parse(&t, &err,
                                                apr_pstrcat(pool, "sendmail:", stand_in(75), NULL),
                                                NULL, pool), APR_SUCCESS);
    assert_int_equal(invqr_mail_send(t, "from@invqr.test", "to@invqr.test", "x\r\n", 3, &why,
                                     pool), APR_EGENERAL);
    assert_non_null(strstr(why, "exited with status 75"));
    assert_null(strstr(why, "to@invqr.test"));
    assert_int_equal(invqr_mail_transport_parse(&t, &err, "sendmail:/nonexistent/sendmail", NULL,
                                                pool), APR_SUCCESS);
    assert_int_equal(invqr_mail_send(t, "a@b.cd", "c@d.ef", "x\r\n", 3, &why, pool), APR_EGENERAL);
    assert_non_null(why);
}

static void test_transport_specs(void **state)
{
    static const char *ok[] = { "smtp://127.0.0.1:2525", "smtps://mail.example.it",
                                "sendmail:/usr/sbin/sendmail" };
    static const char *bad[] = { "", "smtp://", "smtp://user@host", "smtp://h?x", "http://h",
                                 "sendmail:sendmail", "sendmail:/usr/sbin/sendmail -t",
                                 "smtp://h\r\n" };
    invqr_mail_transport_t *t;
    const char *err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_int_equal(invqr_mail_transport_parse(&t, &err, ok[i], NULL, pool), APR_SUCCESS);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(invqr_mail_transport_parse(&t, &err, bad[i], NULL, pool), APR_EINVAL);
        assert_null(t);
        assert_non_null(err);
    }
    assert_int_equal(invqr_mail_transport_parse(&t, &err, ok[0], "relative.pem", pool), APR_EINVAL);
}

static void test_transport_login(void **state)
{
    invqr_mail_transport_t *t, *sm;
    const char *err;
    char longer[INVQR_MAIL_PASSWORD_MAX + 2];

    (void)state;
    assert_int_equal(invqr_mail_transport_parse(&t, &err, "smtp://127.0.0.1:2525", NULL, pool),
                     APR_SUCCESS);
    assert_int_equal(invqr_mail_transport_parse(&sm, &err, "sendmail:/usr/sbin/sendmail", NULL,
                                                pool), APR_SUCCESS);
    assert_int_equal(invqr_mail_transport_login(t, &err, "attestazioni@example.it",
                                                "pass word#with=signs", pool), APR_SUCCESS);
    assert_null(err);
    /* sendmail signs in as nobody: a sign-in there is a mistake */
    assert_int_equal(invqr_mail_transport_login(sm, &err, "u", "p", pool), APR_EINVAL);
    assert_non_null(strstr(err, "smtp://"));
    assert_int_equal(invqr_mail_transport_login(t, &err, "", "p", pool), APR_EINVAL);
    assert_int_equal(invqr_mail_transport_login(t, &err, "u", "", pool), APR_EINVAL);
    assert_int_equal(invqr_mail_transport_login(t, &err, "u\r\nRCPT TO:<x@y.z>", "p", pool),
                     APR_EINVAL);
    assert_int_equal(invqr_mail_transport_login(t, &err, "u", "secret\x01", pool), APR_EINVAL);
    /* the reason never repeats the password */
    assert_null(strstr(err, "secret"));
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(invqr_mail_transport_login(t, &err, "u", longer, pool), APR_EINVAL);
    longer[INVQR_MAIL_PASSWORD_MAX] = '\0';
    assert_int_equal(invqr_mail_transport_login(t, &err, "u", longer, pool), APR_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_taken),
        cmocka_unit_test(test_transport_login),
        cmocka_unit_test(test_addresses_refused),
        cmocka_unit_test(test_address_lengths),
        cmocka_unit_test(test_message_reads_back),
        cmocka_unit_test(test_message_refuses_what_could_inject),
        cmocka_unit_test(test_encoded_words_never_split_a_character),
        cmocka_unit_test(test_sendmail_gets_the_message_with_lf),
        cmocka_unit_test(test_sendmail_failure_is_reported),
        cmocka_unit_test(test_transport_specs),
    };
    int rc;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    strcpy(dir, "/tmp/invqr-test-mail-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    system(apr_pstrcat(pool, "rm -rf ", dir, NULL));
    apr_terminate();
    return rc;
}
