-- SPDX-License-Identifier: Apache-2.0
-- SOAP security for PA integrators (AgID ModI): the X.509 certificates that
-- identify an organisation (direct trust, by SHA-256 fingerprint), the
-- wsa:MessageIDs of signed requests seen until their Timestamp expires (a
-- request is accepted once, on whichever node it arrives: the row's primary
-- key decides, which holds on Galera too), and whether an organisation may
-- still use the legacy UsernameToken with a password.

CREATE TABLE IF NOT EXISTS org_cert (
  fingerprint BINARY(32) NOT NULL,
  org_id      INT UNSIGNED NOT NULL,
  subject     VARCHAR(512) NOT NULL,
  not_before  DATETIME NOT NULL,
  not_after   DATETIME NOT NULL,
  added_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (fingerprint),
  KEY org_cert_org (org_id),
  CONSTRAINT org_cert_org_fk FOREIGN KEY (org_id) REFERENCES organisation (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS soap_message_id (
  id_hash    BINARY(32) NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  PRIMARY KEY (id_hash),
  KEY soap_message_id_expires (expires_at)
) ENGINE=InnoDB;

ALTER TABLE organisation
  ADD COLUMN IF NOT EXISTS soap_password_tokens TINYINT(1) NOT NULL DEFAULT 1;
