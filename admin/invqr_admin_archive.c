/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-admin audit archive - audit-log retention that keeps the log
 * append-only for the application.
 *
 * The application's database user may only add rows to the audit log. The
 * administrator, with the admin user, moves old rows out of the store:
 *   1. the rows before a day (UTC) are written to a new file (mode 0600:
 *      they name citizens), one line a row in LOAD DATA INFILE's default
 *      format (tab-separated, \N for NULL, backslash escapes), in id order,
 *      and the file is flushed to disk;
 *   2. its SHA-256 goes into FILE.sha256, in sha256sum's format;
 *   3. the file is read back from disk: its hash and its line count must be
 *      those written and the store's count;
 *   4. the archival is recorded in the audit log (a row newer than those
 *      archived, so it stays), and only then are the rows removed, in
 *      batches small enough for a Galera write set.
 * A failure before step 4 removes the files and leaves the store as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "invqr_admin_archive.h"
#include "invqr_audit.h"

#define COLUMNS 13             /* audit_log's, in the table's order */
#define FIELD_MAX 1024          /* detail: 255 characters of up to 4 bytes */
#define DELETE_BATCH 5000       /* rows a transaction: well inside a write set */

typedef struct {
    FILE *f;
    EVP_MD_CTX *md;
    unsigned long long rows;
    int failed;
    char col[COLUMNS][FIELD_MAX];
    char line[COLUMNS * (2 * FIELD_MAX + 1) + 1];
} export_t;

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : days[m - 1];
}

/* YYYY-MM-DD, a real day: 0, or -1 */
static int day_ok(const char *s)
{
    int y, m, d, i;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m) ? 0 : -1;
}

/* s escaped as LOAD DATA INFILE reads it back; the length written */
static size_t escape(char *dst, const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;

        if (e != 0) {
            dst[n++] = '\\';
            dst[n++] = e;
        }
        else
            dst[n++] = *s;
    }
    return n;
}

static int export_row(void *baton, invqr_binds_t *out)
{
    export_t *x = baton;
    size_t n = 0;
    int i;

    for (i = 0; i < out->n; i++) {
        if (i > 0)
            x->line[n++] = '\t';
        if (invqr_binds_is_null(out, i)) {
            x->line[n++] = '\\';
            x->line[n++] = 'N';
        }
        else
            n += escape(x->line + n, x->col[i]);
    }
    x->line[n++] = '\n';
    if (fwrite(x->line, 1, n, x->f) != n || EVP_DigestUpdate(x->md, x->line, n) != 1) {
        x->failed = errno != 0 ? errno : EIO;
        return 1;
    }
    x->rows++;
    return 0;
}

static void hex(char *dst, const unsigned char *md, unsigned len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned i;

    for (i = 0; i < len; i++) {
        dst[2 * i] = digits[md[i] >> 4];
        dst[2 * i + 1] = digits[md[i] & 15];
    }
    dst[2 * len] = '\0';
}

/* The SHA-256 (hex) and the line count of the file at path, read from disk. */
static int read_back(const char *path, char *sum, unsigned long long *lines)
{
    unsigned char buf[64 * 1024], md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    FILE *f = fopen(path, "rb");
    size_t n, i;
    int rc = -1;

    *lines = 0;
    if (ctx == NULL || f == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (EVP_DigestUpdate(ctx, buf, n) != 1)
            goto out;
        for (i = 0; i < n; i++)
            *lines += buf[i] == '\n';
    }
    if (ferror(f) || EVP_DigestFinal_ex(ctx, md, &len) != 1)
        goto out;
    hex(sum, md, len);
    rc = 0;
out:
    if (f != NULL)
        fclose(f);
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* A new file (never an existing one), 0600, opened for writing. */
static FILE *create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0)
        return NULL;
    f = fdopen(fd, "wb");
    if (f == NULL)
        close(fd);
    return f;
}

/* Flush f to disk and close it: 0, or -1 with errno. */
static int finish(FILE *f)
{
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    int saved = errno;

    if (fclose(f) != 0 && rc == 0)
        return -1;
    errno = saved;
    return rc;
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "invqr-admin: %s %s: %s; nothing was removed from the audit log\n", what,
            path, strerror(errno));
    return 2;
}

