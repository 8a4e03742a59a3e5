-- The one report line every bench script prints, for script/bench to read:
-- "BENCH <requests> <requests/s> <p99 ms> <errors>".
done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                  + summary.errors.write + summary.errors.timeout
   io.write(string.format("BENCH %d %.0f %.2f %d\n", summary.requests,
                          summary.requests / (summary.duration / 1e6),
                          latency:percentile(99) / 1000, errors))
end
