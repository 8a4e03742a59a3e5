/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SOAP API's pure core: reading requests (invqr_soap.h).
 *
 * A raw pre-scan first refuses a DOCTYPE, and start tags with hundreds of
 * attributes (which libxml2 2.9 would check in quadratic time), without
 * parsing anything. Parsing then runs libxml2 on a parser context of our
 * own whose SAX handler refuses, the moment they are seen, the things a
 * SOAP message must not hold and an attacker would use: the DOCTYPE
 * callback (defence in depth behind the pre-scan) stops the parser before
 * any declaration of the internal subset is read, so no entity can be
 * declared, let alone expanded or fetched; entity declarations, lookups
 * and resolution stop it too, as do processing instructions and elements
 * past the depth or count limits. The options never include NOENT,
 * DTDLOAD, DTDVALID, XINCLUDE or HUGE, and NONET is set; the body is always
 * read as UTF-8. Errors go to a callback that only counts them, never to
 * stderr. The tree that survives is checked again for DOCTYPE and entity
 * nodes, then walked: Envelope in a known namespace matching the Content-
 * Type, an optional Header whose blocks are either our wsse:Security or not
 * marked mustUnderstand for us, one Body holding one operation element of
 * the service namespace, each parameter once, as text within its limit.
 * Every string kept is copied into the pool and the document is freed
 * before returning. The answers are invqr_soap_respond.c's.
 */
#include <string.h>

#include <apr_strings.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "invqr_soap.h"
#include "invqr_wssec.h"

#define DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define WSA_NS "http://www.w3.org/2005/08/addressing"
#define SOAP11_ACTOR_NEXT "http://schemas.xmlsoap.org/soap/actor/next"
#define SOAP12_ROLE_NEXT "http://www.w3.org/2003/05/soap-envelope/role/next"
#define SOAP12_ROLE_ULTIMATE "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"

/* Never NOENT, DTDLOAD, DTDVALID, XINCLUDE or HUGE: they expand entities,
 * fetch external documents or lift libxml2's size limits. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | \
                       XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC)

/* One parameter of an operation: element name, where it goes, its cap. */
typedef struct {
    const char *name;
    apr_size_t offset;                  /* of the const char * in invqr_soap_req_t */
    apr_size_t max;
} param_t;

#define N_PARAMS 2

static const struct {
    const char *name;
    const char *action;
    int needs_auth;
    param_t params[N_PARAMS];
} ops[INVQR_SOAP_OP__COUNT] = {
    [INVQR_SOAP_OP_VERIFY_LEVEL1] = {
        "VerifyLevel1", INVQR_SOAP_ACTION_LEVEL1, 0,
        { { "code", offsetof(invqr_soap_req_t, code), INVQR_SOAP_MAX_CODE },
          { "fiscalCode", offsetof(invqr_soap_req_t, fiscal_code), INVQR_SOAP_MAX_FISCAL_CODE } } },
    [INVQR_SOAP_OP_REQUEST_OTP] = {
        "RequestOtp", INVQR_SOAP_ACTION_OTP, 1,
        { { "code", offsetof(invqr_soap_req_t, code), INVQR_SOAP_MAX_CODE },
          { "fiscalCode", offsetof(invqr_soap_req_t, fiscal_code), INVQR_SOAP_MAX_FISCAL_CODE } } },
    [INVQR_SOAP_OP_VERIFY_LEVEL2] = {
        "VerifyLevel2", INVQR_SOAP_ACTION_LEVEL2, 1,
        { { "challengeId", offsetof(invqr_soap_req_t, challenge_id), INVQR_SOAP_MAX_CHALLENGE_ID },
          { "otp", offsetof(invqr_soap_req_t, otp), INVQR_SOAP_MAX_OTP } } },
};

/* ---------------------------------------------------------------------------
 * Small helpers
 */

static apr_status_t free_doc_cleanup(void *data)
{
    xmlFreeDoc(data);
    return APR_SUCCESS;
}

static int is_xml_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int all_blank(const xmlChar *s)
{
    if (s == NULL) {
        return 1;
    }
    for (; *s != '\0'; s++) {
        if (!is_xml_blank(*s)) {
            return 0;
        }
    }
    return 1;
}

