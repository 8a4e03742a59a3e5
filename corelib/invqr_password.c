/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - argon2id password hashing and verification (libargon2). */
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "invqr_conf.h"

#include "invqr_crypto.h"
#include "invqr_password.h"
#include "invqr_utf8.h"

#define T_COST 2
#define M_COST 19456   /* KiB */
#define LANES 1
#define SALT_LEN 16
#define HASH_LEN 32

int invqr_password_hash(char out[INVQR_PASSWORD_HASH_MAX], const char *password, size_t len)
{
    unsigned char salt[SALT_LEN];

    if (len > INVQR_PASSWORD_MAX || invqr_random(salt, sizeof(salt)) != 0)
        return -1;
    if (argon2id_hash_encoded(T_COST, M_COST, LANES, password, len, salt, sizeof(salt), HASH_LEN,
                              out, INVQR_PASSWORD_HASH_MAX) != ARGON2_OK)
        return -1;
    return 0;
}

int invqr_password_verify(const char *encoded, const char *password, size_t len)
{
    if (len > INVQR_PASSWORD_MAX || strncmp(encoded, "$argon2id$", 10) != 0)
        return 0;
    return argon2id_verify(encoded, password, len) == ARGON2_OK;
}

const char *invqr_password_weak(const char *password, size_t len)
{
    long chars = invqr_utf8_count_text(password, len, 0);

    if (chars < 0)
        return "the password must be UTF-8 text without control characters";
    if (chars < INVQR_PASSWORD_MIN)
        return "the password must have at least 12 characters";
    if (len > INVQR_PASSWORD_MAX)
        return "the password must have at most 256 bytes";
    return NULL;
}

static void seal_key(unsigned char key[INVQR_SHA256_LEN], const unsigned char *secret)
{
    invqr_hmac(key, secret, INVQR_SECRET_LEN, "invqr-wss-seal", NULL);
}

int invqr_password_seal(unsigned char out[INVQR_SEALED_MAX], size_t *plen,
                        const unsigned char *secret, const char *password, size_t len)
{
    unsigned char key[INVQR_SHA256_LEN];
    EVP_CIPHER_CTX *ctx = NULL;
    int n = 0, fin = 0, rc = -1;

    *plen = 0;
    if (len > INVQR_PASSWORD_MAX || invqr_random(out, 12) != 0)
        return -1;
    seal_key(key, secret);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL
        || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out) != 1
        || EVP_EncryptUpdate(ctx, out + 12, &n, (const unsigned char *)password, (int)len) != 1
        || EVP_EncryptFinal_ex(ctx, out + 12 + n, &fin) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + 12 + n + fin) != 1)
        goto out;
    *plen = 12 + (size_t)n + (size_t)fin + 16;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

int invqr_password_open(char out[INVQR_PASSWORD_MAX + 1], const unsigned char *secret,
                        const unsigned char *sealed, size_t len)
{
    unsigned char key[INVQR_SHA256_LEN];
    EVP_CIPHER_CTX *ctx = NULL;
    int n = 0, fin = 0, rc = -1;
    size_t clen;

    out[0] = '\0';
    if (len < 12 + 16 || len - 28 > INVQR_PASSWORD_MAX)
        return -1;
    clen = len - 28;
    seal_key(key, secret);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL
        || EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, sealed) != 1
        || EVP_DecryptUpdate(ctx, (unsigned char *)out, &n, sealed + 12, (int)clen) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(sealed + 12 + clen)) != 1
        || EVP_DecryptFinal_ex(ctx, (unsigned char *)out + n, &fin) != 1) {
        OPENSSL_cleanse(out, INVQR_PASSWORD_MAX + 1);
        out[0] = '\0';
        goto out;
    }
    out[n + fin] = '\0';
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}
