-- create.lua stores a new object of an account under a fresh id.
--
-- KEYS: 1 meta, 2 the object hash, 3 a hash the reference must exist in
-- ARGV: 1 id prefix ("site_"), 2 meta sequence field, 3 JSON,
--       4 reference id that must exist in KEYS[3] ('' for none),
--       5 code returned when it does not
-- Returns the new id.
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('account_not_found') end
if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[3], ARGV[4]) == 0 then
  return redis.error_reply(ARGV[5] .. ' ' .. ARGV[4])
end
local id = ARGV[1] .. redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('HSET', KEYS[2], id, ARGV[3])
return id
