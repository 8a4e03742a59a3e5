/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the gate value shared by mod_invqr and the workers (invqr_wire.h). */
#include "invqr_crypto.h"
#include "invqr_wire.h"

#define GATE_LABEL "invqr-worker-gate"

void invqr_wire_gate(char out[INVQR_WIRE_GATE_CHARS + 1], const invqr_conf_t *conf)
{
    unsigned char mac[INVQR_SHA256_LEN];

    invqr_hmac(mac, conf->secret, INVQR_SECRET_LEN, GATE_LABEL, NULL);
    invqr_hex(out, mac, INVQR_SHA256_LEN);
}
