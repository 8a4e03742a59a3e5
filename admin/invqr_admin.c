/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-admin - the agency administrator's command line.
 *
 * Applies schema migrations and grants, imports the status archive, manages
 * organisations and operators, and revokes codes. Every change is written to
 * the audit log with actor "admin". Subcommands are one dispatch table.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "invqr_modi.h"
#include "invqr_modi_trust.h"
#include "invqr_admin_delegation.h"
#include "invqr_voucher.h"
#include "invqr_admin_archive.h"
#include "invqr_audit.h"
#include "invqr_code.h"
#include "invqr_conf.h"
#include "invqr_db.h"
#include "invqr_fiscal.h"
#include "invqr_import.h"
#include "invqr_log.h"
#include "invqr_password.h"
#include "invqr_utf8.h"

typedef struct {
    invqr_conf_t *conf;
    invqr_db_t *db;
    apr_pool_t *pool;
} admin_t;

typedef int admin_fn(admin_t *a, int argc, char **argv);

static void log_stderr(void *baton, const char *file, int line, invqr_log_level level,
                       const char *msg)
{
    fprintf(stderr, "invqr-admin: %s\n", msg);
}

static int audit(admin_t *a, const char *event, const char *outcome, const char *fc,
                 const char *detail)
{
    invqr_audit_t e = { "admin", 0, 0, NULL, NULL, fc, 0, event, outcome, detail, NULL };

    if (invqr_audit_write(a->db, &e) != APR_SUCCESS) {
        fprintf(stderr, "invqr-admin: the audit log refused the record of %s\n", event);
        return -1;
    }
    return 0;
}

/* ---- migrate ----------------------------------------------------------------- */

static int run_sql(MYSQL *m, const char *sql, const char *what)
{
    int status;

    if (mysql_real_query(m, sql, strlen(sql)) != 0) {
        fprintf(stderr, "invqr-admin: %s: %s\n", what, mysql_error(m));
        return -1;
    }
    do {
        MYSQL_RES *res = mysql_store_result(m);
        if (res != NULL)
            mysql_free_result(res);
        status = mysql_next_result(m);
        if (status > 0) {
            fprintf(stderr, "invqr-admin: %s: %s\n", what, mysql_error(m));
            return -1;
        }
    } while (status == 0);
    return 0;
}

static int name_ok(const char *s)
{
    if (*s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
              || *s == '_'))
            return 0;
    return 1;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The application user's rights: nothing more than the code needs, and no
 * UPDATE or DELETE on the audit log. */
static const char *const grants[][2] = {
    { "citizen", "SELECT" },
    { "qr_code", "SELECT, INSERT, UPDATE" },
    { "organisation", "SELECT" },
    { "operator", "SELECT, UPDATE" },
    { "session", "SELECT, INSERT, UPDATE, DELETE" },
    { "otp_challenge", "SELECT, INSERT, UPDATE, DELETE" },
    { "audit_log", "SELECT, INSERT" },
    { "schema_migration", "SELECT" },
    { "citizen_notice", "SELECT, INSERT" },
    { "client_limit", "SELECT, INSERT, UPDATE, DELETE" },
    { "verify_client", "SELECT, INSERT, UPDATE, DELETE" },
    { "session_match", "SELECT, INSERT, UPDATE, DELETE" },
    { "soap_nonce", "SELECT, INSERT, DELETE" },
    { "org_cert", "SELECT" },
    { "soap_message_id", "SELECT, INSERT, DELETE" },
    { "delegation", "SELECT" },
    { "org_pdnd_purpose", "SELECT" },
    { "org_ca", "SELECT" },
    { "pdnd_voucher_jti", "SELECT, INSERT, DELETE" },
    { "holder_preference", "SELECT, INSERT, UPDATE" },
    { "operator_client", "SELECT, INSERT, UPDATE, DELETE" },
    { "citizen_mail_quota", "SELECT, INSERT, UPDATE, DELETE" },
};