static int ns_is(const xmlNode *n, const char *ns)
{
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static int is_el(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && ns_is(n, ns) &&
           strcmp((const char *)n->name, name) == 0;
}

static const char *env_ns(int version)
{
    return version == 12 ? INVQR_SOAP12_ENV_NS : INVQR_SOAP11_ENV_NS;
}

/* The value of attribute name in namespace ns (NULL: none) of el as a
 * string of the document, or NULL when absent or not plain text. */
static const char *attr_text(const xmlNode *el, const char *ns, const char *name)
{
    const xmlAttr *a;

    for (a = el->properties; a != NULL; a = a->next) {
        int same_ns = ns == NULL ? a->ns == NULL
                                 : (a->ns != NULL && a->ns->href != NULL &&
                                    strcmp((const char *)a->ns->href, ns) == 0);

        if (same_ns && strcmp((const char *)a->name, name) == 0) {
            if (a->children == NULL) {
                return "";
            }
            if (a->children->type == XML_TEXT_NODE && a->children->next == NULL) {
                return (const char *)a->children->content;
            }
            return NULL;
        }
    }
    return NULL;
}

/* Whether s, trimmed of XML blanks, equals word. */
static int trimmed_is(const char *s, const char *word)
{
    apr_size_t len, wlen = strlen(word);

    while (is_xml_blank((unsigned char)*s)) {
        s++;
    }
    len = strlen(s);
    while (len > 0 && is_xml_blank((unsigned char)s[len - 1])) {
        len--;
    }
    return len == wlen && memcmp(s, word, wlen) == 0;
}

apr_status_t invqr_soap_text(const char **pout, apr_size_t *plen, const struct _xmlNode *el,
                             apr_size_t max, int trim, apr_pool_t *p)
{
    const xmlNode *n;
    apr_size_t total = 0, len, start = 0;
    char *buf = NULL;
    apr_status_t rv = APR_SUCCESS;

    *pout = NULL;
    *plen = 0;
    /* first pass: the kinds of children and the raw length, capped */
    for (n = el->children; n != NULL; n = n->next) {
        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        if ((n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) ||
            n->content == NULL) {
            rv = APR_EINVAL;
            goto out;
        }
        len = strnlen((const char *)n->content, INVQR_SOAP_MAX_BODY + 1);
        if (len > INVQR_SOAP_MAX_BODY || total + len > INVQR_SOAP_MAX_BODY) {
            rv = APR_ENOSPC;
            goto out;
        }
        total += len;
    }
    buf = apr_palloc(p, total + 1);
    if (buf == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    len = 0;
    for (n = el->children; n != NULL; n = n->next) {
        apr_size_t l;

        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        l = strlen((const char *)n->content);
        memcpy(buf + len, n->content, l);
        len += l;
    }
    buf[len] = '\0';
    if (trim) {
        while (start < len && is_xml_blank((unsigned char)buf[start])) {
            start++;
        }
        while (len > start && is_xml_blank((unsigned char)buf[len - 1])) {
            len--;
        }
        buf[len] = '\0';
    }
    if (len - start > max) {
        rv = APR_ENOSPC;
        goto out;
    }
    *pout = buf + start;
    *plen = len - start;
out:
    return rv;
}

/* ---------------------------------------------------------------------------
 * HTTP headers: Content-Type and SOAPAction
 */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A visible ASCII character that cannot end an unquoted parameter value. */
static int is_value_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != ';' && c != '"' && c != ',' && c != '\\';
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Read a quoted-string at *ps (RFC 9110 5.6.4) into a copy in p without its
 * quotes and escapes; *ps moves past it. NULL when malformed. */
static char *read_quoted(const char **ps, apr_pool_t *p)
{
    const char *s = *ps + 1;
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;

    if (out == NULL) {
        return NULL;
    }
    for (;;) {
        unsigned char c = (unsigned char)*s;

        if (c == '"') {
            break;
        }
        if (c == '\\') {
            c = (unsigned char)s[1];
            if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f) {
                return NULL;
            }
            s++;
        }
        else if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f) {
            return NULL;
        }
        *o++ = (char)c;
        s++;
    }
    *o = '\0';
    *ps = s + 1;
    return out;
}

