-- order.lua is the life of a number order, each step atomic:
--
--   create: checks the target (site or emergency address), turns each
--           number into a line (buy from the carrier, or activate the
--           account's reserved number), holds one licence per line for the
--           whole order or refuses it, and stores the order as pending.
--   start:  pending -> processing; answers the order's status and lines.
--   finish: applies the carrier's answer: bought numbers come into the
--           inventory unassigned, reserved numbers are activated, each
--           held licence is used or given back, the lines and the final
--           status (completed | partial | failed) are written. A finished
--           order is never finished again: the step answers what it wrote.
--
-- KEYS (all ops): 1 meta, 2 num, 3 idx, 4 audit, 5 gone, 6 resv, 7 site,
--                 8 ea, 9 order, 10 orders
-- ARGV: 1 op, 2 now_ms, 3 order id, then
--   create: 4 actor, 5 source, 6 site id, 7 emergency address id,
--           8 retention seconds, then rows of 6: number, type, country,
--           area code, region, city.
--   start:  nothing more.
--   finish: 4 actor, 5 source, 6 audit cap, 7 retention seconds, then
--           pairs: number, failure code ("" when the carrier sold it)
--           for every buy line; an activate line given a failure code
--           fails with it instead of being activated.
-- An order hash holds id, status, site_id, emergency_address_id, actor,
-- created_at, updated_at, finished_at and lines (a JSON array of
-- {number, type, country, area_code, region, city, kind, status,
-- error_code}).
local op, now, id = ARGV[1], ARGV[2], ARGV[3]

local function held_field(ntype)
  if ntype == 'toll_free' then return 'lic_tf_held' end
  return 'lic_toll_held'
end

if op == 'create' then
  local actor, source, site, ea, ttl = ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
  if redis.call('EXISTS', KEYS[9]) == 1 then return redis.error_reply('conflict order ' .. id .. ' exists') end
  local meta = redis.call('HMGET', KEYS[1], 'name', 'multiple_sites', 'lic_toll_total', 'lic_toll_used', 'lic_tf_total', 'lic_tf_used', 'lic_toll_held', 'lic_tf_held')
  if not meta[1] then return redis.error_reply('account_not_found') end
  local err
  ea, err = target(meta[2] == '1', site, ea, KEYS[7], KEYS[8])
  if not ea then return err end

  local FIRST = 9
  local nums, n = row_numbers(FIRST, 6)
  local recs = redis.call('HMGET', KEYS[2], unpack(nums))
  local need = { toll = 0, toll_free = 0 }
  local lines = {}
  for i = 1, n do
    local b = FIRST + (i - 1) * 6
    local kind = 'buy'
    local ntype = ARGV[b + 1]
    if recs[i] then
      local st = string.match(recs[i], '^([^\31]*)')
      if st ~= 'reserved' then
        return redis.error_reply('number_exists ' .. nums[i] .. ' is already in the inventory (' .. st .. ')')
      end
      kind = 'activate'
      ntype = rest_type(string.sub(recs[i], select(6, string.match(recs[i], HEAD))))
    end
    need[ntype] = need[ntype] + 1
    lines[i] = { number = nums[i], type = ntype, country = ARGV[b + 2], area_code = ARGV[b + 3],
      region = ARGV[b + 4], city = ARGV[b + 5], kind = kind, status = 'pending', error_code = '' }
  end
  -- Licences: one per line, of its type, taken for the whole order or none.
  local t_free = tonumber(meta[3] or '0') - tonumber(meta[4] or '0') - tonumber(meta[7] or '0')
  local tf_total = tonumber(meta[5] or '0')
  local tf_free = tf_total - tonumber(meta[6] or '0') - tonumber(meta[8] or '0')
  if need.toll_free > 0 and tf_total == 0 then
    return redis.error_reply('toll_free_license_required the account has no toll-free licences')
  end
  if need.toll_free > tf_free then
    return redis.error_reply('license_exhausted ' .. need.toll_free .. ' toll-free licences needed, ' .. tf_free .. ' free')
  end
  if need.toll > t_free then
    return redis.error_reply('license_exhausted ' .. need.toll .. ' phone-number licences needed, ' .. t_free .. ' free')
  end
  if need.toll > 0 then redis.call('HINCRBY', KEYS[1], 'lic_toll_held', need.toll) end
  if need.toll_free > 0 then redis.call('HINCRBY', KEYS[1], 'lic_tf_held', need.toll_free) end
  redis.call('HSET', KEYS[9], 'id', id, 'status', 'pending', 'site_id', site, 'emergency_address_id', ea,
    'actor', actor, 'source', source, 'created_at', now, 'updated_at', now, 'lines', cjson.encode(lines))
  redis.call('ZADD', KEYS[10], now, id)
  -- Orders finished longer ago than the retention are forgotten.
  redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', '(' .. (tonumber(now) - ttl * 1000))
  return 'pending'
end

local order = redis.call('HMGET', KEYS[9], 'status', 'lines', 'site_id', 'emergency_address_id')
if not order[1] then return redis.error_reply('not_found order ' .. id) end
local status = order[1]

if op == 'start' then
  if status == 'pending' then
    status = 'processing'
    redis.call('HSET', KEYS[9], 'status', status, 'updated_at', now)
  end
  return { status, order[2] }
end

if op ~= 'finish' then return redis.error_reply('invalid_action order step ' .. op) end
if status ~= 'pending' and status ~= 'processing' then return { status, order[2] } end

local actor, source, cap, ttl = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local site, ea = order[3], order[4]
local sold = {}
for i = 8, #ARGV, 2 do sold[ARGV[i]] = ARGV[i + 1] end
local lines = cjson.decode(order[2])
local nums = {}
for i, l in ipairs(lines) do nums[i] = l.number end
local recs = redis.call('HMGET', KEYS[2], unpack(nums))

local held = { toll = 0, toll_free = 0 }
local used = { toll = 0, toll_free = 0 }
local arows, hset, zadd, added, resv = {}, {}, {}, {}, {}
local prev = {}
local nok = 0
for i, l in ipairs(lines) do
  held[l.type] = held[l.type] + 1
  if l.kind == 'buy' then
    local code = sold[l.number]
    if code == nil then code = 'carrier_no_answer' end
    if code == '' and recs[i] then code = 'number_exists' end
    if code == '' then
      l.status = 'acquired'
      added[#added + 1] = i
    else
      l.status, l.error_code = 'failed', code
    end
  else
    local st = recs[i] and string.match(recs[i], '^([^\31]*)')
    local code = sold[l.number]
    if code ~= nil and code ~= '' then
      l.status, l.error_code = 'failed', code
    elseif st == 'reserved' then
      l.status = 'activated'
      local s, e, ref, rsince, port, t = string.match(recs[i], HEAD)
      -- The activated number takes the order's site and emergency address.
      local f = {}
      for v in string.gmatch(string.sub(recs[i], t) .. SEP, '([^\31]*)\31') do f[#f + 1] = v end
      f[2], f[7] = site, ea
      local tail = table.concat(f, SEP)
      arows[#arows + 1] = l.number .. SEP .. 'activate' .. SEP .. 'reserved' .. SEP .. '' .. SEP .. 'unassigned' .. SEP .. '' .. SEP .. ref
      resv[#resv + 1] = l.number .. SEP .. rest_country(tail) .. SEP .. rsince .. SEP .. now
      hset[#hset + 1] = { l.number, tail }
    elseif st then
      l.status, l.error_code = 'failed', 'wrong_status'
    else
      l.status, l.error_code = 'failed', 'number_not_found'
    end
  end
  if l.status ~= 'failed' then
    nok = nok + 1
    used[l.type] = used[l.type] + 1
  end
end

-- Bought numbers: a new record each, linked to the number's earlier
-- history when it was in this inventory before.
if #added > 0 then
  local an = {}
  for j, i in ipairs(added) do an[j] = lines[i].number end
  local g = redis.call('HMGET', KEYS[5], unpack(an))
  for j, i in ipairs(added) do
    local l = lines[i]
    arows[#arows + 1] = l.number .. SEP .. 'acquire' .. SEP .. 'released' .. SEP .. '' .. SEP .. 'unassigned' .. SEP .. '' .. SEP .. (g[j] or '')
    hset[#hset + 1] = { l.number, l.type .. SEP .. site .. SEP .. l.country .. SEP .. l.area_code .. SEP .. l.region .. SEP .. l.city .. SEP .. ea .. SEP .. 'ordered' .. SEP .. now }
  end
  bulk('HDEL', KEYS[5], an)
end
if #arows > 0 then
  local aid = audit(KEYS[4], cap, actor, source, arows)
  local h = {}
  for k, r in ipairs(hset) do
    h[#h + 1] = r[1]
    h[#h + 1] = 'unassigned' .. SEP .. '' .. SEP .. aid .. '.' .. k .. SEP .. '' .. SEP .. '' .. SEP .. r[2]
    zadd[#zadd + 1] = score('unassigned', r[1])
    zadd[#zadd + 1] = r[1]
  end
  bulk('HSET', KEYS[2], h)
  bulk('ZADD', KEYS[3], zadd)
  if #resv > 0 then bulk('RPUSH', KEYS[6], resv) end
end
for ty, n in pairs(held) do
  if n > 0 then redis.call('HINCRBY', KEYS[1], held_field(ty), -n) end
end
if used.toll > 0 then redis.call('HINCRBY', KEYS[1], 'lic_toll_used', used.toll) end
if used.toll_free > 0 then redis.call('HINCRBY', KEYS[1], 'lic_tf_used', used.toll_free) end

if nok == #lines then status = 'completed' elseif nok == 0 then status = 'failed' else status = 'partial' end
local out = cjson.encode(lines)
redis.call('HSET', KEYS[9], 'status', status, 'lines', out, 'updated_at', now, 'finished_at', now)
redis.call('EXPIRE', KEYS[9], ttl)
return { status, out }
