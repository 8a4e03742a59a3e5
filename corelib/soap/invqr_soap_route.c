/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SOAP API endpoint.
 *
 * Glue only: invqr_soap parses the envelope and writes answers and faults;
 * the rules are those of the browser: invqr_verify_level1() for
 * VerifyLevel1 (same guessing limits, same audit), invqr_operator_auth()
 * for the WS-Security UsernameToken (same lockout and throttling), and
 * invqr_level2 for RequestOtp and VerifyLevel2 (same OTP rules). A
 * PasswordDigest must be fresh and its nonce new: nonces are remembered in
 * the store for an hour, longer than the accepted clock skew.
 *
 * A request whose wsse:Security holds a ds:Signature follows AgID's ModI
 * patterns instead (invqr_modi.h), checked in the order they prescribe:
 * the Timestamp, wsa:To (public_base_url + "/soap"), the certificate
 * against the organisations' registered ones (and its dates), the
 * signature, the wsa:MessageID's replay - only then the request. The
 * certificate names the organisation; at the second level the operator is
 * named by a wsse:UsernameToken without password inside the signed header
 * (the signature covers it), who must be an active operator of that
 * organisation. The faults are SIGNATURE_INVALID (shape, algorithms,
 * Timestamp, To, signature), AUTH_FAILED (certificate or operator) and
 * REPLAYED. The certificate is the message's token, registered itself or
 * issued by a CA an organisation registered with the token's subject pinned;
 * or one registered with us that KeyInfo names by SKI or issuer and serial.
 *
 * A PDND voucher (invqr_soap_voucher.h) is checked first, as the
 * transport's authorisation; once the caller's organisation is known by
 * other means it must agree with it, and its jti is recorded last.
 */
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_code.h"
#include "invqr_crypto.h"
#include "invqr_level2.h"
#include "invqr_log.h"
#include "invqr_audit.h"
#include "invqr_modi.h"
#include "invqr_modi_trust.h"
#include "invqr_operator_auth.h"
#include "invqr_soap.h"
#include "invqr_soap_route.h"
#include "invqr_soap_voucher.h"
#include "invqr_verify.h"
#include "invqr_wsdl.h"
#include "invqr_wssec.h"

static void send_out(invqr_response_t *resp, const invqr_soap_out_t *out)
{
    resp->status = out->http_status != 0 ? out->http_status : 200;
    resp->content_type = out->content_type;
    resp->body = out->body;
    resp->len = out->len;
    apr_table_setn(resp->headers, "Cache-Control", "no-store");
}

static void fault(invqr_response_t *resp, const invqr_request_t *req, int version,
                  invqr_soap_code_t code, const char *reason, apr_pool_t *p)
{
    invqr_soap_fault_t f;
    invqr_soap_out_t *out = NULL;

    invqr_soap_fault_init(&f, version, code);
    f.reason = reason;
    if (invqr_soap_fault(&out, &f, req->page.lang, p) != APR_SUCCESS) {
        resp->status = 500;
        resp->content_type = "text/plain; charset=utf-8";
        resp->body = "SOAP fault\n";
        resp->len = strlen(resp->body);
        return;
    }
    send_out(resp, out);
}

static invqr_soap_code_t code_of_outcome(invqr_verify_outcome o)
{
    switch (o) {
    case INVQR_V_BAD_INPUT: return INVQR_SOAP_BAD_REQUEST;
    case INVQR_V_UNKNOWN: return INVQR_SOAP_UNKNOWN_CODE;
    case INVQR_V_REVOKED: return INVQR_SOAP_REVOKED_CODE;
    case INVQR_V_MISMATCH: return INVQR_SOAP_FISCAL_CODE_MISMATCH;
    case INVQR_V_LIMITED: return INVQR_SOAP_RATE_LIMITED;
    default: return INVQR_SOAP_UNAVAILABLE;
    }
}

