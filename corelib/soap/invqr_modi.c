/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - ModI SOAP security patterns (invqr_modi.h).
 *
 * Two steps. invqr_modi_read() walks the whole kept tree once, counting
 * the elements that a signature wrapping attack would duplicate or move
 * (Body, Timestamp, Signature, To, MessageID, BinarySecurityToken),
 * refusing xml:id and repeated wsu:Id values, then checks each expected
 * element's parent, reads the Timestamp, wsa headers and certificate, and
 * the Signature's shape: SignedInfo's algorithms, every Reference's URI
 * ("#" plus the wsu:Id of an expected element, each once), transforms and
 * digest, and KeyInfo (a SecurityTokenReference to the one
 * BinarySecurityToken). Only the expected elements' wsu:Id attributes are
 * registered as IDs, so xmlsec can resolve nothing else. invqr_modi_verify()
 * then runs xmlsec's XML-DSig verification with the certificate's public
 * key set beforehand (no keys manager: KeyInfo never chooses a key), same-
 * document references only, manifests ignored and the same algorithm
 * allow-list given to xmlsec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>

#include "invqr_log.h"
#include "invqr_modi.h"
#include "invqr_modi_trust.h"
#include "invqr_soap.h"
#include "invqr_wssec.h"

#define X509V3 \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define X509SKI \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0" \
    "#X509SubjectKeyIdentifier"
#define ALG_C14N     "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define ALG_C14N11   "http://www.w3.org/2006/12/xml-c14n11"
#define ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"

enum { E_BODY, E_TIMESTAMP, E_TO, E_MSGID, E_ACTION, E_TOKEN, E_BST, E__COUNT };

static const unsigned e_flag[E__COUNT] = {
    INVQR_MODI_SIGNED_BODY, INVQR_MODI_SIGNED_TIMESTAMP, INVQR_MODI_SIGNED_TO,
    INVQR_MODI_SIGNED_MSGID, INVQR_MODI_SIGNED_ACTION, INVQR_MODI_SIGNED_TOKEN,
    INVQR_MODI_SIGNED_BST,
};

static const char *const c14n_algs[] = { ALG_C14N, ALG_C14N11, ALG_EXC_C14N, NULL };
static const char *const sig_algs[] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    NULL
};
static const char *const digest_algs[] = {
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
    NULL
};

struct invqr_modi_s {
    xmlDocPtr doc;
    xmlNodePtr signature;
    xmlNodePtr el[E__COUNT];
    const char *id[E__COUNT];          /* wsu:Id of each, or NULL */
    unsigned covered;                  /* E flags the references name */
    time_t created, expires;
    const char *to, *msgid;
    X509 *cert;
    unsigned char fp[INVQR_MODI_FP_LEN];
    invqr_modi_ref_t ref;              /* how KeyInfo names the certificate */
    const char *ref_ski;               /* INVQR_MODI_REF_SKI: upper-case hex */
    const char *ref_issuer, *ref_serial; /* INVQR_MODI_REF_ISSUER_SERIAL */
    apr_pool_t *p;
};

static int initialised;

static void quiet_errors(const char *file, int line, const char *func, const char *obj,
                         const char *subj, int reason, const char *msg)
{
    (void)file; (void)line; (void)func; (void)obj; (void)subj; (void)reason; (void)msg;
}

int invqr_modi_init(void)
{
    if (initialised)
        return 0;
    if (xmlSecInit() < 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0030: xmlsec could not be initialised");
        return -1;
    }
    if (xmlSecCheckVersion() != 1 || xmlSecOpenSSLAppInit(NULL) < 0 || xmlSecOpenSSLInit() < 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0030: xmlsec could not be initialised");
        xmlSecShutdown();
        return -1;
    }
    xmlSecErrorsSetCallback(quiet_errors);
    initialised = 1;
    return 0;
}

void invqr_modi_shutdown(void)
{
    if (!initialised)
        return;
    xmlSecOpenSSLShutdown();
    xmlSecOpenSSLAppShutdown();
    xmlSecShutdown();
    initialised = 0;
}

/* ---------------------------------------------------------------------------
 * Tree helpers
 */

