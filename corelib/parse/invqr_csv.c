/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - RFC 4180 CSV reader.
 *
 * One record per call, scanned by a small state machine over a buffer that
 * is either the caller's memory or a 1 MiB window refilled from a file
 * descriptor. Unquoted fields, and quoted fields without a doubled quote,
 * are returned as pointers into that buffer; only quoted fields holding ""
 * are copied (unquoted) into a side buffer of INVQR_CSV_MAX_RECORD bytes.
 * Unquoted runs are skipped with a byte-class table, quoted runs with
 * memchr. When the window runs dry in the middle of a record, the record is
 * moved to the front and more is read behind it; offsets, not pointers, are
 * kept while scanning so nothing dangles across a refill. A record that
 * grows past INVQR_CSV_MAX_RECORD bytes stops being kept and is scanned to
 * its end (quoting still respected) so the reader can go on after it. A
 * syntax error (a quote inside an unquoted field, anything but a comma or a
 * line end after a closing quote, a CR without LF) ends the record at the
 * end of the physical line it occurs on.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "invqr_csv.h"

/* Bytes asked from read(2) at a time; the window also holds one partial
 * record of at most INVQR_CSV_MAX_RECORD (+1 for a pending CR) bytes. */
#define CSV_CHUNK (1024 * 1024)
#define CSV_CAP   (CSV_CHUNK + INVQR_CSV_MAX_RECORD + 16)

static const char R_QUOTE[]    = "quote inside an unquoted field";
static const char R_GARBAGE[]  = "unexpected character after a closing quote";
static const char R_CR[]       = "carriage return not followed by a line feed";
static const char R_FIELDS[]   = "too many fields";
static const char R_LONG[]     = "record too long";
static const char R_UNTERM[]   = "unterminated quoted field at end of input";
static const char R_READ[]     = "read error";

struct invqr_csv_t {
    int fd;                 /* -1 when reading from memory */
    const char *data;       /* the bytes: buf, or the caller's memory */
    char *buf;              /* fd mode: CSV_CAP bytes; NULL for memory */
    size_t pos;             /* next byte to scan */
    size_t end;             /* bytes held in data */
    int eof;                /* the source has nothing more */
    int started;            /* the byte order mark has been looked for */
    const char *fatal;      /* once set, every call fails with it */
    unsigned long fatal_line; /* and names this line */
    unsigned long line;     /* physical line of data[pos], 1-based */
    char *side;             /* INVQR_CSV_MAX_RECORD bytes for unquoted copies */
};