typedef struct {
    const invqr_wssec_token_t *token;
} digest_baton_t;

static int digest_ok(void *baton, const char *password)
{
    return invqr_wssec_digest_ok(((digest_baton_t *)baton)->token, password);
}

/* The operator behind the UsernameToken, or a fault already written. */
static int authenticate(invqr_operator_t *op, invqr_app_t *app, invqr_db_t *db,
                        const invqr_request_t *req, const invqr_soap_req_t *sr,
                        invqr_response_t *resp, apr_pool_t *p)
{
    const invqr_wssec_token_t *t = sr->token;
    invqr_auth_proof_t proof;
    digest_baton_t baton;
    invqr_auth_rc rc;

    if (t == NULL || t->password == NULL) {
        fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED, "WS-Security UsernameToken required", p);
        return 0;
    }
    memset(&proof, 0, sizeof(proof));
    if (t->password_type == INVQR_WSSEC_PASSWORD_DIGEST) {
        unsigned char h[INVQR_SHA256_LEN];
        invqr_binds_t in;

        if (t->nonce == NULL || t->created == NULL
            || !invqr_wssec_fresh(t, time(NULL), INVQR_WSSEC_DEFAULT_SKEW)) {
            fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED, "stale or incomplete digest token", p);
            return 0;
        }
        /* a nonce is good once */
        invqr_sha256(h, t->nonce, t->nonce_len);
        invqr_binds_init(&in);
        invqr_bind_bin(&in, h, sizeof(h));
        if (invqr_db_exec(db, INVQR_SQL_SOAP_NONCE_ADD, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS) {
            if (invqr_db_errno(db) == 1062) {
                invqr_log(INVQR_LOG_NOTICE, "INVQR0203: SOAP digest nonce replayed");
                fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED, "nonce already used", p);
            }
            else {
                invqr_app_db_failed(app);
                fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            }
            return 0;
        }
        baton.token = t;
        proof.digest_ok = digest_ok;
        proof.baton = &baton;
    }
    else {
        proof.password = apr_pstrmemdup(p, t->password, t->password_len);
    }
    rc = invqr_operator_auth(op, db, app->conf, app->dummy_hash, req->client, t->username, &proof,
                             "soap");
    if (rc == INVQR_AUTH_OK)
        return 1;
    if (rc == INVQR_AUTH_UNAVAILABLE)
        invqr_app_db_failed(app);
    fault(resp, req, sr->version, rc == INVQR_AUTH_THROTTLED ? INVQR_SOAP_RATE_LIMITED
                                  : rc == INVQR_AUTH_FAILED ? INVQR_SOAP_AUTH_FAILED
                                                            : INVQR_SOAP_UNAVAILABLE, NULL, p);
    return 0;
}

/* Who a verified signed request comes from. */
typedef struct {
    long long org_id;
    char org_name[801];
    long long operator_id;             /* level 2 only */
    const char *msgid;                 /* the request's wsa:MessageID, or NULL */
} signer_t;

static void audit_signed(invqr_app_t *app, invqr_db_t *db, const invqr_request_t *req,
                         long long org_id, long long operator_id, const char *outcome)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "operator";
    a.operator_id = operator_id;
    a.org_id = org_id;
    a.client = req->client;
    a.event = "login";
    a.outcome = outcome;
    a.detail = "soap-modi";
    if (invqr_audit_write(db, &a) != APR_SUCCESS)
        invqr_app_db_failed(app);
}

/* Rows of a certificate look-up: the first registered certificate whose
 * issuer and serial the reference names. */
typedef struct {
    const invqr_modi_t *m;
    char *der_b64;                     /* INVQR_DER_B64_MAX */
    char issuer[2049];
    int found;
} by_serial_t;

#define INVQR_DER_B64_MAX (INVQR_MODI_MAX_CERT / 3 * 4 + 8)

