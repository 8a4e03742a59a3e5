/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SOAP API's answers: responses and faults (invqr_soap.h).
 *
 * Every answer is a libxml2 tree - Envelope, optional Header, Body - whose
 * text enters only as text nodes, so the serializer escapes it; nothing is
 * ever pasted into markup. The data is checked before it is written: text
 * must be UTF-8 that XML 1.0 can carry (no controls, no U+FFFE/U+FFFF)
 * within its limit, flags 0 or 1, enumerations in range, dates real, the
 * percent -1..100 and the blindness degree in agreement with the yes/no.
 * Faults follow SOAP 1.1 (unqualified faultcode, faultstring with xml:lang,
 * detail) or SOAP 1.2 (Code/Value, Reason/Text with xml:lang, Detail), with
 * Upgrade and NotUnderstood headers where SOAP 1.2 asks for them, and carry
 * the machine code in inv:FaultDetail/inv:code. The document is tied to the
 * pool while it is built and freed as soon as it is serialised.
 */
#include <string.h>

#include <apr_strings.h>
#include <libxml/tree.h>

#include "invqr_soap.h"
#include "invqr_utf8.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

static const char *const code_names[INVQR_SOAP__CODE_COUNT] = {
    "BAD_REQUEST", "UNKNOWN_CODE", "REVOKED_CODE", "FISCAL_CODE_MISMATCH", "RATE_LIMITED",
    "AUTH_FAILED", "NO_MOBILE", "OTP_INVALID", "OTP_EXPIRED", "UNAVAILABLE",
    "SIGNATURE_INVALID", "REPLAYED",
};

/* Fault strings, [code][lang] with INVQR_LANG_IT = 0, INVQR_LANG_EN = 1. */
static const char *const code_text[INVQR_SOAP__CODE_COUNT][2] = {
    { "La richiesta non \xc3\xa8 una richiesta SOAP valida per questo servizio.",
      "The request is not a valid SOAP request for this service." },
    { "Il codice non esiste.", "The code is unknown." },
    { "Il codice \xc3\xa8 stato revocato o non \xc3\xa8 pi\xc3\xb9 valido.",
      "The code has been revoked or is no longer valid." },
    { "Il codice fiscale non corrisponde al codice.",
      "The fiscal code does not match the code." },
    { "Troppi tentativi: riprovare pi\xc3\xb9 tardi.", "Too many attempts: try again later." },
    { "Autenticazione dell'operatore non riuscita.", "Operator authentication failed." },
    { "Il titolare non ha un numero di cellulare registrato: il secondo livello non "
      "\xc3\xa8 disponibile.",
      "The holder has no mobile number on record, so the second level is not available." },
    { "Il codice OTP non \xc3\xa8 valido.", "The one-time password is not valid." },
    { "Il codice OTP \xc3\xa8 scaduto.", "The one-time password has expired." },
    { "Il servizio non \xc3\xa8 al momento disponibile.",
      "The service is temporarily unavailable." },
    { "La firma del messaggio non \xc3\xa8 valida.",
      "The message signature is not valid." },
    { "Il messaggio \xc3\xa8 gi\xc3\xa0 stato ricevuto.",
      "The message has already been received." },
};

static apr_status_t free_doc_cleanup(void *data)
{
    xmlFreeDoc(data);
    return APR_SUCCESS;
}

static const char *env_ns(int version)
{
    return version == 12 ? INVQR_SOAP12_ENV_NS : INVQR_SOAP11_ENV_NS;
}

typedef struct {
    xmlDocPtr doc;
    xmlNsPtr env;                       /* soap: */
    xmlNsPtr svc;                       /* inv: */
    xmlNodePtr envelope;
    xmlNodePtr header;                  /* NULL until asked for */
    xmlNodePtr body;
    int version;
    int failed;                         /* an allocation failed somewhere */
} build_t;

