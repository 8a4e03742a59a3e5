/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the shared configuration file.
 *
 * One table lists every key with its type, bounds, default and target field;
 * the loader fills an invqr_conf_t from it and rejects anything it does not
 * know, so a typo in a deployment's file is an error at start-up rather
 * than a silently ignored setting.
 */
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <errno.h>

#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_lib.h>

#include "invqr_conf.h"
#include "invqr_utf8.h"

#define CONF_MAX_BYTES (64 * 1024)
#define CONF_MAX_KEYS  64

typedef enum { T_STR, T_INT, T_BOOL, T_SECRET, T_MODE } conf_type;

typedef struct {
    const char *name;
    conf_type type;
    size_t offset;
    long min, max;         /* T_INT bounds; T_STR max length */
    const char *def;       /* default as text, NULL = none */
    int required;
} conf_key;

#define OFF(f) offsetof(invqr_conf_t, f)

static const conf_key conf_keys[] = {
    { "db_socket",            T_STR,    OFF(db_socket),            0, 4096,  NULL, 0 },
    { "db_host",              T_STR,    OFF(db_host),              0, 255,   "127.0.0.1", 0 },
    { "db_port",              T_INT,    OFF(db_port),              1, 65535, "3306", 0 },
    { "db_name",              T_STR,    OFF(db_name),              1, 64,    "invqr", 0 },
    { "db_user",              T_STR,    OFF(db_user),              1, 80,    NULL, 1 },
    { "db_password",          T_STR,    OFF(db_password),          0, 255,   "", 0 },
    { "admin_db_user",        T_STR,    OFF(admin_db_user),        1, 80,    NULL, 0 },
    { "admin_db_password",    T_STR,    OFF(admin_db_password),    0, 255,   "", 0 },
    { "secret",               T_SECRET, OFF(secret),               0, 0,     NULL, 1 },
    { "public_base_url",      T_STR,    OFF(public_base_url),      1, 200,   NULL, 1 },
    { "migrations_dir",       T_STR,    OFF(migrations_dir),       1, 4096,  NULL, 0 },
    { "worker_log",           T_STR,    OFF(worker_log),           1, 4096,  NULL, 0 },
    { "worker_threads",       T_INT,    OFF(worker_threads),       1, 256,   "8", 0 },
    { "worker_socket_mode",   T_MODE,   OFF(worker_socket_mode),   0, 0777,  "0660", 0 },
    { "worker_socket_owner",  T_STR,    OFF(worker_socket_owner),  1, 32,    NULL, 0 },
    { "worker_socket_group",  T_STR,    OFF(worker_socket_group),  1, 32,    NULL, 0 },
    { "worker_io_timeout_seconds", T_INT, OFF(worker_io_timeout_seconds), 1, 300, "10", 0 },
    { "session_idle_seconds", T_INT,    OFF(session_idle_seconds), 60, 86400, "900", 0 },
    { "session_max_seconds",  T_INT,    OFF(session_max_seconds),  300, 604800, "28800", 0 },
    { "verify_max_failures",  T_INT,    OFF(verify_max_failures),  1, 100,   "5", 0 },
    { "verify_window_seconds", T_INT,   OFF(verify_window_seconds), 60, 86400, "900", 0 },
    { "client_max_failures",  T_INT,    OFF(client_max_failures),  1, 100000, "30", 0 },
    { "client_window_seconds", T_INT,   OFF(client_window_seconds), 60, 86400, "600", 0 },
    { "otp_validity_seconds", T_INT,    OFF(otp_validity_seconds), 30, 3600,  "300", 0 },
    { "code_max_age_days",    T_INT,    OFF(code_max_age_days),    0, 3650,  "0", 0 },
    { "benefits_file",        T_STR,    OFF(benefits_file),        1, 4096,  NULL, 0 },
    { "fonts_dir",            T_STR,    OFF(fonts_dir),            1, 4096,  NULL, 0 },
    { "soap_signing_key",     T_STR,    OFF(soap_signing_key),     1, 4096,  NULL, 0 },
    { "soap_signing_cert",    T_STR,    OFF(soap_signing_cert),    1, 4096,  NULL, 0 },
    { "pdnd_jwks_file",       T_STR,    OFF(pdnd_jwks_file),       1, 4096,  NULL, 0 },
    { "pdnd_audience",        T_STR,    OFF(pdnd_audience),        1, 400,   NULL, 0 },
    { "pdnd_issuer",          T_STR,    OFF(pdnd_issuer),          1, 200,   "interop.pagopa.it", 0 },
    { "pdnd_voucher_single_use", T_BOOL, OFF(pdnd_voucher_single_use), 0, 1, "no", 0 },
    { "pdf_copies_dir",       T_STR,    OFF(pdf_copies_dir),       1, 4096,  NULL, 0 },
    /* its name until 2026-12: files already deployed keep working */
    { "pdf_cache_dir",        T_STR,    OFF(pdf_copies_dir),       1, 4096,  NULL, 0 },
    { "issuer_name",          T_STR,    OFF(issuer_name),          1, 200,   INVQR_CONF_ISSUER_DEFAULT, 0 },
    { "metrics_dir",          T_STR,    OFF(metrics_dir),          1, 4096,  NULL, 0 },
    { "test_faults",          T_BOOL,   OFF(test_faults),          0, 1,     "no", 0 },
    { "sms_gateway",          T_STR,    OFF(sms_gateway),          1, 1024,  NULL, 0 },
    { "agency_logo",          T_STR,    OFF(agency_logo),          1, 4096,  NULL, 0 },
    { "agency_site_url",      T_STR,    OFF(agency_site_url),      1, 500,   NULL, 0 },
    { "agency_privacy_url",   T_STR,    OFF(agency_privacy_url),   1, 500,   NULL, 0 },
    { "agency_accessibility_url", T_STR, OFF(agency_accessibility_url), 1, 500, NULL, 0 },
    { "agency_legal_url",     T_STR,    OFF(agency_legal_url),     1, 500,   NULL, 0 },
    { "agency_contacts_url",  T_STR,    OFF(agency_contacts_url),  1, 500,   NULL, 0 },
    { "agency_help_url",      T_STR,    OFF(agency_help_url),      1, 500,   NULL, 0 },
    { "privacy_controller",   T_STR,    OFF(privacy_controller),   1, 300,   NULL, 0 },
    { "privacy_dpo",          T_STR,    OFF(privacy_dpo),          1, 300,   NULL, 0 },
    { "operator_help_contact", T_STR,   OFF(operator_help_contact), 1, 500,  NULL, 0 },
    { "mail_transport",       T_STR,    OFF(mail_transport),       1, 1024,  NULL, 0 },
    { "mail_from",            T_STR,    OFF(mail_from),            3, 254,   NULL, 0 },
    { "mail_ca_file",         T_STR,    OFF(mail_ca_file),         1, 4096,  NULL, 0 },
    { "mail_user",            T_STR,    OFF(mail_user),            1, 254,   NULL, 0 },
    { "mail_password",        T_STR,    OFF(mail_password),        1, 256,   NULL, 0 },
    { "mail_per_day",         T_INT,    OFF(mail_per_day),         1, 50,    "3", 0 },
};
#define N_KEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/* The key that already set k's field (k, or another name of it), or NULL. */
static const conf_key *field_seen(const int *seen, const conf_key *k)
{
    size_t i;

    for (i = 0; i < N_KEYS; i++) {
        if (seen[i] && conf_keys[i].offset == k->offset)
            return &conf_keys[i];
    }
    return NULL;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Store text as the value of key k in conf; NULL on success, else a reason. */
static const char *set_value(invqr_conf_t *conf, const conf_key *k,
                             const char *text, apr_pool_t *p)
{
    char *field = (char *)conf + k->offset;

    switch (k->type) {
    case T_STR:
        if ((long)strlen(text) > k->max)
            return "value too long";
        if ((long)strlen(text) < k->min)
            return "value must not be empty";
        *(const char **)field = apr_pstrdup(p, text);
        return NULL;
    case T_INT: {
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(text, &end, 10);
        if (errno != 0 || end == text || *end != '\0')
            return "not an integer";
        if (v < k->min || v > k->max)
            return apr_psprintf(p, "must be between %ld and %ld", k->min, k->max);
        *(int *)field = (int)v;
        return NULL;
    }
    case T_MODE: {
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(text, &end, 8);
        if (errno != 0 || end == text || *end != '\0' || text[0] != '0')
            return "must be an octal mode such as 0660";
        if (v < k->min || v > k->max)
            return "must be an octal mode between 0000 and 0777";
        *(int *)field = (int)v;
        return NULL;
    }
    case T_BOOL:
        if (!strcasecmp(text, "yes") || !strcasecmp(text, "on") || !strcmp(text, "1")
            || !strcasecmp(text, "true")) {
            *(int *)field = 1;
            return NULL;
        }
        if (!strcasecmp(text, "no") || !strcasecmp(text, "off") || !strcmp(text, "0")
            || !strcasecmp(text, "false")) {
            *(int *)field = 0;
            return NULL;
        }
        return "must be yes or no";
    case T_SECRET: {
        unsigned char *out = (unsigned char *)field;
        size_t i;

        if (strlen(text) != 2 * INVQR_SECRET_LEN)
            return "must be 64 hexadecimal digits";
        for (i = 0; i < INVQR_SECRET_LEN; i++) {
            int hi = hexval((unsigned char)text[2 * i]);
            int lo = hexval((unsigned char)text[2 * i + 1]);

            if (hi < 0 || lo < 0)
                return "must be 64 hexadecimal digits";
            out[i] = (unsigned char)(hi << 4 | lo);
        }
        return NULL;
    }
    }
    return "unknown type";
}

static const conf_key *find_key(const char *name)
{
    size_t i;

    for (i = 0; i < N_KEYS; i++)
        if (!strcmp(conf_keys[i].name, name))
            return &conf_keys[i];
    return NULL;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

apr_status_t invqr_conf_parse(invqr_conf_t **pconf, const char **perr,
                              const char *text, apr_size_t len,
                              const char *name, apr_pool_t *p)
{
    invqr_conf_t *conf;
    int seen[N_KEYS];
    char *buf, *line, *next;
    unsigned lineno = 0;
    size_t i;
    const char *why;

    *pconf = NULL;
    *perr = NULL;
    memset(seen, 0, sizeof(seen));
    conf = apr_pcalloc(p, sizeof(*conf));
    conf->path = apr_pstrdup(p, name);

    if (len > CONF_MAX_BYTES) {
        *perr = apr_psprintf(p, "%s: file larger than %d bytes", name, CONF_MAX_BYTES);
        return APR_EINVAL;
    }
    if (memchr(text, '\0', len) != NULL) {
        *perr = apr_psprintf(p, "%s: file contains a NUL byte", name);
        return APR_EINVAL;
    }
    buf = apr_pstrmemdup(p, text, len);
    for (line = buf; line != NULL; line = next) {
        char *eq, *key, *value;
        const conf_key *k;

        lineno++;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        key = trim(line);
        if (*key == '\0' || *key == '#')
            continue;
        eq = strchr(key, '=');
        if (eq == NULL) {
            *perr = apr_psprintf(p, "%s:%u: expected key = value", name, lineno);
            return APR_EINVAL;
        }
        *eq = '\0';
        key = trim(key);
        value = trim(eq + 1);
        k = find_key(key);
        if (k == NULL) {
            *perr = apr_psprintf(p, "%s:%u: unknown key '%.64s'", name, lineno, key);
            return APR_EINVAL;
        }
        if (seen[k - conf_keys]) {
            *perr = apr_psprintf(p, "%s:%u: '%s' given twice", name, lineno, k->name);
            return APR_EINVAL;
        }
        if (field_seen(seen, k) != NULL) {
            *perr = apr_psprintf(p, "%s:%u: '%s' and '%s' are one setting: give it once", name,
                                 lineno, field_seen(seen, k)->name, k->name);
            return APR_EINVAL;
        }
        seen[k - conf_keys] = 1;
        why = set_value(conf, k, value, p);
        if (why != NULL) {
            *perr = apr_psprintf(p, "%s:%u: %s: %s", name, lineno, k->name, why);
            return APR_EINVAL;
        }
    }
    for (i = 0; i < N_KEYS; i++) {
        if (seen[i])
            continue;
        if (conf_keys[i].required) {
            *perr = apr_psprintf(p, "%s: '%s' is required", name, conf_keys[i].name);
            return APR_EINVAL;
        }
        if (conf_keys[i].def != NULL) {
            why = set_value(conf, &conf_keys[i], conf_keys[i].def, p);
            if (why != NULL) {
                *perr = apr_psprintf(p, "%s: default of %s: %s", name, conf_keys[i].name, why);
                return APR_EINVAL;
            }
        }
    }
    if (conf->admin_db_user == NULL) {
        conf->admin_db_user = conf->db_user;
        conf->admin_db_password = conf->db_password;
    }
    /* printed on every PDF: text, one line, as the PDF accepts it */
    if (invqr_utf8_count_text(conf->issuer_name, strlen(conf->issuer_name), 0) < 0) {
        *perr = apr_psprintf(p, "%s: issuer_name is not UTF-8 text on one line", name);
        return APR_EINVAL;
    }
    {
        /* links in every page: a web address or a path on this site */
        const char *const urls[][2] = {
            { "agency_site_url", conf->agency_site_url },
            { "agency_privacy_url", conf->agency_privacy_url },
            { "agency_accessibility_url", conf->agency_accessibility_url },
            { "agency_legal_url", conf->agency_legal_url },
            { "agency_contacts_url", conf->agency_contacts_url },
            { "agency_help_url", conf->agency_help_url },
        };
        size_t u;

        for (u = 0; u < sizeof(urls) / sizeof(urls[0]); u++) {
            const char *v = urls[u][1];

            if (v != NULL && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0
                && !(v[0] == '/' && v[1] != '/')) {
                *perr = apr_psprintf(p, "%s: %s must start with https://, http:// or /", name,
                                     urls[u][0]);
                return APR_EINVAL;
            }
            if (v != NULL && strpbrk(v, " \t\"<>'`\\") != NULL) {
                *perr = apr_psprintf(p, "%s: %s holds a space or a character an address cannot",
                                     name, urls[u][0]);
                return APR_EINVAL;
            }
        }
        if (conf->agency_logo != NULL) {
            size_t n = strlen(conf->agency_logo);

            if (conf->agency_logo[0] != '/' || n < 5
                || (strcmp(conf->agency_logo + n - 4, ".svg") != 0
                    && strcmp(conf->agency_logo + n - 4, ".png") != 0)) {
                *perr = apr_psprintf(p, "%s: agency_logo must be the absolute path of an .svg "
                                     "or .png file", name);
                return APR_EINVAL;
            }
        }
        if ((conf->privacy_controller != NULL
             && invqr_utf8_count_text(conf->privacy_controller, strlen(conf->privacy_controller), 0) < 0)
            || (conf->privacy_dpo != NULL
                && invqr_utf8_count_text(conf->privacy_dpo, strlen(conf->privacy_dpo), 0) < 0)) {
            *perr = apr_psprintf(p, "%s: privacy_controller and privacy_dpo are UTF-8 text on one line",
                                 name);
            return APR_EINVAL;
        }
    }
    if (conf->session_max_seconds < conf->session_idle_seconds) {
        *perr = apr_psprintf(p, "%s: session_max_seconds is shorter than session_idle_seconds", name);
        return APR_EINVAL;
    }
    *pconf = conf;
    return APR_SUCCESS;
}

apr_status_t invqr_conf_load(invqr_conf_t **pconf, const char **perr,
                             const char *path, apr_pool_t *p)
{
    apr_file_t *f = NULL;
    apr_finfo_t fi;
    apr_status_t rv;
    char *text = NULL;
    apr_size_t n;

    *pconf = NULL;
    *perr = NULL;
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        char ebuf[128];
        *perr = apr_psprintf(p, "%s: cannot open: %s", path, apr_strerror(rv, ebuf, sizeof(ebuf)));
        goto out;
    }
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS)
        goto out;
    if (fi.size > CONF_MAX_BYTES) {
        *perr = apr_psprintf(p, "%s: file larger than %d bytes", path, CONF_MAX_BYTES);
        rv = APR_EINVAL;
        goto out;
    }
    n = (apr_size_t)fi.size;
    text = apr_palloc(p, n + 1);
    rv = apr_file_read_full(f, text, n, &n);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        *perr = apr_psprintf(p, "%s: read error", path);
        goto out;
    }
    rv = invqr_conf_parse(pconf, perr, text, n, path, p);
out:
    if (f != NULL)
        apr_file_close(f);
    if (rv != APR_SUCCESS && *perr == NULL)
        *perr = apr_psprintf(p, "%s: cannot read", path);
    return rv;
}
