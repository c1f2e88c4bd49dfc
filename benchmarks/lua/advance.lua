-- POST /applications/{id}/advance for each id of IDS (a file, one id a line), each once, with
-- expected_stage so no If-Match is needed; AUTH is the bearer token.
local ids = {}
local counter = 0
local auth = os.getenv("AUTH")

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    ids[#ids + 1] = line
  end
end

function request()
  counter = counter + 1
  if counter > #ids then
    counter = 1 -- ran out: an advance from a stage already left is a 409 and shows as non-2xx
  end
  local headers = {["content-type"] = "application/json", ["authorization"] = "Bearer " .. auth}
  return wrk.format("POST", "/applications/" .. ids[counter] .. "/advance", headers, '{"expected_stage":"resume_screen"}')
end