/* Parse a Content-Type header: *pversion 11, 12 or 0 (another type, or no
 * header), and the action parameter (NULL when absent). NULL or a static
 * reason for a malformed header. */
static const char *parse_content_type(int *pversion, const char **paction, const char *ct,
                                      apr_pool_t *p)
{
    const char *s = ct, *start;
    apr_size_t len;
    int seen_charset = 0;

    *pversion = 0;
    *paction = NULL;
    if (ct == NULL) {
        return NULL;                    /* refused once the envelope is known */
    }
    if (strnlen(ct, INVQR_SOAP_MAX_HEADER + 1) > INVQR_SOAP_MAX_HEADER) {
        return "Content-Type too long";
    }
    while (is_ows(*s)) {
        s++;
    }
    start = s;
    while (is_tchar((unsigned char)*s) || *s == '/') {
        s++;
    }
    len = (apr_size_t)(s - start);
    if (len == 8 && strncasecmp(start, "text/xml", 8) == 0) {
        *pversion = 11;
    }
    else if (len == 20 && strncasecmp(start, "application/soap+xml", 20) == 0) {
        *pversion = 12;
    }
    for (;;) {
        const char *name, *value;
        apr_size_t nlen;

        while (is_ows(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        if (*s != ';') {
            return "malformed Content-Type";
        }
        s++;
        while (is_ows(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;                      /* a trailing ';' is tolerated */
        }
        name = s;
        while (is_tchar((unsigned char)*s)) {
            s++;
        }
        nlen = (apr_size_t)(s - name);
        if (nlen == 0 || *s != '=') {
            return "malformed Content-Type parameter";
        }
        s++;
        if (*s == '"') {
            value = read_quoted(&s, p);
            if (value == NULL) {
                return "malformed Content-Type parameter";
            }
        }
        else {
            /* a token, leniently: action URIs are often sent unquoted,
             * and ':' and '/' are not token characters */
            start = s;
            while (is_value_char((unsigned char)*s)) {
                s++;
            }
            if (s == start) {
                return "malformed Content-Type parameter";
            }
            value = apr_pstrmemdup(p, start, (apr_size_t)(s - start));
        }
        if (nlen == 7 && strncasecmp(name, "charset", 7) == 0) {
            if (seen_charset) {
                return "Content-Type has two charset parameters";
            }
            seen_charset = 1;
            if (strcasecmp(value, "utf-8") != 0) {
                return "charset must be utf-8";
            }
        }
        else if (nlen == 6 && strncasecmp(name, "action", 6) == 0) {
            if (*paction != NULL) {
                return "Content-Type has two action parameters";
            }
            *paction = value;
        }
    }
    return NULL;
}

/* Parse a SOAPAction header: quoted or bare, "" or empty means none. NULL
 * or a static reason; *paction NULL when there is no action. */
static const char *parse_soap_action(const char **paction, const char *h, apr_pool_t *p)
{
    const char *s = h, *start;
    apr_size_t len;

    *paction = NULL;
    if (h == NULL) {
        return NULL;
    }
    if (strnlen(h, INVQR_SOAP_MAX_HEADER + 1) > INVQR_SOAP_MAX_HEADER) {
        return "SOAPAction too long";
    }
    while (is_ows(*s)) {
        s++;
    }
    if (*s == '"') {
        const char *v = read_quoted(&s, p);

        if (v == NULL) {
            return "malformed SOAPAction";
        }
        while (is_ows(*s)) {
            s++;
        }
        if (*s != '\0') {
            return "malformed SOAPAction";
        }
        *paction = v[0] != '\0' ? v : NULL;
        return NULL;
    }
    start = s;
    while (*s != '\0' && !is_ows(*s)) {
        if ((unsigned char)*s < 0x21 || *s == '"' || *s == 0x7f) {
            return "malformed SOAPAction";
        }
        s++;
    }
    len = (apr_size_t)(s - start);
    while (is_ows(*s)) {
        s++;
    }
    if (*s != '\0') {
        return "malformed SOAPAction";
    }
    *paction = len > 0 ? apr_pstrmemdup(p, start, len) : NULL;
    return NULL;
}

/* ---------------------------------------------------------------------------
 * The guarded parser
 */

typedef struct {
    int doctype;                        /* a DOCTYPE was seen */
    int entity;                         /* an entity was declared or looked up */
    int pi;                             /* a processing instruction was seen */
    int too_deep;
    int too_many;
    int errors;                         /* errors reported by libxml2 */
    int depth;
    int elements;
    int namespaces;                     /* declarations so far */
} guard_t;

static guard_t *guard_of(void *ctx)
{
    return ((xmlParserCtxtPtr)ctx)->_private;
}

static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    guard_of(ctx)->doctype = 1;
    xmlStopParser(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    guard_of(ctx)->entity = 1;
    xmlStopParser(ctx);
}

/* Predefined entities (&amp; ...) never get here; anything else does. */
static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
    (void)name;
    guard_of(ctx)->entity = 1;
    xmlStopParser(ctx);
    return NULL;
}

static xmlParserInputPtr on_resolve_entity(void *ctx, const xmlChar *public_id,
                                           const xmlChar *system_id)
{
    (void)public_id;
    (void)system_id;
    guard_of(ctx)->entity = 1;
    xmlStopParser(ctx);
    return NULL;
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target;
    (void)data;
    guard_of(ctx)->pi = 1;
    xmlStopParser(ctx);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    guard_t *g = guard_of(ctx);

    g->depth++;
    g->elements++;
    if (g->depth > INVQR_SOAP_MAX_DEPTH) {
        g->too_deep = 1;
        xmlStopParser(ctx);
        return;
    }
    g->namespaces += nb_namespaces;
    if (g->elements > INVQR_SOAP_MAX_ELEMENTS || nb_attributes > INVQR_SOAP_MAX_ATTRIBUTES ||
        g->namespaces > INVQR_SOAP_MAX_NAMESPACES) {
        g->too_many = 1;
        xmlStopParser(ctx);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                          nb_attributes, nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri)
{
    guard_of(ctx)->depth--;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static void on_error(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = data;

    if (err != NULL && err->level >= XML_ERR_ERROR && ctxt != NULL && ctxt->_private != NULL) {
        guard_of(ctxt)->errors++;
    }
}

/* Whether the tree holds a node kind that a DOCTYPE or XInclude would have
 * made: none can, with the guards above; checked anyway. */
static int has_forbidden_nodes(const xmlDoc *doc)
{
    const xmlNode *n = doc->children;

    while (n != NULL) {
        switch (n->type) {
        case XML_ELEMENT_NODE:
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
        case XML_COMMENT_NODE:
            break;
        default:
            return 1;
        }
        if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
            n = n->children;
            continue;
        }
        while (n != NULL && n->next == NULL) {
            n = n->parent;
            if (n == NULL || n->type == XML_DOCUMENT_NODE) {
                return 0;
            }
        }
        if (n != NULL) {
            n = n->next;
        }
    }
    return 0;
}

/* Where the first needle at or after s[i] ends in s[0..len), or len. */
static apr_size_t skip_past(const char *s, apr_size_t len, apr_size_t i, const char *needle)
{
    const char *hit = memmem(s + i, len - i, needle, strlen(needle));

    return hit != NULL ? (apr_size_t)(hit - s) + strlen(needle) : len;
}

/* What the raw pre-scan saw. */
typedef enum { SCAN_OK = 0, SCAN_DOCTYPE, SCAN_ATTRIBUTES } scan_t;

/* Look at the raw body before libxml2 does: a DOCTYPE (outside comments
 * and CDATA) is refused unparsed, and so is a start tag with more than
 * twice INVQR_SOAP_MAX_ATTRIBUTES '=' (attributes and namespace
 * declarations): libxml2 2.9 checks an element's attributes for repeats in
 * quadratic time before any callback can stop it, ~30 ms for the ~9,700
 * attributes that fit in 64 KiB. The scan lexes only enough to skip
 * comments, CDATA sections, PIs, declarations and quoted values; it can
 * only refuse, and the parser (with its own DOCTYPE guard) decides
 * everything else. */
static scan_t prescan(const char *s, apr_size_t len)
{
    apr_size_t i = 0;

    while (i < len) {
        int count = 0;
        char quote = 0;

        if (s[i] != '<') {
            i++;
            continue;
        }
        if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            i = skip_past(s, len, i + 4, "-->");
            continue;
        }
        if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
            i = skip_past(s, len, i + 9, "]]>");
            continue;
        }
        if (len - i >= 9 && memcmp(s + i, "<!DOCTYPE", 9) == 0) {
            return SCAN_DOCTYPE;
        }
        if (len - i >= 2 && (s[i + 1] == '?' || s[i + 1] == '!')) {
            i = skip_past(s, len, i + 2, ">");
            continue;
        }
        for (i++; i < len; i++) {
            if (quote != 0) {
                if (s[i] == quote) {
                    quote = 0;
                }
            }
            else if (s[i] == '"' || s[i] == '\'') {
                quote = s[i];
            }
            else if (s[i] == '=') {
                count++;
                if (count > 2 * INVQR_SOAP_MAX_ATTRIBUTES) {
                    return SCAN_ATTRIBUTES;
                }
            }
            else if (s[i] == '>') {
                i++;
                break;
            }
        }
    }
    return SCAN_OK;
}

/* Parse body into *pdoc, tied to p. APR_SUCCESS; APR_EINVAL with a static
 * reason; APR_ENOMEM. */
static apr_status_t parse_xml(xmlDocPtr *pdoc, const char **preason, const char *body,
                              apr_size_t len, apr_pool_t *p)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    guard_t g;
    const char *reason = NULL;
    apr_status_t rv = APR_SUCCESS;

    *pdoc = NULL;
    memset(&g, 0, sizeof(g));
    switch (prescan(body, len)) {
    case SCAN_DOCTYPE:
        reason = "a DOCTYPE is not allowed in a SOAP message";
        rv = APR_EINVAL;
        goto out;
    case SCAN_ATTRIBUTES:
        reason = "too many attributes in one element";
        rv = APR_EINVAL;
        goto out;
    case SCAN_OK:
        break;
    }
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL || ctxt->sax == NULL) {
        reason = "out of memory";
        rv = APR_ENOMEM;
        goto out;
    }
    ctxt->_private = &g;
    ctxt->sax->internalSubset = on_internal_subset;
    ctxt->sax->externalSubset = on_internal_subset;
    ctxt->sax->entityDecl = on_entity_decl;
    ctxt->sax->getEntity = on_get_entity;
    ctxt->sax->getParameterEntity = on_get_entity;
    ctxt->sax->resolveEntity = on_resolve_entity;
    ctxt->sax->processingInstruction = on_pi;
    ctxt->sax->comment = NULL;          /* never looked at: not built */
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->endElementNs = on_end;
    ctxt->sax->serror = on_error;

    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, "UTF-8", PARSE_OPTIONS);
    if (doc != NULL) {
        apr_pool_cleanup_register(p, doc, free_doc_cleanup, apr_pool_cleanup_null);
    }
    /* the DOCTYPE first: whatever else is wrong, that is the answer */
    if (g.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
        reason = "a DOCTYPE is not allowed in a SOAP message";
    }
    else if (g.entity || ctxt->nbentities != 0) {
        reason = "entity references are not allowed in a SOAP message";
    }
    else if (g.pi) {
        reason = "processing instructions are not allowed in a SOAP message";
    }
    else if (g.too_deep) {
        reason = "elements nested too deep";
    }
    else if (g.too_many) {
        reason = "too many elements, attributes or namespace declarations";
    }
    else if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed || g.errors != 0 ||
             ctxt->errNo != 0) {
        reason = "not well-formed XML with namespaces";
    }
    else if (has_forbidden_nodes(doc)) {
        reason = "a DOCTYPE, entity or processing instruction is not allowed";
    }
    if (reason != NULL) {
        rv = APR_EINVAL;
    }
