/* invqr - operator passwords: argon2id hashes and their verification.
 *
 * Parameters follow the OWASP recommendation for argon2id (19 MiB, 2 passes,
 * 1 lane): slow enough for stolen hashes, cheap enough for a login under
 * load. Verification compares in constant time (libargon2 does).
 */
#ifndef INVQR_PASSWORD_H
#define INVQR_PASSWORD_H

#include <stddef.h>

#define INVQR_PASSWORD_MIN 12
#define INVQR_PASSWORD_MAX 256
#define INVQR_PASSWORD_HASH_MAX 128

/** Hash password into out (NUL-terminated encoded form). Returns 0 or -1. */
int invqr_password_hash(char out[INVQR_PASSWORD_HASH_MAX], const char *password, size_t len);

/** Whether password matches the encoded hash (constant time). */
int invqr_password_verify(const char *encoded, const char *password, size_t len);

/** NULL if password is acceptable, else a static English reason. */
const char *invqr_password_weak(const char *password, size_t len);

#endif
