-- POST /interviews/{id}/scorecard/submit for each id of IDS (a file, one id a line), each once;
-- BODY is the scorecard (JSON), AUTH the bearer token of the panelist seated on every interview.
local ids = {}
local counter = 0
local auth = os.getenv("AUTH")
local body = os.getenv("BODY")

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    ids[#ids + 1] = line
  end
end

function request()
  counter = counter + 1
  if counter > #ids then
    counter = 1 -- ran out: a second submission is a 409 and shows as non-2xx
  end
  local headers = {["content-type"] = "application/json", ["authorization"] = "Bearer " .. auth}
  return wrk.format("POST", "/interviews/" .. ids[counter] .. "/scorecard/submit", headers, body)
end
