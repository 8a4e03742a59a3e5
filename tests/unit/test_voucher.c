/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of PDND vouchers (corelib/soap/invqr_voucher.c).
 *
 * The voucher below was signed with the openssl command line (RS256) by a
 * key made for this purpose and thrown away; its JWKS is the public half.
 * It is good at its own iat (1800000000) and must stop being good at every
 * edge: expiry and nbf with the 60 s skew, another audience or issuer, one
 * changed character in any of its three parts. Then the strict base64url
 * decoder and the JWKS reader's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invqr_voucher.h"

#define NOW 1800000000
#define ISS "interop.pagopa.it"
#define AUD "https://invqr.example/soap"

static const char voucher[] =
    "eyJ0eXAiOiAiYXQrand0IiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiZnV6ei1wZG5kIn0.eyJpc3MiOiAiaW50ZXJvcC5w"
    "YWdvcGEuaXQiLCAibmJmIjogMTgwMDAwMDAwMCwgImlhdCI6IDE4MDAwMDAwMDAsICJleHAiOiAxODAwMDAwNjAwLCAianRp"
    "IjogIjEyMjk3YWMxLWMxOTItNDU3My04MzUwLTIwN2E0MjEzZTVhYyIsICJhdWQiOiAiaHR0cHM6Ly9pbnZxci5leGFtcGxl"
    "L3NvYXAiLCAic3ViIjogIjliMzYxZDQ5IiwgImNsaWVudF9pZCI6ICI5YjM2MWQ0OS0zM2Y0LTRmMWUtYTg4Yi00ZTEyNjYx"
    "ZjIzMDkiLCAicHVycG9zZUlkIjogIjFiMzYxZDQ5LTMzZjQtNGYxZS1hODhiLTRlMTI2NjFmMjMwMCJ9.kCtNiv215KjPE93"
    "OFCSQYnvevnAbjV1ufn8VKQUYD9ZlBaC6zVYht9_deEhsTOx3vqW1LS82ZJKbXW8m-pMW7XJ9p6XFDZSeVSaXcphHkpPBXNx"
    "YhAJe8sWk4Mg4y3jcXo67JNDuYpgEi8MxV-w5jEUCnnAGu3-mvVNTiYHS_uRzSoetzLcdkLOtjqOw6mneaEcn497-5EPb9Jp"
    "jFXGawBMZwfgJgiEmuDpXPSYRklTljSwG4X6o2lBxzm26XKRVaaHdgUGg7JuiSCGCPwKPU_TuTD2aG4MOZ3i5gfQDYltOaVU"
    "ge8A0Og5qSzmbTWQ72n1oIwrp7h8MCuPbSfBjwQ";
static const char jwks[] =
    "{\"keys\": [{\"kty\": \"RSA\", \"use\": \"sig\", \"alg\": \"RS256\", \"kid\": \"fuzz-pdnd\", \"n"
    "\": \"tujZTIpyyfqAL5AjjU5synXAr76DrIqzAkujsPyTQERGdCbvWNZjHX9hLdHaKDZiDsPAre0ASbflRdgIBJJG5Fc6K0"
    "dGwfmjw5LIqPTKh6zD8CiOMM1iNVIieM0lXbqjvIEhHTygndVmct2iIcb-z9pujlXbi_qH5C8goal0yxUEUVQS82izHK2O5q"
    "XgJpYHBImVV1zdkns7XXkhw2kSnV8FWxymi2qGzHTf2mSDMyqmOSWe3LRWhDE3Umn8DlGBEMGy39_UQi_pGci__tzpOJWuxf"
    "X_XNBfaH0AGDmPZX5TlURnseheyQEX8JzJ3KtPoiZ1fLJMZa8FbqTdVYtyFQ\", \"e\": \"AQAB\"}, {\"kty\": \"EC"
    "\", \"crv\": \"P-256\", \"kid\": \"ec\", \"x\": \"AA\", \"y\": \"AA\"}]}";

static invqr_voucher_keys_t *keys;

static int setup(void **state)
{
    const char *reason = NULL;

    (void)state;
    return invqr_voucher_keys_parse(&keys, &reason, jwks, strlen(jwks));
}

static int teardown(void **state)
{
    (void)state;
    invqr_voucher_keys_free(keys);
    keys = NULL;
    return 0;
}

static apr_status_t check_at(const char *tok, const char *aud, const char *iss, long long now)
{
    invqr_voucher_t v;
    const char *reason = NULL;
    apr_status_t rv = invqr_voucher_check(&v, &reason, tok, strlen(tok), keys, iss, aud,
                                          (time_t)now);

    assert_true(rv == APR_SUCCESS ? reason == NULL : reason != NULL);
    return rv;
}

