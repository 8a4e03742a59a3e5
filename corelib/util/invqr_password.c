/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - argon2id password hashing and verification (libargon2). */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
#define FIELD_MAX 64   /* bytes of a salt or hash we accept in an encoded hash */
#define M_COST_MAX (256 * 1024)   /* KiB: a hash asking for more is refused */

/* ---- memory: mapped for each hash, given back at once ----------------------
 *
 * argon2id needs M_COST KiB per hash. From malloc, in a long-lived thread,
 * glibc keeps that memory in the thread's arena after the free (its mmap
 * threshold grows past 19 MiB after the first free), so every httpd thread
 * that ever checked a password held ~19 MiB for ever. Mapped and unmapped
 * for each hash, it is back with the kernel as soon as the hash is done;
 * and a semaphore bounds how many hashes run at once in this process, so a
 * flood of sign-ins costs CPU and a queue, never memory. */

static int map_blocks(uint8_t **memory, size_t bytes)
{
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED) {
        *memory = NULL;
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    }
    *memory = m;
    return ARGON2_OK;
}

static void unmap_blocks(uint8_t *memory, size_t bytes)
{
    /* libargon2 wipes the blocks before it hands them back */
    munmap(memory, bytes);
}

static sem_t hash_slots;
static pthread_once_t hash_slots_once = PTHREAD_ONCE_INIT;
static int hash_slots_ok;

static void hash_slots_init(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (cpus < 1)
        cpus = 1;
    if (cpus > INVQR_PASSWORD_PARALLEL_MAX)
        cpus = INVQR_PASSWORD_PARALLEL_MAX;
    hash_slots_ok = sem_init(&hash_slots, 0, (unsigned)cpus) == 0;
}

/* Run argon2id over ctx with the memory above, at most one per CPU at once. */
static int run_argon2(argon2_context *ctx)
{
    int rc;

    pthread_once(&hash_slots_once, hash_slots_init);
    if (!hash_slots_ok)
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    while (sem_wait(&hash_slots) != 0)
        ;   /* EINTR: a signal, not a reason to skip the queue */
    ctx->allocate_cbk = map_blocks;
    ctx->free_cbk = unmap_blocks;
    rc = argon2_ctx(ctx, Argon2_id);
    sem_post(&hash_slots);
    return rc;
}