out:
    if (rv != APR_SUCCESS && doc != NULL) {
        apr_pool_cleanup_run(p, doc, free_doc_cleanup);
        doc = NULL;
    }
    if (ctxt != NULL) {
        ctxt->_private = NULL;
        xmlFreeParserCtxt(ctxt);
    }
    *pdoc = doc;
    *preason = reason;
    return rv;
}

/* ---------------------------------------------------------------------------
 * The envelope
 */

/* Read a header block's mustUnderstand and actor (1.1) or role (1.2):
 * *pmust is 1 when the block is for us and must be understood, 0 when it is
 * for us and may be ignored, -1 when it is for another node. NULL or a
 * static reason. */
static const char *must_understand(int *pmust, const xmlNode *block, int version)
{
    const char *ns = env_ns(version), *mu, *target;

    *pmust = 0;
    mu = attr_text(block, ns, "mustUnderstand");
    if (mu != NULL) {
        if (trimmed_is(mu, "1") || trimmed_is(mu, "true")) {
            *pmust = 1;
        }
        else if (!trimmed_is(mu, "0") && !trimmed_is(mu, "false")) {
            return "mustUnderstand is not a boolean";
        }
    }
    if (version == 12) {
        target = attr_text(block, ns, "role");
        if (target != NULL && !trimmed_is(target, SOAP12_ROLE_NEXT) &&
            !trimmed_is(target, SOAP12_ROLE_ULTIMATE) && !all_blank((const xmlChar *)target)) {
            *pmust = -1;                /* for another node */
        }
    }
    else {
        target = attr_text(block, ns, "actor");
        if (target != NULL && !trimmed_is(target, SOAP11_ACTOR_NEXT) &&
            !all_blank((const xmlChar *)target)) {
            *pmust = -1;
        }
    }
    return NULL;
}

