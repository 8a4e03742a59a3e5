/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the e-mail address a citizen types to receive their PDF.
 *
 * One parser for the only address that enters invqr: a plain addr-spec
 * (RFC 5321 mailbox, RFC 5322 dot-atom form) in ASCII, local@domain.
 * Whatever could reach a header or an SMTP command other than as one
 * address is refused by construction: no quotes, comments, angle brackets,
 * spaces, control characters, commas or a second '@'; the domain is a
 * host name of letter-digit-hyphen labels (or is refused). Internationalised
 * addresses (UTF-8, SMTPUTF8) are refused, and say so.
 */
#ifndef INVQR_MAIL_ADDR_H
#define INVQR_MAIL_ADDR_H

#include <stddef.h>

/* RFC 5321 4.5.3.1: local part 64, domain 255, a path 256 with its <>. */
#define INVQR_MAIL_LOCAL_MAX 64
#define INVQR_MAIL_DOMAIN_MAX 253
#define INVQR_MAIL_ADDR_MAX 254
/* Longest input looked at: an address with white space around it. */
#define INVQR_MAIL_MAX_INPUT 320

typedef enum {
    INVQR_MAIL_ADDR_OK = 0,
    INVQR_MAIL_ADDR_EMPTY,     /* nothing but white space */
    INVQR_MAIL_ADDR_LENGTH,    /* too long (address, local part, domain or a label) */
    INVQR_MAIL_ADDR_NO_AT,     /* no '@', or more than one */
    INVQR_MAIL_ADDR_LOCAL,     /* a character or a dot the local part may not have */
    INVQR_MAIL_ADDR_DOMAIN,    /* not a host name with at least two labels */
    INVQR_MAIL_ADDR_UTF8       /* a non-ASCII character (not supported) */
} invqr_mail_addr_rc;

/**
 * Parse an address typed by a person: surrounding ASCII white space is
 * ignored; the domain is folded to lower case, the local part kept as
 * typed. On success writes the address and a NUL to out; on failure out is
 * an empty string. in may be NULL (EMPTY); input longer than
 * INVQR_MAIL_MAX_INPUT is refused with LENGTH without being read.
 * Allocates nothing.
 */
invqr_mail_addr_rc invqr_mail_addr_parse(char out[INVQR_MAIL_ADDR_MAX + 1], const char *in,
                                         size_t len);

/** A short English reason for rc (for logs and tests; never NULL). */
const char *invqr_mail_addr_reason(invqr_mail_addr_rc rc);

#endif
