/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SOAP API's pure core: reading requests, writing answers.
 *
 * invqr_soap_parse() turns an untrusted HTTP body, with its Content-Type and
 * SOAPAction headers, into a request struct or a fault to send back. It
 * refuses, before anything else, what makes XML dangerous: a body over
 * INVQR_SOAP_MAX_BODY, any DOCTYPE (so no entity is ever declared, expanded
 * or fetched), processing instructions, nesting deeper than
 * INVQR_SOAP_MAX_DEPTH, more than INVQR_SOAP_MAX_ELEMENTS elements,
 * INVQR_SOAP_MAX_ATTRIBUTES attributes on one element or
 * INVQR_SOAP_MAX_NAMESPACES namespace declarations - all stopped from SAX
 * callbacks while parsing, not after (a raw pre-scan refuses start tags
 * with hundreds of attributes, which libxml2 would check for repeats in
 * quadratic time before any callback runs). It then checks the
 * SOAP 1.1 or 1.2 envelope against the Content-Type, the one operation in
 * the Body, its parameters, the SOAPAction (1.1) or action parameter (1.2),
 * the mustUnderstand header blocks, and reads a WS-Security UsernameToken
 * (invqr_wssec.h). The invqr_soap_respond_*() and invqr_soap_fault()
 * builders (invqr_soap_respond.c) make the answers as libxml2 trees, so
 * text is escaped by construction, and serialise them into the pool.
 *
 * HTTP status: 200 for every response; 500 for every fault, in SOAP 1.1 and
 * in 1.2 alike (SOAP 1.2 would allow 400 for Sender faults; one status for
 * every fault is what SOAP 1.1 and WS-I Basic Profile require and what
 * clients of both versions accept). The only other status is 413, for a
 * body over INVQR_SOAP_MAX_BODY, which the caller should answer before
 * reading the body at all.
 *
 * libxml2 must have been initialised once, before threads, with
 * xmlInitParser(); this file never touches libxml2's global settings.
 * Every xmlDoc made here is tied to the pool passed in (a pool cleanup frees
 * it) and freed as soon as it is no longer needed.
 */
#ifndef INVQR_SOAP_H
#define INVQR_SOAP_H

#include <time.h>

#include <apr_errno.h>
#include <apr_pools.h>

#include "invqr_i18n.h"
#include "invqr_record.h"
#include "invqr_wssec.h"

struct _xmlNode;
struct _xmlDoc;

/* The service namespace, and one SOAPAction URI per operation. */
#define INVQR_SOAP_NS                "urn:invqr:verify:1"
#define INVQR_SOAP_ACTION_LEVEL1     INVQR_SOAP_NS ":VerifyLevel1"
#define INVQR_SOAP_ACTION_OTP        INVQR_SOAP_NS ":RequestOtp"
#define INVQR_SOAP_ACTION_LEVEL2     INVQR_SOAP_NS ":VerifyLevel2"

#define INVQR_SOAP11_ENV_NS          "http://schemas.xmlsoap.org/soap/envelope/"
#define INVQR_SOAP12_ENV_NS          "http://www.w3.org/2003/05/soap-envelope"
#define INVQR_SOAP11_CONTENT_TYPE    "text/xml; charset=utf-8"
#define INVQR_SOAP12_CONTENT_TYPE    "application/soap+xml; charset=utf-8"

#define INVQR_SOAP_MAX_BODY          (64 * 1024)  /* bytes of HTTP body */
#define INVQR_SOAP_MAX_DEPTH         32           /* element nesting */
#define INVQR_SOAP_MAX_ELEMENTS      256          /* elements in a request */
#define INVQR_SOAP_MAX_ATTRIBUTES    64           /* attributes of one element */
#define INVQR_SOAP_MAX_NAMESPACES    64           /* namespace declarations in all */
#define INVQR_SOAP_MAX_HEADER        1024         /* Content-Type, SOAPAction */
#define INVQR_SOAP_MAX_CODE          64           /* bytes of each parameter */
#define INVQR_SOAP_MAX_FISCAL_CODE   64
#define INVQR_SOAP_MAX_CHALLENGE_ID  64
#define INVQR_SOAP_MAX_OTP           16
#define INVQR_SOAP_MAX_MASKED_MOBILE 32
#define INVQR_SOAP_MAX_OUTPUT        (64 * 1024)  /* bytes of any answer */

