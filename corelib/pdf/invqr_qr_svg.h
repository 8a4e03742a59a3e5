/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - a QR symbol as inline SVG in a page tree (invqr_html.h).
 *
 * The same symbol the PDF draws, for a holder who shows the attestation
 * from a screen: one <svg role="img"> with a <title> (its accessible name),
 * a white square with the 4-module quiet zone, and the dark modules as one
 * path of merged horizontal runs, one unit per module, crisp edges. Built as
 * elements and attributes of the escaped tree like the rest of a page.
 */
#ifndef INVQR_QR_SVG_H
#define INVQR_QR_SVG_H

#include <apr_pools.h>

#include "invqr_html.h"
#include "invqr_qr.h"

/** Append the SVG of qr to parent; title is its accessible name, title_id
 * the id its <title> gets (a literal). Returns the <svg>, or NULL. */
invqr_el_t *invqr_qr_svg(invqr_el_t *parent, const invqr_qr_t *qr, const char *title,
                         const char *title_id, apr_pool_t *p);

#endif
