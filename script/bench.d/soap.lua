-- wrk script: SOAP 1.1 VerifyLevel1 from the environment.
--   BENCH_CODE, BENCH_FISCAL_CODE
wrk.method = "POST"
wrk.path = "/soap"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:invqr:verify:1:VerifyLevel1"'
wrk.body = '<?xml version="1.0" encoding="UTF-8"?>' ..
   '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' ..
   'xmlns:v="urn:invqr:verify:1"><soap:Body><v:VerifyLevel1><v:code>' ..
   os.getenv("BENCH_CODE") .. '</v:code><v:fiscalCode>' .. os.getenv("BENCH_FISCAL_CODE") ..
   '</v:fiscalCode></v:VerifyLevel1></soap:Body></soap:Envelope>'

done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                  + summary.errors.write + summary.errors.timeout
   io.write(string.format("BENCH %d %.0f %.2f %d\n", summary.requests,
                          summary.requests / (summary.duration / 1e6),
                          latency:percentile(99) / 1000, errors))
end