static int ns_is(const xmlNode *n, const char *ns)
{
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* Returned by next_el() for content that is neither an element nor blank. */
#define BAD_NODE ((xmlNodePtr)-1)

static int is_el(const xmlNode *n, const char *ns, const char *name)
{
    return n != NULL && n != BAD_NODE && n->type == XML_ELEMENT_NODE && ns_is(n, ns) &&
           strcmp((const char *)n->name, name) == 0;
}

static int is_env_ns(const xmlNode *n)
{
    return ns_is(n, INVQR_SOAP11_ENV_NS) || ns_is(n, INVQR_SOAP12_ENV_NS);
}

/* The attribute name in namespace ns (NULL: none) of el. */
static xmlAttrPtr attr_of(const xmlNode *el, const char *ns, const char *name)
{
    xmlAttrPtr a;

    for (a = el->properties; a != NULL; a = a->next) {
        int same = ns == NULL ? a->ns == NULL
                              : (a->ns != NULL && a->ns->href != NULL &&
                                 strcmp((const char *)a->ns->href, ns) == 0);

        if (same && strcmp((const char *)a->name, name) == 0)
            return a;
    }
    return NULL;
}

/* The plain text of attribute a, or NULL. */
static const char *attr_str(const xmlAttr *a)
{
    if (a == NULL)
        return NULL;
    if (a->children == NULL)
        return "";
    if (a->children->type == XML_TEXT_NODE && a->children->next == NULL)
        return (const char *)a->children->content;
    return NULL;
}

static const char *attr_text(const xmlNode *el, const char *ns, const char *name)
{
    return attr_str(attr_of(el, ns, name));
}

static int in_list(const char *s, const char *const *list)
{
    for (; s != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* The next element sibling of n (n included when start), skipping blank
 * text and comments; NULL at the end; (xmlNodePtr)-1 on other content. */
static xmlNodePtr next_el(xmlNodePtr n)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return n;
        if (n->type == XML_COMMENT_NODE)
            continue;
        if (n->type == XML_TEXT_NODE && n->content != NULL) {
            const xmlChar *c = n->content;

            while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
                c++;
            if (*c == '\0')
                continue;
        }
        return (xmlNodePtr)-1;
    }
    return NULL;
}

#define BAD_NODE ((xmlNodePtr)-1)

/* ---------------------------------------------------------------------------
 * Reading
 */

typedef struct {
    invqr_modi_t *m;
    apr_hash_t *ids;                   /* wsu:Id value -> element */
    int bodies, timestamps, signatures, tos, msgids, bsts, actions;
    const char *reason;
    apr_pool_t *p;
} walk_t;

static void walk(walk_t *w, xmlNodePtr n)
{
    for (; n != NULL && w->reason == NULL; n = n->next) {
        xmlAttrPtr a;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_env_ns(n) && strcmp((const char *)n->name, "Body") == 0)
            w->bodies++;
        else if (is_el(n, INVQR_WSU_NS, "Timestamp"))
            w->timestamps++;
        else if (is_el(n, INVQR_DS_NS, "Signature"))
            w->signatures++;
        else if (is_el(n, INVQR_WSA_NS, "To"))
            w->tos++;
        else if (is_el(n, INVQR_WSA_NS, "MessageID"))
            w->msgids++;
        else if (is_el(n, INVQR_WSA_NS, "Action"))
            w->actions++;
        else if (is_el(n, INVQR_WSSE_NS, "BinarySecurityToken"))
            w->bsts++;
        for (a = n->properties; a != NULL; a = a->next) {
            if (a->ns == NULL || a->ns->href == NULL)
                continue;
            if (strcmp((const char *)a->ns->href, (const char *)XML_XML_NAMESPACE) == 0 &&
                strcmp((const char *)a->name, "id") == 0) {
                w->reason = "xml:id is not allowed in a signed message";
                return;
            }
            if (strcmp((const char *)a->ns->href, INVQR_WSU_NS) == 0 &&
                strcmp((const char *)a->name, "Id") == 0) {
                const char *v = attr_str(a);

                if (v == NULL || v[0] == '\0' || strlen(v) > 128) {
                    w->reason = "a malformed wsu:Id";
                    return;
                }
                if (apr_hash_get(w->ids, v, APR_HASH_KEY_STRING) != NULL) {
                    w->reason = "a wsu:Id is used twice";
                    return;
                }
                apr_hash_set(w->ids, v, APR_HASH_KEY_STRING, n);
            }
        }
        walk(w, n->children);
    }
}

static const char *read_time(time_t *pt, xmlNodePtr el, apr_pool_t *p)
{
    const char *s;
    apr_size_t len;

    if (invqr_soap_text(&s, &len, el, INVQR_WSSEC_CREATED_MAX, 1, p) != APR_SUCCESS ||
        invqr_wssec_parse_time(pt, s, len) != 0)
        return "a Timestamp time is not an xs:dateTime with a time zone";
    return NULL;
}

static const char *read_timestamp(invqr_modi_t *m, xmlNodePtr ts, apr_pool_t *p)
{
    xmlNodePtr n = next_el(ts->children), created = NULL, expires = NULL;

    for (; n != NULL; n = next_el(n->next)) {
        if (n == BAD_NODE)
            return "text in the Timestamp";
        if (is_el(n, INVQR_WSU_NS, "Created") && created == NULL && expires == NULL)
            created = n;
        else if (is_el(n, INVQR_WSU_NS, "Expires") && created != NULL && expires == NULL)
            expires = n;
        else
            return "the Timestamp holds something other than Created and Expires";
    }
    if (created == NULL || expires == NULL)
        return "the Timestamp needs Created and Expires";
    const char *r = read_time(&m->created, created, p);
    return r != NULL ? r : read_time(&m->expires, expires, p);
}

/* Decode Base64 text with line breaks into a new buffer; -1 when malformed. */
static long b64_decode(unsigned char **pout, const char *s, apr_size_t len, apr_pool_t *p)
{
    char *clean = apr_palloc(p, len + 1);
    unsigned char *out;
    apr_size_t i, n = 0, pad = 0;
    int got;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return -1;
        clean[n++] = c;
    }
    if (n == 0 || n % 4 != 0)
        return -1;
    if (clean[n - 1] == '=')
        pad = clean[n - 2] == '=' ? 2 : 1;
    for (i = 0; i < n - pad; i++)
        if (clean[i] == '=')
            return -1;
    out = apr_palloc(p, n / 4 * 3 + 1);
    got = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
    if (got < 0)
        return -1;
    *pout = out;
    return (long)got - (long)pad;
}

