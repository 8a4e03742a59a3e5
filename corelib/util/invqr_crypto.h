/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the few cryptographic primitives invqr needs.
 *
 * Randomness from the kernel CSPRNG, SHA-256, HMAC-SHA-256, constant-time
 * comparison and the text encodings of tokens. OpenSSL's libcrypto does the
 * arithmetic; this file only fixes how invqr uses it.
 */
#ifndef INVQR_CRYPTO_H
#define INVQR_CRYPTO_H

#include <stddef.h>

#define INVQR_SHA256_LEN 32
/* 32 random bytes as unpadded base64url */
#define INVQR_TOKEN_CHARS 43

/** Fill buf with n bytes from getrandom(2). Returns 0, or -1 (errno set). */
int invqr_random(void *buf, size_t n);

/** out = SHA-256(data). */
void invqr_sha256(unsigned char out[INVQR_SHA256_LEN], const void *data, size_t len);

/** out = HMAC-SHA-256(key, msg[0..len)) (RFC 2104). */
void invqr_hmac_raw(unsigned char out[INVQR_SHA256_LEN], const unsigned char *key, size_t keylen,
                    const void *msg, size_t len);

/** out = HMAC-SHA-256(key, a || 0x00 || b); b may be NULL. */
void invqr_hmac(unsigned char out[INVQR_SHA256_LEN], const unsigned char *key, size_t keylen,
                const char *a, const char *b);

/** Lower-case hex of data[0..n) into out, which must hold 2 * n + 1 bytes
 * (NUL-terminated). */
void invqr_hex(char *out, const void *data, size_t n);

/** Constant-time equality of two byte strings of the same length n. */
int invqr_ct_equal(const void *a, const void *b, size_t n);

/** Constant-time equality of two NUL-terminated strings (length may leak). */
int invqr_ct_streq(const char *a, const char *b);

/**
 * Unpadded base64url of in[0..n) into out, which must hold 4*ceil(n/3)+1
 * bytes; returns the length written (without the NUL).
 */
size_t invqr_b64url(char *out, const unsigned char *in, size_t n);

/** A fresh random token: 32 bytes, base64url, NUL-terminated. */
int invqr_token_new(char out[INVQR_TOKEN_CHARS + 1]);

/** Whether s is exactly INVQR_TOKEN_CHARS base64url characters. */
int invqr_token_valid(const char *s);

#endif
