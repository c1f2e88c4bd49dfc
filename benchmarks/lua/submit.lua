-- POST /interviews/{id}/scorecard/submit for each line of IDS ("interview_id token": the
-- interview and its panelist's bearer token), each once; BODY is the scorecard (JSON).
local seats = {}
local counter = 0
local body = os.getenv("BODY")

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    local id, token = line:match("^(%d+) (%S+)$")
    seats[#seats + 1] = {id = id, token = token}
  end
end

function request()
  counter = counter + 1
  if counter > #seats then
    counter = 1 -- ran out: a second submission is a 409 and shows as non-2xx
  end
  local seat = seats[counter]
  local headers = {["content-type"] = "application/json", ["authorization"] = "Bearer " .. seat.token}
  return wrk.format("POST", "/interviews/" .. seat.id .. "/scorecard/submit", headers, body)
end
