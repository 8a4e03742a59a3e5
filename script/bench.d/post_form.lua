-- wrk script: POST a form with a cookie, both from the environment.
--   BENCH_PATH    path to POST to
--   BENCH_BODY    x-www-form-urlencoded body (CSRF token included)
--   BENCH_COOKIE  Cookie header (the CSRF cookie or a session)
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                  + summary.errors.write + summary.errors.timeout
   io.write(string.format("BENCH %d %.0f %.2f %d\n", summary.requests,
                          summary.requests / (summary.duration / 1e6),
                          latency:percentile(99) / 1000, errors))
end
