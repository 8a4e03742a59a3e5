/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - attestation codes.
 *
 * A code is 100 random bits written as 20 characters of Crockford base32
 * (0-9 A-Z without I L O U). People type it from the PDF in groups of five;
 * this file turns whatever they typed back into the canonical code.
 */
#ifndef INVQR_CODE_H
#define INVQR_CODE_H

#include <stddef.h>

#define INVQR_CODE_LEN 20
/* XXXXX-XXXXX-XXXXX-XXXXX */
#define INVQR_CODE_GROUPED_LEN 23
/* Longest typed input the parser looks at. */
#define INVQR_CODE_MAX_INPUT 128

/**
 * Draw a new code from the operating system's CSPRNG (getrandom).
 * Returns 0, or -1 with errno set (out empty) if no randomness could be had.
 */
int invqr_code_generate(char out[INVQR_CODE_LEN + 1]);

/**
 * Normalise a typed or scanned code: dashes and white space are dropped,
 * case is folded, O reads as 0, I and L read as 1. Returns 0 and writes the
 * canonical 20 characters and a NUL to out, or -1 (out empty) if what is left
 * is not exactly 20 Crockford characters or the input is longer than
 * INVQR_CODE_MAX_INPUT (refused without being read). in may be NULL.
 */
int invqr_code_parse(char out[INVQR_CODE_LEN + 1], const char *in, size_t len);

/** Write code in groups of five separated by dashes, NUL-terminated. A code
 * shorter than 20 characters is grouped as far as its NUL. */
void invqr_code_group(char out[INVQR_CODE_GROUPED_LEN + 1],
                      const char code[INVQR_CODE_LEN + 1]);

#endif
