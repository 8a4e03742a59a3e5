/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - SMTP submission (libcurl) or the local sendmail; see the header. */
#define _GNU_SOURCE 1     /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include <apr_strings.h>

#include "invqr_curl.h"
#include "invqr_mail_send.h"

#define SPEC_MAX 1024

extern char **environ;

typedef enum { T_SMTP, T_SENDMAIL } kind_t;

struct invqr_mail_transport_t {
    kind_t kind;
    const char *url;        /* smtp(s)://host:port */
    const char *path;       /* sendmail's */
    const char *ca_file;    /* NULL: the system store */
    const char *user;       /* SMTP AUTH, or NULL */
    const char *password;
};

apr_status_t invqr_mail_transport_parse(invqr_mail_transport_t **pt, const char **perr,
                                        const char *spec, const char *ca_file, apr_pool_t *p)
{
    invqr_mail_transport_t *t;
    const char *host;
    size_t i;

    *pt = NULL;
    *perr = NULL;
    if (spec == NULL || strlen(spec) > SPEC_MAX) {
        *perr = "missing or too long";
        return APR_EINVAL;
    }
    for (i = 0; spec[i] != '\0'; i++)
        if ((unsigned char)spec[i] <= ' ' || (unsigned char)spec[i] >= 0x7f) {
            *perr = "spaces or control characters";
            return APR_EINVAL;
        }
    if (ca_file != NULL && ca_file[0] != '/') {
        *perr = "mail_ca_file must be an absolute path";
        return APR_EINVAL;
    }
    t = apr_pcalloc(p, sizeof(*t));
    t->ca_file = ca_file != NULL ? apr_pstrdup(p, ca_file) : NULL;
    if (strncmp(spec, "sendmail:", 9) == 0) {
        if (spec[9] != '/') {
            *perr = "sendmail: needs the program's absolute path (sendmail:/usr/sbin/sendmail)";
            return APR_EINVAL;
        }
        t->kind = T_SENDMAIL;
        t->path = apr_pstrdup(p, spec + 9);
    }
    else if (strncmp(spec, "smtp://", 7) == 0 || strncmp(spec, "smtps://", 8) == 0) {
        host = strstr(spec, "://") + 3;
        if (host[0] == '\0' || host[0] == '/' || strchr(host, '@') != NULL
            || strchr(host, '?') != NULL || strchr(host, '#') != NULL) {
            *perr = "smtp(s):// needs a host, and no user, query or fragment";
            return APR_EINVAL;
        }
        t->kind = T_SMTP;
        t->url = apr_pstrdup(p, spec);
    }
    else {
        *perr = "must start with smtp://, smtps:// or sendmail:/";
        return APR_EINVAL;
    }
    *pt = t;
    return APR_SUCCESS;
}

/* Whether s is 1 to max bytes without a control character (a user name or
 * password travels inside SMTP AUTH's base64, but a line break in one is
 * a configuration mistake, never a secret). */
static int credential_ok(const char *s, size_t max)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return 0;
    for (i = 0; s[i] != '\0'; i++)
        if (i >= max || (unsigned char)s[i] < ' ' || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

apr_status_t invqr_mail_transport_login(invqr_mail_transport_t *t, const char **perr,
                                        const char *user, const char *password, apr_pool_t *p)
{
    *perr = NULL;
    if (t == NULL || t->kind != T_SMTP) {
        *perr = "mail_user and mail_password are for an smtp:// or smtps:// transport";
        return APR_EINVAL;
    }
    if (!credential_ok(user, INVQR_MAIL_USER_MAX)) {
        *perr = "mail_user must be 1 to 254 bytes without control characters";
        return APR_EINVAL;
    }
    if (!credential_ok(password, INVQR_MAIL_PASSWORD_MAX)) {
        *perr = "mail_password must be 1 to 256 bytes without control characters";
        return APR_EINVAL;
    }
    t->user = apr_pstrdup(p, user);
    t->password = apr_pstrdup(p, password);
    return APR_SUCCESS;
}

/* ---- SMTP ------------------------------------------------------------------ */

typedef struct {
    const char *data;
    size_t left;
} upload_t;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *baton)
{
    upload_t *u = baton;
    size_t n = size * nitems;

    if (n > u->left)
        n = u->left;
    memcpy(buf, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

static apr_status_t smtp_send(const invqr_mail_transport_t *t, const char *from, const char *to,
                              const char *msg, apr_size_t len, const char **preason,
                              apr_pool_t *p)
{
    struct curl_slist *rcpt = NULL;
    CURL *h = NULL;
    CURLcode cc = CURLE_OK;
    long code = 0;
    upload_t up = { msg, len };
    apr_status_t rv = APR_EGENERAL;

    h = curl_easy_init();
    rcpt = curl_slist_append(NULL, apr_pstrcat(p, "<", to, ">", NULL));
    if (h == NULL || rcpt == NULL) {
        *preason = "cannot start an SMTP session (out of memory?)";
        goto cleanup;
    }
    cc = invqr_curl_setup(h, t->url, INVQR_CURL_SMTP, t->ca_file, (long)INVQR_MAIL_CONNECT_MS,
                          (long)INVQR_MAIL_TOTAL_MS);
    if (cc == CURLE_OK)   /* STARTTLS or smtps, never the message (or a password) in clear */
        cc = curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cc == CURLE_OK && t->user != NULL)
        cc = curl_easy_setopt(h, CURLOPT_USERNAME, t->user);
    if (cc == CURLE_OK && t->user != NULL)
        cc = curl_easy_setopt(h, CURLOPT_PASSWORD, t->password);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_MAIL_FROM, apr_pstrcat(p, "<", from, ">", NULL));
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_READDATA, &up);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    if (cc != CURLE_OK) {
        *preason = apr_pstrcat(p, "cannot set up SMTP: ", curl_easy_strerror(cc), NULL);
        goto cleanup;
    }
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (cc != CURLE_OK) {
        *preason = apr_psprintf(p, "SMTP submission failed: %s (last reply %ld)",
                                curl_easy_strerror(cc), code);
        goto cleanup;
    }
    rv = APR_SUCCESS;