/* A new document with Envelope and Body, tied to p. */
static apr_status_t build_start(build_t *b, int version, apr_pool_t *p)
{
    memset(b, 0, sizeof(*b));
    b->version = version;
    b->doc = xmlNewDoc(BAD_CAST "1.0");
    if (b->doc == NULL) {
        return APR_ENOMEM;
    }
    apr_pool_cleanup_register(p, b->doc, free_doc_cleanup, apr_pool_cleanup_null);
    b->envelope = xmlNewDocNode(b->doc, NULL, BAD_CAST "Envelope", NULL);
    if (b->envelope == NULL) {
        return APR_ENOMEM;
    }
    xmlDocSetRootElement(b->doc, b->envelope);
    b->env = xmlNewNs(b->envelope, BAD_CAST env_ns(version), BAD_CAST "soap");
    b->svc = xmlNewNs(b->envelope, BAD_CAST INVQR_SOAP_NS, BAD_CAST "inv");
    if (b->env == NULL || b->svc == NULL) {
        return APR_ENOMEM;
    }
    xmlSetNs(b->envelope, b->env);
    b->body = xmlNewChild(b->envelope, b->env, BAD_CAST "Body", NULL);
    return b->body != NULL ? APR_SUCCESS : APR_ENOMEM;
}

/* Append <ns:name>text</ns:name> (no namespace when ns is NULL: the raw
 * node does not inherit its parent's); text is escaped when written. */
static xmlNodePtr add(build_t *b, xmlNodePtr parent, xmlNsPtr ns, const char *name,
                      const char *text)
{
    xmlNodePtr n = NULL;

    if (parent != NULL) {
        n = xmlNewDocRawNode(b->doc, ns, BAD_CAST name, BAD_CAST text);
    }
    if (n != NULL && xmlAddChild(parent, n) == NULL) {
        xmlFreeNode(n);
        n = NULL;
    }
    if (n == NULL) {
        b->failed = 1;
    }
    return n;
}

static xmlNodePtr header_of(build_t *b)
{
    if (b->header == NULL) {
        b->header = xmlNewDocNode(b->doc, b->env, BAD_CAST "Header", NULL);
        if (b->header == NULL || xmlAddPrevSibling(b->body, b->header) == NULL) {
            b->failed = 1;
            return NULL;
        }
    }
    return b->header;
}

/* Serialise into p and free the document. */
static apr_status_t build_finish(invqr_soap_out_t **pout, build_t *b, int http_status,
                                 apr_pool_t *p)
{
    invqr_soap_out_t *out;
    xmlChar *mem = NULL;
    int size = 0;
    apr_status_t rv = APR_SUCCESS;

    if (b->failed) {
        rv = APR_ENOMEM;
        goto out;
    }
    xmlDocDumpMemoryEnc(b->doc, &mem, &size, "UTF-8");
    if (mem == NULL || size <= 0) {
        rv = APR_ENOMEM;
        goto out;
    }
    if ((apr_size_t)size > INVQR_SOAP_MAX_OUTPUT) {
        rv = APR_ENOSPC;
        goto out;
    }
    out = apr_pcalloc(p, sizeof(*out));
    if (out == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    out->body = apr_pstrmemdup(p, (const char *)mem, (apr_size_t)size);
    out->len = (apr_size_t)size;
    out->content_type = invqr_soap_content_type(b->version);
    out->http_status = http_status;
    *pout = out;
out:
    if (mem != NULL) {
        xmlFree(mem);
    }
    return rv;
}

static void build_cleanup(build_t *b, apr_pool_t *p)
{
    if (b->doc != NULL) {
        apr_pool_cleanup_run(p, b->doc, free_doc_cleanup);
        b->doc = NULL;
    }
}

/* Whether s is UTF-8 text of at most max bytes that XML 1.0 can carry. */
static int ok_text(const char *s, apr_size_t max, int newlines)
{
    apr_size_t len, i;

    if (s == NULL) {
        return 0;
    }
    len = strnlen(s, max + 1);
    if (len > max || invqr_utf8_count_text(s, len, newlines) < 0) {
        return 0;
    }
    /* U+FFFE and U+FFFF are not XML characters */
    for (i = 0; i + 2 < len; i++) {
        if ((unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
            ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
            return 0;
        }
    }
    return 1;
}

/* Whether s is a real YYYY-MM-DD date. */
static int ok_date(const char *s)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int i, y = 0, m, d;

    if (s == NULL || strnlen(s, 11) != 10) {
        return 0;
    }
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) {
            return 0;
        }
    }
    for (i = 0; i < 4; i++) {
        y = y * 10 + (s[i] - '0');
    }
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return 0;
    }
    return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

