/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - RFC 4180 CSV reader.
 *
 * Streams records out of a file descriptor or a memory buffer without
 * copying fields that need no unquoting. Quoted fields may hold commas,
 * doubled quotes and line breaks; CRLF and LF line ends are both accepted; a
 * UTF-8 byte order mark at the start is skipped; lines that are completely
 * empty are skipped. Every record carries the physical line number it starts
 * on, so rejects can name it. Bytes are not interpreted: UTF-8 validation is
 * the caller's (see invqr_utf8.h).
 *
 * Malformed records: a quote inside an unquoted field, anything but a comma
 * or a line end after a closing quote, or a CR not followed by LF (outside
 * quotes) makes the record BAD, and it ends at the end of the physical line
 * where the mistake is. A record with more than INVQR_CSV_MAX_FIELDS fields
 * or more than INVQR_CSV_MAX_RECORD bytes (from its first byte to its line
 * end, the line end excluded) is BAD too, and ends where the quoting says.
 */
#ifndef INVQR_CSV_H
#define INVQR_CSV_H

#include <stddef.h>
#include <apr_pools.h>

#define INVQR_CSV_MAX_FIELDS 64
#define INVQR_CSV_MAX_RECORD (64 * 1024)   /* bytes of one record */

typedef struct invqr_csv_t invqr_csv_t;

typedef struct {
    const char *field[INVQR_CSV_MAX_FIELDS]; /* not NUL-terminated */
    size_t len[INVQR_CSV_MAX_FIELDS];
    int nfields;
    unsigned long line;                      /* 1-based line of the record's start */
} invqr_csv_row_t;

typedef enum {
    INVQR_CSV_RECORD = 0, /* row holds a record; fields live until the next call */
    INVQR_CSV_EOF,        /* no more records */
    INVQR_CSV_BAD,        /* this record is malformed: row->line and *preason say
                           * where and why; the reader has skipped it and the
                           * next call goes on with the following record */
    INVQR_CSV_FATAL       /* read error or unterminated quote at end of input:
                           * nothing more can be read */
} invqr_csv_rc;

/**
 * Read from fd (not closed by the reader). Buffers (about 1.1 MiB) are
 * allocated from p. Returns NULL only if p cannot allocate.
 */
invqr_csv_t *invqr_csv_open_fd(int fd, apr_pool_t *p);

/**
 * Read from buf[0..len), which must outlive the reader and is never
 * written to. A side buffer of INVQR_CSV_MAX_RECORD bytes is allocated from
 * p. Returns NULL only if p cannot allocate.
 */
invqr_csv_t *invqr_csv_open_mem(const char *buf, size_t len, apr_pool_t *p);

/**
 * Next record. *preason is set to a static English reason for
 * INVQR_CSV_BAD and INVQR_CSV_FATAL, NULL otherwise. row->nfields is 0
 * unless a record is returned. After INVQR_CSV_EOF or INVQR_CSV_FATAL every
 * further call returns the same. Allocates nothing.
 */
invqr_csv_rc invqr_csv_next(invqr_csv_t *csv, invqr_csv_row_t *row,
                            const char **preason);

/** After INVQR_CSV_FATAL: whether reading the input failed (the rest of it
 * is unknown), rather than its last record being cut short. */
int invqr_csv_read_failed(const invqr_csv_t *csv);

#endif
