-- SPDX-License-Identifier: Apache-2.0
-- SOAP API: WS-Security PasswordDigest needs the password itself on the
-- server, so operators also get a copy sealed with AES-256-GCM under a key
-- derived from invqr.conf's secret (a stolen database alone opens nothing);
-- and the digest nonces seen recently, so a captured request cannot be
-- replayed.

ALTER TABLE operator
  ADD COLUMN IF NOT EXISTS wss_sealed VARBINARY(300) NULL;

CREATE TABLE IF NOT EXISTS soap_nonce (
  nonce_hash BINARY(32) NOT NULL,
  seen_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (nonce_hash),
  KEY soap_nonce_seen (seen_at)
) ENGINE=InnoDB;