/* ---- the encoded form: $argon2id$v=19$m=M,t=T,p=P$SALT$HASH -----------------
 * (standard base64 without padding, as libargon2 writes it) */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(char *out, size_t cap, const unsigned char *in, size_t len)
{
    size_t i, o = 0;
    unsigned long acc = 0;
    int bits = 0;

    for (i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            if (o + 1 >= cap)
                return 0;
            out[o++] = b64[(acc >> bits) & 63];
        }
    }
    if (bits > 0) {
        if (o + 1 >= cap)
            return 0;
        out[o++] = b64[(acc << (6 - bits)) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64_value(int c)
{
    const char *p = c != '\0' ? strchr(b64, c) : NULL;

    return p != NULL ? (int)(p - b64) : -1;
}

/* Decode the n characters at in into out (at most cap bytes); the length,
 * or 0 when they are not canonical unpadded base64. */
static size_t b64_decode(unsigned char *out, size_t cap, const char *in, size_t n)
{
    size_t i, o = 0;
    unsigned long acc = 0;
    int bits = 0;

    if (n % 4 == 1)
        return 0;
    for (i = 0; i < n; i++) {
        int v = b64_value((unsigned char)in[i]);

        if (v < 0)
            return 0;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return 0;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits > 0 && (acc & ((1UL << bits) - 1)) != 0)
        return 0;   /* stray bits: not what an encoder writes */
    return o;
}

/* A decimal in [1, max] at *pp, followed by stop; advances *pp past stop. */
static int parse_uint(unsigned long *out, const char **pp, char stop, unsigned long max)
{
    const char *p = *pp;
    unsigned long v = 0;

    if (*p < '1' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max)
            return -1;
        p++;
    }
    if (*p != stop)
        return -1;
    *out = v;
    *pp = p + 1;
    return 0;
}

int invqr_password_decode(invqr_password_params_t *out, const char *encoded)
{
    const char *p = encoded, *end;
    unsigned long v, m, t, lanes;

    memset(out, 0, sizeof(*out));
    if (strlen(encoded) >= INVQR_PASSWORD_HASH_MAX || strncmp(p, "$argon2id$v=", 12) != 0)
        return -1;
    p += 12;
    if (parse_uint(&v, &p, '$', 255) != 0 || v != ARGON2_VERSION_13 || strncmp(p, "m=", 2) != 0)
        return -1;
    p += 2;
    if (parse_uint(&m, &p, ',', M_COST_MAX) != 0 || strncmp(p, "t=", 2) != 0)
        return -1;
    p += 2;
    if (parse_uint(&t, &p, ',', 16) != 0 || strncmp(p, "p=", 2) != 0)
        return -1;
    p += 2;
    if (parse_uint(&lanes, &p, '$', 16) != 0 || m < 8 * lanes)
        return -1;
    end = strchr(p, '$');
    if (end == NULL)
        return -1;
    out->salt_len = b64_decode(out->salt, sizeof(out->salt), p, (size_t)(end - p));
    p = end + 1;
    out->hash_len = b64_decode(out->hash, sizeof(out->hash), p, strlen(p));
    if (out->salt_len < 8 || out->hash_len < 4)
        return -1;
    out->m_cost = (uint32_t)m;
    out->t_cost = (uint32_t)t;
    out->lanes = (uint32_t)lanes;
    return 0;
}

/* argon2id of password with salt and the costs of params, into out. */
static int derive(unsigned char *out, size_t outlen, const invqr_password_params_t *params,
                  const char *password, size_t len)
{
    argon2_context ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.out = out;
    ctx.outlen = (uint32_t)outlen;
    ctx.pwd = (uint8_t *)(uintptr_t)password;
    ctx.pwdlen = (uint32_t)len;
    ctx.salt = (uint8_t *)(uintptr_t)params->salt;
    ctx.saltlen = (uint32_t)params->salt_len;
    ctx.t_cost = params->t_cost;
    ctx.m_cost = params->m_cost;
    ctx.lanes = params->lanes;
    ctx.threads = params->lanes;
    ctx.version = ARGON2_VERSION_13;
    return run_argon2(&ctx) == ARGON2_OK ? 0 : -1;
}

int invqr_password_hash(char out[INVQR_PASSWORD_HASH_MAX], const char *password, size_t len)
{
    invqr_password_params_t params;
    char salt64[2 * FIELD_MAX], hash64[2 * FIELD_MAX];
    int n;

    out[0] = '\0';
    memset(&params, 0, sizeof(params));
    params.salt_len = SALT_LEN;
    params.hash_len = HASH_LEN;
    params.m_cost = M_COST;
    params.t_cost = T_COST;
    params.lanes = LANES;
    if (len > INVQR_PASSWORD_MAX || invqr_random(params.salt, SALT_LEN) != 0
        || derive(params.hash, HASH_LEN, &params, password, len) != 0
        || b64_encode(salt64, sizeof(salt64), params.salt, SALT_LEN) == 0
        || b64_encode(hash64, sizeof(hash64), params.hash, HASH_LEN) == 0)
        return -1;
    n = snprintf(out, INVQR_PASSWORD_HASH_MAX, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
                 ARGON2_VERSION_13, M_COST, T_COST, LANES, salt64, hash64);
    OPENSSL_cleanse(&params, sizeof(params));
    if (n < 0 || n >= INVQR_PASSWORD_HASH_MAX) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int invqr_password_decoy(char out[INVQR_PASSWORD_HASH_MAX])
{
    unsigned char junk[32];
    int rc;

    out[0] = '\0';
    if (invqr_random(junk, sizeof(junk)) != 0)
        return -1;
    rc = invqr_password_hash(out, (const char *)junk, sizeof(junk));
    OPENSSL_cleanse(junk, sizeof(junk));
    return rc;
}

int invqr_password_verify(const char *encoded, const char *password, size_t len)
{
    invqr_password_params_t params;
    unsigned char got[FIELD_MAX];
    int ok = 0;

    if (len > INVQR_PASSWORD_MAX || invqr_password_decode(&params, encoded) != 0)
        return 0;
    if (derive(got, params.hash_len, &params, password, len) == 0)
        ok = CRYPTO_memcmp(got, params.hash, params.hash_len) == 0;
    OPENSSL_cleanse(got, sizeof(got));
    OPENSSL_cleanse(&params, sizeof(params));
    return ok;
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
