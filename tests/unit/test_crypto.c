/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the crypto helpers and password hashing: known vectors,
 * constant-time comparisons, token shape. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <cmocka.h>
#include <openssl/hmac.h>

#include "invqr_crypto.h"
#include "invqr_password.h"

static void hex(char *out, const unsigned char *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", in[i]);
}

static void test_sha256_vector(void **state)
{
    unsigned char d[INVQR_SHA256_LEN];
    char h[65];

    invqr_sha256(d, "abc", 3);
    hex(h, d, sizeof(d));
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hmac_vector_and_separation(void **state)
{
    /* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" */
    unsigned char d[INVQR_SHA256_LEN], e[INVQR_SHA256_LEN];
    char h[65];
    unsigned char key[] = "Jefe";

    /* our message is a || 0x00 || b: with b NULL and a the whole text the
     * trailing NUL differs from the RFC, so check the construction itself */
    invqr_hmac(d, key, 4, "csrf", "token");
    invqr_hmac(e, key, 4, "csrft", "oken");
    assert_memory_not_equal(d, e, sizeof(d));   /* the separator matters */
    invqr_hmac(e, key, 4, "csrf", "token");
    assert_memory_equal(d, e, sizeof(d));
    invqr_hmac(e, (const unsigned char *)"Jeff", 4, "csrf", "token");
    assert_memory_not_equal(d, e, sizeof(d));
    hex(h, d, sizeof(d));
    assert_int_equal(strlen(h), 64);
}

/* RFC 4231's test cases 1, 2, 3 and 6 (a key longer than the block). */
static void test_hmac_rfc4231(void **state)
{
    static const struct {
        size_t keylen;
        unsigned char keybyte;  /* repeated, unless key is given */
        const char *key;
        const char *data;
        size_t datalen;
        unsigned char databyte; /* repeated, when data is NULL */
        const char *mac;
    } v[] = {
        {20, 0x0b, NULL, "Hi There", 8, 0,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {4, 0, "Jefe", "what do ya want for nothing?", 28, 0,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {20, 0xaa, NULL, NULL, 50, 0xdd,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {131, 0xaa, NULL, "Test Using Larger Than Block-Size Key - Hash Key First", 54, 0,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned char key[200], data[100], d[INVQR_SHA256_LEN];
        char h[65];

        if (v[i].key != NULL)
            memcpy(key, v[i].key, v[i].keylen);
        else
            memset(key, v[i].keybyte, v[i].keylen);
        if (v[i].data != NULL)
            memcpy(data, v[i].data, v[i].datalen);
        else
            memset(data, v[i].databyte, v[i].datalen);
        invqr_hmac_raw(d, key, v[i].keylen, data, v[i].datalen);
        hex(h, d, sizeof(d));
        assert_string_equal(h, v[i].mac);
    }
}

/* The same as OpenSSL's HMAC() for every key length around the block size
 * and messages of many lengths, including the a || 0 || b framing. */
static void test_hmac_agrees_with_openssl(void **state)
{
    unsigned char key[150], msg[300], d[INVQR_SHA256_LEN], e[INVQR_SHA256_LEN];
    unsigned int elen;
    size_t k, m;

    for (k = 0; k < sizeof(key); k++)
        key[k] = (unsigned char)(k * 7 + 1);
    for (m = 0; m < sizeof(msg); m++)
        msg[m] = (unsigned char)(m * 13 + 5);
    for (k = 0; k <= sizeof(key); k += (k < 70 ? 1 : 40)) {
        for (m = 0; m <= sizeof(msg); m += 37) {
            elen = sizeof(e);
            invqr_hmac_raw(d, key, k, msg, m);
            assert_non_null(HMAC(EVP_sha256(), key, (int)k, msg, m, e, &elen));
            assert_memory_equal(d, e, sizeof(d));
        }
    }
    invqr_hmac(d, key, 32, "csrf", "token");
    elen = sizeof(e);
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)"csrf\0token", 10, e, &elen);
    assert_memory_equal(d, e, sizeof(d));
}

static void test_constant_time_compare(void **state)
{
    assert_true(invqr_ct_equal("abcd", "abcd", 4));
    assert_false(invqr_ct_equal("abcd", "abce", 4));
    assert_true(invqr_ct_streq("token", "token"));
    assert_false(invqr_ct_streq("token", "toke"));
    assert_false(invqr_ct_streq("toke", "token"));
    assert_false(invqr_ct_streq("", "token"));
    assert_true(invqr_ct_streq("", ""));
    assert_false(invqr_ct_streq("tokeN", "token"));
}

static void test_b64url(void **state)
{
    char out[16];

    assert_int_equal(invqr_b64url(out, (const unsigned char *)"", 0), 0);
    assert_int_equal(invqr_b64url(out, (const unsigned char *)"f", 1), 2);
    assert_string_equal(out, "Zg");
    invqr_b64url(out, (const unsigned char *)"fo", 2);
    assert_string_equal(out, "Zm8");
    invqr_b64url(out, (const unsigned char *)"foo", 3);
    assert_string_equal(out, "Zm9v");
    invqr_b64url(out, (const unsigned char *)"\xfb\xff", 2);
    assert_string_equal(out, "-_8");
}

static void test_tokens_are_random_and_well_formed(void **state)
{
    char a[INVQR_TOKEN_CHARS + 1], b[INVQR_TOKEN_CHARS + 1];

    assert_int_equal(invqr_token_new(a), 0);
    assert_int_equal(invqr_token_new(b), 0);
    assert_int_equal(strlen(a), INVQR_TOKEN_CHARS);
    assert_true(invqr_token_valid(a));
    assert_string_not_equal(a, b);
    assert_false(invqr_token_valid("short"));
    b[5] = '=';
    assert_false(invqr_token_valid(b));
    a[INVQR_TOKEN_CHARS - 1] = '\0';
    assert_false(invqr_token_valid(a));
}

static void test_password_hash_and_verify(void **state)
{
    char h[INVQR_PASSWORD_HASH_MAX], h2[INVQR_PASSWORD_HASH_MAX];
    const char *pw = "correct horse battery";

    assert_int_equal(invqr_password_hash(h, pw, strlen(pw)), 0);
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_null(strstr(h, pw));
    assert_true(invqr_password_verify(h, pw, strlen(pw)));
    assert_false(invqr_password_verify(h, "correct horse battery!", 22));
    assert_false(invqr_password_verify(h, "", 0));
    /* salted: the same password hashes differently */
    assert_int_equal(invqr_password_hash(h2, pw, strlen(pw)), 0);
    assert_string_not_equal(h, h2);
    /* only argon2id hashes are accepted */
    assert_false(invqr_password_verify("$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaA", pw, strlen(pw)));
    assert_false(invqr_password_verify("plain", "plain", 5));
}

/* Our encoder and parser agree with libargon2's own, both ways: hashes
 * already in a store keep working, and ours are standard. */
static void test_password_matches_libargon2(void **state)
{
    char mine[INVQR_PASSWORD_HASH_MAX], theirs[INVQR_PASSWORD_HASH_MAX];
    const char *pw = "correct horse battery";
    const unsigned char salt[16] = "0123456789abcdef";

    assert_int_equal(argon2id_hash_encoded(2, 19456, 1, pw, strlen(pw), salt, sizeof(salt), 32,
                                           theirs, sizeof(theirs)), ARGON2_OK);
    assert_true(invqr_password_verify(theirs, pw, strlen(pw)));
    assert_false(invqr_password_verify(theirs, "correct horse batterz", 21));
    assert_int_equal(invqr_password_hash(mine, pw, strlen(pw)), 0);
    assert_int_equal(argon2id_verify(mine, pw, strlen(pw)), ARGON2_OK);
    assert_int_not_equal(argon2id_verify(mine, "x", 1), ARGON2_OK);
}

static void test_password_decode_refuses(void **state)
{
    invqr_password_params_t pp;
    static const char *const bad[] = {
        "",
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg",          /* no hash */
        "$argon2id$v=16$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g", /* old version */
        "$argon2id$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g",      /* no version */
        "$argon2id$v=19$m=999999999,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g", /* 1 TB */
        "$argon2id$v=19$m=19456,t=99,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g",
        "$argon2id$v=19$m=19456,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g",
        "$argon2id$v=19$m=19456,t=02,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g",
        "$argon2id$v=19$m=4,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g",      /* m < 8p */
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$aGFzaGhhc2g", /* padded */
        "$argon2id$v=19$m=19456,t=2,p=1$MDEy$aGFzaGhhc2g",                  /* short salt */
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g$", /* trailing */
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZh$aGFzaGhhc2g", /* stray bits */
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4O*FiY2RlZg$aGFzaGhhc2g",
    };
    size_t i;

    assert_int_equal(invqr_password_decode(&pp, "$argon2id$v=19$m=19456,t=2,p=1$"
                                                "MDEyMzQ1Njc4OWFiY2RlZg$aGFzaGhhc2g"), 0);
    assert_int_equal(pp.m_cost, 19456);
    assert_int_equal(pp.t_cost, 2);
    assert_int_equal(pp.lanes, 1);
    assert_int_equal(pp.salt_len, 16);
    assert_memory_equal(pp.salt, "0123456789abcdef", 16);
    assert_int_equal(pp.hash_len, 8);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (invqr_password_decode(&pp, bad[i]) == 0)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_password_policy(void **state)
{
    assert_non_null(invqr_password_weak("short", 5));
    assert_null(invqr_password_weak("twelve chars", 12));
    assert_non_null(invqr_password_weak("with\x01control!!", 14));
    assert_non_null(invqr_password_weak("bad \xc3\x28 utf8 text", 16));
    assert_null(invqr_password_weak("pàssword ùnicode", strlen("pàssword ùnicode")));
}

static void test_hex(void **state)
{
    static const unsigned char bytes[] = { 0x00, 0x0f, 0xa5, 0xff };
    char out[2 * sizeof(bytes) + 1];

    (void)state;
    memset(out, 'x', sizeof(out));
    invqr_hex(out, bytes, sizeof(bytes));
    assert_string_equal(out, "000fa5ff");
    invqr_hex(out, bytes, 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vector),
        cmocka_unit_test(test_hmac_vector_and_separation),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hmac_agrees_with_openssl),
        cmocka_unit_test(test_constant_time_compare),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_tokens_are_random_and_well_formed),
        cmocka_unit_test(test_password_hash_and_verify),
        cmocka_unit_test(test_password_matches_libargon2),
        cmocka_unit_test(test_password_decode_refuses),
        cmocka_unit_test(test_password_policy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
