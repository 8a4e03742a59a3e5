-- SPDX-License-Identifier: Apache-2.0
-- Rows that only matter for a while (throttling windows, digest nonces,
-- OTP challenges, first-level matches of ended sessions) are swept by the
-- workers now and then (corelib/invqr_housekeeping.c). These keys let each
-- sweep find its rows without reading the whole table, and let the count of
-- consent SMS sent lately for a code (OTP_RECENT) read only that code's rows.

ALTER TABLE client_limit ADD KEY IF NOT EXISTS client_limit_window (window_start);
ALTER TABLE otp_challenge ADD KEY IF NOT EXISTS otp_code_created (code, created_at);
ALTER TABLE otp_challenge ADD KEY IF NOT EXISTS otp_expires (expires_at);
