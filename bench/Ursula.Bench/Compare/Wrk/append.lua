-- The closed-loop append load for wrk (bench compare): POSTs of a fixed body round-robin over
-- pre-created streams. Every request is formatted once in init(), so per request wrk only hands
-- out a prepared string and the generator stays far cheaper than the server it measures.
--
--   wrk -t2 -c64 -d10s -s append.lua http://host:port -- <path-prefix> <streams> <payload-bytes> <content-type>
--
-- done() prints one "wrk-result key=value ..." line (latencies in microseconds, from wrk's own
-- histogram) that the harness parses; wrk's human-readable summary is printed as usual.

local prefix, streams, prepared, next_index = "/", 1, {}, 0
local thread_count = 0

function setup(thread)
  -- Threads start at different streams so the two do not march in step over the same ones.
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  prefix = args[1] or "/bench"
  streams = tonumber(args[2] or "100")
  local size = tonumber(args[3] or "256")
  local content_type = args[4] or "application/octet-stream"
  local letters = "abcdefghijklmnopqrstuvwxyz"
  local body = string.rep(letters, math.ceil(size / #letters)):sub(1, size)
  local headers = { ["Content-Type"] = content_type }
  for i = 0, streams - 1 do
    prepared[i + 1] = wrk.format("POST", prefix .. "/s" .. i, headers, body)
  end
  next_index = ((thread_index or 0) * math.floor(streams / 2)) % streams
end

function request()
  next_index = next_index % streams + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_us=%d bytes=%d errors_connect=%d errors_read=%d errors_write=%d "
      .. "errors_status=%d errors_timeout=%d lat_min_us=%d lat_mean_us=%.1f lat_stdev_us=%.1f "
      .. "lat_p50_us=%d lat_p90_us=%d lat_p99_us=%d lat_p999_us=%d lat_max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency.min, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