static const char *read_bst(invqr_modi_t *m, xmlNodePtr bst, apr_pool_t *p)
{
    const char *vt = attr_text(bst, NULL, "ValueType"), *et = attr_text(bst, NULL, "EncodingType");
    const char *text;
    const unsigned char *q;
    unsigned char *der = NULL;
    apr_size_t len;
    long n;

    if (vt == NULL || strcmp(vt, X509V3) != 0)
        return "the BinarySecurityToken is not an X509v3 certificate";
    if (et != NULL && strcmp(et, INVQR_WSSE_BASE64) != 0)
        return "the BinarySecurityToken is not Base64";
    if (invqr_soap_text(&text, &len, bst, INVQR_MODI_MAX_CERT * 2, 1, p) != APR_SUCCESS)
        return "the BinarySecurityToken is too long or not text";
    n = b64_decode(&der, text, len, p);
    if (n <= 0 || n > INVQR_MODI_MAX_CERT)
        return "the BinarySecurityToken is not Base64 of a certificate";
    q = der;
    m->cert = d2i_X509(NULL, &q, n);
    if (m->cert == NULL || q != der + n) {
        return "the BinarySecurityToken is not one DER certificate";
    }
    if (X509_digest(m->cert, EVP_sha256(), m->fp, NULL) != 1)
        return "the certificate cannot be read";
    return NULL;
}

static apr_status_t free_cert(void *data)
{
    invqr_modi_t *m = data;

    X509_free(m->cert);
    m->cert = NULL;
    return APR_SUCCESS;
}

/* Which expected element "#id" names: its E_ index, or -1. */
static int target_of(const invqr_modi_t *m, const char *uri)
{
    int i;

    if (uri == NULL || uri[0] != '#' || uri[1] == '\0')
        return -1;
    for (i = 0; i < E__COUNT; i++)
        if (m->id[i] != NULL && strcmp(m->id[i], uri + 1) == 0)
            return i;
    return -1;
}

static const char *read_transforms(xmlNodePtr transforms)
{
    xmlNodePtr t = next_el(transforms->children);
    int count = 0;

    for (; t != NULL; t = next_el(t->next)) {
        if (t == BAD_NODE || !is_el(t, INVQR_DS_NS, "Transform"))
            return "a Transforms element holds something else";
        if (++count > 2)
            return "too many transforms";
        if (!in_list(attr_text(t, NULL, "Algorithm"), c14n_algs))
            return "a transform that is not an allowed canonicalisation";
        /* exclusive C14N may carry InclusiveNamespaces; nothing else */
        for (xmlNodePtr c = next_el(t->children); c != NULL; c = next_el(c->next)) {
            if (c == BAD_NODE || strcmp((const char *)c->name, "InclusiveNamespaces") != 0)
                return "a transform with unexpected content";
        }
    }
    return NULL;
}

/* wsse:KeyIdentifier of ValueType #X509SubjectKeyIdentifier, Base64. */
static const char *read_key_identifier(invqr_modi_t *m, xmlNodePtr ki)
{
    const char *vt = attr_text(ki, NULL, "ValueType"), *et = attr_text(ki, NULL, "EncodingType");
    const char *text;
    unsigned char *bytes = NULL;
    apr_size_t len;
    long n, i;
    char *hex;

    if (vt == NULL || strcmp(vt, X509SKI) != 0)
        return "a KeyIdentifier must be an X509SubjectKeyIdentifier";
    if (et != NULL && strcmp(et, INVQR_WSSE_BASE64) != 0)
        return "the KeyIdentifier is not Base64";
    if (invqr_soap_text(&text, &len, ki, 4 * INVQR_MODI_SKI_MAX, 1, m->p) != APR_SUCCESS)
        return "the KeyIdentifier is too long or not text";
    n = b64_decode(&bytes, text, len, m->p);
    if (n <= 0 || n > INVQR_MODI_SKI_MAX)
        return "the KeyIdentifier is not Base64 of a key identifier";
    hex = apr_palloc(m->p, 2 * (apr_size_t)n + 1);
    for (i = 0; i < n; i++)
        apr_snprintf(hex + 2 * i, 3, "%02X", bytes[i]);
    m->ref_ski = hex;
    m->ref = INVQR_MODI_REF_SKI;
    return NULL;
}

/* ds:X509Data holding one ds:X509IssuerSerial (X509IssuerName, decimal
 * X509SerialNumber). */
