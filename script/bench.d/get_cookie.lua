-- wrk script: GET with a Cookie header (a session) from the environment.
--   BENCH_PATH, BENCH_COOKIE
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                  + summary.errors.write + summary.errors.timeout
   io.write(string.format("BENCH %d %.0f %.2f %d\n", summary.requests,
                          summary.requests / (summary.duration / 1e6),
                          latency:percentile(99) / 1000, errors))
end
