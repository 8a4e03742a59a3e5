-- SPDX-License-Identifier: Apache-2.0
-- Operators and the second level: the first-level matches an operator's
-- session has seen (the second level may only follow one of them), and room
-- for "login:" keys in the per-client limits.

CREATE TABLE IF NOT EXISTS session_match (
  id_hash  BINARY(32) NOT NULL,
  code     CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at       TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id_hash, code)
) ENGINE=InnoDB;

ALTER TABLE client_limit MODIFY client_addr VARCHAR(64) CHARACTER SET ascii NOT NULL;