static int cmd_migrate(admin_t *a, int argc, char **argv)
{
    MYSQL *m = invqr_db_mysql(a->db);
    const char *dir = a->conf->migrations_dir;
    DIR *d;
    struct dirent *e;
    apr_array_header_t *files = apr_array_make(a->pool, 8, sizeof(char *));
    int i, applied = 0;

    if (dir == NULL) {
        fprintf(stderr, "invqr-admin: migrations_dir is not set in %s\n", a->conf->path);
        return 2;
    }
    if (mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0
        || run_sql(m, "CREATE TABLE IF NOT EXISTS schema_migration ("
                      " version INT UNSIGNED NOT NULL PRIMARY KEY,"
                      " name VARCHAR(200) NOT NULL,"
                      " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB",
                   "schema_migration") != 0)
        return 2;
    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "invqr-admin: cannot open %s: %s\n", dir, strerror(errno));
        return 2;
    }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 9 && e->d_name[0] >= '0' && e->d_name[0] <= '9' && e->d_name[4] == '_'
            && strcmp(e->d_name + n - 4, ".sql") == 0)
            *(char **)apr_array_push(files) = apr_pstrdup(a->pool, e->d_name);
    }
    closedir(d);
    qsort(files->elts, (size_t)files->nelts, sizeof(char *), cmp_str);

    for (i = 0; i < files->nelts; i++) {
        const char *name = APR_ARRAY_IDX(files, i, char *);
        long version = strtol(name, NULL, 10);
        char q[128];
        const char *q2;
        MYSQL_RES *res;
        int done;
        char *sql;
        apr_size_t len;
        apr_file_t *f = NULL;
        apr_finfo_t fi;

        snprintf(q, sizeof(q), "SELECT 1 FROM schema_migration WHERE version = %ld", version);
        if (mysql_real_query(m, q, strlen(q)) != 0 || (res = mysql_store_result(m)) == NULL) {
            fprintf(stderr, "invqr-admin: %s\n", mysql_error(m));
            return 2;
        }
        done = mysql_num_rows(res) > 0;
        mysql_free_result(res);
        if (done)
            continue;
        if (apr_file_open(&f, apr_pstrcat(a->pool, dir, "/", name, NULL), APR_FOPEN_READ,
                          APR_OS_DEFAULT, a->pool) != APR_SUCCESS
            || apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS) {
            fprintf(stderr, "invqr-admin: cannot read %s/%s\n", dir, name);
            return 2;
        }
        len = (apr_size_t)fi.size;
        sql = apr_palloc(a->pool, len + 1);
        if (apr_file_read_full(f, sql, len, &len) != APR_SUCCESS) {
            fprintf(stderr, "invqr-admin: cannot read %s/%s\n", dir, name);
            return 2;
        }
        sql[len] = '\0';
        apr_file_close(f);
        if (run_sql(m, sql, name) != 0)
            return 2;
        q2 = apr_psprintf(a->pool, "INSERT INTO schema_migration (version, name) VALUES (%ld, '%.100s')",
                          version, name);
        /* name matched [0-9]{4}_*.sql above; quote anything odd out anyway */
        if (strchr(name, '\'') != NULL || strchr(name, '\\') != NULL
            || run_sql(m, q2, "schema_migration") != 0)
            return 2;
        printf("migrate: applied %s\n", name);
        applied++;
    }
    /* grants, every time: they follow the code, not the history */
    if (strcmp(a->conf->db_user, a->conf->admin_db_user) != 0) {
        size_t k;

        if (!name_ok(a->conf->db_user) || !name_ok(a->conf->db_name)) {
            fprintf(stderr, "invqr-admin: db_user and db_name must be letters, digits and _\n");
            return 2;
        }
        for (k = 0; k < sizeof(grants) / sizeof(grants[0]); k++) {
            char *q = apr_psprintf(a->pool, "GRANT %s ON `%s`.`%s` TO '%s'@'localhost'",
                                   grants[k][1], a->conf->db_name, grants[k][0], a->conf->db_user);
            if (run_sql(m, q, "grant") != 0)
                return 2;
        }
    }
    mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    printf("migrate: %d migration%s applied, schema up to date\n", applied, applied == 1 ? "" : "s");
    if (applied > 0 && audit(a, "migrate", "ok", NULL, NULL) != 0)
        return 2;
    return 0;
}

/* ---- import --------------------------------------------------------------------- */

static int cmd_import(admin_t *a, int argc, char **argv)
{
    invqr_import_stats_t st;
    const char *file = NULL;
    int strict = 0, i;
    invqr_import_rc rc;
    char detail[200];

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if (file == NULL)
            file = argv[i];
        else
            file = "";
    }
    if (file == NULL || *file == '\0') {
        fprintf(stderr, "usage: invqr-admin import [--strict] FILE.csv\n");
        return 2;
    }
    rc = invqr_import_file(&st, a->db, file, strict, stderr, a->pool);
    printf("import: %s: %lu rows read, %lu applied (%lu new, %lu updated, %lu unchanged), "
           "%lu rejected%s\n", file, st.rows, st.applied ? st.accepted : 0UL, st.inserted,
           st.updated, st.unchanged, st.rejected,
           st.applied ? "" : "; nothing was applied");
    snprintf(detail, sizeof(detail), "%lu rows, %lu new, %lu updated, %lu rejected%s", st.rows,
             st.inserted, st.updated, st.rejected, st.applied ? "" : ", nothing applied");
    if (audit(a, "import", rc == INVQR_IMPORT_ALL ? "ok" : st.applied ? "partial" : "refused",
              NULL, detail) != 0)
        return 2;
    return (int)rc;
}

/* ---- organisations -------------------------------------------------------------- */

static int org_find(admin_t *a, const char *name, long long *pid)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;

    invqr_binds_init(&in);
    invqr_bind_str(&in, name, strlen(name));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, pid);
    if (invqr_db_exec(a->db, INVQR_SQL_ORG_FIND, &in, &out, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    return rows > 0 ? 1 : 0;
}

static int list_row(void *baton, invqr_binds_t *out)
{
    int i;

    for (i = 0; i < out->n; i++) {
        if (out->b[i].buffer_type == MYSQL_TYPE_LONGLONG)
            printf("%s%lld", i ? "\t" : "", *(long long *)out->b[i].buffer);
        else
            printf("%s%s", i ? "\t" : "", (char *)out->b[i].buffer);
    }
    printf("\n");
    return 0;
}

/* "AB:cd..." or "abcd..." (64 hex digits) into 32 bytes; -1 when not. */
static int parse_fingerprint(unsigned char fp[INVQR_MODI_FP_LEN], const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        int v;

        if (*s == ':')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            return -1;
        if (n >= 2 * INVQR_MODI_FP_LEN)
            return -1;
        if (n % 2 == 0)
            fp[n / 2] = (unsigned char)(v << 4);
        else
            fp[n / 2] |= (unsigned char)v;
        n++;
    }
    return n == 2 * INVQR_MODI_FP_LEN ? 0 : -1;
}

/* One PEM or DER certificate file; 0, or -1 (said on stderr). */
static int read_cert(invqr_modi_cert_ids_t *ids, admin_t *a, const char *path)
{
    static unsigned char buf[64 * 1024];
    size_t len;
    int bad;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        fprintf(stderr, "invqr-admin: cannot read %s\n", path);
        return -1;
    }
    len = fread(buf, 1, sizeof(buf), f);
    bad = !feof(f) || ferror(f);
    fclose(f);
    if (bad || invqr_modi_cert_ids(ids, buf, len, a->pool) != 0) {
        fprintf(stderr, "invqr-admin: %s is not one X.509 certificate (PEM or DER)\n", path);
        return -1;
    }
    return 0;
}

/* org ca add ORG CA.pem SUBJECT | remove ORG ID | list: a CA whose
 * certificate with exactly this subject identifies the organisation (the
 * subject pinned, in RFC 2253 form as `openssl x509 -noout -subject
 * -nameopt RFC2253` prints it). */
