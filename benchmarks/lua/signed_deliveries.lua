-- POST pre-signed webhook deliveries, each once: DELIVERIES names a file of lines
-- "webhook-id<TAB>webhook-timestamp<TAB>webhook-signature<TAB>body"; PATH is the receiver.
-- With several wrk threads each takes every THREADS-th line, so no delivery is sent twice.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local requests = {}
local counter = 0

function init(args)
  local me = tonumber(tid) or 0
  local stride = tonumber(os.getenv("THREADS") or "1")
  local path = os.getenv("WPATH") or "/webhooks/ats"
  local n = 0
  for line in io.lines(os.getenv("DELIVERIES")) do
    if n % stride == me then
      local id, stamp, signature, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      local headers = {
        ["content-type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = stamp,
        ["webhook-signature"] = signature,
      }
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
    end
    n = n + 1
  end
end

function request()
  counter = counter + 1
  if counter > #requests then
    counter = 1 -- ran out: repeats would be duplicates; the script sizes the file to avoid it
  end
  return requests[counter]
end

-- DELAY_MS paces each connection (rate ~ connections * 1000 / DELAY_MS), for the apply-lag run.
local pace = tonumber(os.getenv("DELAY_MS") or "0")
if pace > 0 then
  function delay()
    return pace
  end
end
