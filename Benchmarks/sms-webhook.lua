-- wrk script: replays pre-signed webhooks from REQUESTS_FILE, each request once (threads take every n-th line).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  requests = {}
  local index = 0
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    if index % tonumber(os.getenv("WRK_THREADS")) == id then table.insert(requests, line) end
    index = index + 1
  end
  next_request = 1
end

function request()
  local line = requests[next_request]
  if line == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/health")
  end
  next_request = next_request + 1
  local tab = string.find(line, "\t")
  local signature = string.sub(line, 1, tab - 1)
  local body = string.sub(line, tab + 1)
  return wrk.format("POST", "/webhooks/twilio/sms",
    { ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = signature }, body)
end

non_ok = 0
function response(status, headers, body)
  if status ~= 200 then non_ok = non_ok + 1 end
end
