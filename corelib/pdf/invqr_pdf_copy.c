/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - copies of attestation PDFs on disk, served by the module.
 *
 * Files are made 0644 in a directory the deployment makes traversable but
 * not listable by httpd's user (0711, or group-owned 0750): their names are
 * 128 bits of an HMAC under the secret, so being able to read them by name
 * gives nothing to anyone who cannot derive the name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "invqr_crypto.h"
#include "invqr_log.h"
#include "invqr_pdf_copy.h"

/* Whether s[0..n) are all lower-case hex digits. */
static int is_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Whether s[0..10) is YYYY-MM-DD (digits and dashes; the store made it). */
static int date_shape_ok(const char *s)
{
    int i;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    }
    return 1;
}

static int code_group_ok(const char *s)
{
    int i;

    for (i = 0; i < 5; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    }
    return 1;
}

const char *invqr_pdf_file_name(const char *issued, const char *code, apr_pool_t *p)
{
    if (issued == NULL || code == NULL || strnlen(issued, 11) != 10 || strnlen(code, 5) < 5
        || !date_shape_ok(issued) || !code_group_ok(code))
        return NULL;
    return apr_psprintf(p, INVQR_PDF_FILE_PREFIX "%s-%.5s.pdf", issued, code);
}

const char *invqr_pdf_copy_segment(const char *tag, const char *issued, const char *code,
                                   apr_pool_t *p)
{
    if (invqr_pdf_file_name(issued, code, p) == NULL)
        return NULL;
    return apr_psprintf(p, "%s-%s-%.5s.pdf", tag, issued, code);
}

int invqr_pdf_copy_segment_split(const char *seg, char tag[INVQR_PDF_TAG_LEN + 1],
                                 char issued[11], char group[6])
{
    const size_t len = INVQR_PDF_TAG_LEN + 1 + 10 + 1 + 5 + 4;

    if (seg == NULL || strnlen(seg, len + 1) != len || seg[INVQR_PDF_TAG_LEN] != '-'
        || seg[INVQR_PDF_TAG_LEN + 11] != '-' || strcmp(seg + len - 4, ".pdf") != 0)
        return 0;
    memcpy(tag, seg, INVQR_PDF_TAG_LEN);
    tag[INVQR_PDF_TAG_LEN] = '\0';
    memcpy(issued, seg + INVQR_PDF_TAG_LEN + 1, 10);
    issued[10] = '\0';
    memcpy(group, seg + INVQR_PDF_TAG_LEN + 12, 5);
    group[5] = '\0';
    return invqr_pdf_tag_valid(tag) && date_shape_ok(issued) && code_group_ok(group);
}

void invqr_pdf_tag(char out[INVQR_PDF_TAG_LEN + 1], const char *key)
{
    unsigned char d[INVQR_SHA256_LEN];

    invqr_sha256(d, key, strlen(key));
    invqr_hex(out, d, INVQR_PDF_TAG_LEN / 2);
}

int invqr_pdf_tag_valid(const char *s)
{
    return strlen(s) == INVQR_PDF_TAG_LEN && is_hex(s, INVQR_PDF_TAG_LEN);
}

const char *invqr_pdf_copy_path(const invqr_conf_t *conf, const char *fiscal_code,
                                const char *tag, apr_pool_t *p)
{
    unsigned char mac[INVQR_SHA256_LEN];
    char name[INVQR_PDF_TAG_LEN + 1];

    if (conf->pdf_copies_dir == NULL)
        return NULL;
    invqr_hmac(mac, conf->secret, INVQR_SECRET_LEN,
               apr_pstrcat(p, "invqr-pdf-copy-2|", fiscal_code, NULL), tag);
    invqr_hex(name, mac, INVQR_PDF_TAG_LEN / 2);
    return apr_pstrcat(p, conf->pdf_copies_dir, "/", name, ".pdf", NULL);
}

/* Write all of buf; 0 or the errno. */
static int write_all(int fd, const char *buf, apr_size_t len)
{
    apr_size_t done = 0;
    ssize_t n;

    while (done < len) {
        n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        done += (apr_size_t)n;
    }
    return 0;
}

apr_status_t invqr_pdf_copy_store(const char *path, const char *code, const char *pdf,
                                  apr_size_t len, int *pmade)
{
    char tmp[4200], suffix[17];
    unsigned char r[8];
    int fd, err = 0;

    *pmade = 0;
    if (access(path, F_OK) == 0)
        return APR_SUCCESS;
    /* a name of its own for each writer: two threads may make the same copy */
    if (invqr_random(r, sizeof(r)) != 0)
        return APR_EGENERAL;
    invqr_hex(suffix, r, sizeof(r));
    if (snprintf(tmp, sizeof(tmp), "%s.%s.tmp", path, suffix) >= (int)sizeof(tmp))
        return APR_ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        err = errno;
        invqr_log(INVQR_LOG_ERR, "INVQR0095: cannot write a PDF copy in the cache directory: %s",
                  strerror(err));
        return APR_FROM_OS_ERROR(err);
    }
    fchmod(fd, 0644);   /* whatever the umask */
    /* the code first: the module asks the store about it before sending */
    err = strlen(code) == INVQR_CODE_LEN ? write_all(fd, code, INVQR_CODE_LEN) : EINVAL;
    if (err == 0)
        err = write_all(fd, pdf, len);
    /* on disk before it has its name: after a crash the name holds the
     * whole PDF or nothing, never an empty file */
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err != 0) {
        unlink(tmp);
        invqr_log(INVQR_LOG_ERR, "INVQR0096: cannot write a PDF copy in the cache directory: %s",
                  strerror(err));
        return APR_FROM_OS_ERROR(err);
    }
    *pmade = 1;
    return APR_SUCCESS;
}

/* Whether name is one of ours: a copy (32 hex digits, ".pdf") or what an
 * interrupted write left (the copy's name, 16 hex digits, ".tmp"). Nothing
 * else in the directory is touched, whatever it is called. */
static int ours(const char *name)
{
    size_t n = strlen(name);

    if (n != INVQR_PDF_TAG_LEN + 4 && n != INVQR_PDF_TAG_LEN + 4 + 1 + 16 + 4)
        return 0;
    if (!is_hex(name, INVQR_PDF_TAG_LEN) || strncmp(name + INVQR_PDF_TAG_LEN, ".pdf", 4) != 0)
        return 0;
    return n == INVQR_PDF_TAG_LEN + 4
           || (name[INVQR_PDF_TAG_LEN + 4] == '.' && is_hex(name + INVQR_PDF_TAG_LEN + 5, 16)
               && strcmp(name + n - 4, ".tmp") == 0);
}

long invqr_pdf_copy_sweep(const char *dir, time_t cutoff)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    long gone = 0;
    int dfd;

    if (d == NULL) {
        invqr_log(INVQR_LOG_WARN, "INVQR0097: cannot read the PDF cache directory: %s",
                  strerror(errno));
        return -1;
    }
    dfd = dirfd(d);
    while ((e = readdir(d)) != NULL) {
        if (!ours(e->d_name))
            continue;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (st.st_mtime < cutoff && unlinkat(dfd, e->d_name, 0) == 0)
            gone++;
    }
    closedir(d);
    return gone;
}
