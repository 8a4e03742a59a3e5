/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - argon2id password hashing and verification (libargon2). */
#include <string.h>

#include <argon2.h>

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
