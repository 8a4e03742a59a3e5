-- wrk script: signed SOAP 1.1 VerifyLevel1 requests (ModI), bodies made by
-- modi_sign.py, spread over many attestations like verify_many.lua.
--   BENCH_SIGNED  file of request bodies separated by the byte 0x1e
local f = assert(io.open(os.getenv("BENCH_SIGNED"), "rb"))
local all = f:read("*a")
f:close()
local bodies = {}
for b in all:gmatch("[^\30]+") do bodies[#bodies + 1] = b end

request = function()
   return wrk.format("POST", "/soap", {
      ["Content-Type"] = "text/xml; charset=utf-8",
      ["SOAPAction"] = '"urn:invqr:verify:1:VerifyLevel1"' },
      bodies[math.random(#bodies)])
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
