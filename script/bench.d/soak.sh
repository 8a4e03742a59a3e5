# script/bench soak - sourced by script/bench once (c), the peak first level,
# was measured on its instance. Endurance: first-level verifications at about
# 70 % of that peak for BENCH_SOAK_SECONDS (600), in windows of
# BENCH_SOAK_WINDOW seconds (30). After each window: its requests/s and p99,
# and the resident memory of httpd's children, the worker (with its
# children) and mariadbd (less the data its buffer pool caches). Sets SOAK_RC: 0 when memory grew less than 5 %
# from the first sample after warm-up (the end of window 1) to the last, no
# window's p99 was more than twice the median window's, no request failed,
# and no log gained a warning or an error; 1 otherwise. Figures are noisy on
# a shared machine: read the windows, not only the verdict.

SOAK_SECONDS=${BENCH_SOAK_SECONDS:-600}
SOAK_WINDOW=${BENCH_SOAK_WINDOW:-30}
SOAK_CONNECTIONS=16
SOAK_TARGET=$(awk -v p="$VERIFY_RPS" 'BEGIN {printf "%.0f", p * 0.7}')
# each connection pauses so that together they ask for the target; the
# answer's own time comes on top, so after each window the pause is
# shortened by what a request took besides it
SOAK_DELAY=$(awk -v c="$SOAK_CONNECTIONS" -v t="$SOAK_TARGET" 'BEGIN {printf "%d", c * 1000 / t}')
SOAK_WINDOWS=$(( (SOAK_SECONDS + SOAK_WINDOW - 1) / SOAK_WINDOW ))
[ "$SOAK_WINDOWS" -ge 2 ] || die "BENCH_SOAK_SECONDS must allow two windows of $SOAK_WINDOW s"

