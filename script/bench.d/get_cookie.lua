-- wrk script: GET of BENCH_PATH as a signed-in citizen, either with the
-- demo sign-in's session cookie (BENCH_COOKIE) or with the identity an
-- upstream auth module would give (BENCH_IDENTITY, a fiscal code sent in
-- the header script/bench's identity-provider stand-in reads).
wrk.path = os.getenv("BENCH_PATH")
if os.getenv("BENCH_COOKIE") then
   wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
end
if os.getenv("BENCH_IDENTITY") then
   wrk.headers["X-Bench-Fiscal-Number"] = os.getenv("BENCH_IDENTITY")
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