static int serial_row(void *baton, invqr_binds_t *out)
{
    by_serial_t *b = baton;

    (void)out;
    if (invqr_modi_ref_matches(b->m, b->issuer, invqr_modi_ref_serial(b->m))) {
        b->found = 1;
        return 1;
    }
    return 0;
}

/* A signature whose KeyInfo names the certificate by SKI or issuer and
 * serial: the registered certificate it names, given to m. 1, or 0 with
 * *pstatus: 0 unknown, -1 the store failed. */
static int registered_cert(invqr_modi_t *m, invqr_db_t *db, int *pstatus, apr_pool_t *p)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    by_serial_t b;

    memset(&b, 0, sizeof(b));
    b.m = m;
    b.der_b64 = apr_palloc(p, INVQR_DER_B64_MAX);
    b.der_b64[0] = '\0';
    *pstatus = 0;
    invqr_binds_init(&in);
    invqr_binds_init(&out);
    invqr_bind_out_str(&out, b.der_b64, INVQR_DER_B64_MAX);
    if (invqr_modi_key_ref(m) == INVQR_MODI_REF_SKI) {
        invqr_bind_str(&in, invqr_modi_ref_ski(m), strlen(invqr_modi_ref_ski(m)));
        if (invqr_db_exec(db, INVQR_SQL_ORG_CERT_BY_SKI, &in, &out, NULL, NULL, &rows)
            != APR_SUCCESS) {
            *pstatus = -1;
            return 0;
        }
        b.found = rows > 0;
    }
    else {
        invqr_bind_str(&in, invqr_modi_ref_serial(m), strlen(invqr_modi_ref_serial(m)));
        invqr_bind_out_str(&out, b.issuer, sizeof(b.issuer));
        if (invqr_db_exec(db, INVQR_SQL_ORG_CERT_BY_SERIAL, &in, &out, serial_row, &b, NULL)
            != APR_SUCCESS) {
            *pstatus = -1;
            return 0;
        }
    }
    return b.found && invqr_modi_set_cert(m, b.der_b64) == APR_SUCCESS;
}

/* Rows of the CA pins: the first whose pinned subject is the certificate's
 * and whose CA issued it. */
typedef struct {
    const invqr_modi_t *m;
    const char *subject;
    time_t now;
    long long org_id, pw_tokens;
    char org_name[801];
    char pin[2049];
    char *ca_b64;
    signer_t *s;
    int found;
} by_ca_t;

static int ca_row(void *baton, invqr_binds_t *out)
{
    by_ca_t *b = baton;

    (void)out;
    if (!invqr_modi_names_equal(b->pin, b->subject) || !invqr_modi_issued_by(b->m, b->ca_b64, b->now))
        return 0;
    b->s->org_id = b->org_id;
    apr_cpystrn(b->s->org_name, b->org_name, sizeof(b->s->org_name));
    b->found = 1;
    return 1;
}

/* The organisation that registered a CA and pinned this certificate's
 * subject. 1 (s filled), 0 none, -1 the store failed. */
static int ca_pinned(signer_t *s, const invqr_modi_t *m, invqr_db_t *db, time_t now,
                     apr_pool_t *p)
{
    invqr_binds_t out;
    by_ca_t b;

    memset(&b, 0, sizeof(b));
    b.m = m;
    b.s = s;
    b.now = now;
    b.subject = invqr_modi_subject(m);
    if (b.subject == NULL)
        return 0;
    b.ca_b64 = apr_palloc(p, INVQR_DER_B64_MAX);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &b.org_id);
    invqr_bind_out_str(&out, b.org_name, sizeof(b.org_name));
    invqr_bind_out_int(&out, &b.pw_tokens);
    invqr_bind_out_str(&out, b.pin, sizeof(b.pin));
    invqr_bind_out_str(&out, b.ca_b64, INVQR_DER_B64_MAX);
    if (invqr_db_exec(db, INVQR_SQL_ORG_CA_PINS, NULL, &out, ca_row, &b, NULL) != APR_SUCCESS)
        return -1;
    return b.found;
}

