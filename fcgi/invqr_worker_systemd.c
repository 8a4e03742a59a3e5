/* SPDX-License-Identifier: Apache-2.0 */
/* invqr_worker_systemd.c - the supervisor's messages to systemd.
 *
 * invqr-worker.service is Type=notify: systemd considers it started when
 * the supervisor sends READY=1, which it does once the first worker has its
 * threads accepting. A reload (SIGHUP) is bracketed by RELOADING=1 and
 * READY=1, and STATUS= says which worker serves. sd_notify() sends nothing
 * when NOTIFY_SOCKET is unset, so a worker started by hand or by
 * script/server behaves the same.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>

#include "invqr_worker_systemd.h"

#ifdef USE_SYSTEMD
#include <systemd/sd-daemon.h>

static void notify(const char *msg)
{
    /* best effort: systemd's own timeouts catch a message that is lost */
    (void)sd_notify(0, msg);
}
#else
static void notify(const char *msg)
{
    (void)msg;
}
#endif

void invqr_worker_notify_ready(long worker_pid)
{
    char msg[128];

    snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving (worker %ld)", worker_pid);
    notify(msg);
}

void invqr_worker_notify_reloading(void)
{
    notify("RELOADING=1\nSTATUS=reading the configuration again");
}

void invqr_worker_notify_reloaded(long worker_pid, int refused)
{
    char msg[160];

    snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving (worker %ld)%s", worker_pid,
             refused ? "; the last reload was refused, see the worker log" : "");
    notify(msg);
}

void invqr_worker_notify_stopping(void)
{
    notify("STOPPING=1\nSTATUS=finishing the requests in flight");
}
