/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - what identifies an X.509 certificate for ModI trust, besides its
 * SHA-256 fingerprint: its Subject Key Identifier and its issuer and serial
 * (the other two ways WS-Security's X.509 token profile lets a signature's
 * KeyInfo name a certificate the provider already holds), its subject (an
 * organisation may register a CA and the one subject it pins instead of a
 * single certificate), and whether a certificate was issued by a given CA
 * and is current. OpenSSL only; used by invqr_modi.c and invqr-admin.
 *
 * Names are compared in their RFC 2253 form as OpenSSL prints it
 * (XN_FLAG_RFC2253): case-insensitively and ignoring blanks around ',',
 * '+' and '=', since signers print them with and without.
 */
#ifndef INVQR_MODI_TRUST_H
#define INVQR_MODI_TRUST_H

#include <time.h>

#include <apr_pools.h>

#define INVQR_MODI_NAME_MAX   512     /* bytes of an RFC 2253 name we keep */
#define INVQR_MODI_SERIAL_MAX 80      /* decimal digits of a serial number */
#define INVQR_MODI_SKI_MAX    64      /* bytes of a Subject Key Identifier */

/* A certificate as invqr-admin registers it (all in the pool). */
typedef struct {
    unsigned char fp[32];             /* SHA-256 of the DER */
    time_t not_before, not_after;
    const char *subject;              /* RFC 2253 */
    const char *issuer;               /* RFC 2253 */
    const char *serial;               /* decimal */
    const char *ski;                  /* upper-case hex, or NULL: no extension */
    const char *der_b64;              /* the DER, Base64 */
    int is_ca;                        /* basicConstraints CA:TRUE */
} invqr_modi_cert_ids_t;

/** Read one PEM or DER certificate. 0, or -1 when it is not one. */
int invqr_modi_cert_ids(invqr_modi_cert_ids_t *ids, const unsigned char *data, apr_size_t len,
                        apr_pool_t *p);

/** RFC 2253 text of an X509_NAME, in p; NULL when over INVQR_MODI_NAME_MAX. */
const char *invqr_modi_name_text(const void *x509_name, apr_pool_t *p);

/** Decimal text of an ASN1_INTEGER serial, in p; NULL when too long. */
const char *invqr_modi_serial_text(const void *asn1_integer, apr_pool_t *p);

/** Whether two RFC 2253 names are the same (see above). 1 or 0. */
int invqr_modi_names_equal(const char *a, const char *b);

#endif