typedef struct {
    invqr_soap_req_t *req;
    invqr_soap_fault_t *fault;
    apr_pool_t *p;
    int is_signed;                      /* wsse:Security holds a ds:Signature */
} walk_t;

/* Whether a wsse:Security holds a ds:Signature: a signed request, whose tree
 * is kept for invqr_modi.h. */
static int holds_signature(const xmlNode *security)
{
    const xmlNode *n;

    for (n = security->children; n != NULL; n = n->next) {
        if (is_el(n, DS_NS, "Signature")) {
            return 1;
        }
    }
    return 0;
}

/* Read the Header: NULL or a static reason (fault filled in part). */
static const char *read_header(walk_t *w, const xmlNode *header)
{
    const xmlNode *n;
    const invqr_wssec_token_t *token = NULL;
    int seen_security = 0;

    for (n = header->children; n != NULL; n = n->next) {
        const char *reason;
        int must;

        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) {
            if (n->type == XML_TEXT_NODE && all_blank(n->content)) {
                continue;
            }
            return "text in the SOAP Header";
        }
        if (n->ns == NULL) {
            return "a header block without a namespace";
        }
        reason = must_understand(&must, n, w->req->version);
        if (reason != NULL) {
            return reason;
        }
        if (must < 0) {
            continue;                   /* meant for another node */
        }
        if (is_el(n, INVQR_WSSE_NS, "Security")) {
            invqr_wssec_token_t *t = NULL;
            apr_status_t rv;

            if (seen_security) {
                return "more than one wsse:Security header for this node";
            }
            seen_security = 1;
            rv = invqr_wssec_parse(&t, &reason, n, w->p);
            if (rv != APR_SUCCESS) {
                return reason != NULL ? reason : "malformed wsse:Security";
            }
            token = t;
            w->is_signed = holds_signature(n);
            continue;
        }
        if (ns_is(n, WSA_NS)) {
            continue;                   /* WS-Addressing: read by invqr_modi */
        }
        if (must > 0) {
            w->fault->fcode = INVQR_SOAP_FC_MUST_UNDERSTAND;
            w->fault->nu_ns = apr_pstrdup(w->p, (const char *)n->ns->href);
            w->fault->nu_name = apr_pstrdup(w->p, (const char *)n->name);
            return "a header block marked mustUnderstand is not understood";
        }
    }
    w->req->token = token;
    return NULL;
}