static const char *read_issuer_serial(invqr_modi_t *m, xmlNodePtr data)
{
    xmlNodePtr is = next_el(data->children), name, serial;
    apr_size_t len, i;

    if (!is_el(is, INVQR_DS_NS, "X509IssuerSerial") || next_el(is->next) != NULL)
        return "X509Data must hold one X509IssuerSerial";
    name = next_el(is->children);
    serial = is_el(name, INVQR_DS_NS, "X509IssuerName") ? next_el(name->next) : NULL;
    if (!is_el(serial, INVQR_DS_NS, "X509SerialNumber") || next_el(serial->next) != NULL)
        return "X509IssuerSerial must hold X509IssuerName and X509SerialNumber";
    if (invqr_soap_text(&m->ref_issuer, &len, name, INVQR_MODI_NAME_MAX, 1, m->p) != APR_SUCCESS ||
        len == 0)
        return "the X509IssuerName is too long or not text";
    if (invqr_soap_text(&m->ref_serial, &len, serial, INVQR_MODI_SERIAL_MAX, 1, m->p)
            != APR_SUCCESS || len == 0 || (len > 1 && m->ref_serial[0] == '0'))
        return "the X509SerialNumber is not a decimal number";
    for (i = 0; i < len; i++)
        if (m->ref_serial[i] < '0' || m->ref_serial[i] > '9')
            return "the X509SerialNumber is not a decimal number";
    m->ref = INVQR_MODI_REF_ISSUER_SERIAL;
    return NULL;
}

static const char *read_signature(invqr_modi_t *m)
{
    xmlNodePtr si, sv, ki, n, str, ref;
    int refs = 0;

    si = next_el(m->signature->children);
    if (!is_el(si, INVQR_DS_NS, "SignedInfo"))
        return "the Signature does not begin with SignedInfo";
    sv = next_el(si->next);
    if (!is_el(sv, INVQR_DS_NS, "SignatureValue"))
        return "the Signature has no SignatureValue";
    ki = next_el(sv->next);
    if (!is_el(ki, INVQR_DS_NS, "KeyInfo") || next_el(ki->next) != NULL)
        return "the Signature must end with one KeyInfo (no Object)";

    n = next_el(si->children);
    if (!is_el(n, INVQR_DS_NS, "CanonicalizationMethod") ||
        !in_list(attr_text(n, NULL, "Algorithm"), c14n_algs))
        return "the canonicalisation method is not allowed";
    for (xmlNodePtr c = next_el(n->children); c != NULL; c = next_el(c->next))
        if (c == BAD_NODE || strcmp((const char *)c->name, "InclusiveNamespaces") != 0)
            return "a canonicalisation method with unexpected content";
    n = next_el(n->next);
    if (!is_el(n, INVQR_DS_NS, "SignatureMethod") ||
        !in_list(attr_text(n, NULL, "Algorithm"), sig_algs) || next_el(n->children) != NULL)
        return "the signature algorithm is not allowed";
    for (ref = next_el(n->next); ref != NULL; ref = next_el(ref->next)) {
        xmlNodePtr c;
        const char *r;
        int t;

        if (ref == BAD_NODE || !is_el(ref, INVQR_DS_NS, "Reference"))
            return "SignedInfo holds something other than References";
        if (++refs > INVQR_MODI_MAX_REFS)
            return "too many References";
        t = target_of(m, attr_text(ref, NULL, "URI"));
        if (t < 0)
            return "a Reference names something other than the expected parts";
        if (m->covered & e_flag[t])
            return "a part is referenced twice";
        m->covered |= e_flag[t];
        c = next_el(ref->children);
        if (is_el(c, INVQR_DS_NS, "Transforms")) {
            r = read_transforms(c);
            if (r != NULL)
                return r;
            c = next_el(c->next);
        }
        if (!is_el(c, INVQR_DS_NS, "DigestMethod") ||
            !in_list(attr_text(c, NULL, "Algorithm"), digest_algs) ||
            next_el(c->children) != NULL)
            return "the digest algorithm is not allowed";
        c = next_el(c->next);
        if (!is_el(c, INVQR_DS_NS, "DigestValue") || next_el(c->next) != NULL)
            return "a malformed Reference";
    }
    if (refs == 0)
        return "the signature has no Reference";

    /* KeyInfo: a SecurityTokenReference to the BinarySecurityToken, or to a
     * certificate registered with us by its Subject Key Identifier or its
     * issuer and serial (then the message carries no token) */
    str = next_el(ki->children);
    if (!is_el(str, INVQR_WSSE_NS, "SecurityTokenReference") || next_el(str->next) != NULL)
        return "KeyInfo must hold one SecurityTokenReference";
    ref = next_el(str->children);
    if (ref == NULL || ref == BAD_NODE || next_el(ref->next) != NULL)
        return "the SecurityTokenReference must hold one reference";
    if (is_el(ref, INVQR_WSSE_NS, "Reference")) {
        if (m->el[E_BST] == NULL || target_of(m, attr_text(ref, NULL, "URI")) != E_BST)
            return "the SecurityTokenReference must name the BinarySecurityToken";
        m->ref = INVQR_MODI_REF_TOKEN;
        return NULL;
    }
    if (m->el[E_BST] != NULL)
        return "a BinarySecurityToken the signature does not use";
    if (is_el(ref, INVQR_WSSE_NS, "KeyIdentifier"))
        return read_key_identifier(m, ref);
    if (is_el(ref, INVQR_DS_NS, "X509Data"))
        return read_issuer_serial(m, ref);
    return "the SecurityTokenReference names the certificate in a way not allowed";
}

static int is_signed(const xmlNode *security)
{
    const xmlNode *n;

    for (n = security->children; n != NULL; n = n->next)
        if (is_el(n, INVQR_DS_NS, "Signature"))
            return 1;
    return 0;
}

