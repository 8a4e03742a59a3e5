/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the WS-Security UsernameToken (corelib/soap/invqr_wssec.c).
 *
 * The digest vectors were computed outside this code, with Python:
 *   base64.b64encode(hashlib.sha1(nonce + created.encode()
 *                                 + password.encode('utf-8')).digest())
 * and must verify; the wrong password, a changed nonce byte, a changed
 * Created or a changed digest must not. Then the reading of tokens - types,
 * encodings, limits, repetitions - the xs:dateTime reader against
 * calendar.timegm() values, and the freshness window at its edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "invqr_wssec.h"

/* nonce 00 01 .. 0f, "2024-05-01T12:00:00Z", "correct horse battery" */
#define V1_NONCE_B64 "AAECAwQFBgcICQoLDA0ODw=="
#define V1_CREATED   "2024-05-01T12:00:00Z"
#define V1_PASSWORD  "correct horse battery"
#define V1_DIGEST    "Uw3xKs9kY5GtjfR5/xbct3BsIWU="
#define V1_TIME      1714564800

/* nonce 00 ff 10 "invqr-nonce" 80 (15 bytes, no padding),
 * "2024-05-01T12:00:00.123Z", "pässwörd € 12" */
#define V2_NONCE_B64 "AP8QaW52cXItbm9uY2WA"
#define V2_CREATED   "2024-05-01T12:00:00.123Z"
#define V2_PASSWORD  "p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac 12"
#define V2_DIGEST    "hkxaxALr7CLLxqVip0dlJ4DySZQ="

typedef struct {
    apr_pool_t *pool;
    xmlDocPtr doc;
} fixture_t;

static int group_setup(void **state)
{
    (void)state;
    if (apr_initialize() != APR_SUCCESS) {
        return -1;
    }
    xmlInitParser();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    xmlCleanupParser();
    apr_terminate();
    return 0;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL || apr_pool_create(&f->pool, NULL) != APR_SUCCESS) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    xmlFreeDoc(f->doc);
    apr_pool_destroy(f->pool);
    free(f);
    return 0;
}

/* Parse a wsse:Security element holding inner (namespaces declared). */
static apr_status_t parse_security(fixture_t *f, invqr_wssec_token_t **pt, const char **preason,
                                   const char *inner)
{
    const char *xml = apr_pstrcat(f->pool,
                                  "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\" xmlns:wsu=\""
                                  INVQR_WSU_NS "\">", inner, "</wsse:Security>", NULL);

    xmlFreeDoc(f->doc);
    f->doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    assert_non_null(f->doc);
    return invqr_wssec_parse(pt, preason, xmlDocGetRootElement(f->doc), f->pool);
}

static const char *token(fixture_t *f, const char *pw_type, const char *pw, const char *nonce,
                         const char *created)
{
    return apr_pstrcat(f->pool, "<wsse:UsernameToken><wsse:Username>operator1</wsse:Username>",
                       "<wsse:Password",
                       pw_type != NULL ? apr_pstrcat(f->pool, " Type=\"", pw_type, "\"", NULL)
                                       : "",
                       ">", pw, "</wsse:Password>",
                       nonce != NULL ? apr_pstrcat(f->pool, "<wsse:Nonce EncodingType=\""
                                                   INVQR_WSSE_BASE64 "\">", nonce,
                                                   "</wsse:Nonce>", NULL)
                                     : "",
                       created != NULL ? apr_pstrcat(f->pool, "<wsu:Created>", created,
                                                     "</wsu:Created>", NULL)
                                       : "",
                       "</wsse:UsernameToken>", NULL);
}

static invqr_wssec_token_t *must_parse(fixture_t *f, const char *inner)
{
    invqr_wssec_token_t *t = NULL;
    const char *reason = "unset";

    assert_int_equal(parse_security(f, &t, &reason, inner), APR_SUCCESS);
    assert_null(reason);
    assert_non_null(t);
    return t;
}