typedef enum {
    INVQR_SOAP_OP_NONE = 0,
    INVQR_SOAP_OP_VERIFY_LEVEL1,       /* VerifyLevel1(code, fiscalCode) */
    INVQR_SOAP_OP_REQUEST_OTP,         /* RequestOtp(code, fiscalCode) */
    INVQR_SOAP_OP_VERIFY_LEVEL2,       /* VerifyLevel2(challengeId, otp) */
    INVQR_SOAP_OP__COUNT
} invqr_soap_op_t;

/* The machine codes of the contract, carried in every fault's detail. */
typedef enum {
    INVQR_SOAP_BAD_REQUEST = 0,
    INVQR_SOAP_UNKNOWN_CODE,
    INVQR_SOAP_REVOKED_CODE,
    INVQR_SOAP_FISCAL_CODE_MISMATCH,
    INVQR_SOAP_RATE_LIMITED,
    INVQR_SOAP_AUTH_FAILED,
    INVQR_SOAP_NO_MOBILE,
    INVQR_SOAP_OTP_INVALID,
    INVQR_SOAP_OTP_EXPIRED,
    INVQR_SOAP_UNAVAILABLE,
    INVQR_SOAP_SIGNATURE_INVALID,      /* ModI: malformed, stale, misaddressed or false signature */
    INVQR_SOAP_REPLAYED,               /* ModI: a wsa:MessageID seen before */
    INVQR_SOAP__CODE_COUNT
} invqr_soap_code_t;

/* The SOAP fault code proper (1.1 faultcode, 1.2 Code/Value). */
typedef enum {
    INVQR_SOAP_FC_AUTO = 0,            /* Client/Sender or Server/Receiver, by machine code */
    INVQR_SOAP_FC_CLIENT,              /* 1.1 Client, 1.2 Sender */
    INVQR_SOAP_FC_SERVER,              /* 1.1 Server, 1.2 Receiver */
    INVQR_SOAP_FC_VERSION_MISMATCH,
    INVQR_SOAP_FC_MUST_UNDERSTAND
} invqr_soap_fcode_t;

typedef struct {
    int version;                       /* 11 or 12: the version to answer in */
    invqr_soap_code_t code;
    invqr_soap_fcode_t fcode;
    const char *reason;                /* static English detail (never input), or NULL */
    int http_status;                   /* 0 (or anything outside 400-599): 500 */
    const char *nu_ns;                 /* MustUnderstand: the header block not */
    const char *nu_name;               /* understood (pool copies), else NULL */
} invqr_soap_fault_t;

typedef struct {
    int version;                       /* 11 or 12 */
    invqr_soap_op_t op;
    const char *code;                  /* VerifyLevel1, RequestOtp; else NULL */
    const char *fiscal_code;           /* VerifyLevel1, RequestOtp; else NULL */
    const char *challenge_id;          /* VerifyLevel2; else NULL */
    const char *otp;                   /* VerifyLevel2; else NULL */
    const invqr_wssec_token_t *token;  /* the UsernameToken, or NULL when none */
    struct _xmlDoc *doc;               /* the parsed tree, kept (freed with p) only when
                                        * wsse:Security holds a ds:Signature (invqr_modi.h) */
} invqr_soap_req_t;

/* An answer ready to send. */
typedef struct {
    const char *body;                  /* UTF-8 XML, NUL-terminated */
    apr_size_t len;                    /* bytes of body, without the NUL */
    const char *content_type;          /* static */
    int http_status;                   /* 200, 500, or 413 */
} invqr_soap_out_t;

typedef struct {
    const char *name;                  /* "Given Surname", UTF-8 text */
    int civil_invalidity;              /* each 0 or 1 */
    int minor_invalidity;
    int attendance_allowance;
    int civil_blindness;               /* 1 for partial or absolute */
    int deafness;
    invqr_handicap_t handicap;
} invqr_soap_level1_t;

typedef struct {
    invqr_soap_level1_t first;
    const char *medical_judgment;      /* UTF-8 text, newlines allowed */
    int invalidity_percent;            /* 0..100, or -1 for none (xsi:nil) */
    invqr_blindness_t blindness_degree;/* must agree with first.civil_blindness */
    const char *judgment_date;         /* YYYY-MM-DD */
    const char *review_date;           /* YYYY-MM-DD, or NULL or "" when none */
} invqr_soap_level2_t;