cleanup:
    curl_slist_free_all(rcpt);
    if (h != NULL)
        curl_easy_cleanup(h);
    return rv;
}

/* ---- sendmail --------------------------------------------------------------- */

/* sendmail reads lines in the local convention: CRLF becomes LF. */
static int write_lf(int fd, const char *msg, apr_size_t len)
{
    apr_size_t i = 0, start = 0;
    ssize_t n;

    while (i <= len) {
        if (i == len || (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')) {
            const char *s = msg + start;
            apr_size_t left = i - start;

            while (left > 0) {
                n = write(fd, s, left);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    return -1;
                s += n;
                left -= (apr_size_t)n;
            }
            if (i == len)
                break;
            i++;            /* drop the CR, keep the LF */
            start = i;
        }
        i++;
    }
    return 0;
}

static apr_status_t sendmail_send(const invqr_mail_transport_t *t, const char *from,
                                  const char *to, const char *msg, apr_size_t len,
                                  const char **preason, apr_pool_t *p)
{
    int fds[2] = { -1, -1 }, status = 0, devnull = -1, wrote;
    posix_spawn_file_actions_t fa;
    char *argv[7];
    pid_t pid = -1;
    int err;

    if (pipe2(fds, O_CLOEXEC) != 0) {
        *preason = apr_psprintf(p, "cannot make a pipe for sendmail: %s", strerror(errno));
        return APR_EGENERAL;
    }
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    argv[0] = (char *)t->path;
    argv[1] = "-i";
    argv[2] = "-f";
    argv[3] = (char *)from;
    argv[4] = "--";
    argv[5] = (char *)to;
    argv[6] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    if (devnull >= 0)
        posix_spawn_file_actions_adddup2(&fa, devnull, 1);
    err = posix_spawn(&pid, t->path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (devnull >= 0)
        close(devnull);
    if (err != 0) {
        close(fds[1]);
        *preason = apr_psprintf(p, "cannot run %s: %s", t->path, strerror(err));
        return APR_EGENERAL;
    }
    wrote = write_lf(fds[1], msg, len);
    close(fds[1]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            *preason = apr_psprintf(p, "cannot wait for %s: %s", t->path, strerror(errno));
            return APR_EGENERAL;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && wrote == 0)
        return APR_SUCCESS;
    if (WIFEXITED(status))
        *preason = apr_psprintf(p, "%s exited with status %d%s", t->path, WEXITSTATUS(status),
                                wrote != 0 ? " before reading the message" : "");
    else
        *preason = apr_psprintf(p, "%s ended by signal %d", t->path,
                                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return APR_EGENERAL;
}

apr_status_t invqr_mail_send(const invqr_mail_transport_t *t, const char *from, const char *to,
                             const char *msg, apr_size_t len, const char **preason,
                             apr_pool_t *p)
{
    *preason = NULL;
    if (t->kind == T_SENDMAIL)
        return sendmail_send(t, from, to, msg, len, preason, p);
    return smtp_send(t, from, to, msg, len, preason, p);
}