static void must_refuse(fixture_t *f, const char *inner)
{
    invqr_wssec_token_t *t = NULL;
    const char *reason = NULL;

    assert_int_equal(parse_security(f, &t, &reason, inner), APR_EINVAL);
    assert_null(t);
    assert_non_null(reason);
}

/* ------------------------------------------------------------------------ */

static void test_digest_vectors(void **state)
{
    fixture_t *f = *state;
    invqr_wssec_token_t *t;
    invqr_wssec_token_t copy;
    unsigned char nonce[64];

    t = must_parse(f, token(f, INVQR_WSSE_PASSWORD_DIGEST, V1_DIGEST, V1_NONCE_B64, V1_CREATED));
    assert_int_equal(t->password_type, INVQR_WSSEC_PASSWORD_DIGEST);
    assert_int_equal(t->nonce_len, 16);
    assert_int_equal(invqr_wssec_digest_ok(t, V1_PASSWORD), 1);

    /* wrong password: different, longer, shorter, empty */
    assert_int_equal(invqr_wssec_digest_ok(t, "correct horse batterY"), 0);
    assert_int_equal(invqr_wssec_digest_ok(t, V1_PASSWORD " "), 0);
    assert_int_equal(invqr_wssec_digest_ok(t, "correct horse"), 0);
    assert_int_equal(invqr_wssec_digest_ok(t, ""), 0);
    assert_int_equal(invqr_wssec_digest_ok(t, NULL), 0);

    /* one nonce byte changed, one byte fewer */
    copy = *t;
    memcpy(nonce, t->nonce, t->nonce_len);
    nonce[7] ^= 1;
    copy.nonce = nonce;
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);
    nonce[7] ^= 1;
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 1);
    copy.nonce_len = 15;
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);

    /* Created changed by a second, or in form only */
    copy = *t;
    copy.created = "2024-05-01T12:00:01Z";
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);
    copy.created = "2024-05-01T12:00:00.000Z";
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);

    /* the digest changed */
    copy = *t;
    copy.password = "Uw3xKs9kY5GtjfR5/xbct3BsIWV=";
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);

    /* a digest needs a nonce and a Created */
    copy = *t;
    copy.nonce = NULL;
    copy.nonce_len = 0;
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);
    copy = *t;
    copy.created = NULL;
    assert_int_equal(invqr_wssec_digest_ok(&copy, V1_PASSWORD), 0);
    assert_int_equal(invqr_wssec_digest_ok(NULL, V1_PASSWORD), 0);

    /* UTF-8 password, a nonce without padding, a Created with a fraction */
    t = must_parse(f, token(f, INVQR_WSSE_PASSWORD_DIGEST, V2_DIGEST, V2_NONCE_B64, V2_CREATED));
    assert_int_equal(t->nonce_len, 15);
    assert_memory_equal(t->nonce, "\x00\xff\x10invqr-nonce\x80", 15);
    assert_int_equal(invqr_wssec_digest_ok(t, V2_PASSWORD), 1);
    /* the same password in Latin-1 and CP1252 is another password */
    assert_int_equal(invqr_wssec_digest_ok(t, "p\xe4ssw\xf6rd \x80 12"), 0);
}

static void test_password_text_never_digests(void **state)
{
    fixture_t *f = *state;
    invqr_wssec_token_t *t;

    /* the clear text that happens to equal the digest is still text */
    t = must_parse(f, token(f, INVQR_WSSE_PASSWORD_TEXT, V1_DIGEST, V1_NONCE_B64, V1_CREATED));
    assert_int_equal(t->password_type, INVQR_WSSEC_PASSWORD_TEXT);
    assert_int_equal(invqr_wssec_digest_ok(t, V1_PASSWORD), 0);
    /* Type absent means PasswordText */
    t = must_parse(f, token(f, NULL, "  spaced out  ", NULL, NULL));
    assert_int_equal(t->password_type, INVQR_WSSEC_PASSWORD_TEXT);
    assert_string_equal(t->password, "  spaced out  ");
    assert_int_equal(t->password_len, 14);
    assert_null(t->nonce);
    assert_int_equal(t->nonce_len, 0);
    assert_null(t->created);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME, 300), 0);
}