apr_status_t invqr_modi_read(invqr_modi_t **pout, const char **preason, struct _xmlDoc *doc,
                             apr_pool_t *p)
{
    invqr_modi_t *m;
    walk_t w;
    xmlNodePtr root, header = NULL, body = NULL, security, n;
    const char *r;
    apr_size_t len;
    int i;

    *pout = NULL;
    *preason = NULL;
    m = apr_pcalloc(p, sizeof(*m));
    memset(&w, 0, sizeof(w));
    w.m = m;
    w.p = p;
    w.ids = apr_hash_make(p);
    m->doc = doc;
    m->p = p;
    apr_pool_cleanup_register(p, m, free_cert, apr_pool_cleanup_null);

    root = xmlDocGetRootElement(doc);
    if (root == NULL || !is_env_ns(root)) {
        *preason = "not a SOAP envelope";
        return APR_EINVAL;
    }
    walk(&w, root);
    if (w.reason != NULL) {
        *preason = w.reason;
        return APR_EINVAL;
    }
    if (w.bodies != 1 || w.timestamps != 1 || w.signatures != 1 || w.tos > 1 || w.msgids > 1 ||
        w.bsts > 1 || w.actions > 1) {
        *preason = "a signed message must hold one Body, Timestamp and Signature, and at most "
                   "one BinarySecurityToken, To, MessageID and Action";
        return APR_EINVAL;
    }
    for (n = root->children; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || !ns_is(n, (const char *)root->ns->href))
            continue;
        if (strcmp((const char *)n->name, "Header") == 0)
            header = n;
        else if (strcmp((const char *)n->name, "Body") == 0)
            body = n;
    }
    if (header == NULL || body == NULL) {
        *preason = "a signed message needs a Header and a Body";
        return APR_EINVAL;
    }
    m->el[E_BODY] = body;
    security = NULL;
    for (n = header->children; n != NULL; n = n->next) {
        if (is_el(n, INVQR_WSSE_NS, "Security") && is_signed(n))
            security = n;
        else if (is_el(n, INVQR_WSA_NS, "To"))
            m->el[E_TO] = n;
        else if (is_el(n, INVQR_WSA_NS, "MessageID"))
            m->el[E_MSGID] = n;
        else if (is_el(n, INVQR_WSA_NS, "Action"))
            m->el[E_ACTION] = n;
    }
    if (security == NULL) {
        *preason = "the Signature is not in the wsse:Security header";
        return APR_EINVAL;
    }
    if (attr_of(security, INVQR_SOAP11_ENV_NS, "actor") != NULL ||
        attr_of(security, INVQR_SOAP12_ENV_NS, "role") != NULL) {
        *preason = "the signed wsse:Security header must not name an actor or role";
        return APR_EINVAL;
    }
    for (n = security->children; n != NULL; n = n->next) {
        if (is_el(n, INVQR_DS_NS, "Signature"))
            m->signature = n;
        else if (is_el(n, INVQR_WSU_NS, "Timestamp"))
            m->el[E_TIMESTAMP] = n;
        else if (is_el(n, INVQR_WSSE_NS, "BinarySecurityToken"))
            m->el[E_BST] = n;
        else if (is_el(n, INVQR_WSSE_NS, "UsernameToken"))
            m->el[E_TOKEN] = n;
    }
    /* the counts above are of the whole document: a part not found at its
     * place is somewhere else */
    if (m->el[E_TIMESTAMP] == NULL || (w.bsts == 1 && m->el[E_BST] == NULL) ||
        (w.tos == 1 && m->el[E_TO] == NULL) || (w.msgids == 1 && m->el[E_MSGID] == NULL) ||
        (w.actions == 1 && m->el[E_ACTION] == NULL)) {
        *preason = "a signed part is not where the patterns put it";
        return APR_EINVAL;
    }
    for (i = 0; i < E__COUNT; i++) {
        xmlAttrPtr a;

        if (m->el[i] == NULL)
            continue;
        a = attr_of(m->el[i], INVQR_WSU_NS, "Id");
        if (a == NULL)
            continue;
        m->id[i] = attr_str(a);
        if (xmlAddID(NULL, doc, (const xmlChar *)m->id[i], a) == NULL) {
            *preason = "a wsu:Id could not be registered";
            return APR_EINVAL;
        }
    }
    r = read_timestamp(m, m->el[E_TIMESTAMP], p);
    if (r == NULL && m->el[E_TO] != NULL &&
        invqr_soap_text(&m->to, &len, m->el[E_TO], 1024, 1, p) != APR_SUCCESS)
        r = "wsa:To is not a short text";
    if (r == NULL && m->el[E_MSGID] != NULL &&
        (invqr_soap_text(&m->msgid, &len, m->el[E_MSGID], INVQR_MODI_MAX_MSGID, 1, p) != APR_SUCCESS
         || len == 0))
        r = "wsa:MessageID is not a short text";
    if (r == NULL && m->el[E_BST] != NULL)
        r = read_bst(m, m->el[E_BST], p);
    if (r == NULL)
        r = read_signature(m);
    if (r != NULL) {
        *preason = r;
        return APR_EINVAL;
    }
    *pout = m;
    return APR_SUCCESS;
}