static const char *handicap_name(invqr_handicap_t h)
{
    switch (h) {
    case INVQR_HANDICAP_NONE:
        return "NONE";
    case INVQR_HANDICAP_ART3_C1:
        return "ART3_C1";
    case INVQR_HANDICAP_ART3_C3:
        return "ART3_C3";
    }
    return NULL;
}

static const char *blindness_name(invqr_blindness_t b)
{
    switch (b) {
    case INVQR_BLIND_NONE:
        return "NONE";
    case INVQR_BLIND_PARTIAL:
        return "PARTIAL";
    case INVQR_BLIND_ABSOLUTE:
        return "ABSOLUTE";
    }
    return NULL;
}

static int ok_flag(int v)
{
    return v == 0 || v == 1;
}

static int ok_level1(const invqr_soap_level1_t *r)
{
    return r != NULL && ok_text(r->name, 2 * INVQR_NAME_MAX_BYTES + 1, 0) && r->name[0] != '\0' &&
           ok_flag(r->civil_invalidity) && ok_flag(r->minor_invalidity) &&
           ok_flag(r->attendance_allowance) && ok_flag(r->civil_blindness) &&
           ok_flag(r->deafness) && handicap_name(r->handicap) != NULL;
}

static void add_level1(build_t *b, xmlNodePtr resp, const invqr_soap_level1_t *r)
{
    add(b, resp, b->svc, "name", r->name);
    add(b, resp, b->svc, "civilInvalidity", r->civil_invalidity ? "true" : "false");
    add(b, resp, b->svc, "minorInvalidity", r->minor_invalidity ? "true" : "false");
    add(b, resp, b->svc, "attendanceAllowance", r->attendance_allowance ? "true" : "false");
    add(b, resp, b->svc, "civilBlindness", r->civil_blindness ? "true" : "false");
    add(b, resp, b->svc, "deafness", r->deafness ? "true" : "false");
    add(b, resp, b->svc, "handicap", handicap_name(r->handicap));
}

static int ok_version(int version)
{
    return version == 11 || version == 12;
}

