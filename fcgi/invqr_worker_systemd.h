/* SPDX-License-Identifier: Apache-2.0 */
/* invqr_worker_systemd.h - what the worker's supervisor tells systemd
 * (sd_notify). Without libsystemd (configure found none) these do nothing;
 * outside systemd (no NOTIFY_SOCKET) libsystemd does nothing either. */
#ifndef INVQR_WORKER_SYSTEMD_H
#define INVQR_WORKER_SYSTEMD_H

/* The first worker accepts requests (Type=notify: the unit is started). */
void invqr_worker_notify_ready(long worker_pid);
/* A SIGHUP: the configuration is being read again. */
void invqr_worker_notify_reloading(void);
/* The reload is over, with a new worker or (refused) the old one. */
void invqr_worker_notify_reloaded(long worker_pid, int refused);
/* SIGTERM: the workers finish their requests and stop. */
void invqr_worker_notify_stopping(void);

#endif
