-- wrk script: counts non-2xx responses across threads and prints one JSON summary line.
-- wrk itself only counts status >= 400 as errors, so a 302 to the sign-in page would pass unnoticed.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   first_bad_status = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_bad_status == 0 then
         first_bad_status = status
      end
   end
end

function done(summary, latency, requests)
   local non2xx_total = 0
   local bad_status = 0
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + thread:get("non2xx")
      local status = thread:get("first_bad_status")
      if bad_status == 0 and status ~= 0 then
         bad_status = status
      end
   end
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_s": %.3f, "requests_per_s": %.1f, "bytes": %d, ' ..
      '"p50_ms": %.2f, "p75_ms": %.2f, "p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
      '"max_ms": %.2f, "mean_ms": %.2f, "non2xx": %d, "first_bad_status": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds, summary.bytes,
      latency:percentile(50) / 1000, latency:percentile(75) / 1000, latency:percentile(90) / 1000,
      latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, latency.mean / 1000, non2xx_total, bad_status,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout
   ))
end
