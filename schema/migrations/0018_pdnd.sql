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