static void test_token_shapes(void **state)
{
    fixture_t *f = *state;
    invqr_wssec_token_t *t = NULL;
    const char *reason = "unset";

    /* no UsernameToken at all, or beside a Timestamp: no token, no error */
    assert_int_equal(parse_security(f, &t, &reason, ""), APR_SUCCESS);
    assert_null(t);
    assert_null(reason);
    assert_int_equal(parse_security(f, &t, &reason,
                                    "<wsu:Timestamp><wsu:Created>x</wsu:Created></wsu:Timestamp>"),
                     APR_SUCCESS);
    assert_null(t);

    /* username only; foreign children ignored; the username trimmed */
    t = must_parse(f, "<wsse:UsernameToken wsu:Id=\"u\"><x:y xmlns:x=\"urn:x\"/>"
                      "<wsse:Username>\n  op\n</wsse:Username></wsse:UsernameToken>");
    assert_string_equal(t->username, "op");
    assert_int_equal(t->password_type, INVQR_WSSEC_PASSWORD_NONE);
    assert_null(t->password);

    /* malformed tokens */
    must_refuse(f, apr_pstrcat(f->pool, token(f, NULL, "a", NULL, NULL),
                               token(f, NULL, "b", NULL, NULL), NULL));
    must_refuse(f, "<wsse:UsernameToken><wsse:Password>x</wsse:Password></wsse:UsernameToken>");
    must_refuse(f, "<wsse:UsernameToken><wsse:Username> </wsse:Username></wsse:UsernameToken>");
    must_refuse(f, "<wsse:UsernameToken><wsse:Username>a</wsse:Username>"
                   "<wsse:Username>b</wsse:Username></wsse:UsernameToken>");
    must_refuse(f, "<wsse:UsernameToken><wsse:Username><b>a</b></wsse:Username>"
                   "</wsse:UsernameToken>");
    must_refuse(f, "<wsse:UsernameToken><wsse:Username>a</wsse:Username>"
                   "<wsse:Password>x</wsse:Password><wsse:Password>y</wsse:Password>"
                   "</wsse:UsernameToken>");
    must_refuse(f, token(f, "#PasswordText", "x", NULL, NULL));
    must_refuse(f, token(f, INVQR_WSSE_PASSWORD_TEXT "x", "x", NULL, NULL));
    /* a digest of the wrong size or alphabet */
    must_refuse(f, token(f, INVQR_WSSE_PASSWORD_DIGEST, "Uw3xKs9kY5GtjfR5/xbct3BsIW==",
                         V1_NONCE_B64, V1_CREATED));
    must_refuse(f, token(f, INVQR_WSSE_PASSWORD_DIGEST, "Uw3xKs9kY5GtjfR5/xbct3BsIWU",
                         V1_NONCE_B64, V1_CREATED));
    must_refuse(f, token(f, INVQR_WSSE_PASSWORD_DIGEST, "Uw3xKs9kY5GtjfR5-xbct3BsIWU=",
                         V1_NONCE_B64, V1_CREATED));
}