/* Bytes that end an unquoted run. */
static const unsigned char SPECIAL[256] = {
    ['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1
};

enum {
    ST_FIELD,       /* at the first byte of a field */
    ST_UNQUOTED,    /* inside an unquoted field */
    ST_QUOTED,      /* inside a quoted field */
    ST_QUOTE,       /* just past a quote inside a quoted field */
    ST_CR,          /* just past a CR that ended a field */
    ST_SKIP         /* record is bad: skipping to the end of the line */
};

invqr_csv_t *invqr_csv_open_fd(int fd, apr_pool_t *p)
{
    invqr_csv_t *csv = apr_pcalloc(p, sizeof(*csv));

    if (csv != NULL) {
        csv->buf = apr_palloc(p, CSV_CAP);
        csv->side = apr_palloc(p, INVQR_CSV_MAX_RECORD);
        if (csv->buf == NULL || csv->side == NULL) {
            csv = NULL;
            goto out;
        }
        csv->fd = fd;
        csv->data = csv->buf;
        csv->line = 1;
    }
out:
    return csv;
}

invqr_csv_t *invqr_csv_open_mem(const char *buf, size_t len, apr_pool_t *p)
{
    invqr_csv_t *csv = apr_pcalloc(p, sizeof(*csv));

    if (csv != NULL) {
        csv->side = apr_palloc(p, INVQR_CSV_MAX_RECORD);
        if (csv->side == NULL) {
            csv = NULL;
            goto out;
        }
        csv->fd = -1;
        csv->data = buf != NULL ? buf : "";
        csv->end = buf != NULL ? len : 0;
        csv->eof = 1;
        csv->line = 1;
    }
out:
    return csv;
}

/*
 * Read more behind the held bytes. When less than half a chunk of room is
 * left, the bytes before keep are dropped first and the rest moved to the
 * front; *pshift is how far they moved (0 if they did not). Returns 1 when
 * bytes were added, 0 at end of input, -1 on a read error. Called only when
 * every held byte has been scanned (pos == end), and keep is then within one
 * record (at most INVQR_CSV_MAX_RECORD + 1 bytes) of pos, so after a move
 * there is at least CSV_CHUNK bytes of room. Moving only when room runs low
 * keeps a source that trickles a few bytes per read(2) from costing a copy
 * of the pending record every time.
 */
static int csv_fill(invqr_csv_t *csv, size_t keep, size_t *pshift)
{
    ssize_t n;

    *pshift = 0;
    if (csv->eof) {
        return 0;
    }
    if (keep > 0 && CSV_CAP - csv->end < CSV_CHUNK / 2) {
        memmove(csv->buf, csv->buf + keep, csv->end - keep);
        csv->end -= keep;
        csv->pos -= keep;
        *pshift = keep;
    }
    do {
        n = read(csv->fd, csv->buf + csv->end, CSV_CAP - csv->end);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        csv->eof = 1;
        return 0;
    }
    csv->end += (size_t)n;
    return 1;
}

/* Count line feeds in s[0..n). */
static unsigned long count_lf(const char *s, size_t n)
{
    unsigned long lines = 0;
    const char *e = s + n;
    const char *q;

    while (s < e) {
        q = memchr(s, '\n', (size_t)(e - s));
        if (q == NULL) {
            break;
        }
        lines++;
        s = q + 1;
    }
    return lines;
}

/* Look for a UTF-8 byte order mark at the very start of the input. */
static int csv_skip_bom(invqr_csv_t *csv)
{
    size_t shift;
    int r;

    while (csv->end - csv->pos < 3 && !csv->eof) {
        r = csv_fill(csv, 0, &shift);
        if (r < 0) {
            return -1;
        }
    }
    if (csv->end - csv->pos >= 3 &&
        memcmp(csv->data + csv->pos, "\xEF\xBB\xBF", 3) == 0) {
        csv->pos += 3;
    }
    csv->started = 1;
    return 0;
}

invqr_csv_rc invqr_csv_next(invqr_csv_t *csv, invqr_csv_row_t *row,
                            const char **preason)
{
    size_t off[INVQR_CSV_MAX_FIELDS];          /* from rec, or into side */
    unsigned char in_side[INVQR_CSV_MAX_FIELDS];
    const char *b;
    const char *q;
    const char *bad;        /* why the current record is bad, once known */
    size_t pos, end, rec, fstart = 0, seg = 0, cend = 0, side_len, side_start = 0;
    size_t flen, keep, shift, used;
    unsigned long line, rec_line;
    int state, nf, quoted_side = 0, r, i;
    unsigned char c;
    invqr_csv_rc rc;

    *preason = NULL;
    row->nfields = 0;
    row->line = csv->line;
    if (!csv->started && csv->fatal == NULL && csv_skip_bom(csv) < 0) {
        csv->fatal = R_READ;
        csv->fatal_line = csv->line;
    }
    if (csv->fatal != NULL) {
        row->line = csv->fatal_line;
        *preason = csv->fatal;
        return INVQR_CSV_FATAL;
    }

    b = csv->data;
    pos = csv->pos;
    end = csv->end;
    line = csv->line;

next_record:
    rec = pos;
    rec_line = line;
    nf = 0;
    side_len = 0;
    bad = NULL;
    state = ST_FIELD;

    for (;;) {
        switch (state) {
        case ST_FIELD:
            if (pos == end) {
                if (!csv->eof) {
                    goto more;
                }
                if (nf == 0 && pos == rec) {
                    rc = INVQR_CSV_EOF;
                    goto out;
                }
                /* "a," at the end of input: a last, empty field */
                fstart = pos;
                cend = pos;
                flen = 0;
                goto add_last_unquoted;
            }
            if (b[pos] == '"') {
                pos++;
                fstart = pos;
                seg = pos;
                quoted_side = 0;
                state = ST_QUOTED;
                break;
            }
            fstart = pos;
            state = ST_UNQUOTED;
            /* fall through */
        case ST_UNQUOTED:
            while (pos < end && !SPECIAL[(unsigned char)b[pos]]) {
                pos++;
            }
            if (pos == end) {
                if (!csv->eof) {
                    goto more;
                }
                cend = pos;
                flen = pos - fstart;
                goto add_last_unquoted;
            }
            c = (unsigned char)b[pos];
            if (c == '"') {
                bad = bad != NULL ? bad : R_QUOTE;
                state = ST_SKIP;
                break;
            }
            if (bad == NULL) {
                if (nf == INVQR_CSV_MAX_FIELDS) {
                    bad = R_FIELDS;
                }
                else {
                    off[nf] = fstart - rec;
                    in_side[nf] = 0;
                    row->len[nf] = pos - fstart;
                    nf++;
                }
            }
            if (c == ',') {
                pos++;
                state = ST_FIELD;
                break;
            }
            cend = pos;
            pos++;
            if (c == '\n') {
                line++;
                goto record_end;
            }
            state = ST_CR;
            break;

        case ST_QUOTED:
            q = memchr(b + pos, '"', end - pos);
            if (q == NULL) {
                line += count_lf(b + pos, end - pos);
                pos = end;
                if (!csv->eof) {
                    goto more;
                }
                csv->fatal = R_UNTERM;
                rc = INVQR_CSV_FATAL;
                goto out;
            }
            line += count_lf(b + pos, (size_t)(q - (b + pos)));
            pos = (size_t)(q - b) + 1;
            state = ST_QUOTE;
            break;

        case ST_QUOTE:
            /* pos - 1 is a quote: a doubled one, or the closing one */
            if (pos < end && b[pos] == '"') {
                if (bad == NULL) {
                    if (!quoted_side) {
                        quoted_side = 1;
                        side_start = side_len;
                        seg = fstart;
                    }
                    /* copy up to and with the first quote of the pair */
                    if (pos - seg > INVQR_CSV_MAX_RECORD - side_len) {
                        bad = R_LONG;
                    }
                    else {
                        memcpy(csv->side + side_len, b + seg, pos - seg);
                        side_len += pos - seg;
                    }
                }
                pos++;
                seg = pos;
                state = ST_QUOTED;
                break;
            }
            if (pos == end && !csv->eof) {
                goto more;
            }
            /* closing quote at pos - 1 */
            if (bad == NULL) {
                if (nf == INVQR_CSV_MAX_FIELDS) {
                    bad = R_FIELDS;
                }
                else if (quoted_side) {
                    if (pos - 1 - seg > INVQR_CSV_MAX_RECORD - side_len) {
                        bad = R_LONG;
                    }
                    else {
                        memcpy(csv->side + side_len, b + seg, pos - 1 - seg);
                        side_len += pos - 1 - seg;
                        off[nf] = side_start;
                        in_side[nf] = 1;
                        row->len[nf] = side_len - side_start;
                        nf++;
                    }
                }
                else {
                    off[nf] = fstart - rec;
                    in_side[nf] = 0;
                    row->len[nf] = pos - 1 - fstart;
                    nf++;
                }
            }
            if (pos == end) {
                cend = pos;
                goto record_end;
            }
            c = (unsigned char)b[pos];
            if (c == ',') {
                pos++;
                state = ST_FIELD;
                break;
            }
            if (c == '\n') {
                cend = pos;
                pos++;
                line++;
                goto record_end;
            }
            if (c == '\r') {
                cend = pos;
                pos++;
                state = ST_CR;
                break;
            }
            bad = bad != NULL ? bad : R_GARBAGE;
            state = ST_SKIP;
            break;

        case ST_CR:
            if (pos == end) {
                if (!csv->eof) {
                    goto more;
                }
                goto record_end;        /* CR at the end of input */
            }
            if (b[pos] == '\n') {
                pos++;
                line++;
                goto record_end;
            }
            bad = bad != NULL ? bad : R_CR;
            state = ST_SKIP;
            break;

        case ST_SKIP:
            q = memchr(b + pos, '\n', end - pos);
            if (q == NULL) {
                pos = end;
                if (!csv->eof) {
                    goto more;
                }
                goto record_end;
            }
            pos = (size_t)(q - b) + 1;
            line++;
            goto record_end;
        }
        continue;

add_last_unquoted:
        /* the input ended inside an unquoted field */
        if (bad == NULL) {
            if (nf == INVQR_CSV_MAX_FIELDS) {
                bad = R_FIELDS;
            }
            else {
                off[nf] = fstart - rec;
                in_side[nf] = 0;
                row->len[nf] = flen;
                nf++;
            }
        }
        goto record_end;

more:
        /* Every held byte is scanned and the record goes on: keep it (or,
         * once it is bad, nothing) and read more behind it. */
        if (bad == NULL) {
            used = (state == ST_CR ? pos - 1 : pos) - rec;
            if (used > INVQR_CSV_MAX_RECORD) {
                bad = R_LONG;
            }
        }
        keep = bad == NULL ? rec : pos;
        csv->pos = pos;
        r = csv_fill(csv, keep, &shift);
        if (r < 0) {
            csv->fatal = R_READ;
            rc = INVQR_CSV_FATAL;
            goto out;
        }
        b = csv->data;
        pos = csv->pos;
        end = csv->end;
        /* offsets into a bad record may wrap: they are not used again */
        rec -= shift;
        fstart -= shift;
        seg -= shift;
        cend -= shift;
    }

record_end:
    if (bad == NULL && cend - rec > INVQR_CSV_MAX_RECORD) {
        bad = R_LONG;
    }
    if (bad != NULL) {
        rc = INVQR_CSV_BAD;
        goto out;
    }
    if (cend == rec) {
        goto next_record;       /* a completely empty line */
    }
    for (i = 0; i < nf; i++) {
        row->field[i] = in_side[i] ? csv->side + off[i] : b + rec + off[i];
    }
    row->nfields = nf;
    rc = INVQR_CSV_RECORD;

out:
    csv->pos = pos;
    csv->line = line;
    row->line = rec_line;
    if (rc == INVQR_CSV_BAD) {
        *preason = bad;
    }
    else if (rc == INVQR_CSV_FATAL) {
        csv->fatal_line = rec_line;
        *preason = csv->fatal;
    }
    return rc;
}

int invqr_csv_read_failed(const invqr_csv_t *csv)
{
    return csv->fatal == R_READ;
}
