-- wrk script for bench/wrk/run.sh: a short non-streamed chat completion, the same request on every path
-- (direct to nginx, through the bare YARP proxy, through the node). QE_TOKEN holds the bearer token.
-- A run that measures refusals is worthless: the first non-200 answer stops wrk with exit 3, and done()
-- prints the count of non-200 answers for run.sh to check (it fails the run on any).
local token = os.getenv("QE_TOKEN")
if token == nil or token == "" then
  io.stderr:write("chat.lua: QE_TOKEN is not set\n")
  os.exit(2)
end

wrk.method = "POST"
wrk.body = '{"model":"clinical-7b","max_tokens":64,"messages":[{"role":"user","content":"Summarise the handover for bed 12 in two lines."}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["X-Data-Classification"] = "public"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Globals of each thread's own Lua state, read back through thread:get in done().
answered = 0
non200 = 0

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    non200 = non200 + 1
    io.stderr:write(string.format("chat.lua: HTTP %d on answer %d: %s\n", status, answered, string.sub(body or "", 1, 300)))
    os.exit(3)
  end
end

function done(summary, latency, requests)
  local bad = 0
  local seen = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
    seen = seen + (t:get("answered") or 0)
  end
  local e = summary.errors
  -- Machine-readable line (microseconds); wrk's own --latency table stays above it for people.
  io.write(string.format(
    "QE requests=%d answered=%d non200=%d duration_us=%d p50_us=%d p75_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d "
      .. "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d errors_status=%d\n",
    summary.requests, seen, bad, summary.duration,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