int invqr_modi_check_time(const invqr_modi_t *m, time_t now)
{
    return m != NULL && m->created <= now + INVQR_MODI_SKEW &&
           m->created >= now - INVQR_MODI_MAX_AGE && m->expires >= now - INVQR_MODI_SKEW &&
           m->expires > m->created && m->expires - m->created <= INVQR_MODI_MAX_LIFE;
}

int invqr_modi_check_to(const invqr_modi_t *m, const char *expected)
{
    return m != NULL && m->to != NULL && expected != NULL && strcmp(m->to, expected) == 0 &&
           (m->covered & INVQR_MODI_SIGNED_TO) != 0;
}

const unsigned char *invqr_modi_fingerprint(const invqr_modi_t *m)
{
    return m->fp;
}

int invqr_modi_cert_current(const invqr_modi_t *m, time_t now)
{
    if (m == NULL || m->cert == NULL)
        return 0;
    return X509_cmp_time(X509_get0_notBefore(m->cert), &now) < 0 &&
           X509_cmp_time(X509_get0_notAfter(m->cert), &now) > 0;
}

unsigned invqr_modi_signed(const invqr_modi_t *m)
{
    return m->covered;
}

const char *invqr_modi_message_id(const invqr_modi_t *m)
{
    return m->msgid;
}

time_t invqr_modi_expires(const invqr_modi_t *m)
{
    return m->expires;
}

invqr_modi_ref_t invqr_modi_key_ref(const invqr_modi_t *m)
{
    return m->ref;
}

const char *invqr_modi_ref_ski(const invqr_modi_t *m)
{
    return m->ref_ski;
}

int invqr_modi_ref_matches(const invqr_modi_t *m, const char *issuer, const char *serial)
{
    return m->ref == INVQR_MODI_REF_ISSUER_SERIAL && serial != NULL &&
           strcmp(m->ref_serial, serial) == 0 && invqr_modi_names_equal(m->ref_issuer, issuer);
}

const char *invqr_modi_ref_serial(const invqr_modi_t *m)
{
    return m->ref_serial;
}

apr_status_t invqr_modi_set_cert(invqr_modi_t *m, const char *der_b64)
{
    unsigned char *der = NULL;
    const unsigned char *q;
    long n;

    if (m->cert != NULL || der_b64 == NULL)
        return APR_EINVAL;
    n = b64_decode(&der, der_b64, strlen(der_b64), m->p);
    if (n <= 0 || n > INVQR_MODI_MAX_CERT)
        return APR_EINVAL;
    q = der;
    m->cert = d2i_X509(NULL, &q, n);
    if (m->cert == NULL || q != der + n ||
        X509_digest(m->cert, EVP_sha256(), m->fp, NULL) != 1) {
        X509_free(m->cert);
        m->cert = NULL;
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

const char *invqr_modi_subject(const invqr_modi_t *m)
{
    return m->cert != NULL ? invqr_modi_name_text(X509_get_subject_name(m->cert), m->p) : NULL;
}

int invqr_modi_issued_by(const invqr_modi_t *m, const char *ca_b64, time_t now)
{
    unsigned char *der = NULL;
    const unsigned char *q;
    X509 *ca = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    long n;
    int ok = 0;

    if (m->cert == NULL || ca_b64 == NULL)
        return 0;
    n = b64_decode(&der, ca_b64, strlen(ca_b64), m->p);
    if (n <= 0 || n > INVQR_MODI_MAX_CERT)
        return 0;
    q = der;
    ca = d2i_X509(NULL, &q, n);
    store = X509_STORE_new();
    ctx = X509_STORE_CTX_new();
    if (ca == NULL || store == NULL || ctx == NULL || X509_STORE_add_cert(store, ca) != 1 ||
        X509_STORE_CTX_init(ctx, store, m->cert, NULL) != 1)
        goto out;
    /* the registered CA is the anchor, root or not; both certificates must
     * be current at now */
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_PARTIAL_CHAIN);
    ok = X509_verify_cert(ctx) == 1;
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(ca);
    return ok;
}

/* ---------------------------------------------------------------------------
 * Verification
 */

static int enable_all(xmlSecDSigCtxPtr ctx)
{
    xmlSecTransformId c14n[] = { xmlSecTransformInclC14NId, xmlSecTransformInclC14N11Id,
                                 xmlSecTransformExclC14NId };
    xmlSecTransformId sig[] = { xmlSecOpenSSLTransformRsaSha256Id, xmlSecOpenSSLTransformRsaSha384Id,
                                xmlSecOpenSSLTransformRsaSha512Id, xmlSecOpenSSLTransformEcdsaSha256Id,
                                xmlSecOpenSSLTransformEcdsaSha384Id, xmlSecOpenSSLTransformEcdsaSha512Id };
    xmlSecTransformId dig[] = { xmlSecOpenSSLTransformSha256Id, xmlSecOpenSSLTransformSha384Id,
                                xmlSecOpenSSLTransformSha512Id };
    size_t i;

    for (i = 0; i < sizeof(c14n) / sizeof(c14n[0]); i++)
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, c14n[i]) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, c14n[i]) < 0)
            return -1;
    for (i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, sig[i]) < 0)
            return -1;
    for (i = 0; i < sizeof(dig) / sizeof(dig[0]); i++)
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, dig[i]) < 0)
            return -1;
    return 0;
}

