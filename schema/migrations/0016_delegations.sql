-- SPDX-License-Identifier: Apache-2.0
-- Delegates (docs/contract.md, "Delegates"): who may act for a holder, as
-- INPS's delegation of digital identity allows. A delegation is a parent (of
-- a minor), a guardian (tutore), a curator (curatore), a support administrator
-- (amministratore di sostegno) or a delegate the holder chose, for a span of
-- calendar days. Rows are never deleted: a removal stamps removed_at and
-- clears `active`, so the unique key keeps at most one live delegation per
-- holder and delegate while the history stays (Galera: every table has a
-- primary key).
--
-- A session remembers whom its person chose to act for (acting_for); the
-- module checks the delegation again in this table at every request, so a
-- removed or expired one stops at once on every node. Audit rows written
-- while someone acts for a holder carry the holder in fiscal_code and the
-- person who acted in delegate_fiscal_code.

CREATE TABLE IF NOT EXISTS delegation (
  id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  holder_fiscal_code   CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  delegate_fiscal_code CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role                 ENUM('parent','guardian','curator','support_administrator','delegate')
                       NOT NULL,
  valid_from           DATE NOT NULL,
  valid_until          DATE NULL,
  created_at           TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  created_by           VARCHAR(100) NOT NULL,
  removed_at           TIMESTAMP(6) NULL,
  removed_by           VARCHAR(100) NULL,
  -- 1 while the delegation is live, NULL once removed (see above)
  active               TINYINT UNSIGNED NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY delegation_live (holder_fiscal_code, delegate_fiscal_code, active),
  KEY delegation_delegate (delegate_fiscal_code, active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE session
  ADD COLUMN IF NOT EXISTS acting_for CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL;

ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS delegate_fiscal_code CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL;
ALTER TABLE audit_log ADD KEY IF NOT EXISTS audit_delegate (delegate_fiscal_code, at);