/* Read the operation element: NULL or a static reason. */
static const char *read_operation(walk_t *w, const xmlNode *op_el)
{
    const xmlNode *n;
    const xmlNode *found[N_PARAMS] = { NULL, NULL };
    invqr_soap_op_t op;
    int i;

    if (!ns_is(op_el, INVQR_SOAP_NS)) {
        return "the Body element is not in the " INVQR_SOAP_NS " namespace";
    }
    for (op = INVQR_SOAP_OP_VERIFY_LEVEL1; op < INVQR_SOAP_OP__COUNT; op++) {
        if (strcmp((const char *)op_el->name, ops[op].name) == 0) {
            break;
        }
    }
    if (op == INVQR_SOAP_OP__COUNT) {
        return "unknown operation";
    }
    w->req->op = op;

    for (n = op_el->children; n != NULL; n = n->next) {
        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) {
            if (n->type == XML_TEXT_NODE && all_blank(n->content)) {
                continue;
            }
            return "text between the parameters";
        }
        if (!ns_is(n, INVQR_SOAP_NS)) {
            return "a parameter is not in the " INVQR_SOAP_NS " namespace";
        }
        for (i = 0; i < N_PARAMS; i++) {
            if (strcmp((const char *)n->name, ops[op].params[i].name) == 0) {
                break;
            }
        }
        if (i == N_PARAMS) {
            return "unknown parameter";
        }
        if (found[i] != NULL) {
            return "a parameter is repeated";
        }
        found[i] = n;
    }
    for (i = 0; i < N_PARAMS; i++) {
        const param_t *pm = &ops[op].params[i];
        const char *value;
        apr_size_t len;
        apr_status_t rv;

        if (found[i] == NULL) {
            return "a parameter is missing";
        }
        rv = invqr_soap_text(&value, &len, found[i], pm->max, 1, w->p);
        if (rv == APR_ENOSPC) {
            return "a parameter is too long";
        }
        if (rv != APR_SUCCESS) {
            return "a parameter is not plain text";
        }
        if (len == 0) {
            return "a parameter is empty";
        }
        *(const char **)((char *)w->req + pm->offset) = value;
    }
    return NULL;
}

