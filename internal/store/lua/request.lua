-- request.lua moves a number request to a later status, once: a status is
-- only ever followed by a later one (open -> submitted -> fulfilled |
-- rejected), so a retried job changes nothing twice.
--
-- KEYS: 1 request
-- ARGV: 1 now_ms, 2 new status, 3 carrier id, 4 reason
-- Returns the status the request has afterwards.
local ORDER = { open = 1, submitted = 2, fulfilled = 3, rejected = 3 }
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return redis.error_reply('not_found number request') end
local now, to, cid, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not ORDER[to] then return redis.error_reply('invalid_field status ' .. to) end
if ORDER[to] <= ORDER[cur] then return cur end
local hist = cjson.decode(redis.call('HGET', KEYS[1], 'history'))
hist[#hist + 1] = { status = to, at = tonumber(now), reason = reason }
redis.call('HSET', KEYS[1], 'status', to, 'updated_at', now, 'history', cjson.encode(hist))
if cid ~= '' then redis.call('HSET', KEYS[1], 'carrier_id', cid) end
if reason ~= '' then redis.call('HSET', KEYS[1], 'reason', reason) end
return to