apr_status_t invqr_modi_verify(const invqr_modi_t *m, unsigned required, const char **preason)
{
    xmlSecDSigCtxPtr ctx = NULL;
    xmlSecKeyPtr key = NULL;
    xmlSecKeyDataPtr data = NULL;
    EVP_PKEY *pkey;
    apr_status_t rv = APR_EINVAL;

    *preason = NULL;
    if (m == NULL || m->cert == NULL || !initialised) {
        *preason = "no certificate";
        return APR_EINVAL;
    }
    if ((m->covered & required) != required) {
        *preason = "the signature does not cover every part the pattern requires";
        return APR_EINVAL;
    }
    pkey = X509_get_pubkey(m->cert);
    if (pkey == NULL) {
        *preason = "the certificate's key cannot be read";
        return APR_EINVAL;
    }
    data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) {
        EVP_PKEY_free(pkey);
        *preason = "the certificate's key is of a kind not allowed";
        return APR_EINVAL;
    }
    key = xmlSecKeyCreate();
    if (key == NULL || xmlSecKeySetValue(key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        *preason = "out of memory";
        rv = APR_ENOMEM;
        goto out;
    }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) {
        *preason = "out of memory";
        rv = APR_ENOMEM;
        goto out;
    }
    ctx->signKey = key;
    key = NULL;
    ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    if (enable_all(ctx) < 0) {
        *preason = "out of memory";
        rv = APR_ENOMEM;
        goto out;
    }
    if (xmlSecDSigCtxVerify(ctx, m->signature) < 0 || ctx->status != xmlSecDSigStatusSucceeded) {
        *preason = "the signature does not verify";
        goto out;
    }
    rv = APR_SUCCESS;
out:
    if (key != NULL)
        xmlSecKeyDestroy(key);
    if (ctx != NULL)
        xmlSecDSigCtxDestroy(ctx);
    return rv;
}

/* ---------------------------------------------------------------------------
 * Signed answers
 */

struct invqr_modi_signer_s {
    xmlSecKeyPtr key;
    xmlSecTransformId sig_alg;
    char *cert_b64;                    /* DER, Base64, NUL-terminated (malloc) */
};

void invqr_modi_signer_free(invqr_modi_signer_t *s)
{
    if (s == NULL)
        return;
    if (s->key != NULL)
        xmlSecKeyDestroy(s->key);
    free(s->cert_b64);
    free(s);
}

