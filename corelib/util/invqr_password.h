/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - operator passwords: argon2id hashes and their verification.
 *
 * Parameters follow the OWASP recommendation for argon2id (19 MiB, 2 passes,
 * 1 lane): slow enough for stolen hashes, cheap enough for a login under
 * load. Verification compares in constant time. The memory of each hash is
 * mapped for it and unmapped after, and at most one hash per CPU runs at
 * once in a process: sign-ins cost CPU and a queue, never resident memory
 * kept by the threads that served them.
 */
#ifndef INVQR_PASSWORD_H
#define INVQR_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define INVQR_PASSWORD_MIN 12
#define INVQR_PASSWORD_MAX 256
#define INVQR_PASSWORD_HASH_MAX 128
#define INVQR_PASSWORD_PARALLEL_MAX 8   /* hashes at once per process, at most */

/** The parts of an encoded argon2id hash. */
typedef struct {
    uint32_t m_cost, t_cost, lanes;
    unsigned char salt[64];
    size_t salt_len;
    unsigned char hash[64];
    size_t hash_len;
} invqr_password_params_t;

/**
 * Parse "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH" (unpadded base64) into *out.
 * Returns 0, or -1 for anything else, including costs beyond what invqr
 * would ever ask for (memory above 256 MiB, more than 16 passes or lanes).
 */
int invqr_password_decode(invqr_password_params_t *out, const char *encoded);

/** Hash password into out (NUL-terminated encoded form). Returns 0 or -1. */
int invqr_password_hash(char out[INVQR_PASSWORD_HASH_MAX], const char *password, size_t len);

/**
 * A hash of a random password nobody knows, into out: unknown user names are
 * checked against it, so that they cost as much time as known ones. 0 or -1
 * (no randomness, no memory).
 */
int invqr_password_decoy(char out[INVQR_PASSWORD_HASH_MAX]);

/** Whether password matches the encoded hash (constant time). */
int invqr_password_verify(const char *encoded, const char *password, size_t len);

/** NULL if password is acceptable, else a static English reason. */
const char *invqr_password_weak(const char *password, size_t len);

#define INVQR_SEALED_MAX (12 + INVQR_PASSWORD_MAX + 16)

/**
 * Seal password with AES-256-GCM under a key derived from secret (for
 * WS-Security PasswordDigest, which needs the password itself). out gets
 * nonce, ciphertext and tag; *plen their length. Returns 0 or -1.
 */
int invqr_password_seal(unsigned char out[INVQR_SEALED_MAX], size_t *plen,
                        const unsigned char *secret, const char *password, size_t len);

/**
 * Open what invqr_password_seal() made: the password into out (NUL-
 * terminated, out holds INVQR_PASSWORD_MAX + 1). Returns 0, or -1 if the
 * sealed bytes were altered or the secret differs.
 */
int invqr_password_open(char out[INVQR_PASSWORD_MAX + 1], const unsigned char *secret,
                        const unsigned char *sealed, size_t len);

#endif
