-- SPDX-License-Identifier: Apache-2.0
-- invqr status store, first version: citizens and their current judgment,
-- attestation codes, organisations and operators, sessions, OTP challenges
-- and the append-only audit log. Applied once by `invqr-admin migrate`.

CREATE TABLE IF NOT EXISTS citizen (
  fiscal_code          CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  surname              VARCHAR(100) NOT NULL,
  given_name           VARCHAR(100) NOT NULL,
  birth_date           DATE NOT NULL,
  mobile               VARCHAR(16) CHARACTER SET ascii NULL,
  definitive           BOOLEAN NOT NULL,
  judgment_date        DATE NOT NULL,
  review_date          DATE NULL,
  civil_invalidity     BOOLEAN NOT NULL,
  invalidity_percent   TINYINT UNSIGNED NULL,
  minor_invalidity     BOOLEAN NOT NULL,
  attendance_allowance BOOLEAN NOT NULL,
  civil_blindness      ENUM('NONE','PARTIAL','ABSOLUTE') NOT NULL,
  deafness             BOOLEAN NOT NULL,
  handicap             ENUM('NONE','ART3_C1','ART3_C3') NOT NULL,
  medical_judgment     TEXT NOT NULL,
  -- changes only when a column really changes, so re-importing is a no-op
  updated_at           TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
                       ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (fiscal_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS qr_code (
  code          CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fiscal_code   CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at    TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at    TIMESTAMP(6) NULL,
  revoke_reason ENUM('replaced','revoked','admin') NULL,
  -- 1 while the code is active, NULL once revoked: with the unique key below
  -- the store itself keeps at most one active code per citizen
  active        TINYINT UNSIGNED NULL DEFAULT 1,
  PRIMARY KEY (code),
  UNIQUE KEY qr_code_one_active (fiscal_code, active),
  KEY qr_code_citizen (fiscal_code, created_at)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS organisation (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name       VARCHAR(200) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY organisation_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS operator (
  id              INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id          INT UNSIGNED NOT NULL,
  username        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  password_hash   VARCHAR(255) CHARACTER SET ascii NOT NULL,
  status          ENUM('active','locked','removed') NOT NULL DEFAULT 'active',
  failed_logins   SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  locked_until    TIMESTAMP NULL,
  created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY operator_username (username),
  KEY operator_org (org_id),
  CONSTRAINT operator_org_fk FOREIGN KEY (org_id) REFERENCES organisation (id)
) ENGINE=InnoDB;

-- Sessions are shared by every httpd child and every node through the store.
-- Only a SHA-256 of the cookie value is kept, so a copy of the table opens
-- no session.
CREATE TABLE IF NOT EXISTS session (
  id_hash      BINARY(32) NOT NULL,
  kind         ENUM('citizen','operator') NOT NULL,
  fiscal_code  CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  operator_id  INT UNSIGNED NULL,
  created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_seen_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at   TIMESTAMP NOT NULL,
  PRIMARY KEY (id_hash),
  KEY session_operator (operator_id),
  KEY session_expires (expires_at)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS otp_challenge (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  public_id    CHAR(26) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  operator_id  INT UNSIGNED NOT NULL,
  code         CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  otp_hash     BINARY(32) NOT NULL,
  created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at   TIMESTAMP NOT NULL,
  attempts     TINYINT UNSIGNED NOT NULL DEFAULT 0,
  used_at      TIMESTAMP NULL,
  PRIMARY KEY (id),
  UNIQUE KEY otp_public_id (public_id),
  KEY otp_operator_code (operator_id, code)
) ENGINE=InnoDB;

-- Append-only: the application's database user may only SELECT and INSERT.
CREATE TABLE IF NOT EXISTS audit_log (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at          TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  actor       ENUM('citizen','verifier','operator','admin','system') NOT NULL,
  operator_id INT UNSIGNED NULL,
  org_id      INT UNSIGNED NULL,
  client_addr VARCHAR(45) CHARACTER SET ascii NULL,
  code        CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NULL,
  fiscal_code CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  level       TINYINT UNSIGNED NULL,
  event       VARCHAR(32) CHARACTER SET ascii NOT NULL,
  outcome     VARCHAR(32) CHARACTER SET ascii NOT NULL,
  detail      VARCHAR(255) NULL,
  PRIMARY KEY (id),
  KEY audit_code (code, at),
  KEY audit_fiscal_code (fiscal_code, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