# rss_kb PID... : resident kB of these processes
rss_kb() {
    local t=0 p
    for p in "$@"; do
        t=$((t + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
# "httpd-children worker mariadbd buffer-pool-data" in kB: the buffer pool
# fills with the audit log's new pages as it grows (a row a verification),
# which is the store's cache doing its work, not a leak; mariadbd's growth is
# judged without it
soak_sample() {
    local h w d bp
    h=$(pid_of httpd) w=$(pid_of invqr-worker) d=$(pid_of mariadbd)
    bp=$(mariadb --no-defaults --socket="$INVQR_DB_SOCKET" -uroot -N -B \
        -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_bytes_data'" | awk '{printf "%d", $2 / 1024}')
    echo "$(rss_kb $(pgrep -P "$h")) $(rss_kb "$w" $(pgrep -P "$w")) $(rss_kb "$d") $bp"
}
# lines at warning level or above that a log gained since its offset
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
soak_logs="$INVQR_RUN/log/error.log $INVQR_RUN/log/worker.log $INVQR_RUN/log/mariadb.log"
declare -A soak_offset
for f in $soak_logs; do soak_offset[$f]=$(log_size "$f"); done

echo
echo "Soak: first level at ~70 % of (c) = $SOAK_TARGET req/s ($SOAK_CONNECTIONS connections," \
    "each pausing $SOAK_DELAY ms at first), $SOAK_WINDOWS windows of $SOAK_WINDOW s"
printf '  %6s %10s %10s %7s   %s\n' window "req/s" "p99 ms" errors \
    "RSS kB: httpd children/worker/mariadbd, and InnoDB's cached data"
: >"$INVQR_RUN/log/soak.txt"
for i in $(seq 1 "$SOAK_WINDOWS"); do
    out=$(BENCH_LUA_DIR="$INVQR_ROOT/script/bench.d" BENCH_CODES="$INVQR_RUN/codes.txt" \
          BENCH_TOKEN="$BENCH_TOKEN" BENCH_COOKIE="$BENCH_VERIFY_COOKIE" BENCH_DELAY_MS="$SOAK_DELAY" \
          wrk -t2 -c"$SOAK_CONNECTIONS" -d"${SOAK_WINDOW}s" --latency \
          -s "$INVQR_ROOT/script/bench.d/verify_many.lua" "${INVQR_URL%/}") || die "wrk failed in the soak"
    read -r _ n rps p99 errs < <(grep '^BENCH ' <<<"$out")
    sample=$(soak_sample)
    echo "$i $rps $p99 $errs $sample" >>"$INVQR_RUN/log/soak.txt"
    printf '  %6d %10.0f %10s %7s   %s\n' "$i" "$rps" "$p99" "$errs" "${sample// //}"
    # steer the pause: what each request took besides it, taken off the next pauses
    SOAK_DELAY=$(awk -v c="$SOAK_CONNECTIONS" -v t="$SOAK_TARGET" -v r="$rps" -v d="$SOAK_DELAY" '
        BEGIN { over = r > 0 ? c * 1000 / r - d : 0; d = c * 1000 / t - over
                printf "%d", d < 0 ? 0 : d }')
done

unexpected=0
for f in $soak_logs; do
    n=$(tail -c +"$((soak_offset[$f] + 1))" "$f" 2>/dev/null \
        | grep -Eci ':(warn|error|crit|alert|emerg)\]|\[(warn|error|crit|alert|emerg)\]|\[ERROR\]' || true)
    if [ "$n" -gt 0 ]; then
        unexpected=$((unexpected + n))
        log "the soak's unexpected lines in $f:"
        tail -c +"$((soak_offset[$f] + 1))" "$f" \
            | grep -Ei ':(warn|error|crit|alert|emerg)\]|\[(warn|error|crit|alert|emerg)\]|\[ERROR\]' | head -5 >&2
    fi
done
SOAK_RC=0
verdict=$(awk -v unexpected="$unexpected" '
    { n++; rps[n] = $2; p99[n] = $3; err += $4; h[n] = $5; w[n] = $6; d[n] = $7 - $8 }
    function growth(a, b) { return b > 0 ? (a - b) / b * 100 : 0 }
    END {
        # memory from the end of window 1 (warmed up) to the end
        gh = growth(h[n], h[1]); gw = growth(w[n], w[1]); gd = growth(d[n], d[1])
        # p99: the worst window against the median window
        for (i = 1; i <= n; i++) s[i] = p99[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
        med = s[int((n + 1) / 2)]; worst = s[n]
        for (i = 1; i <= n; i++) sum += rps[i]
        ok = gh < 5 && gw < 5 && gd < 5 && worst <= 2 * med && err == 0 && unexpected == 0
        printf "%s %.0f %.1f %.1f %.1f %.2f %.2f %d %d\n", ok ? "PASS" : "FAIL", sum / n, gh, gw, gd, med, worst, err, unexpected
    }' "$INVQR_RUN/log/soak.txt")
read -r SOAK_VERDICT SOAK_RPS SOAK_GH SOAK_GW SOAK_GD SOAK_MED SOAK_WORST SOAK_ERR SOAK_LOG <<<"$verdict"
[ "$SOAK_VERDICT" = PASS ] || SOAK_RC=1

echo
echo "---- invqr bench soak summary ($(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$INVQR_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $cpu_count CPUs) ----"
printf '  peak first level (c): %.0f req/s; soak target %s req/s, reached %s req/s on average (%s of the peak)\n' \
    "$VERIFY_RPS" "$SOAK_TARGET" "$SOAK_RPS" "$(awk -v a="$VERIFY_RPS" -v b="$SOAK_RPS" 'BEGIN {printf "%.2f", b / a}')"
printf '  %d s in %d windows; RSS growth after window 1: httpd children %s %%, worker %s %%, mariadbd (less its cached data) %s %% (limit 5 %%)\n' \
    "$SOAK_SECONDS" "$SOAK_WINDOWS" "$SOAK_GH" "$SOAK_GW" "$SOAK_GD"
printf '  p99: median window %s ms, worst window %s ms (limit: twice the median); failed requests %s; warning or error log lines %s\n' \
    "$SOAK_MED" "$SOAK_WORST" "$SOAK_ERR" "$SOAK_LOG"
echo "  verdict: $SOAK_VERDICT   (windows in $INVQR_RUN/log/soak.txt)"
echo "----"
