/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - hands a built message (invqr_mail_msg.h) to a real MTA.
 *
 * One configuration string chooses how (mail_transport in invqr.conf):
 *   smtp://HOST[:PORT]     SMTP submission with libcurl, STARTTLS required
 *                          and the server's certificate verified, signed
 *                          in when invqr_mail_transport_login() says so
 *   smtps://HOST[:PORT]    the same over implicit TLS (port 465)
 *   sendmail:/ABS/PATH     the local sendmail interface (postfix's, exim's):
 *                          PATH -i -f FROM -- TO, the message on its input
 * The message counts as sent only when the MTA took it: the SMTP server
 * answered 250 to the end of DATA, or sendmail exited with status 0.
 * Nothing here logs; a failure comes back with a short reason that never
 * holds the addresses or the message.
 */
#ifndef INVQR_MAIL_SEND_H
#define INVQR_MAIL_SEND_H

#include <apr_errno.h>
#include <apr_pools.h>

/** Timeouts of an SMTP transport, in milliseconds. */
#define INVQR_MAIL_CONNECT_MS 5000
#define INVQR_MAIL_TOTAL_MS   30000

typedef struct invqr_mail_transport_t invqr_mail_transport_t;

/**
 * Parse spec (above). ca_file (may be NULL: the system's store) is the PEM
 * bundle an SMTP server's certificate must chain to; it must be an absolute
 * path. On failure *perr says why (from p). The transport lives in p.
 */
apr_status_t invqr_mail_transport_parse(invqr_mail_transport_t **pt, const char **perr,
                                        const char *spec, const char *ca_file, apr_pool_t *p);

/** The longest SMTP user name and password taken (bytes). */
#define INVQR_MAIL_USER_MAX     254
#define INVQR_MAIL_PASSWORD_MAX 256

/**
 * Sign in to SMTP transport t as user with password (SMTP AUTH, the
 * strongest mechanism both sides offer), for a relay that takes mail only
 * from those who sign in. Only ever over TLS: t requires STARTTLS or uses
 * smtps. Both are copied into p; neither may hold a control character.
 * APR_EINVAL with *perr (which never holds the password) for a sendmail
 * transport or a refused value.
 */
apr_status_t invqr_mail_transport_login(invqr_mail_transport_t *t, const char **perr,
                                        const char *user, const char *password, apr_pool_t *p);

/**
 * Send msg[0..len) from from to to (both already parsed addresses). The
 * program must call curl_global_init(CURL_GLOBAL_DEFAULT) once at start-up
 * (the workers do) and ignore SIGPIPE. APR_SUCCESS only when the MTA
 * accepted the message; otherwise APR_EGENERAL and *preason (from p).
 * Thread-safe: every call has its own handle or process.
 */
apr_status_t invqr_mail_send(const invqr_mail_transport_t *t, const char *from, const char *to,
                             const char *msg, apr_size_t len, const char **preason,
                             apr_pool_t *p);

#endif