apr_status_t invqr_soap_respond_level1(invqr_soap_out_t **pout, int version,
                                       const invqr_soap_level1_t *r, apr_pool_t *p)
{
    build_t b;
    xmlNodePtr resp;
    apr_status_t rv;

    *pout = NULL;
    memset(&b, 0, sizeof(b));
    if (!ok_version(version) || !ok_level1(r)) {
        rv = APR_EINVAL;
        goto out;
    }
    rv = build_start(&b, version, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    resp = add(&b, b.body, b.svc, "VerifyLevel1Response", NULL);
    add_level1(&b, resp, r);
    rv = build_finish(pout, &b, 200, p);
out:
    build_cleanup(&b, p);
    return rv;
}

apr_status_t invqr_soap_respond_otp(invqr_soap_out_t **pout, int version,
                                    const char *challenge_id, time_t expires_at,
                                    const char *masked_mobile, apr_pool_t *p)
{
    build_t b;
    xmlNodePtr resp;
    struct tm tm;
    char when[32];
    apr_status_t rv;

    *pout = NULL;
    memset(&b, 0, sizeof(b));
    if (!ok_version(version) || !ok_text(challenge_id, INVQR_SOAP_MAX_CHALLENGE_ID, 0) ||
        challenge_id[0] == '\0' || !ok_text(masked_mobile, INVQR_SOAP_MAX_MASKED_MOBILE, 0) ||
        gmtime_r(&expires_at, &tm) == NULL || tm.tm_year + 1900 < 1970 ||
        tm.tm_year + 1900 > 9999 ||
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) != 20) {
        rv = APR_EINVAL;
        goto out;
    }
    rv = build_start(&b, version, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    resp = add(&b, b.body, b.svc, "RequestOtpResponse", NULL);
    add(&b, resp, b.svc, "challengeId", challenge_id);
    add(&b, resp, b.svc, "expiresAt", when);
    add(&b, resp, b.svc, "maskedMobile", masked_mobile);
    rv = build_finish(pout, &b, 200, p);
out:
    build_cleanup(&b, p);
    return rv;
}

apr_status_t invqr_soap_respond_level2(invqr_soap_out_t **pout, int version,
                                       const invqr_soap_level2_t *r, apr_pool_t *p)
{
    build_t b;
    xmlNodePtr resp, pct;
    char num[8];
    int has_review;
    apr_status_t rv;

    *pout = NULL;
    memset(&b, 0, sizeof(b));
    if (!ok_version(version) || r == NULL || !ok_level1(&r->first) ||
        !ok_text(r->medical_judgment, INVQR_JUDGMENT_MAX_BYTES, 1) ||
        r->invalidity_percent < -1 || r->invalidity_percent > 100 ||
        blindness_name(r->blindness_degree) == NULL ||
        r->first.civil_blindness != (r->blindness_degree != INVQR_BLIND_NONE) ||
        !ok_date(r->judgment_date)) {
        rv = APR_EINVAL;
        goto out;
    }
    has_review = r->review_date != NULL && r->review_date[0] != '\0';
    if (has_review && !ok_date(r->review_date)) {
        rv = APR_EINVAL;
        goto out;
    }
    rv = build_start(&b, version, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    resp = add(&b, b.body, b.svc, "VerifyLevel2Response", NULL);
    add_level1(&b, resp, &r->first);
    add(&b, resp, b.svc, "medicalJudgment", r->medical_judgment);
    if (r->invalidity_percent >= 0) {
        apr_snprintf(num, sizeof(num), "%d", r->invalidity_percent);
        add(&b, resp, b.svc, "invalidityPercent", num);
    }
    else {
        xmlNsPtr xsi = resp != NULL ? xmlNewNs(resp, BAD_CAST XSI_NS, BAD_CAST "xsi") : NULL;

        pct = add(&b, resp, b.svc, "invalidityPercent", NULL);
        if (xsi == NULL || pct == NULL ||
            xmlNewNsProp(pct, xsi, BAD_CAST "nil", BAD_CAST "true") == NULL) {
            b.failed = 1;
        }
    }
    add(&b, resp, b.svc, "blindnessDegree", blindness_name(r->blindness_degree));
    add(&b, resp, b.svc, "judgmentDate", r->judgment_date);
    if (has_review) {
        add(&b, resp, b.svc, "reviewDate", r->review_date);
    }
    rv = build_finish(pout, &b, 200, p);
out:
    build_cleanup(&b, p);
    return rv;
}

/* The SOAP 1.2 Upgrade header of a VersionMismatch: both envelopes. */
static void add_upgrade(build_t *b)
{
    xmlNodePtr up = add(b, header_of(b), b->env, "Upgrade", NULL);
    static const char *const envs[2] = { INVQR_SOAP12_ENV_NS, INVQR_SOAP11_ENV_NS };
    static const char *const qnames[2] = { "v12:Envelope", "v11:Envelope" };
    static const char *const prefixes[2] = { "v12", "v11" };
    int i;

    for (i = 0; i < 2 && up != NULL; i++) {
        xmlNodePtr se = add(b, up, b->env, "SupportedEnvelope", NULL);

        if (se == NULL || xmlNewNs(se, BAD_CAST envs[i], BAD_CAST prefixes[i]) == NULL ||
            xmlNewProp(se, BAD_CAST "qname", BAD_CAST qnames[i]) == NULL) {
            b->failed = 1;
        }
    }
}

/* The SOAP 1.2 NotUnderstood header of a MustUnderstand fault. */
static void add_not_understood(build_t *b, const char *ns, const char *name, apr_pool_t *p)
{
    xmlNodePtr nu = add(b, header_of(b), b->env, "NotUnderstood", NULL);

    if (nu == NULL || xmlNewNs(nu, BAD_CAST ns, BAD_CAST "nu") == NULL ||
        xmlNewProp(nu, BAD_CAST "qname", BAD_CAST apr_pstrcat(p, "nu:", name, NULL)) == NULL) {
        b->failed = 1;
    }
}

apr_status_t invqr_soap_fault(invqr_soap_out_t **pout, const invqr_soap_fault_t *f,
                              invqr_lang_t lang, apr_pool_t *p)
{
    build_t b;
    xmlNodePtr fault, node, detail;
    invqr_soap_fcode_t fc;
    const char *value, *text;
    int version, li, nu_ok;
    apr_status_t rv;

    *pout = NULL;
    memset(&b, 0, sizeof(b));
    if (f == NULL || (int)f->code < 0 || f->code >= INVQR_SOAP__CODE_COUNT) {
        rv = APR_EINVAL;
        goto out;
    }
    version = f->version == 12 ? 12 : 11;
    li = lang == INVQR_LANG_EN ? 1 : 0;
    fc = f->fcode;
    if (fc == INVQR_SOAP_FC_AUTO) {
        fc = invqr_soap_code_is_client(f->code) ? INVQR_SOAP_FC_CLIENT : INVQR_SOAP_FC_SERVER;
    }
    switch (fc) {
    case INVQR_SOAP_FC_VERSION_MISMATCH:
        value = "soap:VersionMismatch";
        break;
    case INVQR_SOAP_FC_MUST_UNDERSTAND:
        value = "soap:MustUnderstand";
        break;
    case INVQR_SOAP_FC_SERVER:
        value = version == 12 ? "soap:Receiver" : "soap:Server";
        break;
    default:
        value = version == 12 ? "soap:Sender" : "soap:Client";
        break;
    }
    text = code_text[f->code][li];
    if (f->reason != NULL && ok_text(f->reason, 1024, 0)) {
        text = apr_pstrcat(p, text, " (", f->reason, ")", NULL);
    }
    /* the names of the header block not understood come from the request */
    nu_ok = f->nu_ns != NULL && f->nu_name != NULL && ok_text(f->nu_ns, 1024, 0) &&
            xmlValidateNCName(BAD_CAST f->nu_name, 0) == 0 && f->nu_ns[0] != '\0';

    rv = build_start(&b, version, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    if (version == 12 && fc == INVQR_SOAP_FC_VERSION_MISMATCH) {
        add_upgrade(&b);
    }
    if (version == 12 && fc == INVQR_SOAP_FC_MUST_UNDERSTAND && nu_ok) {
        add_not_understood(&b, f->nu_ns, f->nu_name, p);
    }
    fault = add(&b, b.body, b.env, "Fault", NULL);
    if (version == 12) {
        node = add(&b, fault, b.env, "Code", NULL);
        add(&b, node, b.env, "Value", value);
        node = add(&b, fault, b.env, "Reason", NULL);
        node = add(&b, node, b.env, "Text", text);
        detail = add(&b, fault, b.env, "Detail", NULL);
    }
    else {
        add(&b, fault, NULL, "faultcode", value);
        node = add(&b, fault, NULL, "faultstring", text);
        detail = add(&b, fault, NULL, "detail", NULL);
    }
    if (node != NULL) {
        xmlNodeSetLang(node, BAD_CAST(li ? "en" : "it"));
    }
    node = add(&b, detail, b.svc, "FaultDetail", NULL);
    add(&b, node, b.svc, "code", code_names[f->code]);
    rv = build_finish(pout, &b, f->http_status >= 400 && f->http_status <= 599 ? f->http_status : 500,
                      p);
out:
    build_cleanup(&b, p);
    return rv;
}

/* ---------------------------------------------------------------------------
 * Codes
 */

void invqr_soap_fault_init(invqr_soap_fault_t *f, int version, invqr_soap_code_t code)
{
    memset(f, 0, sizeof(*f));
    f->version = version == 12 ? 12 : 11;
    f->code = code;
    f->fcode = INVQR_SOAP_FC_AUTO;
}

int invqr_soap_code_is_client(invqr_soap_code_t code)
{
    return code != INVQR_SOAP_UNAVAILABLE;
}

const char *invqr_soap_code_name(invqr_soap_code_t code)
{
    if ((int)code < 0 || code >= INVQR_SOAP__CODE_COUNT) {
        return NULL;
    }
    return code_names[code];
}

const char *invqr_soap_content_type(int version)
{
    return version == 12 ? INVQR_SOAP12_CONTENT_TYPE : INVQR_SOAP11_CONTENT_TYPE;
}