static int cmd_org_ca(admin_t *a, int argc, char **argv)
{
    invqr_binds_t in, out;
    long long org_id = 0, id = 0;
    unsigned long long rows = 0;
    int found;

    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        char org[801], fph[65], ca_subject[2049], subject[2049], until[16];

        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &id);
        invqr_bind_out_str(&out, org, sizeof(org));
        invqr_bind_out_str(&out, fph, sizeof(fph));
        invqr_bind_out_str(&out, ca_subject, sizeof(ca_subject));
        invqr_bind_out_str(&out, subject, sizeof(subject));
        invqr_bind_out_str(&out, until, sizeof(until));
        return invqr_db_exec(a->db, INVQR_SQL_ORG_CA_LIST, NULL, &out, list_row, NULL, NULL)
                   == APR_SUCCESS ? 0 : 2;
    }
    if (!(argc == 4 && strcmp(argv[0], "add") == 0) &&
        !(argc == 3 && strcmp(argv[0], "remove") == 0)) {
        fprintf(stderr, "usage: invqr-admin org ca add ORG CA.pem SUBJECT | "
                        "org ca remove ORG ID | org ca list\n");
        return 2;
    }
    found = org_find(a, argv[1], &org_id);
    if (found <= 0) {
        if (found == 0)
            fprintf(stderr, "invqr-admin: no organisation '%s'\n", argv[1]);
        return found < 0 ? 2 : 1;
    }
    if (strcmp(argv[0], "add") == 0) {
        invqr_modi_cert_ids_t ids;
        time_t now = time(NULL);
        size_t slen = strlen(argv[3]);

        if (read_cert(&ids, a, argv[2]) != 0)
            return 1;
        if (!ids.is_ca) {
            fprintf(stderr, "invqr-admin: %s is not a CA certificate (basicConstraints)\n",
                    argv[2]);
            return 1;
        }
        if (ids.not_before > now || ids.not_after <= now) {
            fprintf(stderr, "invqr-admin: the CA certificate is %s\n",
                    ids.not_before > now ? "not valid yet" : "expired");
            return 1;
        }
        if (slen < 3 || slen > INVQR_MODI_NAME_MAX || strchr(argv[3], '=') == NULL) {
            fprintf(stderr, "invqr-admin: the pinned subject is an RFC 2253 name such as "
                            "'CN=Sportello 1,O=Comune di Esempio,C=IT'\n");
            return 2;
        }
        invqr_binds_init(&in);
        invqr_bind_int(&in, org_id);
        invqr_bind_bin(&in, ids.fp, sizeof(ids.fp));
        invqr_bind_str(&in, ids.der_b64, strlen(ids.der_b64));
        invqr_bind_str(&in, ids.subject, strlen(ids.subject));
        invqr_bind_str(&in, argv[3], slen);
        invqr_bind_int(&in, (long long)ids.not_after);
        if (invqr_db_exec(a->db, INVQR_SQL_ORG_CA_INSERT, &in, NULL, NULL, NULL, NULL)
            != APR_SUCCESS) {
            if (invqr_db_errno(a->db) == ER_DUP_ENTRY) {
                fprintf(stderr, "invqr-admin: this CA and subject are registered already\n");
                return 1;
            }
            return 2;
        }
        id = (long long)invqr_db_insert_id(a->db);
    }
    else {
        char *end = NULL;

        id = strtoll(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || id <= 0) {
            fprintf(stderr, "invqr-admin: the id is the number 'org ca list' shows\n");
            return 2;
        }
        invqr_binds_init(&in);
        invqr_bind_int(&in, id);
        invqr_bind_int(&in, org_id);
        if (invqr_db_exec(a->db, INVQR_SQL_ORG_CA_DELETE, &in, NULL, NULL, NULL, &rows)
            != APR_SUCCESS)
            return 2;
        if (rows == 0) {
            fprintf(stderr, "invqr-admin: no such CA pin for '%s'\n", argv[1]);
            return 1;
        }
    }
    if (audit(a, strcmp(argv[0], "add") == 0 ? "org_ca_add" : "org_ca_remove", "ok", NULL,
              apr_psprintf(a->pool, "%s %lld", argv[1], id)) != 0)
        return 2;
    printf("org ca: %s %lld for '%s'\n", strcmp(argv[0], "add") == 0 ? "added" : "removed", id,
           argv[1]);
    return 0;
}

/* org cert add ORG FILE | remove ORG FINGERPRINT | list: the certificates
 * that identify an organisation's signed SOAP requests (direct trust). */