/**
 * Read a SOAP request. body is len bytes (need not be NUL-terminated);
 * content_type and soap_action are the raw header values, NULL when absent.
 *
 * SOAP 1.1 is text/xml, SOAP 1.2 application/soap+xml; a charset parameter,
 * when present, must be utf-8 (the body is always read as UTF-8). A
 * SOAPAction (1.1) or action parameter (1.2) that is present and not empty
 * must be the operation's action URI; the SOAPAction header is ignored for
 * SOAP 1.2.
 *
 * Returns APR_SUCCESS with *pout allocated from p. Otherwise *pout is NULL,
 * *fault says what to answer (always filled: version, code BAD_REQUEST or
 * UNAVAILABLE, fault code, reason) and the result is APR_ENOSPC for a body
 * over INVQR_SOAP_MAX_BODY (fault->http_status 413; the body is not read),
 * APR_ENOMEM when memory ran out (UNAVAILABLE), APR_EINVAL for any other
 * refusal. A content type and envelope of different versions give a
 * VersionMismatch fault in the envelope's version.
 */
apr_status_t invqr_soap_parse(invqr_soap_req_t **pout, invqr_soap_fault_t *fault,
                              const char *body, apr_size_t len, const char *content_type,
                              const char *soap_action, apr_pool_t *p);

/**
 * The text of the simple element el - its text and CDATA children
 * (comments skipped), trimmed of XML blanks when trim is set - copied into
 * p. Returns APR_SUCCESS; APR_EINVAL when el has element, entity or other
 * children; APR_ENOSPC when the text is longer than max bytes. Shared by
 * the SOAP and WS-Security readers.
 */
apr_status_t invqr_soap_text(const char **pout, apr_size_t *plen, const struct _xmlNode *el,
                             apr_size_t max, int trim, apr_pool_t *p);

/** Answer VerifyLevel1. APR_EINVAL for a bad version, a NULL r, or text
 * that is not valid UTF-8 text within its limit; APR_ENOMEM. */
apr_status_t invqr_soap_respond_level1(invqr_soap_out_t **pout, int version,
                                       const invqr_soap_level1_t *r, apr_pool_t *p);

/** Answer RequestOtp: expires_at is written as an xs:dateTime in UTC. */
apr_status_t invqr_soap_respond_otp(invqr_soap_out_t **pout, int version,
                                    const char *challenge_id, time_t expires_at,
                                    const char *masked_mobile, apr_pool_t *p);

/** Answer VerifyLevel2 with the first- and second-level fields. Dates are
 * checked to be real YYYY-MM-DD dates, the percent to be -1..100. */
apr_status_t invqr_soap_respond_level2(invqr_soap_out_t **pout, int version,
                                       const invqr_soap_level2_t *r, apr_pool_t *p);

/**
 * Write the fault f in f->version (anything but 12 means 11), its text in
 * lang: faultstring / Reason/Text with xml:lang, then f->reason in English
 * in parentheses when set (and valid UTF-8 text of at most 1 KiB; it is
 * sent to the client, so it must say nothing secret); detail / Detail
 * carries <FaultDetail><code>CODE</code>. A SOAP 1.2 VersionMismatch
 * carries an Upgrade header, a MustUnderstand a NotUnderstood header.
 * http_status is f->http_status when it is 400-599, else 500. APR_EINVAL
 * for a NULL f or a code out of range; APR_ENOMEM.
 */
apr_status_t invqr_soap_fault(invqr_soap_out_t **pout, const invqr_soap_fault_t *f,
                              invqr_lang_t lang, apr_pool_t *p);

/** Fill *f for version and code, with the fault code chosen by the code. */
void invqr_soap_fault_init(invqr_soap_fault_t *f, int version, invqr_soap_code_t code);

/** 1 when code is the client's doing (Client / Sender), 0 for the server's
 * (Server / Receiver). Only UNAVAILABLE is the server's. */
int invqr_soap_code_is_client(invqr_soap_code_t code);

/** "BAD_REQUEST", ... (static); NULL for a value out of range. */
const char *invqr_soap_code_name(invqr_soap_code_t code);

/** "VerifyLevel1", ... (static); NULL for a value out of range. */
const char *invqr_soap_op_name(invqr_soap_op_t op);

/** The operation's SOAPAction URI (static); NULL for a value out of range. */
const char *invqr_soap_op_action(invqr_soap_op_t op);

/** 1 when op needs a WS-Security UsernameToken (RequestOtp, VerifyLevel2). */
int invqr_soap_op_needs_auth(invqr_soap_op_t op);

/** The Content-Type of an answer in version (12, else 1.1). */
const char *invqr_soap_content_type(int version);

#endif
