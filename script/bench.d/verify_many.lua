-- wrk script: first-level verifications spread over many attestations, as a
-- real day at many desks would be (each code is verified one at a time).
--   BENCH_CODES   file of "CODE FISCAL_CODE" lines
--   BENCH_TOKEN   CSRF token of BENCH_COOKIE
--   BENCH_COOKIE  the verifier's CSRF cookie
--   BENCH_SOAP    when set: SOAP 1.1 VerifyLevel1 instead of the form
--   BENCH_BEARER  with BENCH_SOAP: a PDND voucher sent as Authorization: Bearer
--   BENCH_DELAY_MS  when set: a pause before each request of a connection
local pairs_ = {}
for line in io.lines(os.getenv("BENCH_CODES")) do
   local code, fc = line:match("^(%S+)%s+(%S+)$")
   if code then pairs_[#pairs_ + 1] = { code, fc } end
end
local token = os.getenv("BENCH_TOKEN")
local cookie = os.getenv("BENCH_COOKIE")
local soap = os.getenv("BENCH_SOAP")
local soap_headers = {
   ["Content-Type"] = "text/xml; charset=utf-8",
   ["SOAPAction"] = '"urn:invqr:verify:1:VerifyLevel1"' }
if os.getenv("BENCH_BEARER") then
   soap_headers["Authorization"] = "Bearer " .. os.getenv("BENCH_BEARER")
end
-- BENCH_DELAY_MS: each connection waits this long before each request (a
-- steady load below the peak, for script/bench soak)
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if delay_ms then
   delay = function() return delay_ms end
end

-- Every request is formatted once, in init (each wrk thread runs it, once
-- wrk knows the host): formatting it again for every request cost wrk more
-- CPU than the floors' plain wrk spends in all, on the cores the servers
-- share with it.
local requests = {}
init = function(args)
   for i, p in ipairs(pairs_) do
      if soap then
         requests[i] = wrk.format("POST", "/soap", soap_headers,
            '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope ' ..
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="urn:invqr:verify:1">' ..
            '<soap:Body><v:VerifyLevel1><v:code>' .. p[1] .. '</v:code><v:fiscalCode>' .. p[2] ..
            '</v:fiscalCode></v:VerifyLevel1></soap:Body></soap:Envelope>')
      else
         requests[i] = wrk.format("POST", "/v/" .. p[1], {
            ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie },
            "csrf=" .. token .. "&fiscal_code=" .. p[2])
      end
   end
end

request = function()
   return requests[math.random(#requests)]
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