static int cmd_org_cert(admin_t *a, int argc, char **argv)
{
    invqr_binds_t in, out;
    unsigned char fp[INVQR_MODI_FP_LEN];
    long long org_id = 0;
    unsigned long long rows = 0;
    char hex[2 * INVQR_MODI_FP_LEN + 1];
    int found, i;

    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        char org[801], fph[65], subject[513], until[16];

        invqr_binds_init(&out);
        invqr_bind_out_str(&out, org, sizeof(org));
        invqr_bind_out_str(&out, fph, sizeof(fph));
        invqr_bind_out_str(&out, subject, sizeof(subject));
        invqr_bind_out_str(&out, until, sizeof(until));
        return invqr_db_exec(a->db, INVQR_SQL_ORG_CERT_LIST, NULL, &out, list_row, NULL, NULL)
                   == APR_SUCCESS ? 0 : 2;
    }
    if (argc != 3 || (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "remove") != 0)) {
        fprintf(stderr, "usage: invqr-admin org cert add ORG FILE.pem | "
                        "org cert remove ORG FINGERPRINT | org cert list\n");
        return 2;
    }
    found = org_find(a, argv[1], &org_id);
    if (found < 0)
        return 2;
    if (found == 0) {
        fprintf(stderr, "invqr-admin: no organisation '%s'\n", argv[1]);
        return 1;
    }
    if (strcmp(argv[0], "add") == 0) {
        invqr_modi_cert_ids_t ids;
        time_t now = time(NULL);

        if (read_cert(&ids, a, argv[2]) != 0)
            return 1;
        if (ids.not_before > now || ids.not_after <= now) {
            fprintf(stderr, "invqr-admin: the certificate is %s\n",
                    ids.not_before > now ? "not valid yet" : "expired");
            return 1;
        }
        memcpy(fp, ids.fp, sizeof(fp));
        invqr_binds_init(&in);
        invqr_bind_bin(&in, fp, sizeof(fp));
        invqr_bind_int(&in, org_id);
        invqr_bind_str(&in, ids.subject, strlen(ids.subject));
        invqr_bind_int(&in, (long long)ids.not_before);
        invqr_bind_int(&in, (long long)ids.not_after);
        invqr_bind_str(&in, ids.der_b64, strlen(ids.der_b64));
        invqr_bind_cstr_or_null(&in, ids.ski);
        invqr_bind_str(&in, ids.issuer, strlen(ids.issuer));
        invqr_bind_str(&in, ids.serial, strlen(ids.serial));
        if (invqr_db_exec(a->db, INVQR_SQL_ORG_CERT_INSERT, &in, NULL, NULL, NULL, NULL)
            != APR_SUCCESS) {
            if (invqr_db_errno(a->db) == ER_DUP_ENTRY) {
                fprintf(stderr, "invqr-admin: this certificate is registered already\n");
                return 1;
            }
            return 2;
        }
    }
    else {
        if (parse_fingerprint(fp, argv[2]) != 0) {
            fprintf(stderr, "invqr-admin: a fingerprint is 64 hexadecimal digits (SHA-256)\n");
            return 2;
        }
        invqr_binds_init(&in);
        invqr_bind_bin(&in, fp, sizeof(fp));
        invqr_bind_int(&in, org_id);
        if (invqr_db_exec(a->db, INVQR_SQL_ORG_CERT_DELETE, &in, NULL, NULL, NULL, &rows)
            != APR_SUCCESS)
            return 2;
        if (rows == 0) {
            fprintf(stderr, "invqr-admin: no such certificate for '%s'\n", argv[1]);
            return 1;
        }
    }
    for (i = 0; i < INVQR_MODI_FP_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02X", fp[i]);
    if (audit(a, strcmp(argv[0], "add") == 0 ? "org_cert_add" : "org_cert_remove", "ok", NULL,
              apr_pstrcat(a->pool, argv[1], " ", hex, NULL)) != 0)
        return 2;
    printf("org cert: %s %s for '%s'\n", strcmp(argv[0], "add") == 0 ? "added" : "removed", hex,
           argv[1]);
    return 0;
}

/* An organisation's yes/no setting, set by `org NAME ORG ON|OFF`. */
typedef struct {
    const char *name;          /* the subcommand */
    const char *on, *off;      /* its two words; the first sets the flag */
    invqr_sql_t sql;           /* UPDATE ... SET flag = ? WHERE id = ? */
    const char *event, *what;  /* the audit event; what the confirmation names */
} org_switch_t;

static const org_switch_t ORG_SWITCHES[] = {
    /* whether the organisation's operators may still use UsernameTokens
     * with a password (the legacy mode) */
    { "password-tokens", "on", "off", INVQR_SQL_ORG_SET_PASSWORD_TOKENS, "org_password_tokens",
      "password UsernameTokens" },
    /* whether every SOAP call identified as the organisation must carry a
     * PDND voucher */
    { "voucher", "required", "optional", INVQR_SQL_ORG_SET_VOUCHER_REQUIRED, "org_voucher",
      "PDND voucher" },
};

static int cmd_org_switch(admin_t *a, const org_switch_t *sw, int argc, char **argv)
{
    invqr_binds_t in;
    long long org_id = 0;
    int found, on;

    if (argc != 2 || (strcmp(argv[1], sw->on) != 0 && strcmp(argv[1], sw->off) != 0)) {
        fprintf(stderr, "usage: invqr-admin org %s ORG %s|%s\n", sw->name, sw->on, sw->off);
        return 2;
    }
    on = strcmp(argv[1], sw->on) == 0;
    found = org_find(a, argv[0], &org_id);
    if (found <= 0) {
        if (found == 0)
            fprintf(stderr, "invqr-admin: no organisation '%s'\n", argv[0]);
        return found < 0 ? 2 : 1;
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, on);
    invqr_bind_int(&in, org_id);
    if (invqr_db_exec(a->db, sw->sql, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS
        || audit(a, sw->event, argv[1], NULL, argv[0]) != 0)
        return 2;
    printf("org: %s %s for '%s'\n", sw->what, argv[1], argv[0]);
    return 0;
}

/* org purpose add ORG PURPOSE_ID | remove ORG PURPOSE_ID | list: the PDND
 * purposes whose vouchers identify an organisation. */
static int cmd_org_purpose(admin_t *a, int argc, char **argv)
{
    invqr_binds_t in, out;
    long long org_id = 0;
    unsigned long long rows = 0;
    int found, add;
    size_t i, len;

    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        char org[801], purpose[129], mode[16];

        invqr_binds_init(&out);
        invqr_bind_out_str(&out, org, sizeof(org));
        invqr_bind_out_str(&out, purpose, sizeof(purpose));
        invqr_bind_out_str(&out, mode, sizeof(mode));
        return invqr_db_exec(a->db, INVQR_SQL_PDND_PURPOSE_LIST, NULL, &out, list_row, NULL, NULL)
                   == APR_SUCCESS ? 0 : 2;
    }
    if (argc != 3 || (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "remove") != 0)) {
        fprintf(stderr, "usage: invqr-admin org purpose add ORG PURPOSE_ID | "
                        "org purpose remove ORG PURPOSE_ID | org purpose list\n");
        return 2;
    }
    add = strcmp(argv[0], "add") == 0;
    len = strlen(argv[2]);
    for (i = 0; i < len; i++)
        if (argv[2][i] < 0x21 || argv[2][i] > 0x7e)
            break;
    if (len == 0 || len > INVQR_VOUCHER_ID_MAX || i < len) {
        fprintf(stderr, "invqr-admin: a purposeId is 1 to %d printable ASCII characters\n",
                INVQR_VOUCHER_ID_MAX);
        return 2;
    }
    found = org_find(a, argv[1], &org_id);
    if (found <= 0) {
        if (found == 0)
            fprintf(stderr, "invqr-admin: no organisation '%s'\n", argv[1]);
        return found < 0 ? 2 : 1;
    }
    invqr_binds_init(&in);
    invqr_bind_str(&in, argv[2], len);
    invqr_bind_int(&in, org_id);
    if (invqr_db_exec(a->db, add ? INVQR_SQL_PDND_PURPOSE_INSERT : INVQR_SQL_PDND_PURPOSE_DELETE,
                      &in, NULL, NULL, NULL, &rows) != APR_SUCCESS) {
        if (add && invqr_db_errno(a->db) == ER_DUP_ENTRY) {
            fprintf(stderr, "invqr-admin: this purpose is registered already\n");
            return 1;
        }
        return 2;
    }
    if (!add && rows == 0) {
        fprintf(stderr, "invqr-admin: no such purpose for '%s'\n", argv[1]);
        return 1;
    }
    if (audit(a, add ? "org_purpose_add" : "org_purpose_remove", "ok", NULL,
              apr_pstrcat(a->pool, argv[1], " ", argv[2], NULL)) != 0)
        return 2;
    printf("org purpose: %s %s for '%s'\n", add ? "added" : "removed", argv[2], argv[1]);
    return 0;
}

