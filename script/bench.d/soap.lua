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

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
