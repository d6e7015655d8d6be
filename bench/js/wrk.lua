-- wrk script of the JS benchmark: the method and body come from the environment, and done() writes
-- the run's figures as JSON to $JSB_OUT.
local method = os.getenv("JSB_METHOD") or "GET"
local body = os.getenv("JSB_BODY") or ""
local out_path = os.getenv("JSB_OUT") or ""

wrk.method = method
if body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
   local e = summary.errors
   local s = string.format(
      '{"requests":%d,"duration_us":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d}}',
      summary.requests, summary.duration,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency.mean, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(99))
   if out_path ~= "" then
      local f = io.open(out_path, "w")
      f:write(s)
      f:close()
   else
      io.write(s .. "\n")
   end
end
