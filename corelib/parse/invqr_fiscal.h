/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - Italian fiscal code (codice fiscale) parser.
 *
 * One parser for every fiscal code that enters invqr: import rows, verifier
 * forms, SOAP requests and the identity variable set by the upstream
 * authentication module. It checks the shape (with omocodia: digits replaced
 * by L M N P Q R S T U V), the month letter, the day, and the check character.
 */
#ifndef INVQR_FISCAL_H
#define INVQR_FISCAL_H

#include <stddef.h>

#define INVQR_FISCAL_LEN 16
/* Longest input the parser looks at: a code with spaces around it. */
#define INVQR_FISCAL_MAX_INPUT 64

typedef enum {
    INVQR_FISCAL_OK = 0,
    INVQR_FISCAL_EMPTY,     /* nothing but white space */
    INVQR_FISCAL_LENGTH,    /* not 16 characters once trimmed */
    INVQR_FISCAL_CHARSET,   /* a character outside A-Z 0-9 */
    INVQR_FISCAL_FORMAT,    /* letters and digits not where they belong */
    INVQR_FISCAL_DATE,      /* month letter or day out of range */
    INVQR_FISCAL_CHECK      /* check character does not match */
} invqr_fiscal_rc;

/**
 * Parse a fiscal code typed or imported by a person: surrounding ASCII white
 * space is ignored, case is folded. On success writes the 16 upper-case
 * characters and a NUL to out. On failure out is an empty string.
 * Allocates nothing.
 *
 * Any combination of digit positions may hold omocodia letters. The day,
 * after omocodia is decoded, must be 1-31 or 41-71 (women); it is not
 * checked against the length of the month. The check character is computed
 * over the characters as written (omocodia letters included). in may be NULL
 * (INVQR_FISCAL_EMPTY). Input longer than INVQR_FISCAL_MAX_INPUT is refused
 * with INVQR_FISCAL_LENGTH without being read.
 */
invqr_fiscal_rc invqr_fiscal_parse(char out[INVQR_FISCAL_LEN + 1],
                                   const char *in, size_t len);

/**
 * Parse the fiscal code carried by an identity provider attribute: as
 * invqr_fiscal_parse(), but a leading "TINIT-" (SPID) is accepted and removed.
 * The prefix is matched in any case, after leading white space; nothing may
 * stand between it and the code.
 */
invqr_fiscal_rc invqr_fiscal_parse_identity(char out[INVQR_FISCAL_LEN + 1],
                                            const char *in, size_t len);

/**
 * Parse a fiscal code typed into a form: as invqr_fiscal_parse(), but white
 * space anywhere is ignored too ("RSS MRA 80A01 H501U", a no-break space
 * pasted from a document), as people copy the code in groups. The same
 * INVQR_FISCAL_MAX_INPUT bound applies to the input as given.
 */
invqr_fiscal_rc invqr_fiscal_parse_typed(char out[INVQR_FISCAL_LEN + 1],
                                         const char *in, size_t len);

/** A short English reason for rc, for logs and import rejects (static). */
const char *invqr_fiscal_reason(invqr_fiscal_rc rc);

/** The check character (A-Z) of the first 15 characters of an upper-case code. */
char invqr_fiscal_check_char(const char first15[15]);

/**
 * The birth date a well-formed upper-case fiscal code encodes (omocodia
 * decoded, the 40 of women's days removed), as YYYY-MM-DD in out. The code
 * holds two digits of the year: the century chosen is the latest that does
 * not put the date's year after today's (today is YYYY-MM-DD), so a code
 * cannot tell a child from someone a hundred years older; use the status
 * record's birth_date whenever there is one. Returns 0, or -1 (out "")
 * when the characters are not a date. Allocates nothing.
 */
int invqr_fiscal_birth_date(char out[11], const char fc[INVQR_FISCAL_LEN], const char *today);

#endif
