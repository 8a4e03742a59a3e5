/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - AgID ModI SOAP security patterns: ID_AUTH_SOAP_01, ID_AUTH_SOAP_02
 * and INTEGRITY_SOAP_01 (WS-Security 1.1, X.509 token profile, XML-DSig).
 *
 * Works on the libxml2 tree invqr_soap_parse() kept (already refused:
 * DOCTYPE, entities, PIs, deep or wide trees, bodies over 64 KiB). The
 * reader invqr_modi_read() decides, without any cryptography, whether the
 * message is shaped as the patterns say and nothing else: one
 * wsse:Security for us holding one ds:Signature, one wsu:Timestamp
 * (Created, Expires) and one wsse:BinarySecurityToken (X509v3, Base64)
 * that the signature's KeyInfo names through a SecurityTokenReference -
 * or no token, and a KeyIdentifier (SKI) or X509IssuerSerial naming a
 * certificate the caller finds in the store (invqr_modi_set_cert);
 * at most one wsa:To, wsa:MessageID and wsa:Action, all children of the
 * Header; no second Body, Timestamp, Signature, To or MessageID anywhere
 * in the document; no xml:id; no wsu:Id value twice. Only the expected
 * elements (Body, Timestamp, To, MessageID, Action, UsernameToken,
 * BinarySecurityToken, at their expected places) get their wsu:Id
 * registered as an XML ID, and every ds:Reference must be "#" plus one of
 * those, each at most once - so a reference can never reach a moved,
 * duplicated or re-parented copy (XML signature wrapping). Algorithms are
 * checked against an allow-list before xmlsec runs, and xmlsec is told the
 * same list: RSA-SHA256/384/512, ECDSA-SHA256/384/512; digests
 * SHA-256/384/512; C14N 1.0, 1.1 and exclusive C14N (without comments).
 *
 * The route then checks, in the order ModI prescribes: the Timestamp
 * (invqr_modi_check_time), wsa:To (invqr_modi_check_to), the certificate
 * against the trust (its SHA-256 fingerprint, looked up in the store, and
 * its validity dates, invqr_modi_cert_current), the signature
 * (invqr_modi_verify, with the certificate's public key only: KeyInfo is
 * never used to find a key), and only then MessageID's replay and the
 * request.
 *
 * This file is the only one that uses xmlsec; it is linked into the
 * workers, never into mod_invqr. invqr_modi_init() must run once, after
 * xmlInitParser() and before threads.
 */
#ifndef INVQR_MODI_H
#define INVQR_MODI_H

#include <time.h>

#include <apr_errno.h>
#include <apr_pools.h>

struct _xmlDoc;

#define INVQR_WSA_NS           "http://www.w3.org/2005/08/addressing"
#define INVQR_DS_NS            "http://www.w3.org/2000/09/xmldsig#"
#define INVQR_MODI_SKEW        60      /* seconds of clock skew, both ways */
#define INVQR_MODI_MAX_AGE     300     /* a Timestamp's Created may be this old */
#define INVQR_MODI_MAX_LIFE    3600    /* Expires - Created at most */
#define INVQR_MODI_MAX_REFS    8       /* ds:Reference elements */
#define INVQR_MODI_MAX_CERT    8192    /* bytes of DER */
#define INVQR_MODI_MAX_MSGID   256     /* bytes of wsa:MessageID */
#define INVQR_MODI_FP_LEN      32      /* SHA-256 */

/* What the signature covers. */
#define INVQR_MODI_SIGNED_BODY      0x01
#define INVQR_MODI_SIGNED_TIMESTAMP 0x02
#define INVQR_MODI_SIGNED_TO        0x04
#define INVQR_MODI_SIGNED_MSGID     0x08
#define INVQR_MODI_SIGNED_ACTION    0x10
#define INVQR_MODI_SIGNED_TOKEN     0x20
#define INVQR_MODI_SIGNED_BST       0x40

typedef struct invqr_modi_s invqr_modi_t;

/** Once per process, after xmlInitParser(), before threads. 0 or -1. */
int invqr_modi_init(void);
void invqr_modi_shutdown(void);

/**
 * Read the signed message's shape (no cryptography). APR_SUCCESS with
 * *pout from p; APR_EINVAL with a static English reason (never quoting
 * input); APR_ENOMEM. doc is modified only by the registration of IDs.
 */
apr_status_t invqr_modi_read(invqr_modi_t **pout, const char **preason, struct _xmlDoc *doc,
                             apr_pool_t *p);

/** The Timestamp is current: Created <= now + skew, Created >= now -
 * INVQR_MODI_MAX_AGE, Expires >= now - skew, Expires - Created in
 * (0, INVQR_MODI_MAX_LIFE]. 1 or 0. */