static void test_the_good_voucher(void **state)
{
    invqr_voucher_t v;
    const char *reason = NULL;

    (void)state;
    assert_int_equal(invqr_voucher_keys_count(keys), 1);   /* the EC key is skipped */
    assert_int_equal(invqr_voucher_check(&v, &reason, voucher, strlen(voucher), keys, ISS, AUD,
                                         NOW), APR_SUCCESS);
    assert_string_equal(v.kid, "fuzz-pdnd");
    assert_string_equal(v.jti, "12297ac1-c192-4573-8350-207a4213e5ac");
    assert_string_equal(v.purpose_id, "1b361d49-33f4-4f1e-a88b-4e12661f2300");
    assert_string_equal(v.client_id, "9b361d49-33f4-4f1e-a88b-4e12661f2309");
    assert_int_equal(v.exp, NOW + 600);
}

static void test_times_audience_issuer(void **state)
{
    (void)state;
    assert_int_equal(check_at(voucher, AUD, ISS, NOW + 600 + 59), APR_SUCCESS);
    assert_int_equal(check_at(voucher, AUD, ISS, NOW + 600 + 60), APR_EINVAL);
    assert_int_equal(check_at(voucher, AUD, ISS, NOW - 60), APR_SUCCESS);
    assert_int_equal(check_at(voucher, AUD, ISS, NOW - 61), APR_EINVAL);
    assert_int_equal(check_at(voucher, AUD "/", ISS, NOW), APR_EINVAL);
    assert_int_equal(check_at(voucher, AUD, "interop.pagopa.it.", NOW), APR_EINVAL);
}

static void test_every_character_counts(void **state)
{
    size_t i, len = strlen(voucher);
    char *t = malloc(len + 1);

    (void)state;
    /* one changed character anywhere (dots aside) refuses the voucher */
    for (i = 0; i < len; i += 7) {
        if (voucher[i] == '.')
            continue;
        memcpy(t, voucher, len + 1);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        assert_int_equal(check_at(t, AUD, ISS, NOW), APR_EINVAL);
    }
    /* cut short, or with a part added */
    assert_int_equal(check_at("abc.def", AUD, ISS, NOW), APR_EINVAL);
    memcpy(t, voucher, len + 1);
    t[len - 1] = '\0';
    assert_int_equal(check_at(t, AUD, ISS, NOW), APR_EINVAL);
    free(t);
}

static void test_b64url_is_strict(void **state)
{
    unsigned char out[8];

    (void)state;
    assert_int_equal(invqr_voucher_b64url(out, sizeof(out), "QQ", 2), 1);
    assert_int_equal(out[0], 'A');
    assert_int_equal(invqr_voucher_b64url(out, sizeof(out), "QR", 2), -1);   /* non-canonical */
    assert_int_equal(invqr_voucher_b64url(out, sizeof(out), "Q", 1), -1);
    assert_int_equal(invqr_voucher_b64url(out, sizeof(out), "QQ==", 4), -1);
    assert_int_equal(invqr_voucher_b64url(out, sizeof(out), "Q+==", 4), -1);
    assert_int_equal(invqr_voucher_b64url(out, 2, "QUJD", 4), -1);          /* too long */
}

static void test_claims(void **state)
{
    invqr_voucher_t v;
    const char *reason = NULL;
    const char *list = "{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"" AUD "\"],\"iat\":1800000000,"
                       "\"nbf\":1800000000,\"exp\":1800000600,\"jti\":\"j\",\"purposeId\":\"p\","
                       "\"client_id\":\"c\"}";
    const char *dup = "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":1800000000,"
                      "\"nbf\":1800000000,\"exp\":1800000600,\"jti\":\"j\",\"purposeId\":\"p\","
                      "\"client_id\":\"c\",\"purposeId\":\"q\"}";
    const char *real = "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":1800000000,"
                       "\"nbf\":1800000000,\"exp\":1800000600.0,\"jti\":\"j\",\"purposeId\":\"p\","
                       "\"client_id\":\"c\"}";

    (void)state;
    assert_int_equal(invqr_voucher_claims(&v, &reason, list, strlen(list), ISS, AUD, NOW),
                     APR_SUCCESS);
    assert_int_equal(invqr_voucher_claims(&v, &reason, dup, strlen(dup), ISS, AUD, NOW),
                     APR_EINVAL);
    assert_int_equal(invqr_voucher_claims(&v, &reason, real, strlen(real), ISS, AUD, NOW),
                     APR_EINVAL);
}

static void test_jwks_refusals(void **state)
{
    invqr_voucher_keys_t *k = NULL;
    const char *reason = NULL;
    char two[4096];

    (void)state;
    assert_int_equal(invqr_voucher_keys_parse(&k, &reason, "{\"keys\":[]}", 11), -1);
    assert_non_null(reason);
    assert_int_equal(invqr_voucher_keys_parse(&k, &reason, "[]", 2), -1);
    /* the same kid twice */
    {
        const char *k1 = strstr(jwks, "{\"kty\"");
        int n = (int)(strchr(k1, '}') - k1 + 1);

        snprintf(two, sizeof(two), "{\"keys\":[%.*s,%.*s]}", n, k1, n, k1);
    }
    assert_int_equal(invqr_voucher_keys_parse(&k, &reason, two, strlen(two)), -1);
    assert_string_equal(reason, "a kid twice");
    assert_null(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_good_voucher, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times_audience_issuer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_character_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_b64url_is_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jwks_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