static int cmd_org(admin_t *a, int argc, char **argv)
{
    size_t i;

    if (argc >= 1 && strcmp(argv[0], "purpose") == 0)
        return cmd_org_purpose(a, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "ca") == 0)
        return cmd_org_ca(a, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "cert") == 0)
        return cmd_org_cert(a, argc - 1, argv + 1);
    for (i = 0; argc >= 1 && i < sizeof(ORG_SWITCHES) / sizeof(ORG_SWITCHES[0]); i++) {
        if (strcmp(argv[0], ORG_SWITCHES[i].name) == 0)
            return cmd_org_switch(a, &ORG_SWITCHES[i], argc - 1, argv + 1);
    }
    if (argc == 2 && strcmp(argv[0], "add") == 0) {
        invqr_binds_t in;
        long chars = invqr_utf8_count_text(argv[1], strlen(argv[1]), 0);

        if (chars < 1 || chars > 200 || strspn(argv[1], " ") == strlen(argv[1])
            || strchr(argv[1], '\t') != NULL) {
            fprintf(stderr, "invqr-admin: an organisation name is 1 to 200 characters of text\n");
            return 2;
        }
        invqr_binds_init(&in);
        invqr_bind_str(&in, argv[1], strlen(argv[1]));
        if (invqr_db_exec(a->db, INVQR_SQL_ORG_INSERT, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS) {
            if (invqr_db_errno(a->db) == ER_DUP_ENTRY) {
                fprintf(stderr, "invqr-admin: organisation '%s' exists already\n", argv[1]);
                return 1;
            }
            return 2;
        }
        if (audit(a, "org_add", "ok", NULL, argv[1]) != 0)
            return 2;
        printf("org: added '%s'\n", argv[1]);
        return 0;
    }
    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        invqr_binds_t out;
        long long id, n;
        char name[801];

        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &id);
        invqr_bind_out_str(&out, name, sizeof(name));
        invqr_bind_out_int(&out, &n);
        return invqr_db_exec(a->db, INVQR_SQL_ORG_LIST, NULL, &out, list_row, NULL, NULL)
                   == APR_SUCCESS ? 0 : 2;
    }
    fprintf(stderr, "usage: invqr-admin org add NAME | org list | org cert ... | "
                    "org password-tokens ORG on|off | org ca ... | org purpose ... | "
                    "org voucher ORG required|optional\n");
    return 2;
}

/* ---- operators ---------------------------------------------------------------------- */

/* Read one line (the password) from standard input, echo off on a terminal. */
static int read_password(char *buf, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(0);
    size_t n;

    if (tty) {
        fprintf(stderr, "Password: ");
        tcgetattr(0, &old);
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(0, TCSANOW, &quiet);
    }
    if (fgets(buf, (int)cap, stdin) == NULL)
        buf[0] = '\0';
    if (tty) {
        tcsetattr(0, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    n = strlen(buf);
    if (n > 0 && buf[n - 1] != '\n' && !feof(stdin))
        return -1;  /* longer than the buffer */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

static int username_ok(const char *u)
{
    size_t n = strlen(u);
    const char *c;

    if (n < 3 || n > 64)
        return 0;
    for (c = u; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_'
              || *c == '-' || *c == '@'))
            return 0;
    return 1;
}

static int operator_find(admin_t *a, const char *username, long long *pid, long long *porg)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    char status[16];

    invqr_binds_init(&in);
    invqr_bind_str(&in, username, strlen(username));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, pid);
    invqr_bind_out_int(&out, porg);
    invqr_bind_out_str(&out, status, sizeof(status));
    if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_FIND, &in, &out, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    if (rows == 0 || strcmp(status, "removed") == 0) {
        fprintf(stderr, "invqr-admin: no operator '%s'\n", username);
        return 0;
    }
    return 1;
}

/* Read a new password: its argon2id hash for sign-in, and a sealed copy for
 * WS-Security PasswordDigest (see invqr_password_seal). */
static int new_password(admin_t *a, char hash[INVQR_PASSWORD_HASH_MAX],
                        unsigned char sealed[INVQR_SEALED_MAX], size_t *psealed)
{
    char pw[INVQR_PASSWORD_MAX + 2];
    const char *weak;
    int rc = -1;

    if (read_password(pw, sizeof(pw)) != 0) {
        fprintf(stderr, "invqr-admin: the password is longer than %d bytes\n", INVQR_PASSWORD_MAX);
        goto out;
    }
    weak = invqr_password_weak(pw, strlen(pw));
    if (weak != NULL) {
        fprintf(stderr, "invqr-admin: %s\n", weak);
        goto out;
    }
    if (invqr_password_hash(hash, pw, strlen(pw)) != 0
        || invqr_password_seal(sealed, psealed, a->conf->secret, pw, strlen(pw)) != 0) {
        fprintf(stderr, "invqr-admin: cannot hash the password\n");
        goto out;
    }
    rc = 0;
out:
    memset(pw, 0, sizeof(pw));
    return rc;
}