static void test_limits(void **state)
{
    fixture_t *f = *state;
    char user[INVQR_WSSEC_USERNAME_MAX + 2], pw[INVQR_WSSEC_PASSWORD_MAX + 2];
    invqr_wssec_token_t *t;

    memset(user, 'u', sizeof(user));
    user[INVQR_WSSEC_USERNAME_MAX] = '\0';
    memset(pw, 'p', sizeof(pw));
    pw[INVQR_WSSEC_PASSWORD_MAX] = '\0';
    t = must_parse(f, apr_pstrcat(f->pool, "<wsse:UsernameToken><wsse:Username>", user,
                                  "</wsse:Username><wsse:Password>", pw,
                                  "</wsse:Password></wsse:UsernameToken>", NULL));
    assert_int_equal(strlen(t->username), INVQR_WSSEC_USERNAME_MAX);
    assert_int_equal(t->password_len, INVQR_WSSEC_PASSWORD_MAX);

    user[INVQR_WSSEC_USERNAME_MAX] = 'u';
    user[INVQR_WSSEC_USERNAME_MAX + 1] = '\0';
    must_refuse(f, apr_pstrcat(f->pool, "<wsse:UsernameToken><wsse:Username>", user,
                               "</wsse:Username></wsse:UsernameToken>", NULL));
    pw[INVQR_WSSEC_PASSWORD_MAX] = 'p';
    pw[INVQR_WSSEC_PASSWORD_MAX + 1] = '\0';
    must_refuse(f, token(f, NULL, pw, NULL, NULL));
    /* a password too long to be checked is never right */
    assert_int_equal(invqr_wssec_digest_ok(t, pw), 0);
}

static void test_nonce(void **state)
{
    fixture_t *f = *state;
    unsigned char raw[INVQR_WSSEC_NONCE_MAX + 3];
    char b64[200];
    invqr_wssec_token_t *t;
    size_t i;

    /* 64 bytes: "AAEC..." built by hand, 88 characters with "==" */
    for (i = 0; i < sizeof(raw); i++) {
        raw[i] = 0;
    }
    memset(b64, 'A', 86);
    memcpy(b64 + 86, "==", 3);
    t = must_parse(f, token(f, NULL, "x", b64, NULL));
    assert_int_equal(t->nonce_len, 64);
    assert_memory_equal(t->nonce, raw, 64);
    /* 66 bytes: too many */
    memset(b64, 'A', 88);
    b64[88] = '\0';
    must_refuse(f, token(f, NULL, "x", b64, NULL));
    /* blanks around are fine, inside or broken Base64 is not */
    t = must_parse(f, token(f, NULL, "x", "\n  " V1_NONCE_B64 "  \n", NULL));
    assert_int_equal(t->nonce_len, 16);
    must_refuse(f, token(f, NULL, "x", "AAEC AwQF", NULL));
    must_refuse(f, token(f, NULL, "x", "AAECAwQFBgcICQoLDA0ODw=", NULL));
    must_refuse(f, token(f, NULL, "x", "AAECAwQFBgcICQoLDA0OD===", NULL));
    must_refuse(f, token(f, NULL, "x", "AA=CAwQF", NULL));
    must_refuse(f, token(f, NULL, "x", "AAEC*wQF", NULL));
    must_refuse(f, token(f, NULL, "x", "", NULL));
    must_refuse(f, token(f, NULL, "x", "====", NULL));
    /* EncodingType absent is Base64; another one is refused */
    t = must_parse(f, "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                      "<wsse:Nonce>" V1_NONCE_B64 "</wsse:Nonce></wsse:UsernameToken>");
    assert_int_equal(t->nonce_len, 16);
    must_refuse(f, "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                   "<wsse:Nonce EncodingType=\"http://example.org/#HexBinary\">00</wsse:Nonce>"
                   "</wsse:UsernameToken>");
    must_refuse(f, "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                   "<wsse:Nonce>AAAA</wsse:Nonce><wsse:Nonce>AAAA</wsse:Nonce>"
                   "</wsse:UsernameToken>");
}

static void test_parse_time(void **state)
{
    static const struct {
        const char *s;
        time_t t;
    } good[] = {
        { "1970-01-01T00:00:00Z", 0 },
        { "2024-05-01T12:00:00Z", 1714564800 },
        { "2024-05-01T12:00:00.123456Z", 1714564800 },
        { "2024-05-01T14:00:00+02:00", 1714564800 },
        { "2024-05-01T10:30:00-01:30", 1714564800 },
        { "2024-05-01T12:00:00+00:00", 1714564800 },
        { "2000-02-29T12:34:56Z", 951827696 },
        { "9999-12-31T23:59:59Z", (time_t)253402300799LL },
    };
    static const char *const bad[] = {
        "", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01 12:00:00Z",
        "2024-05-01T12:00:00z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:60Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "1969-12-31T23:59:59Z",
        "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+2:00", "2024-05-01T12:00:00+02:60",
        "2024-05-01T12:00:00+15:00", "2024-05-01T12:00:00Z ", " 2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00ZZ", "+2024-05-01T12:00:00Z", "2024-05-01T12:00:00+02:00x",
        "1970-01-01T00:00:00+00:01",
    };
    size_t i;
    time_t t;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (invqr_wssec_parse_time(&t, good[i].s, strlen(good[i].s)) != 0) {
            fail_msg("refused %s", good[i].s);
        }
        assert_int_equal(t, good[i].t);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (invqr_wssec_parse_time(&t, bad[i], strlen(bad[i])) == 0) {
            fail_msg("accepted %s", bad[i]);
        }
    }
    /* exactly len bytes are read */
    assert_int_equal(invqr_wssec_parse_time(&t, "2024-05-01T12:00:00Zjunk", 20), 0);
    assert_int_equal(t, 1714564800);
}