/* Check a signed request (ModI). 1 with *s filled, or 0 with a fault
 * written. */
static int check_signed(signer_t *s, invqr_app_t *app, invqr_db_t *db, const invqr_request_t *req,
                        const invqr_soap_req_t *sr, invqr_response_t *resp, apr_pool_t *p)
{
    invqr_modi_t *m = NULL;
    const char *reason = NULL, *msgid;
    time_t now = time(NULL);
    unsigned required = INVQR_MODI_SIGNED_TIMESTAMP | INVQR_MODI_SIGNED_TO;
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    long long pw_tokens = 0;
    int known = 1;

    memset(s, 0, sizeof(*s));
    if (invqr_modi_read(&m, &reason, sr->doc, p) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0215: signed SOAP request refused: %s", reason);
        fault(resp, req, sr->version, INVQR_SOAP_SIGNATURE_INVALID, reason, p);
        return 0;
    }
    if (!invqr_modi_check_time(m, now)) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0216: signed SOAP request with a stale Timestamp");
        fault(resp, req, sr->version, INVQR_SOAP_SIGNATURE_INVALID,
              "the Timestamp is not current", p);
        return 0;
    }
    if (!invqr_modi_check_to(m, apr_pstrcat(p, app->conf->public_base_url, "/soap", NULL))) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0217: signed SOAP request not addressed to this service");
        fault(resp, req, sr->version, INVQR_SOAP_SIGNATURE_INVALID,
              "a signed wsa:To naming this service is required", p);
        return 0;
    }
    /* a certificate named by SKI or issuer and serial is one registered
     * with us: the message does not carry it */
    if (invqr_modi_key_ref(m) != INVQR_MODI_REF_TOKEN) {
        int st = 0;

        if (!registered_cert(m, db, &st, p)) {
            if (st < 0) {
                invqr_app_db_failed(app);
                fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
                return 0;
            }
            known = 0;
        }
    }
    /* the certificate: registered for an organisation, and current */
    invqr_binds_init(&in);
    invqr_bind_bin(&in, invqr_modi_fingerprint(m), INVQR_MODI_FP_LEN);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &s->org_id);
    invqr_bind_out_str(&out, s->org_name, sizeof(s->org_name));
    invqr_bind_out_int(&out, &pw_tokens);
    if (known &&
        invqr_db_exec(db, INVQR_SQL_ORG_CERT_FIND, &in, &out, NULL, NULL, &rows) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
        return 0;
    }
    if (known && rows == 0 && invqr_modi_key_ref(m) == INVQR_MODI_REF_TOKEN) {
        /* not registered itself: issued by a CA an organisation registered,
         * with the subject it pinned */
        int pinned = ca_pinned(s, m, db, now, p);

        if (pinned < 0) {
            invqr_app_db_failed(app);
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            return 0;
        }
        rows = (unsigned long long)pinned;
    }
    if (rows == 0 || !invqr_modi_cert_current(m, now)) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0218: signed SOAP request by a certificate not "
                  "registered or not current");
        audit_signed(app, db, req, 0, 0, "unknown_certificate");
        fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED,
              "the certificate is not registered or not current", p);
        return 0;
    }
    if (invqr_soap_op_needs_auth(sr->op))
        required |= INVQR_MODI_SIGNED_MSGID | INVQR_MODI_SIGNED_BODY | INVQR_MODI_SIGNED_TOKEN;
    if (sr->token != NULL)
        required |= INVQR_MODI_SIGNED_TOKEN;
    if (invqr_modi_message_id(m) != NULL)
        required |= INVQR_MODI_SIGNED_MSGID;
    if (invqr_modi_verify(m, required, &reason) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0219: signed SOAP request refused: %s", reason);
        audit_signed(app, db, req, s->org_id, 0, "bad_signature");
        fault(resp, req, sr->version, INVQR_SOAP_SIGNATURE_INVALID, reason, p);
        return 0;
    }
    /* a message is accepted once, on any node, until its Timestamp expires */
    msgid = invqr_modi_message_id(m);
    s->msgid = msgid;
    if (msgid != NULL) {
        unsigned char h[INVQR_SHA256_LEN];

        invqr_sha256(h, msgid, strlen(msgid));
        invqr_binds_init(&in);
        invqr_bind_bin(&in, h, sizeof(h));
        invqr_bind_int(&in, (long long)invqr_modi_expires(m) + INVQR_MODI_SKEW);
        if (invqr_db_exec(db, INVQR_SQL_SOAP_MESSAGE_ID_ADD, &in, NULL, NULL, NULL, NULL)
            != APR_SUCCESS) {
            /* 1062: seen before; 1213: on Galera, the same id certified by
             * another node at the same moment - a replay either way */
            if (invqr_db_errno(db) == 1062 || invqr_db_errno(db) == 1213) {
                invqr_log(INVQR_LOG_NOTICE, "INVQR0220: signed SOAP request replayed");
                audit_signed(app, db, req, s->org_id, 0, "replayed");
                fault(resp, req, sr->version, INVQR_SOAP_REPLAYED, NULL, p);
            }
            else {
                invqr_app_db_failed(app);
                fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            }
            return 0;
        }
    }
    if (invqr_soap_op_needs_auth(sr->op)) {
        /* the operator the organisation names, inside the signed header */
        if (sr->token == NULL || sr->token->password != NULL) {
            invqr_log(INVQR_LOG_NOTICE, "INVQR0221: signed SOAP request without an operator");
            audit_signed(app, db, req, s->org_id, 0, "no_operator");
            fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED,
                  "a signed UsernameToken without password names the operator", p);
            return 0;
        }
        invqr_binds_init(&in);
        invqr_bind_str(&in, sr->token->username, strlen(sr->token->username));
        invqr_bind_int(&in, s->org_id);
        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &s->operator_id);
        rows = 0;
        if (invqr_db_exec(db, INVQR_SQL_OPERATOR_OF_ORG, &in, &out, NULL, NULL, &rows)
            != APR_SUCCESS) {
            invqr_app_db_failed(app);
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            return 0;
        }
        if (rows == 0) {
            invqr_log(INVQR_LOG_NOTICE, "INVQR0222: signed SOAP request names no active operator "
                      "of the signing organisation");
            audit_signed(app, db, req, s->org_id, 0, "unknown_operator");
            fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED, NULL, p);
            return 0;
        }
    }
    /* a signed first level is audited by the verification itself, with the
     * organisation; the second level records the operator's sign-in */
    if (invqr_soap_op_needs_auth(sr->op))
        audit_signed(app, db, req, s->org_id, s->operator_id, "ok");
    return 1;
}

