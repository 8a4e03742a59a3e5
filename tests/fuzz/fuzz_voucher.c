/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for PDND vouchers (corelib/soap/invqr_voucher.c).
 *
 * The first byte of an input picks what the rest is: 'C' the claims of a
 * voucher (JSON), 'K' a JWKS document, anything else a compact JWS checked
 * with a fixed key set at a fixed time (1800000000), so that the seed
 * voucher, signed by that key's owner when the corpus was made, passes
 * every check and mutations of it reach each one. Promises checked: a good
 * voucher's identifiers are non-empty printable ASCII within their caps
 * and its times are in order; a refusal always carries a reason; a parsed
 * key set is non-empty. No pool: the parser allocates with malloc and
 * frees before it returns (leaks show under ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invqr_voucher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

#define NOW      1800000000
#define ISSUER   "interop.pagopa.it"
#define AUDIENCE "https://invqr.example/soap"

static const char jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"fuzz-pdnd\","
    "\"n\":\""
    "tujZTIpyyfqAL5AjjU5synXAr76DrIqzAkujsPyTQERGdCbvWNZjHX9hLdHaKDZiDsPAre0ASbflRdgIBJJG5Fc6K0"
    "dGwfmjw5LIqPTKh6zD8CiOMM1iNVIieM0lXbqjvIEhHTygndVmct2iIcb-z9pujlXbi_qH5C8goal0yxUEUVQS82iz"
    "HK2O5qXgJpYHBImVV1zdkns7XXkhw2kSnV8FWxymi2qGzHTf2mSDMyqmOSWe3LRWhDE3Umn8DlGBEMGy39_UQi_pGc"
    "i__tzpOJWuxfX_XNBfaH0AGDmPZX5TlURnseheyQEX8JzJ3KtPoiZ1fLJMZa8FbqTdVYtyFQ"
    "\","
    "\"e\":\"AQAB\"}]}";

static invqr_voucher_keys_t *keys;

static void check_id(const char *s)
{
    size_t i, len = strlen(s);

    CHECK(len > 0 && len <= INVQR_VOUCHER_ID_MAX);
    for (i = 0; i < len; i++)
        CHECK(s[i] > 0x20 && s[i] < 0x7f);
}

static void check_good(const invqr_voucher_t *v)
{
    check_id(v->jti);
    check_id(v->purpose_id);
    check_id(v->client_id);
    CHECK(v->exp > v->iat && v->nbf <= v->exp);
    CHECK(v->exp - v->iat <= INVQR_VOUCHER_MAX_LIFE);
    CHECK(v->exp > NOW - INVQR_VOUCHER_SKEW);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    invqr_voucher_t v;
    const char *reason = NULL;
    apr_status_t rv;

    if (keys == NULL && invqr_voucher_keys_parse(&keys, &reason, jwks, strlen(jwks)) != 0)
        abort();
    if (size == 0)
        return 0;
    if (data[0] == 'K') {
        invqr_voucher_keys_t *k = NULL;

        if (invqr_voucher_keys_parse(&k, &reason, (const char *)data + 1, size - 1) == 0) {
            CHECK(invqr_voucher_keys_count(k) > 0 && reason == NULL);
            invqr_voucher_keys_free(k);
        }
        else {
            CHECK(k == NULL && reason != NULL);
        }
        return 0;
    }
    if (data[0] == 'C')
        rv = invqr_voucher_claims(&v, &reason, (const char *)data + 1, size - 1, ISSUER,
                                  AUDIENCE, NOW);
    else
        rv = invqr_voucher_check(&v, &reason, (const char *)data + 1, size - 1, keys, ISSUER,
                                 AUDIENCE, NOW);
    if (rv == APR_SUCCESS) {
        CHECK(reason == NULL);
        check_good(&v);
        if (data[0] != 'C')
            CHECK(strcmp(v.kid, "fuzz-pdnd") == 0);
    }
    else {
        CHECK(reason != NULL);
    }
    return 0;
}