/* Lock, unlock or remove: the status changes and open sessions end at once. */
static int operator_set_status(admin_t *a, const char *username, const char *status,
                               const char *event)
{
    long long id = 0, org = 0;
    invqr_binds_t in;
    int found = operator_find(a, username, &id, &org);

    if (found <= 0)
        return found < 0 ? 2 : 1;
    if (invqr_db_begin(a->db) != APR_SUCCESS)
        return 2;
    invqr_binds_init(&in);
    invqr_bind_cstr_or_null(&in, status);
    invqr_bind_int(&in, id);
    if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_SET_STATUS, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        goto fail;
    if (strcmp(status, "active") != 0) {
        invqr_binds_init(&in);
        invqr_bind_int(&in, id);
        if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_END_SESSIONS, &in, NULL, NULL, NULL, NULL)
            != APR_SUCCESS)
            goto fail;
    }
    if (audit(a, event, "ok", NULL, username) != 0 || invqr_db_commit(a->db) != APR_SUCCESS)
        goto fail;
    printf("operator: %s is now %s\n", username, status);
    return 0;
fail:
    invqr_db_rollback(a->db);
    return 2;
}

static int cmd_operator(admin_t *a, int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[0], "add") == 0 && strcmp(argv[1], "--org") == 0) {
        const char *org = argv[2], *username = argv[3];
        char hash[INVQR_PASSWORD_HASH_MAX];
        unsigned char sealed[INVQR_SEALED_MAX];
        size_t sealed_len = 0;
        long long org_id = 0;
        invqr_binds_t in;
        int found;

        if (!username_ok(username)) {
            fprintf(stderr, "invqr-admin: a username is 3 to 64 of a-z 0-9 . _ - @\n");
            return 2;
        }
        found = org_find(a, org, &org_id);
        if (found <= 0) {
            if (found == 0)
                fprintf(stderr, "invqr-admin: no organisation '%s' (add it with: org add)\n", org);
            return 2;
        }
        if (new_password(a, hash, sealed, &sealed_len) != 0)
            return 2;
        invqr_binds_init(&in);
        invqr_bind_int(&in, org_id);
        invqr_bind_str(&in, username, strlen(username));
        invqr_bind_str(&in, hash, strlen(hash));
        invqr_bind_bin(&in, sealed, sealed_len);
        if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_INSERT, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS) {
            if (invqr_db_errno(a->db) == ER_DUP_ENTRY) {
                fprintf(stderr, "invqr-admin: operator '%s' exists already\n", username);
                return 1;
            }
            return 2;
        }
        if (audit(a, "operator_add", "ok", NULL, username) != 0)
            return 2;
        printf("operator: added %s to '%s'\n", username, org);
        return 0;
    }
    if (argc == 2 && strcmp(argv[0], "lock") == 0)
        return operator_set_status(a, argv[1], "locked", "operator_lock");
    if (argc == 2 && strcmp(argv[0], "unlock") == 0)
        return operator_set_status(a, argv[1], "active", "operator_unlock");
    if (argc == 2 && strcmp(argv[0], "remove") == 0)
        return operator_set_status(a, argv[1], "removed", "operator_remove");
    if (argc == 2 && strcmp(argv[0], "passwd") == 0) {
        char hash[INVQR_PASSWORD_HASH_MAX];
        unsigned char sealed[INVQR_SEALED_MAX];
        size_t sealed_len = 0;
        long long id = 0, org = 0;
        invqr_binds_t in;
        int found = operator_find(a, argv[1], &id, &org);

        if (found <= 0)
            return found < 0 ? 2 : 1;
        if (new_password(a, hash, sealed, &sealed_len) != 0)
            return 2;
        invqr_binds_init(&in);
        invqr_bind_str(&in, hash, strlen(hash));
        invqr_bind_bin(&in, sealed, sealed_len);
        invqr_bind_int(&in, id);
        if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_SET_PASSWORD, &in, NULL, NULL, NULL, NULL)
                != APR_SUCCESS
            || audit(a, "operator_passwd", "ok", NULL, argv[1]) != 0)
            return 2;
        printf("operator: new password set for %s\n", argv[1]);
        return 0;
    }
    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        invqr_binds_t out;
        char user[80], org[801], status[16], created[32];

        invqr_binds_init(&out);
        invqr_bind_out_str(&out, user, sizeof(user));
        invqr_bind_out_str(&out, org, sizeof(org));
        invqr_bind_out_str(&out, status, sizeof(status));
        invqr_bind_out_str(&out, created, sizeof(created));
        return invqr_db_exec(a->db, INVQR_SQL_OPERATOR_LIST, NULL, &out, list_row, NULL, NULL)
                   == APR_SUCCESS ? 0 : 2;
    }
    fprintf(stderr, "usage: invqr-admin operator add --org ORG USERNAME   (password on stdin)\n"
                    "       invqr-admin operator lock|unlock|remove|passwd USERNAME\n"
                    "       invqr-admin operator list\n");
    return 2;
}

/* ---- revoke ------------------------------------------------------------------------------ */

static int cmd_revoke(admin_t *a, int argc, char **argv)
{
    char fc[INVQR_FISCAL_LEN + 1];
    invqr_binds_t in;
    unsigned long long n = 0;
    invqr_fiscal_rc frc;

    if (argc != 1) {
        fprintf(stderr, "usage: invqr-admin revoke FISCAL_CODE\n");
        return 2;
    }
    frc = invqr_fiscal_parse(fc, argv[0], strlen(argv[0]));
    if (frc != INVQR_FISCAL_OK) {
        fprintf(stderr, "invqr-admin: %s: %s\n", argv[0], invqr_fiscal_reason(frc));
        return 2;
    }
    if (invqr_db_begin(a->db) != APR_SUCCESS)
        return 2;
    invqr_binds_init(&in);
    invqr_bind_cstr_or_null(&in, "admin");
    invqr_bind_str(&in, fc, INVQR_FISCAL_LEN);
    if (invqr_db_exec(a->db, INVQR_SQL_CODE_REVOKE_ACTIVE, &in, NULL, NULL, NULL, &n) != APR_SUCCESS
        || audit(a, "revoke", n > 0 ? "ok" : "none", fc, NULL) != 0
        || invqr_db_commit(a->db) != APR_SUCCESS) {
        invqr_db_rollback(a->db);
        return 2;
    }
    if (n == 0) {
        printf("revoke: %s has no active code\n", fc);
        return 1;
    }
    printf("revoke: the active code of %s is revoked\n", fc);
    return 0;
}