/* Whether the operator's organisation still takes password UsernameTokens;
 * 0 with a fault written when not (or when the store failed). */
static int password_tokens_allowed(invqr_app_t *app, invqr_db_t *db, const invqr_request_t *req,
                                   const invqr_soap_req_t *sr, const invqr_operator_t *op,
                                   invqr_response_t *resp, apr_pool_t *p)
{
    invqr_binds_t in, out;
    long long allowed = 0;
    unsigned long long rows = 0;

    invqr_binds_init(&in);
    invqr_bind_int(&in, op->org_id);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &allowed);
    if (invqr_db_exec(db, INVQR_SQL_ORG_PASSWORD_TOKENS, &in, &out, NULL, NULL, &rows)
        != APR_SUCCESS) {
        invqr_app_db_failed(app);
        fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
        return 0;
    }
    if (rows == 0 || !allowed) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0223: UsernameToken with password refused: the "
                  "organisation signs its requests");
        fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED,
              "this organisation must sign its requests", p);
        return 0;
    }
    return 1;
}

/* The operator: from the signed request, or from the UsernameToken. */
static int who(invqr_operator_t *op, const signer_t *s, invqr_app_t *app, invqr_db_t *db,
               const invqr_request_t *req, const invqr_soap_req_t *sr, invqr_response_t *resp,
               apr_pool_t *p)
{
    if (sr->doc != NULL) {
        memset(op, 0, sizeof(*op));
        op->operator_id = s->operator_id;
        op->org_id = s->org_id;
        apr_cpystrn(op->org_name, s->org_name, sizeof(op->org_name));
        return 1;
    }
    return authenticate(op, app, db, req, sr, resp, p) &&
           password_tokens_allowed(app, db, req, sr, op, resp, p);
}