int invqr_admin_audit_archive(invqr_db_t *db, const char *before, const char *out,
                              apr_pool_t *p)
{
    static export_t x;
    const char *cutoff, *sum_path = apr_pstrcat(p, out, ".sha256", NULL), *base;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    char sum[2 * EVP_MAX_MD_SIZE + 1], again[2 * EVP_MAX_MD_SIZE + 1], detail[256];
    long long count = 0, last_id = 0;
    unsigned long long lines = 0, removed = 0, n = 0;
    invqr_binds_t in, res;
    invqr_audit_t a;
    FILE *f;
    int i;

    if (day_ok(before) != 0) {
        fprintf(stderr, "invqr-admin: --before takes a day, YYYY-MM-DD (UTC)\n");
        return 2;
    }
    cutoff = apr_pstrcat(p, before, " 00:00:00", NULL);
    invqr_binds_init(&in);
    invqr_bind_str(&in, cutoff, strlen(cutoff));
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &count);
    invqr_bind_out_int(&res, &last_id);
    if (invqr_db_exec(db, INVQR_SQL_AUDIT_ARCHIVE_SPAN, &in, &res, NULL, NULL, NULL) != APR_SUCCESS)
        return 2;
    if (count == 0) {
        printf("no audit rows before %s: nothing archived\n", before);
        return 0;
    }

    /* 1. the export, hashed as it is written */
    memset(&x, 0, sizeof(x));
    if ((f = create(out)) == NULL)
        return fail("cannot create", out);
    x.f = f;
    x.md = EVP_MD_CTX_new();
    if (x.md == NULL || EVP_DigestInit_ex(x.md, EVP_sha256(), NULL) != 1) {
        fclose(f);
        unlink(out);
        EVP_MD_CTX_free(x.md);
        fprintf(stderr, "invqr-admin: no SHA-256; nothing was removed from the audit log\n");
        return 2;
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, last_id);
    invqr_bind_str(&in, cutoff, strlen(cutoff));
    invqr_binds_init(&res);
    for (i = 0; i < COLUMNS; i++)
        invqr_bind_out_str(&res, x.col[i], sizeof(x.col[i]));
    errno = 0;
    if (invqr_db_exec(db, INVQR_SQL_AUDIT_ARCHIVE_READ, &in, &res, export_row, &x, NULL)
            != APR_SUCCESS || x.failed) {
        fclose(f);
        unlink(out);
        EVP_MD_CTX_free(x.md);
        errno = x.failed;
        if (x.failed)
            return fail("cannot write", out);
        fprintf(stderr, "invqr-admin: the audit log could not be read; nothing was removed\n");
        return 2;
    }
    i = EVP_DigestFinal_ex(x.md, md, &len);
    EVP_MD_CTX_free(x.md);
    if (finish(f) != 0) {
        int saved = errno;

        unlink(out);
        errno = saved;
        return fail("cannot write", out);
    }
    if (i != 1 || x.rows != (unsigned long long)count) {
        unlink(out);
        fprintf(stderr, "invqr-admin: %llu rows exported where the store counted %lld;"
                        " nothing was removed from the audit log\n", x.rows, count);
        return 2;
    }
    hex(sum, md, len);

    /* 2. the checksum beside it, as sha256sum -c reads it */
    base = strrchr(out, '/') != NULL ? strrchr(out, '/') + 1 : out;
    if ((f = create(sum_path)) == NULL) {
        int saved = errno;

        unlink(out);
        errno = saved;
        return fail("cannot create", sum_path);
    }
    if (fprintf(f, "%s  %s\n", sum, base) < 0 || finish(f) != 0) {
        int saved = errno;

        unlink(sum_path);
        unlink(out);
        errno = saved;
        return fail("cannot write", sum_path);
    }

    /* 3. what is on disk is what was written */
    if (read_back(out, again, &lines) != 0 || strcmp(again, sum) != 0
            || lines != (unsigned long long)count) {
        unlink(sum_path);
        unlink(out);
        fprintf(stderr, "invqr-admin: %s does not read back as written;"
                        " nothing was removed from the audit log\n", out);
        return 2;
    }

    /* 4. recorded, then removed */
    memset(&a, 0, sizeof(a));
    a.actor = "admin";
    a.event = "audit_archive";
    a.outcome = "ok";
    snprintf(detail, sizeof(detail), "%lld rows before %s, sha256 %s", count, before, sum);
    a.detail = detail;
    if (invqr_audit_write(db, &a) != APR_SUCCESS) {
        fprintf(stderr, "invqr-admin: the audit log refused the record of the archival;"
                        " nothing was removed from it (%s is complete)\n", out);
        return 2;
    }
    do {
        invqr_binds_init(&in);
        invqr_bind_int(&in, last_id);
        invqr_bind_str(&in, cutoff, strlen(cutoff));
        invqr_bind_int(&in, DELETE_BATCH);
        if (invqr_db_exec(db, INVQR_SQL_AUDIT_ARCHIVE_DELETE, &in, NULL, NULL, NULL, &n)
                != APR_SUCCESS) {
            fprintf(stderr, "invqr-admin: %llu of %lld archived rows removed, then the store"
                            " failed; %s holds them all, run the archive again for the rest\n",
                    removed, count, out);
            return 2;
        }
        removed += n;
    } while (n > 0);
    printf("archived %lld audit rows before %s into %s (sha256 %s, in %s); removed %llu\n",
           count, before, out, sum, sum_path, removed);
    return removed == (unsigned long long)count ? 0 : 2;
}