int invqr_modi_check_time(const invqr_modi_t *m, time_t now);

/** wsa:To is present, signed, and equal to expected. 1 or 0. */
int invqr_modi_check_to(const invqr_modi_t *m, const char *expected);

/** The certificate's SHA-256 fingerprint (32 bytes, static in m). */
const unsigned char *invqr_modi_fingerprint(const invqr_modi_t *m);

/** The certificate is within its validity dates at now. 1 or 0. */
int invqr_modi_cert_current(const invqr_modi_t *m, time_t now);

/**
 * Verify the signature with the certificate's public key. APR_SUCCESS
 * when it holds and covers at least what required (INVQR_MODI_SIGNED_*)
 * says; APR_EINVAL with a static reason; APR_ENOMEM.
 */
apr_status_t invqr_modi_verify(const invqr_modi_t *m, unsigned required, const char **preason);

/** What the references cover (INVQR_MODI_SIGNED_*). */
unsigned invqr_modi_signed(const invqr_modi_t *m);

/** wsa:MessageID as sent (trimmed), or NULL when absent. */
const char *invqr_modi_message_id(const invqr_modi_t *m);

/** The Timestamp's Expires, UTC seconds. */
time_t invqr_modi_expires(const invqr_modi_t *m);

/* How the signature's KeyInfo names the certificate. */
typedef enum {
    INVQR_MODI_REF_TOKEN = 0,          /* wsse:Reference to the BinarySecurityToken */
    INVQR_MODI_REF_SKI,                /* wsse:KeyIdentifier #X509SubjectKeyIdentifier */
    INVQR_MODI_REF_ISSUER_SERIAL       /* ds:X509Data/ds:X509IssuerSerial */
} invqr_modi_ref_t;

invqr_modi_ref_t invqr_modi_key_ref(const invqr_modi_t *m);

/** INVQR_MODI_REF_SKI: the identifier, upper-case hex. */
const char *invqr_modi_ref_ski(const invqr_modi_t *m);

/** INVQR_MODI_REF_ISSUER_SERIAL: the serial as sent (decimal). */
const char *invqr_modi_ref_serial(const invqr_modi_t *m);

/** INVQR_MODI_REF_ISSUER_SERIAL: whether the reference names the
 * certificate with this issuer (RFC 2253) and serial (decimal). 1 or 0. */
int invqr_modi_ref_matches(const invqr_modi_t *m, const char *issuer, const char *serial);

/**
 * For a reference by SKI or issuer and serial: the registered certificate
 * it names (DER, Base64), found by the caller in the store. APR_SUCCESS or
 * APR_EINVAL. The message carries no certificate, so the signature is then
 * checked with this one.
 */
apr_status_t invqr_modi_set_cert(invqr_modi_t *m, const char *der_b64);

/** The certificate's subject (RFC 2253), in the pool of the read, or NULL. */
const char *invqr_modi_subject(const invqr_modi_t *m);

/** Whether the certificate was issued by the CA (DER, Base64; itself an
 * anchor, root or intermediate) and both are current at now. 1 or 0. */
int invqr_modi_issued_by(const invqr_modi_t *m, const char *ca_b64, time_t now);

/* The agency's key and certificate, for signed answers. */
typedef struct invqr_modi_signer_s invqr_modi_signer_t;

/**
 * Load the agency's PEM private key (RSA or EC) and its PEM certificate,
 * which must hold the key's public half. 0, or -1 (logged, INVQR0031).
 * Once, at start; the signer is read-only afterwards and may be shared by
 * threads.
 */
int invqr_modi_signer_load(invqr_modi_signer_t **pout, const char *key_file,
                           const char *cert_file);
void invqr_modi_signer_free(invqr_modi_signer_t *s);

/**
 * Sign the SOAP answer body[0..len) (invqr's own output) as INTEGRITY_SOAP_01
 * asks: a wsse:Security header with a wsu:Timestamp (now, 5 minutes), the
 * agency's certificate as BinarySecurityToken and one signature (RSA- or
 * ECDSA-SHA256, SHA-256 digests, exclusive C14N) over Body, Timestamp and
 * wsa:RelatesTo, which names relates_to (the request's wsa:MessageID) when
 * not NULL. *pout and *plen: the signed answer, in p. APR_SUCCESS,
 * APR_EINVAL, APR_ENOMEM.
 */
apr_status_t invqr_modi_sign(const char **pout, apr_size_t *plen, const invqr_modi_signer_t *s,
                             const char *body, apr_size_t len, const char *relates_to,
                             time_t now, apr_pool_t *p);

#endif
