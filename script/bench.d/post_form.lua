-- wrk script: POST a form with a cookie, both from the environment.
--   BENCH_PATH    path to POST to
--   BENCH_BODY    x-www-form-urlencoded body (CSRF token included)
--   BENCH_COOKIE  Cookie header (the CSRF cookie or a session)
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