/* Walk Envelope, Header, Body. NULL or a static reason. */
static const char *read_envelope(walk_t *w, const xmlNode *env)
{
    const char *ns = env_ns(w->req->version), *reason;
    const xmlNode *n, *header = NULL, *body = NULL, *op_el = NULL;

    for (n = env->children; n != NULL; n = n->next) {
        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) {
            if (n->type == XML_TEXT_NODE && all_blank(n->content)) {
                continue;
            }
            return "text in the SOAP Envelope";
        }
        if (is_el(n, ns, "Header") && header == NULL && body == NULL) {
            header = n;
        }
        else if (is_el(n, ns, "Body") && body == NULL) {
            body = n;
        }
        else if (body == NULL) {
            return "the Envelope holds something other than Header and Body";
        }
        else {
            return "the Envelope holds something after the Body";
        }
    }
    if (body == NULL) {
        return "no SOAP Body";
    }
    for (n = body->children; n != NULL; n = n->next) {
        if (n->type == XML_COMMENT_NODE) {
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) {
            if (n->type == XML_TEXT_NODE && all_blank(n->content)) {
                continue;
            }
            return "text in the SOAP Body";
        }
        if (op_el != NULL) {
            return "more than one element in the SOAP Body";
        }
        op_el = n;
    }
    if (op_el == NULL) {
        return "an empty SOAP Body";
    }
    if (header != NULL) {
        reason = read_header(w, header);
        if (reason != NULL) {
            return reason;
        }
    }
    return read_operation(w, op_el);
}