/* Send an answer; signed (INTEGRITY_SOAP_01) when the request was signed
 * and the agency has a signing key. */
static void answer(invqr_app_t *app, const invqr_request_t *req, const invqr_soap_req_t *sr,
                   const signer_t *s, invqr_response_t *resp, invqr_soap_out_t *out,
                   apr_pool_t *p)
{
    const char *signed_body = NULL;
    apr_size_t len = 0;

    if (sr->doc != NULL && app->signer != NULL) {
        if (invqr_modi_sign(&signed_body, &len, app->signer, out->body, out->len, s->msgid,
                            time(NULL), p) != APR_SUCCESS) {
            invqr_log(INVQR_LOG_ERR, "INVQR0224: a SOAP answer could not be signed");
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            return;
        }
        out->body = signed_body;
        out->len = len;
    }
    send_out(resp, out);
}

static void actor_of(invqr_l2_actor_t *actor, const invqr_operator_t *op,
                     const invqr_request_t *req)
{
    memset(actor, 0, sizeof(*actor));
    actor->operator_id = op->operator_id;
    actor->org_id = op->org_id;
    actor->org_name = op->org_name;
    actor->client = req->client;
}

static void level1(invqr_app_t *app, invqr_db_t *db, const invqr_request_t *req,
                   const invqr_soap_req_t *sr, const invqr_operator_t *op, invqr_level1_t *v,
                   char code[INVQR_CODE_LEN + 1])
{
    invqr_verify_req_t vr;

    memset(v, 0, sizeof(*v));
    memset(&vr, 0, sizeof(vr));
    /* a code that is not one is BAD_REQUEST, audited like any attempt */
    vr.code = invqr_code_parse(code, sr->code, strlen(sr->code)) == 0 ? code : NULL;
    vr.fiscal_code = sr->fiscal_code;
    vr.client = req->client;
    vr.operator_id = op != NULL ? op->operator_id : 0;
    vr.org_id = op != NULL ? op->org_id : 0;
    vr.audit = app->audit;
    invqr_verify_level1(v, db, app->conf, &vr);
    if (v->outcome == INVQR_V_UNAVAILABLE)
        invqr_app_db_failed(app);
}

/* The fault for a voucher outcome; 1 when there is none to write. */
static int voucher_ok(invqr_sv_rc rc, const char *reason, const invqr_request_t *req,
                      const invqr_soap_req_t *sr, invqr_response_t *resp, apr_pool_t *p)
{
    switch (rc) {
    case INVQR_SV_OK:
        return 1;
    case INVQR_SV_REFUSED:
        fault(resp, req, sr->version, INVQR_SOAP_AUTH_FAILED, reason, p);
        return 0;
    case INVQR_SV_REPLAYED:
        fault(resp, req, sr->version, INVQR_SOAP_REPLAYED, NULL, p);
        return 0;
    default:
        fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
        return 0;
    }
}

