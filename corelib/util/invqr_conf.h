/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the shared configuration file (invqr.conf).
 *
 * The module, the workers and invqr-admin read the same file: `key = value`
 * lines, `#` comments. Every key is one row of a table with its type,
 * bounds and default, so an unknown key, a value out of bounds or a missing
 * required key is refused with the file name and line.
 */
#ifndef INVQR_CONF_H
#define INVQR_CONF_H

#include <apr_pools.h>

#define INVQR_SECRET_LEN 32   /* bytes; written in the file as 64 hex digits */
/* issuer_name when the file has none (conf/invqr.conf.example shows it) */
#define INVQR_CONF_ISSUER_DEFAULT "Pubblica amministrazione"

typedef struct {
    const char *db_socket;        /* unix socket of MariaDB, or NULL for TCP */
    const char *db_host;          /* default 127.0.0.1 when no socket */
    int db_port;                  /* default 3306 */
    const char *db_name;          /* default "invqr" */
    const char *db_user;          /* the application's narrow user */
    const char *db_password;
    const char *admin_db_user;    /* invqr-admin: migrations, import, admin */
    const char *admin_db_password;
    unsigned char secret[INVQR_SECRET_LEN]; /* HMAC key: CSRF tokens, worker gate */
    const char *public_base_url;  /* what the QR encodes before /V/<CODE> */
    const char *migrations_dir;   /* numbered *.sql files */
    const char *worker_log;       /* worker log file, NULL = stderr */
    int worker_threads;           /* 1..256, default 8 */
    int worker_socket_mode;       /* of the worker's unix socket, default 0660 */
    const char *worker_socket_owner; /* user and group that own the socket (names), */
    const char *worker_socket_group; /* NULL: whoever runs the worker */
    int worker_io_timeout_seconds; /* a connection that sends or takes nothing this
                                    * long is dropped, default 10 */
    int session_idle_seconds;     /* default 900 */
    int session_max_seconds;      /* default 28800 */
    int verify_max_failures;      /* wrong fiscal codes per code and window, default 5 */
    int verify_window_seconds;    /* default 900 */
    int client_max_failures;      /* failed verifications per client and window, default 30 */
    int client_window_seconds;    /* default 600 */
    int otp_validity_seconds;     /* second-level consent code, default 300 */
    int code_max_age_days;        /* a code is valid through its issue day + this
                                   * many days; 0 (default): no expiry of its own */
    const char *benefits_file;    /* the /benefits list, editable by the deployment */
    const char *fonts_dir;        /* fonts for the PDF */
    const char *soap_signing_key; /* PEM private key signing SOAP answers to signed requests */
    const char *soap_signing_cert;/* its PEM certificate, sent in the answers */
    const char *pdnd_jwks_file;   /* PDND's published keys (JWKS), or NULL: no vouchers */
    const char *pdnd_audience;    /* this e-service's audience in PDND (aud) */
    const char *pdnd_issuer;      /* the vouchers' iss, default interop.pagopa.it */
    int pdnd_voucher_single_use;  /* 0/1: a voucher's jti is accepted once (default 0) */
    const char *pdf_copies_dir;    /* attestation copies the module serves, or NULL */
    const char *issuer_name;      /* the administration named on the PDF */
    const char *metrics_dir;      /* counters files for GET BASE/metrics, or NULL: none */
    int test_faults;              /* 0/1: enables /_test/ fault routes (tests only) */
    const char *sms_gateway;      /* spool:DIR or http(s)://URL */
    /* The deploying administration's identity (its name is issuer_name),
     * shown in every page's header and footer; each URL is https://, http://
     * or a path on this site ("/..."), NULL when not configured. */
    const char *agency_logo;      /* an .svg or .png file the module serves
                                   * as /static/agency-logo.svg|png */
    const char *agency_site_url;  /* the administration's own site */
    const char *agency_privacy_url;       /* default: this service's /privacy */
    const char *agency_accessibility_url; /* accessibility statement (AgID form) */
    const char *agency_legal_url;         /* legal notes */
    const char *agency_contacts_url;      /* contacts, URP */
    const char *agency_help_url;          /* default: this service's /help */
    const char *privacy_controller;       /* data controller on /privacy (default issuer_name) */
    const char *privacy_dpo;              /* how to reach the DPO on /privacy */
    const char *operator_help_contact; /* who gives operators credentials and resets
                                   * passwords (shown on the sign-in page), or NULL */
    const char *mail_transport;   /* smtp(s)://HOST[:PORT] or sendmail:/PATH, or NULL: no e-mail */
    const char *mail_from;        /* the sender of the attestation e-mails */
    const char *mail_ca_file;     /* PEM CAs for the SMTP server's certificate, NULL: system */
    const char *mail_user;        /* SMTP AUTH user name, NULL: no sign-in */
    const char *mail_password;    /* its password (a secret: never logged) */
    int mail_per_day;             /* e-mails a holder may have sent per day, default 3 */
    const char *path;             /* the file this came from */
} invqr_conf_t;

/**
 * Read and validate path. On success *pconf is allocated from p. On failure
 * returns APR_EINVAL (or the I/O error) and *perr is a message allocated from
 * p naming the file, the line and the problem.
 */
apr_status_t invqr_conf_load(invqr_conf_t **pconf, const char **perr,
                             const char *path, apr_pool_t *p);

/** Parse the same syntax from memory (tests); name is used in messages. */
apr_status_t invqr_conf_parse(invqr_conf_t **pconf, const char **perr,
                              const char *text, apr_size_t len,
                              const char *name, apr_pool_t *p);

#endif
