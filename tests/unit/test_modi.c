/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the ModI security header (corelib/soap/invqr_modi.c), on the
 * fuzz seed corpus: a request signed by the xmlsec1 command line (ECDSA
 * P-256, SHA-384, SHA-256 digests) verifies and covers Body, Timestamp,
 * wsa:To and wsa:MessageID; its wrapped, edited and weak variants are
 * refused, each for its own reason; and the certificate helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <libxml/parser.h>

#include "invqr_modi.h"
#include "invqr_modi_trust.h"
#include "invqr_soap.h"

static char *slurp(const char *name, size_t *plen, apr_pool_t *p)
{
    const char *top = getenv("top_srcdir");
    const char *path = apr_pstrcat(p, top != NULL ? top : ".", "/tests/fuzz/corpus/modi/", name,
                                   NULL);
    FILE *f = fopen(path, "rb");
    char *buf = apr_palloc(p, 65536);

    assert_non_null(f);
    *plen = fread(buf, 1, 65535, f);
    fclose(f);
    buf[*plen] = '\0';
    return buf;
}

/* Read a seed through the SOAP parser and invqr_modi_read. */
static apr_status_t read_seed(invqr_modi_t **pm, const char **preason, const char *name,
                              apr_pool_t *p)
{
    invqr_soap_req_t *req = NULL;
    invqr_soap_fault_t f;
    size_t len;
    char *body = slurp(name, &len, p);

    *pm = NULL;
    *preason = NULL;
    if (invqr_soap_parse(&req, &f, body, len, "text/xml", NULL, p) != APR_SUCCESS) {
        *preason = f.reason;
        return APR_EGENERAL;
    }
    assert_non_null(req->doc);
    return invqr_modi_read(pm, preason, req->doc, p);
}

static void test_valid_signature(void **state)
{
    apr_pool_t *p = *state;
    invqr_modi_t *m;
    const char *reason;
    unsigned all = INVQR_MODI_SIGNED_BODY | INVQR_MODI_SIGNED_TIMESTAMP | INVQR_MODI_SIGNED_TO |
                   INVQR_MODI_SIGNED_MSGID;

    assert_int_equal(read_seed(&m, &reason, "ok_signed_ecdsa", p), APR_SUCCESS);
    assert_int_equal(invqr_modi_signed(m), all);
    assert_int_equal(invqr_modi_verify(m, all, &reason), APR_SUCCESS);
    /* the Timestamp holds at its own time, not ten minutes later */
    assert_true(invqr_modi_check_time(m, invqr_modi_expires(m) - 200));
    assert_false(invqr_modi_check_time(m, invqr_modi_expires(m) + 600));
    assert_true(invqr_modi_check_to(m, "https://invqr.example/soap"));
    assert_false(invqr_modi_check_to(m, "https://invqr.example/soap/"));
    assert_non_null(invqr_modi_message_id(m));
    assert_int_equal(strncmp(invqr_modi_message_id(m), "urn:uuid:", 9), 0);
    /* more than the signature covers cannot be required */
    assert_int_equal(invqr_modi_verify(m, all | INVQR_MODI_SIGNED_TOKEN, &reason), APR_EINVAL);
}

static void expect(apr_pool_t *p, const char *seed, int at_read, const char *reason_part)
{
    invqr_modi_t *m;
    const char *reason;
    apr_status_t rv = read_seed(&m, &reason, seed, p);

    if (at_read) {
        assert_int_not_equal(rv, APR_SUCCESS);
    }
    else {
        assert_int_equal(rv, APR_SUCCESS);
        assert_int_equal(invqr_modi_verify(m, INVQR_MODI_SIGNED_TIMESTAMP, &reason), APR_EINVAL);
    }
    assert_non_null(reason);
    if (strstr(reason, reason_part) == NULL)
        fail_msg("%s: '%s' does not say '%s'", seed, reason, reason_part);
}

static void test_refusals(void **state)
{
    apr_pool_t *p = *state;

    expect(p, "bad_moved_body", 1, "one Body");
    expect(p, "bad_two_timestamps", 1, "wsu:Id is used twice");
    expect(p, "bad_xml_id", 1, "xml:id");
    expect(p, "bad_unexpected_reference", 1, "other than the expected parts");
    expect(p, "bad_sha1_digest", 1, "digest algorithm");
    expect(p, "bad_edited_body", 0, "does not verify");
}

static void test_cert_info(void **state)
{
    apr_pool_t *p = *state;
    size_t len;
    char *body = slurp("ok_signed_ecdsa", &len, p);
    unsigned char fp2[INVQR_MODI_FP_LEN];
    invqr_modi_cert_ids_t ids;
    invqr_modi_t *m;
    const char *reason;
    char *b64 = strstr(body, "Base64Binary\">"), *end;
    char *pem;

    assert_non_null(b64);
    b64 += strlen("Base64Binary\">");
    end = strchr(b64, '<');
    pem = apr_pstrcat(p, "-----BEGIN CERTIFICATE-----\n",
                      apr_pstrmemdup(p, b64, (apr_size_t)(end - b64)),
                      "\n-----END CERTIFICATE-----\n", NULL);
    /* the message's token is too long for one PEM line: fold it */
    {
        char *folded = apr_palloc(p, strlen(pem) * 2), *o = folded;
        const char *s = pem;
        int col = 0;

        for (; *s != '\0'; s++) {
            *o++ = *s;
            col = *s == '\n' ? 0 : col + 1;
            if (col == 64 && s[1] != '\n') {
                *o++ = '\n';
                col = 0;
            }
        }
        *o = '\0';
        pem = folded;
    }
    assert_int_equal(invqr_modi_cert_ids(&ids, (const unsigned char *)pem, strlen(pem), p), 0);
    assert_true(ids.not_before < ids.not_after);
    assert_non_null(strstr(ids.subject, "CN=fuzz"));
    assert_int_equal(read_seed(&m, &reason, "ok_signed_ecdsa", p), APR_SUCCESS);
    memcpy(fp2, invqr_modi_fingerprint(m), sizeof(fp2));
    assert_memory_equal(ids.fp, fp2, sizeof(fp2));
    assert_true(invqr_modi_cert_current(m, ids.not_before + 1));
    assert_false(invqr_modi_cert_current(m, ids.not_after + 1));
    assert_int_equal(invqr_modi_cert_ids(&ids, (const unsigned char *)"not a cert", 10, p), -1);
}

static int setup(void **state)
{
    apr_pool_t *p;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return -1;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (apr_initialize() != APR_SUCCESS)
        return -1;
    xmlInitParser();
    return invqr_modi_init();
}

static int group_teardown(void **state)
{
    (void)state;
    invqr_modi_shutdown();
    xmlCleanupParser();
    apr_terminate();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_info, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