apr_status_t invqr_soap_parse(invqr_soap_req_t **pout, invqr_soap_fault_t *fault,
                              const char *body, apr_size_t len, const char *content_type,
                              const char *soap_action, apr_pool_t *p)
{
    invqr_soap_req_t *req = NULL;
    xmlDocPtr doc = NULL;
    const xmlNode *root, *n;
    const char *reason = NULL, *action = NULL, *ct_action = NULL, *sa_action = NULL;
    int ct_version = 0, env_version = 0;
    apr_status_t rv = APR_EINVAL;
    walk_t w;

    if (pout != NULL) {
        *pout = NULL;
    }
    if (fault == NULL) {
        return APR_EINVAL;
    }
    invqr_soap_fault_init(fault, 11, INVQR_SOAP_BAD_REQUEST);
    if (pout == NULL || p == NULL) {
        reason = "internal error: no output";
        goto out;
    }
    /* the size first: nothing of a body over the cap is read */
    if (len > INVQR_SOAP_MAX_BODY) {
        fault->http_status = 413;
        reason = "the body is larger than 64 KiB";
        rv = APR_ENOSPC;
        goto out;
    }
    if (body == NULL || len == 0) {
        reason = "an empty body";
        goto out;
    }
    reason = parse_content_type(&ct_version, &ct_action, content_type, p);
    if (ct_version != 0) {
        fault->version = ct_version;
    }
    if (reason != NULL) {
        goto out;
    }
    rv = parse_xml(&doc, &reason, body, len, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    rv = APR_EINVAL;

    /* only the root element and comments at the top */
    root = NULL;
    for (n = doc->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            root = n;
        }
        else if (n->type != XML_COMMENT_NODE) {
            reason = "something other than an element and comments at the top";
            goto out;
        }
    }
    if (root == NULL) {
        reason = "no root element";
        goto out;
    }
    if (is_el(root, INVQR_SOAP11_ENV_NS, "Envelope")) {
        env_version = 11;
    }
    else if (is_el(root, INVQR_SOAP12_ENV_NS, "Envelope")) {
        env_version = 12;
    }
    if (ct_version == 0) {
        fault->version = env_version != 0 ? env_version : 11;
        reason = "Content-Type must be text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)";
        goto out;
    }
    if (env_version == 0) {
        fault->fcode = INVQR_SOAP_FC_VERSION_MISMATCH;
        reason = "the root element is not a SOAP 1.1 or SOAP 1.2 Envelope";
        goto out;
    }
    fault->version = env_version;
    if (env_version != ct_version) {
        fault->fcode = INVQR_SOAP_FC_VERSION_MISMATCH;
        reason = env_version == 11 ? "a SOAP 1.1 Envelope sent as application/soap+xml"
                                   : "a SOAP 1.2 Envelope sent as text/xml";
        goto out;
    }

    req = apr_pcalloc(p, sizeof(*req));
    if (req == NULL) {
        reason = "out of memory";
        rv = APR_ENOMEM;
        goto out;
    }
    req->version = env_version;
    w.req = req;
    w.fault = fault;
    w.p = p;
    w.is_signed = 0;
    reason = read_envelope(&w, root);
    if (reason != NULL) {
        goto out;
    }

    /* the action, once the operation is known */
    if (env_version == 11) {
        reason = parse_soap_action(&sa_action, soap_action, p);
        if (reason != NULL) {
            goto out;
        }
        action = sa_action;
    }
    else if (ct_action != NULL && ct_action[0] != '\0') {
        action = ct_action;
    }
    if (action != NULL && strcmp(action, ops[req->op].action) != 0) {
        reason = env_version == 11 ? "SOAPAction does not match the operation"
                                   : "the action parameter does not match the operation";
        goto out;
    }
    rv = APR_SUCCESS;
    *pout = req;
    if (w.is_signed) {
        req->doc = doc;                 /* freed by the pool's cleanup */
        doc = NULL;
    }
out:
    if (doc != NULL) {
        apr_pool_cleanup_run(p, doc, free_doc_cleanup);
    }
    if (rv != APR_SUCCESS) {
        fault->reason = reason;
        if (rv == APR_ENOMEM) {
            fault->code = INVQR_SOAP_UNAVAILABLE;
            fault->fcode = INVQR_SOAP_FC_SERVER;
        }
    }
    return rv;
}

/* ---------------------------------------------------------------------------
 * Tables
 */

const char *invqr_soap_op_name(invqr_soap_op_t op)
{
    if (op <= INVQR_SOAP_OP_NONE || op >= INVQR_SOAP_OP__COUNT) {
        return NULL;
    }
    return ops[op].name;
}

const char *invqr_soap_op_action(invqr_soap_op_t op)
{
    if (op <= INVQR_SOAP_OP_NONE || op >= INVQR_SOAP_OP__COUNT) {
        return NULL;
    }
    return ops[op].action;
}

int invqr_soap_op_needs_auth(invqr_soap_op_t op)
{
    if (op <= INVQR_SOAP_OP_NONE || op >= INVQR_SOAP_OP__COUNT) {
        return 0;
    }
    return ops[op].needs_auth;
}