static void test_created_in_token(void **state)
{
    fixture_t *f = *state;
    invqr_wssec_token_t *t;

    t = must_parse(f, token(f, NULL, "x", NULL, "2024-05-01T14:00:00+02:00"));
    assert_string_equal(t->created, "2024-05-01T14:00:00+02:00");
    assert_int_equal(t->created_time, V1_TIME);
    must_refuse(f, token(f, NULL, "x", NULL, "2024-05-01T12:00:00"));
    /* the digest covers Created as sent, so no blanks are trimmed */
    must_refuse(f, token(f, NULL, "x", NULL, " 2024-05-01T12:00:00Z"));
    must_refuse(f, apr_pstrcat(f->pool, "<wsse:UsernameToken><wsse:Username>u</wsse:Username>",
                               "<wsu:Created>" V1_CREATED "</wsu:Created>",
                               "<wsu:Created>" V1_CREATED "</wsu:Created>",
                               "</wsse:UsernameToken>", NULL));
    /* wsse:Created is not wsu:Created: ignored */
    t = must_parse(f, "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                      "<wsse:Created>" V1_CREATED "</wsse:Created></wsse:UsernameToken>");
    assert_null(t->created);
}

static void test_freshness(void **state)
{
    fixture_t *f = *state;
    invqr_wssec_token_t *t = must_parse(f, token(f, NULL, "x", NULL, V1_CREATED));
    invqr_wssec_token_t none;

    assert_int_equal(invqr_wssec_fresh(t, V1_TIME, 300), 1);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME + 300, 300), 1);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME + 301, 300), 0);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME + 86400, 300), 0);
    /* from the future: a minute of skew, never more */
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME - INVQR_WSSEC_FUTURE_SKEW, 300), 1);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME - INVQR_WSSEC_FUTURE_SKEW - 1, 300), 0);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME - INVQR_WSSEC_FUTURE_SKEW - 1, 100000), 0);
    /* a zero window takes only now; a negative one nothing */
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME, 0), 1);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME + 1, 0), 0);
    assert_int_equal(invqr_wssec_fresh(t, V1_TIME, -1), 0);
    memset(&none, 0, sizeof(none));
    assert_int_equal(invqr_wssec_fresh(&none, 0, 300), 0);
    assert_int_equal(invqr_wssec_fresh(NULL, V1_TIME, 300), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_digest_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_text_never_digests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonce, setup, teardown),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test_setup_teardown(test_created_in_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