/* ---- audit -------------------------------------------------------------------------------- */

#define AUDIT_DEFAULT_ROWS 50
#define AUDIT_MAX_ROWS 10000

/* One audit row, tab-separated; a tab or line break inside a field (an
 * organisation's name, a detail) is printed as a space so that every row
 * stays one line of exactly 12 fields. */
static int audit_row(void *baton, invqr_binds_t *out)
{
    int i;
    const char *c;

    (void)baton;
    for (i = 0; i < out->n; i++) {
        if (i > 0)
            putchar('\t');
        for (c = out->b[i].buffer; *c != '\0'; c++)
            putchar((unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c);
    }
    putchar('\n');
    return 0;
}

static int audit_usage(void)
{
    fprintf(stderr, "usage: invqr-admin audit [--fiscal-code FC | --code CODE | --operator USERNAME]"
                    " [--limit N]\n"
                    "       invqr-admin audit archive --before YYYY-MM-DD --out FILE\n");
    return 2;
}

/* audit archive --before DAY --out FILE (invqr_admin_archive.c) */
static int cmd_audit_archive(admin_t *a, int argc, char **argv)
{
    const char *before = NULL, *out = NULL;
    int i;

    for (i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--before") == 0 && before == NULL)
            before = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0 && out == NULL)
            out = argv[i + 1];
        else
            return audit_usage();
    }
    if (i != argc || before == NULL || out == NULL || *out == '\0')
        return audit_usage();
    return invqr_admin_audit_archive(a->db, before, out, a->pool);
}

/* The audit log, newest first: of one citizen, one code, one operator, or
 * the latest rows. Reading it is itself recorded first (under the citizen's
 * fiscal code when the read is theirs), so it is the first row shown. Exit
 * 0, 1 no such operator, 2 error. */
static int cmd_audit(admin_t *a, int argc, char **argv)
{
    const char *fc_arg = NULL, *code_arg = NULL, *op_arg = NULL, *detail;
    char fc[INVQR_FISCAL_LEN + 1], code[INVQR_CODE_LEN + 1];
    char at[32], actor[16], user[80], org[801], client[64], acode[24], afc[24], level[8],
        event[40], outcome[40], adetail[1024], adelegate[24];
    long long limit = AUDIT_DEFAULT_ROWS, op_id = 0;
    unsigned long long rows = 0;
    invqr_binds_t in, out;
    invqr_sql_t sql;
    int i, filters;

    if (argc > 0 && strcmp(argv[0], "archive") == 0)
        return cmd_audit_archive(a, argc - 1, argv + 1);
    for (i = 0; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (val == NULL)
            return audit_usage();
        if (strcmp(opt, "--fiscal-code") == 0)
            fc_arg = val;
        else if (strcmp(opt, "--code") == 0)
            code_arg = val;
        else if (strcmp(opt, "--operator") == 0)
            op_arg = val;
        else if (strcmp(opt, "--limit") == 0) {
            char *end = NULL;

            errno = 0;
            limit = strtoll(val, &end, 10);
            if (errno != 0 || end == val || *end != '\0' || limit < 1 || limit > AUDIT_MAX_ROWS) {
                fprintf(stderr, "invqr-admin: --limit is 1 to %d rows\n", AUDIT_MAX_ROWS);
                return 2;
            }
        }
        else
            return audit_usage();
        i++;
    }
    filters = (fc_arg != NULL) + (code_arg != NULL) + (op_arg != NULL);
    if (filters > 1)
        return audit_usage();

    invqr_binds_init(&in);
    if (fc_arg != NULL) {
        invqr_fiscal_rc frc = invqr_fiscal_parse(fc, fc_arg, strlen(fc_arg));

        if (frc != INVQR_FISCAL_OK) {
            fprintf(stderr, "invqr-admin: %s: %s\n", fc_arg, invqr_fiscal_reason(frc));
            return 2;
        }
        invqr_bind_str(&in, fc, INVQR_FISCAL_LEN);
        sql = INVQR_SQL_AUDIT_READ_FISCAL_CODE;
        detail = "fiscal code";
    }
    else if (code_arg != NULL) {
        if (invqr_code_parse(code, code_arg, strlen(code_arg)) != 0) {
            fprintf(stderr, "invqr-admin: %s: not a code (20 letters and digits)\n", code_arg);
            return 2;
        }
        invqr_bind_str(&in, code, INVQR_CODE_LEN);
        sql = INVQR_SQL_AUDIT_READ_CODE;
        detail = apr_pstrcat(a->pool, "code ", code, NULL);
    }
    else if (op_arg != NULL) {
        /* a removed operator's rows are still theirs: found whatever the status */
        invqr_binds_t key, who;
        long long org_id = 0;
        char status[16];

        invqr_binds_init(&key);
        invqr_bind_str(&key, op_arg, strlen(op_arg));
        invqr_binds_init(&who);
        invqr_bind_out_int(&who, &op_id);
        invqr_bind_out_int(&who, &org_id);
        invqr_bind_out_str(&who, status, sizeof(status));
        if (invqr_db_exec(a->db, INVQR_SQL_OPERATOR_FIND, &key, &who, NULL, NULL, &rows)
            != APR_SUCCESS)
            return 2;
        if (rows == 0) {
            fprintf(stderr, "invqr-admin: no operator '%s'\n", op_arg);
            return 1;
        }
        invqr_bind_int(&in, op_id);
        sql = INVQR_SQL_AUDIT_READ_OPERATOR;
        detail = apr_pstrcat(a->pool, "operator ", op_arg, NULL);
    }
    else {
        sql = INVQR_SQL_AUDIT_READ_LATEST;
        detail = "latest";
    }
    invqr_bind_int(&in, limit);
    /* who read whose history is history too: recorded before anything is shown */
    if (audit(a, "audit_read", "ok", fc_arg != NULL ? fc : NULL, detail) != 0)
        return 2;

    invqr_binds_init(&out);
    invqr_bind_out_str(&out, at, sizeof(at));
    invqr_bind_out_str(&out, actor, sizeof(actor));
    invqr_bind_out_str(&out, user, sizeof(user));
    invqr_bind_out_str(&out, org, sizeof(org));
    invqr_bind_out_str(&out, client, sizeof(client));
    invqr_bind_out_str(&out, acode, sizeof(acode));
    invqr_bind_out_str(&out, afc, sizeof(afc));
    invqr_bind_out_str(&out, level, sizeof(level));
    invqr_bind_out_str(&out, event, sizeof(event));
    invqr_bind_out_str(&out, outcome, sizeof(outcome));
    invqr_bind_out_str(&out, adetail, sizeof(adetail));
    invqr_bind_out_str(&out, adelegate, sizeof(adelegate));
    return invqr_db_exec(a->db, sql, &in, &out, audit_row, NULL, NULL) == APR_SUCCESS ? 0 : 2;
}

