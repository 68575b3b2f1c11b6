-- add.lua brings numbers into an account's inventory in one atomic step:
-- bought from the carrier (unassigned, taking licences), or the start of a
-- port-in (porting, no licence), or reserved.
--
-- KEYS: 1 meta, 2 num, 3 idx, 4 audit, 5 gone, 6 site, 7 ea, 8 marker
-- ARGV: 1 now_ms, 2 actor, 3 source, 4 audit_cap, 5 flags ('m' marker),
--       6 marker_ttl, 7 status, 8 site_id, 9 emergency_address_id,
--       10 source of the numbers (ordered|ported), 11 port order id,
--       then rows of 6: number, type, country, area code, region, city.
-- Returns {replayed, outcomes joined by "\n"} or an error reply whose
-- message starts with a code when the whole batch is refused.
local now, actor, source, cap, flags, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local status, site, ea, nsource, port = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local use_marker = string.find(flags, 'm', 1, true) ~= nil

if use_marker then
  local done = redis.call('GET', KEYS[8])
  if done then return { 1, done } end
end
if not RANK[status] or status == 'assigned' then
  return redis.error_reply('invalid_field status ' .. status)
end

local meta = redis.call('HMGET', KEYS[1], 'name', 'multiple_sites', 'lic_toll_total', 'lic_toll_used', 'lic_tf_total', 'lic_tf_used', 'lic_toll_held', 'lic_tf_held')
if not meta[1] then return redis.error_reply('account_not_found') end
local err
ea, err = target(meta[2] == '1', site, ea, KEYS[6], KEYS[7])
if not ea then return err end

local FIRST = 12
local nums, nrows = row_numbers(FIRST, 6)
local exists = {}
if nrows > 0 then
  local recs = redis.call('HMGET', KEYS[2], unpack(nums))
  for i = 1, nrows do exists[i] = recs[i] ~= false end
end

-- Licences: every new active number needs a free licence of its type;
-- when one pool is short the whole batch is refused and nothing is taken.
local need = { toll = 0, toll_free = 0 }
local seen = {}
local out = {}
for i = 1, nrows do
  local b = FIRST + (i - 1) * 6
  local ntype = ARGV[b + 1]
  if exists[i] or seen[nums[i]] then
    out[i] = 'number_exists'
  elseif ntype ~= 'toll' and ntype ~= 'toll_free' then
    out[i] = 'invalid_field'
  else
    seen[nums[i]] = true
    out[i] = 'ok'
    need[ntype] = need[ntype] + 1
  end
end
if status == 'unassigned' then
  -- Licences held by open orders are not free.
  local tf_total, tf_used = tonumber(meta[5] or '0'), tonumber(meta[6] or '0') + tonumber(meta[8] or '0')
  local t_total, t_used = tonumber(meta[3] or '0'), tonumber(meta[4] or '0') + tonumber(meta[7] or '0')
  if need.toll_free > 0 and tf_total == 0 then
    return redis.error_reply('toll_free_license_required the account has no toll-free licences')
  end
  if need.toll_free > tf_total - tf_used then
    return redis.error_reply('license_exhausted ' .. need.toll_free .. ' toll-free licences needed, ' .. (tf_total - tf_used) .. ' free')
  end
  if need.toll > t_total - t_used then
    return redis.error_reply('license_exhausted ' .. need.toll .. ' phone-number licences needed, ' .. (t_total - t_used) .. ' free')
  end
end

local ACTION = { unassigned = 'acquire', porting = 'port_start', reserved = 'reserve' }
local hset, zadd, arows, recs = {}, {}, {}, {}
local prevs = {}
local newnums = {}
for i = 1, nrows do if out[i] == 'ok' then newnums[#newnums + 1] = nums[i] end end
if #newnums > 0 then
  local g = redis.call('HMGET', KEYS[5], unpack(newnums))
  for j = 1, #newnums do prevs[newnums[j]] = g[j] or '' end
end
local reserved_since = ''
if status == 'reserved' then reserved_since = now end
for i = 1, nrows do
  if out[i] == 'ok' then
    local b = FIRST + (i - 1) * 6
    local num = nums[i]
    -- The record's tail (fields 6..14); the head is written with the audit ref.
    local tail = ARGV[b + 1] .. SEP .. site .. SEP .. ARGV[b + 2] .. SEP .. ARGV[b + 3] .. SEP .. ARGV[b + 4] .. SEP .. ARGV[b + 5] .. SEP .. ea .. SEP .. nsource .. SEP .. now
    arows[#arows + 1] = num .. SEP .. ACTION[status] .. SEP .. 'released' .. SEP .. '' .. SEP .. status .. SEP .. '' .. SEP .. prevs[num]
    recs[#recs + 1] = { num, tail }
  end
end
if #arows > 0 then
  local id = audit(KEYS[4], cap, actor, source, arows)
  for k, r in ipairs(recs) do
    hset[#hset + 1] = r[1]
    hset[#hset + 1] = status .. SEP .. '' .. SEP .. id .. '.' .. k .. SEP .. reserved_since .. SEP .. port .. SEP .. r[2]
    zadd[#zadd + 1] = score(status, r[1])
    zadd[#zadd + 1] = r[1]
  end
  bulk('HSET', KEYS[2], hset)
  bulk('ZADD', KEYS[3], zadd)
  bulk('HDEL', KEYS[5], newnums)
  if status == 'unassigned' then
    if need.toll > 0 then redis.call('HINCRBY', KEYS[1], 'lic_toll_used', need.toll) end
    if need.toll_free > 0 then redis.call('HINCRBY', KEYS[1], 'lic_tf_used', need.toll_free) end
  end
end
local joined = table.concat(out, '\n')
if use_marker then redis.call('SET', KEYS[8], joined, 'EX', ttl) end
return { 0, joined }
