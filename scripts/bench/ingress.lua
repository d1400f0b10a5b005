-- The wrk script of scripts/bench-ingress: POSTs the Kratos registration payload, one of three ways.
-- Arguments (after wrk's `--`): BODY_FILE MODE TOKEN
--   distinct  every request a new event: a new Ory-Webhook-Trigger-ID and a new identity id in the
--             body (as when each registration is a different person), so none is a duplicate
--   repeated  the same bytes every time and no trigger id (Kratos v1.x, or its retries of one
--             call): after the first, each is recognised as a duplicate by the body's digest
--   trigger   the same body with a new trigger id per request (the figure before 2026-12)
-- TOKEN (8 hex digits) makes this run's ids differ from every earlier run's: Lua's
-- math.random is not seeded, so it cannot.
local mode, token, request_bytes
local parts = {}
local counter = 0
local headers = { ["Content-Type"] = "application/json" }
-- The identity's id in etc/examples/registration-after.json.
local identity = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"

local function split(text, separator)
    local pieces, start = {}, 1
    while true do
        local first, last = string.find(text, separator, start, true)
        if not first then
            table.insert(pieces, string.sub(text, start))
            return pieces
        end
        table.insert(pieces, string.sub(text, start, first - 1))
        start = last + 1
    end
end

function init(args)
    local file = assert(io.open(args[1], "rb"))
    local body = file:read("*a")
    file:close()
    mode, token = args[2], args[3]
    assert(mode == "distinct" or mode == "repeated" or mode == "trigger", "mode: distinct, repeated or trigger")
    assert(token and #token == 8, "token: 8 hex digits")
    if mode == "repeated" then
        request_bytes = wrk.format("POST", nil, headers, body)
    elseif mode == "trigger" then
        parts = { body }
    else
        parts = split(body, identity)
        assert(#parts > 1, "the body lacks the identity id " .. identity)
    end
end

function request()
    if request_bytes then return request_bytes end
    counter = counter + 1
    headers["Ory-Webhook-Trigger-ID"] = "bench-" .. token .. "-" .. counter
    local id = string.format("%s-%04x-4%03x-a%03x-%012x", token, counter % 65536, 0, 0, counter)
    return wrk.format("POST", nil, headers, table.concat(parts, id))
end
