-- wrk script: GET with a Cookie header (a session) from the environment.
--   BENCH_PATH, BENCH_COOKIE
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