/* ---- delegations (invqr_admin_delegation.c) -------------------------------------- */

static int cmd_delegation(admin_t *a, int argc, char **argv)
{
    return invqr_admin_delegation(a->db, argc, argv, a->pool);
}

/* ---- main ---------------------------------------------------------------------------------- */

/* Only the import's connection may answer LOAD DATA LOCAL INFILE requests
 * (see invqr_db.h): every other command connects without that capability. */
static const struct {
    const char *name;
    admin_fn *fn;
    invqr_db_role role;
} commands[] = {
    { "migrate", cmd_migrate, INVQR_DB_ADMIN },
    { "import", cmd_import, INVQR_DB_IMPORT },
    { "org", cmd_org, INVQR_DB_ADMIN },
    { "operator", cmd_operator, INVQR_DB_ADMIN },
    { "revoke", cmd_revoke, INVQR_DB_ADMIN },
    { "audit", cmd_audit, INVQR_DB_ADMIN },
    { "delegation", cmd_delegation, INVQR_DB_ADMIN },
};

static void usage(void)
{
    fprintf(stderr,
            "usage: invqr-admin [--config FILE] COMMAND ...\n"
            "  migrate                            apply schema migrations and grants\n"
            "  import [--strict] FILE.csv         load the status archive\n"
            "  org add NAME | org list\n"
            "  org cert add ORG FILE.pem | org cert remove ORG FINGERPRINT | org cert list\n"
            "                                     certificates of signed SOAP requests (ModI)\n"
            "  org ca add ORG CA.pem SUBJECT | org ca remove ORG ID | org ca list\n"
            "                                     a CA and the one certificate subject it pins\n"
            "  org password-tokens ORG on|off     allow password UsernameTokens (legacy)\n"
            "  org purpose add ORG PURPOSE_ID | org purpose remove ORG PURPOSE_ID | org purpose list\n"
            "                                     PDND purposes whose vouchers name the organisation\n"
            "  org voucher ORG required|optional  whether its SOAP calls must carry a PDND voucher\n"
            "  operator add --org ORG USERNAME    password read from standard input\n"
            "  operator lock|unlock|remove|passwd USERNAME | operator list\n"
            "  revoke FISCAL_CODE                 revoke the citizen's active code\n"
            "  audit [--fiscal-code FC | --code CODE | --operator USERNAME] [--limit N]\n"
            "                                     the audit log, newest first (UTC)\n"
            "  delegation add --holder CF --delegate CF --role ROLE [--from DATE] [--until DATE]\n"
            "  delegation remove --holder CF --delegate CF | delegation list [--holder CF | --delegate CF]\n"
            "  delegation import [--strict] FILE.csv  who may act for whom (parent, guardian, curator,\n"
            "                                     support_administrator, delegate)\n"
            "  audit archive --before YYYY-MM-DD --out FILE\n"
            "                                     move older rows into a checksummed file\n"
            "The configuration defaults to $INVQR_CONF, then /etc/invqr/invqr.conf.\n");
}

int main(int argc, char **argv)
{
    admin_t a;
    const char *config = getenv("INVQR_CONF");
    const char *err = NULL;
    size_t i;
    int rc = 2, argi = 1;

    if (config == NULL || *config == '\0')
        config = "/etc/invqr/invqr.conf";
    if (argc > 2 && strcmp(argv[1], "--config") == 0) {
        config = argv[2];
        argi = 3;
    }
    if (argi >= argc || strcmp(argv[argi], "--help") == 0 || strcmp(argv[argi], "-h") == 0) {
        usage();
        return argi >= argc ? 2 : 0;
    }
    apr_initialize();
    memset(&a, 0, sizeof(a));
    apr_pool_create(&a.pool, NULL);
    invqr_log_set(log_stderr, NULL, INVQR_LOG_NOTICE);
    if (invqr_conf_load(&a.conf, &err, config, a.pool) != APR_SUCCESS) {
        fprintf(stderr, "invqr-admin: %s\n", err);
        goto out;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, argv[argi]) == 0)
            break;
    if (i == sizeof(commands) / sizeof(commands[0])) {
        usage();
        goto out;
    }
    if (invqr_db_open(&a.db, a.conf, commands[i].role, a.pool) != APR_SUCCESS) {
        fprintf(stderr, "invqr-admin: the status store is not available\n");
        goto out;
    }
    rc = commands[i].fn(&a, argc - argi - 1, argv + argi + 1);
out:
    apr_pool_destroy(a.pool);
    apr_terminate();
    return rc;
}
