-- SPDX-License-Identifier: Apache-2.0
-- PDND vouchers (issue 15): the PDND purposes (purposeId) that identify an
-- organisation when its SOAP calls carry a PDND Interoperabilita' voucher,
-- the vouchers' jti seen until they expire (accepted once on whichever node
-- a voucher arrives: the row's primary key decides, which holds on Galera
-- too), and whether an organisation must send a voucher with every call.

CREATE TABLE IF NOT EXISTS org_pdnd_purpose (
  purpose_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  org_id      INT UNSIGNED NOT NULL,
  added_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (purpose_id),
  KEY org_pdnd_purpose_org (org_id),
  CONSTRAINT org_pdnd_purpose_org_fk FOREIGN KEY (org_id) REFERENCES organisation (id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS pdnd_voucher_jti (
  jti_hash   BINARY(32) NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  PRIMARY KEY (jti_hash),
  KEY pdnd_voucher_jti_expires (expires_at)
) ENGINE=InnoDB;

ALTER TABLE organisation
  ADD COLUMN IF NOT EXISTS pdnd_voucher_required TINYINT(1) NOT NULL DEFAULT 0;

-- ModI trust beyond one leaf certificate (issue 15): a registered
-- certificate keeps its DER and the other names WS-Security may use for it
-- (Subject Key Identifier; issuer and serial), so a signature whose KeyInfo
-- names it that way needs no token in the message; and an organisation may
-- register a CA together with the one leaf subject it pins.
ALTER TABLE org_cert
  ADD COLUMN IF NOT EXISTS der_b64 TEXT CHARACTER SET ascii NULL,
  ADD COLUMN IF NOT EXISTS ski VARCHAR(128) CHARACTER SET ascii NULL,
  ADD COLUMN IF NOT EXISTS issuer VARCHAR(512) NULL,
  ADD COLUMN IF NOT EXISTS serial VARCHAR(80) CHARACTER SET ascii NULL,
  ADD INDEX IF NOT EXISTS org_cert_ski (ski),
  ADD INDEX IF NOT EXISTS org_cert_serial (serial);

CREATE TABLE IF NOT EXISTS org_ca (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id        INT UNSIGNED NOT NULL,
  ca_fingerprint BINARY(32) NOT NULL,
  ca_der_b64    TEXT CHARACTER SET ascii NOT NULL,
  ca_subject    VARCHAR(512) NOT NULL,
  subject       VARCHAR(512) NOT NULL,
  not_after     DATETIME NOT NULL,
  added_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY org_ca_pin (ca_fingerprint, subject),
  KEY org_ca_org (org_id),
  CONSTRAINT org_ca_org_fk FOREIGN KEY (org_id) REFERENCES organisation (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