void invqr_soap_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                      apr_pool_t *p)
{
    invqr_soap_req_t *sr = NULL;
    invqr_soap_fault_t pf;
    invqr_soap_out_t *out = NULL;
    invqr_level1_t v;
    invqr_operator_t op;
    signer_t signer;
    invqr_soap_voucher_t voucher;
    const char *reason = NULL;
    char code[INVQR_CODE_LEN + 1];
    invqr_db_t *db;

    if (strcmp(req->method, "POST") != 0) {
        if (req->query != NULL && strcasecmp(req->query, "wsdl") == 0) {
            const char *wsdl = invqr_wsdl(apr_pstrcat(p, app->conf->public_base_url, "/soap", NULL), p);

            resp->status = 200;
            resp->content_type = "text/xml; charset=utf-8";
            resp->body = wsdl;
            resp->len = strlen(wsdl);
            apr_table_setn(resp->headers, "Cache-Control", "public, max-age=3600");
            return;
        }
        invqr_app_error(req, resp, 404, NULL, p);
        return;
    }
    memset(&pf, 0, sizeof(pf));
    memset(&signer, 0, sizeof(signer));
    if (invqr_soap_parse(&sr, &pf, req->body != NULL ? req->body : "", req->body_len,
                         req->content_type, req->soap_action, p) != APR_SUCCESS) {
        if (invqr_soap_fault(&out, &pf, req->page.lang, p) == APR_SUCCESS)
            send_out(resp, out);
        else
            fault(resp, req, 11, INVQR_SOAP_BAD_REQUEST, NULL, p);
        return;
    }
    db = invqr_app_db(app);
    if (db == NULL) {
        fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
        return;
    }
    /* a PDND voucher, when the deployment takes them: checked first, as
     * the transport's authorisation; then a ModI signature */
    if (!voucher_ok(invqr_soap_voucher_read(&voucher, &reason, app, db, req), reason, req, sr,
                    resp, p))
        return;
    if (sr->doc != NULL && !check_signed(&signer, app, db, req, sr, resp, p))
        return;
    switch (sr->op) {
    case INVQR_SOAP_OP_VERIFY_LEVEL1: {
        invqr_soap_level1_t r;
        long long org = sr->doc != NULL ? signer.org_id : voucher.present ? voucher.org_id : 0;

        if (!voucher_ok(invqr_soap_voucher_gate(&voucher, &reason, app, db, req,
                                                sr->doc != NULL ? signer.org_id : 0, p),
                        reason, req, sr, resp, p))
            return;
        if (org != 0) {
            /* a signed first level, or one with a voucher, is the organisation's */
            memset(&op, 0, sizeof(op));
            op.org_id = org;
        }
        level1(app, db, req, sr, org != 0 ? &op : NULL, &v, code);
        if (v.outcome != INVQR_V_MATCH) {
            fault(resp, req, sr->version, code_of_outcome(v.outcome), NULL, p);
            return;
        }
        memset(&r, 0, sizeof(r));
        r.name = apr_pstrcat(p, v.given_name, " ", v.surname, NULL);
        r.civil_invalidity = v.civil_invalidity;
        r.minor_invalidity = v.minor_invalidity;
        r.attendance_allowance = v.attendance_allowance;
        r.civil_blindness = v.civil_blindness;
        r.deafness = v.deafness;
        r.handicap = v.handicap;
        if (invqr_soap_respond_level1(&out, sr->version, &r, p) != APR_SUCCESS)
            break;
        answer(app, req, sr, &signer, resp, out, p);
        return;
    }
    case INVQR_SOAP_OP_REQUEST_OTP: {
        invqr_l2_actor_t actor;
        invqr_l2_challenge_t ch;
        time_t expires = 0;

        if (!who(&op, &signer, app, db, req, sr, resp, p) ||
            !voucher_ok(invqr_soap_voucher_gate(&voucher, &reason, app, db, req, op.org_id, p),
                        reason, req, sr, resp, p))
            return;
        /* the first level, with the fiscal code, in the same call */
        level1(app, db, req, sr, &op, &v, code);
        if (v.outcome != INVQR_V_MATCH) {
            fault(resp, req, sr->version, code_of_outcome(v.outcome), NULL, p);
            return;
        }
        actor_of(&actor, &op, req);
        switch (invqr_level2_request(&ch, db, app->conf, app->sms, &actor, code, req->page.lang, p)) {
        case INVQR_L2_OK:
            break;
        case INVQR_L2_NO_MOBILE:
            fault(resp, req, sr->version, INVQR_SOAP_NO_MOBILE, NULL, p);
            return;
        case INVQR_L2_LIMITED:
            fault(resp, req, sr->version, INVQR_SOAP_RATE_LIMITED, NULL, p);
            return;
        case INVQR_L2_UNKNOWN_CODE:
            fault(resp, req, sr->version, INVQR_SOAP_REVOKED_CODE, NULL, p);
            return;
        case INVQR_L2_GATEWAY:
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, "the SMS could not be sent", p);
            return;
        default:
            invqr_app_db_failed(app);
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            return;
        }
        invqr_wssec_parse_time(&expires, ch.expires_utc, strlen(ch.expires_utc));
        if (invqr_soap_respond_otp(&out, sr->version, ch.challenge, expires, ch.masked_mobile, p)
            != APR_SUCCESS)
            break;
        answer(app, req, sr, &signer, resp, out, p);
        return;
    }
    case INVQR_SOAP_OP_VERIFY_LEVEL2: {
        invqr_l2_actor_t actor;
        invqr_status_t *st = NULL;
        invqr_soap_level2_t r;
        int left = 0;

        if (!who(&op, &signer, app, db, req, sr, resp, p) ||
            !voucher_ok(invqr_soap_voucher_gate(&voucher, &reason, app, db, req, op.org_id, p),
                        reason, req, sr, resp, p))
            return;
        actor_of(&actor, &op, req);
        switch (invqr_level2_verify(&st, &left, code, db, app->conf, &actor, NULL, sr->challenge_id,
                                    sr->otp, p)) {
        case INVQR_L2_OK:
            break;
        case INVQR_L2_OTP_MALFORMED:
            fault(resp, req, sr->version, INVQR_SOAP_BAD_REQUEST, "the otp is 6 digits", p);
            return;
        case INVQR_L2_OTP_INVALID:
            fault(resp, req, sr->version, INVQR_SOAP_OTP_INVALID, NULL, p);
            return;
        case INVQR_L2_OTP_EXPIRED:
            fault(resp, req, sr->version, INVQR_SOAP_OTP_EXPIRED, NULL, p);
            return;
        case INVQR_L2_UNKNOWN_CODE:
            fault(resp, req, sr->version, INVQR_SOAP_REVOKED_CODE, NULL, p);
            return;
        default:
            invqr_app_db_failed(app);
            fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
            return;
        }
        memset(&r, 0, sizeof(r));
        r.first.name = apr_pstrcat(p, st->given_name, " ", st->surname, NULL);
        r.first.civil_invalidity = st->civil_invalidity;
        r.first.minor_invalidity = st->minor_invalidity;
        r.first.attendance_allowance = st->attendance_allowance;
        r.first.civil_blindness = st->civil_blindness != INVQR_BLIND_NONE;
        r.first.deafness = st->deafness;
        r.first.handicap = st->handicap;
        r.medical_judgment = st->medical_judgment;
        r.invalidity_percent = st->invalidity_percent;
        r.blindness_degree = st->civil_blindness;
        r.judgment_date = st->judgment_date;
        r.review_date = st->review_date;
        if (invqr_soap_respond_level2(&out, sr->version, &r, p) != APR_SUCCESS)
            break;
        answer(app, req, sr, &signer, resp, out, p);
        return;
    }
    default:
        break;
    }
    invqr_log(INVQR_LOG_ERR, "INVQR0204: a SOAP answer could not be written");
    fault(resp, req, sr->version, INVQR_SOAP_UNAVAILABLE, NULL, p);
}