int invqr_modi_signer_load(invqr_modi_signer_t **pout, const char *key_file,
                           const char *cert_file)
{
    invqr_modi_signer_t *s = NULL;
    EVP_PKEY *pkey = NULL;
    X509 *x = NULL;
    FILE *f;
    unsigned char *der = NULL;
    int dlen;
    xmlSecKeyDataPtr data;

    *pout = NULL;
    if (!initialised || key_file == NULL || cert_file == NULL)
        goto fail;
    f = fopen(key_file, "r");
    if (f != NULL) {
        pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    f = fopen(cert_file, "r");
    if (f != NULL) {
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (pkey == NULL || x == NULL || X509_check_private_key(x, pkey) != 1)
        goto fail;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto fail;
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_RSA)
        s->sig_alg = xmlSecOpenSSLTransformRsaSha256Id;
    else if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC)
        s->sig_alg = xmlSecOpenSSLTransformEcdsaSha256Id;
    else
        goto fail;
    dlen = i2d_X509(x, &der);
    if (dlen <= 0)
        goto fail;
    s->cert_b64 = malloc((size_t)(dlen + 2) / 3 * 4 + 1);
    if (s->cert_b64 == NULL)
        goto fail;
    EVP_EncodeBlock((unsigned char *)s->cert_b64, der, dlen);
    s->key = xmlSecKeyCreate();
    data = s->key != NULL ? xmlSecOpenSSLEvpKeyAdopt(pkey) : NULL;
    if (data == NULL)
        goto fail;
    pkey = NULL;                        /* owned by data now */
    if (xmlSecKeySetValue(s->key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        goto fail;
    }
    OPENSSL_free(der);
    X509_free(x);
    *pout = s;
    return 0;
fail:
    invqr_log(INVQR_LOG_ERR, "INVQR0031: the SOAP signing key or certificate cannot be loaded, "
              "or they do not match (soap_signing_key, soap_signing_cert)");
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    X509_free(x);
    invqr_modi_signer_free(s);
    return -1;
}

static int format_time(char *buf, size_t size, time_t t)
{
    struct tm tm;

    return gmtime_r(&t, &tm) != NULL && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0 ? 0
                                                                                          : -1;
}

/* Give el the wsu:Id id and register it. */
static int set_id(xmlDocPtr doc, xmlNodePtr el, xmlNsPtr wsu, const char *id)
{
    xmlAttrPtr a = xmlSetNsProp(el, wsu, BAD_CAST "Id", BAD_CAST id);

    return a != NULL && xmlAddID(NULL, doc, BAD_CAST id, a) != NULL ? 0 : -1;
}

static apr_status_t free_doc(void *data)
{
    xmlFreeDoc(data);
    return APR_SUCCESS;
}

apr_status_t invqr_modi_sign(const char **pout, apr_size_t *plen, const invqr_modi_signer_t *s,
                             const char *body, apr_size_t len, const char *relates_to,
                             time_t now, apr_pool_t *p)
{
    xmlDocPtr doc;
    xmlNodePtr root, header = NULL, soap_body = NULL, n, sec, ts, bst, sig, ki, str, ref;
    xmlNsPtr wsu, wsse, wsa;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlChar *out = NULL;
    int size = 0, i;
    char created[32], expires[32];
    const char *refs[] = { "#Body", "#Timestamp", "#RelatesTo" };
    apr_status_t rv = APR_EINVAL;

    *pout = NULL;
    *plen = 0;
    if (s == NULL || body == NULL || len > INVQR_SOAP_MAX_OUTPUT)
        return APR_EINVAL;
    doc = xmlReadMemory(body, (int)len, NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
                        XML_PARSE_NOWARNING);
    if (doc == NULL)
        return APR_EINVAL;
    apr_pool_cleanup_register(p, doc, free_doc, apr_pool_cleanup_null);
    root = xmlDocGetRootElement(doc);
    if (root == NULL || root->ns == NULL || !is_env_ns(root))
        return APR_EINVAL;
    for (n = root->children; n != NULL; n = n->next) {
        if (is_el(n, (const char *)root->ns->href, "Header"))
            header = n;
        else if (is_el(n, (const char *)root->ns->href, "Body"))
            soap_body = n;
    }
    if (soap_body == NULL || format_time(created, sizeof(created), now) != 0 ||
        format_time(expires, sizeof(expires), now + 300) != 0)
        return APR_EINVAL;
    wsu = xmlNewNs(root, BAD_CAST INVQR_WSU_NS, BAD_CAST "wsu");
    wsse = xmlNewNs(root, BAD_CAST INVQR_WSSE_NS, BAD_CAST "wsse");
    wsa = xmlNewNs(root, BAD_CAST INVQR_WSA_NS, BAD_CAST "wsa");
    if (wsu == NULL || wsse == NULL || wsa == NULL)
        return APR_ENOMEM;
    if (header == NULL) {
        header = xmlNewDocNode(doc, root->ns, BAD_CAST "Header", NULL);
        if (header == NULL || xmlAddPrevSibling(soap_body, header) == NULL)
            return APR_ENOMEM;
    }
    if (relates_to != NULL) {
        n = xmlNewTextChild(header, wsa, BAD_CAST "RelatesTo", BAD_CAST relates_to);
        if (n == NULL || set_id(doc, n, wsu, "RelatesTo") != 0)
            return APR_ENOMEM;
    }
    sec = xmlNewChild(header, wsse, BAD_CAST "Security", NULL);
    ts = sec != NULL ? xmlNewChild(sec, wsu, BAD_CAST "Timestamp", NULL) : NULL;
    if (ts == NULL || xmlNewTextChild(ts, wsu, BAD_CAST "Created", BAD_CAST created) == NULL ||
        xmlNewTextChild(ts, wsu, BAD_CAST "Expires", BAD_CAST expires) == NULL ||
        set_id(doc, ts, wsu, "Timestamp") != 0 || set_id(doc, soap_body, wsu, "Body") != 0)
        return APR_ENOMEM;
    bst = xmlNewTextChild(sec, wsse, BAD_CAST "BinarySecurityToken", BAD_CAST s->cert_b64);
    if (bst == NULL || xmlSetProp(bst, BAD_CAST "ValueType", BAD_CAST X509V3) == NULL ||
        xmlSetProp(bst, BAD_CAST "EncodingType", BAD_CAST INVQR_WSSE_BASE64) == NULL ||
        set_id(doc, bst, wsu, "X509") != 0)
        return APR_ENOMEM;
    sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, s->sig_alg, NULL);
    if (sig == NULL || xmlAddChild(sec, sig) == NULL)
        return APR_ENOMEM;
    for (i = 0; i < 3; i++) {
        if (i == 2 && relates_to == NULL)
            break;
        ref = xmlSecTmplSignatureAddReference(sig, xmlSecOpenSSLTransformSha256Id, NULL,
                                              BAD_CAST refs[i], NULL);
        if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL)
            return APR_ENOMEM;
    }
    ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    str = ki != NULL ? xmlNewChild(ki, wsse, BAD_CAST "SecurityTokenReference", NULL) : NULL;
    ref = str != NULL ? xmlNewChild(str, wsse, BAD_CAST "Reference", NULL) : NULL;
    if (ref == NULL || xmlSetProp(ref, BAD_CAST "URI", BAD_CAST "#X509") == NULL ||
        xmlSetProp(ref, BAD_CAST "ValueType", BAD_CAST X509V3) == NULL)
        return APR_ENOMEM;
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL)
        return APR_ENOMEM;
    ctx->signKey = xmlSecKeyDuplicate(s->key);
    if (ctx->signKey != NULL && xmlSecDSigCtxSign(ctx, sig) >= 0) {
        xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");
        if (out != NULL && size > 0) {
            *pout = apr_pstrmemdup(p, (const char *)out, (apr_size_t)size);
            *plen = (apr_size_t)size;
            rv = APR_SUCCESS;
        }
        else {
            rv = APR_ENOMEM;
        }
        xmlFree(out);
    }
    xmlSecDSigCtxDestroy(ctx);
    return rv;
}
