-- The one report line every bench script prints, for script/bench to read:
-- "BENCH <requests> <requests/s> <p99 ms> <errors>". Errors are non-2xx/3xx
-- answers, failed connects, writes and timeouts; read errors are not, as in
-- script/bench's run_wrk: httpd closing a kept-alive connection after
-- MaxKeepAliveRequests shows up as one.
done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect
                  + summary.errors.write + summary.errors.timeout
   io.write(string.format("BENCH %d %.0f %.2f %d\n", summary.requests,
                          summary.requests / (summary.duration / 1e6),
                          latency:percentile(99) / 1000, errors))
end
