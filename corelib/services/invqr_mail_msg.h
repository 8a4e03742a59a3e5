/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the e-mail that carries a citizen's attestation PDF.
 *
 * Builds one RFC 5322 message, MIME (RFC 2045-2047): a multipart/mixed body
 * with the text in UTF-8 (base64) and the PDF (base64, as an attachment
 * under its dated file name). Every header is written by construction:
 * addresses must pass invqr_mail_addr_parse() again here, the sender's
 * name and the subject are always RFC 2047 encoded-words (so no byte of
 * theirs reaches a header raw), the file name is checked to letters,
 * digits, '.', '-' and '_' (60 at most). Lines end in CRLF and none passes
 * 78 characters, except the To, From and Message-ID lines of an address
 * too long for one (RFC 5322 allows 998; an address cannot be folded).
 * Nothing here sends or logs (invqr_mail_send.h sends).
 */
#ifndef INVQR_MAIL_MSG_H
#define INVQR_MAIL_MSG_H

#include <apr_pools.h>
#include <apr_time.h>

/** Most bytes of a PDF the message carries (the attestation is ~60 KB). */
#define INVQR_MAIL_MAX_PDF (2 * 1024 * 1024)

typedef struct {
    const char *from;        /* the sender's address (mail_from) */
    const char *from_name;   /* its display name, UTF-8 (the administration), or NULL */
    const char *to;          /* the citizen's address */
    const char *subject;     /* UTF-8 */
    const char *text;        /* UTF-8, lines separated by "\n" */
    const char *file_name;   /* of the attachment */
    const char *pdf;
    apr_size_t pdf_len;
    apr_time_t date;         /* the Date header */
} invqr_mail_msg_t;

/**
 * Build the message in *pout (length *plen, NUL-terminated, from p).
 * Returns APR_EINVAL when an address does not parse, the file name has
 * other characters, a text is not valid UTF-8 or is empty, or the PDF is
 * empty or larger than INVQR_MAIL_MAX_PDF; APR_EGENERAL when no random
 * bytes could be had (for the boundary and the Message-ID).
 */
apr_status_t invqr_mail_msg_build(const char **pout, apr_size_t *plen,
                                  const invqr_mail_msg_t *m, apr_pool_t *p);

/**
 * The header field "Name:" (name at most 20 characters) with value as
 * RFC 2047 B encoded-words of UTF-8, one per line, so that no line passes
 * 78 characters and no character is split between two words; ends in CRLF,
 * from p. Exposed for the unit tests. NULL when value is not valid UTF-8
 * or holds a control character (a line break included).
 */
const char *invqr_mail_encoded_header(const char *name, const char *value, apr_pool_t *p);

#endif
