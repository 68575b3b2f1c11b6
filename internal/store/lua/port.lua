-- port.lua is the life of a port-in order, each step atomic:
--
--   create:    checks the target, refuses the whole order when a number is
--              already in the inventory (number_exists), adds every number
--              as porting (no licence) and stores the order, submitted.
--   carrier:   records the carrier's id of a submission.
--   update:    applies the carrier's status. Statuses only move forward
--              (submitted < pending < foc_confirmed < completed); exception
--              and cancelled come from any open status. On completed each
--              number becomes unassigned (taking a licence; one that finds
--              none becomes reserved and the order notes it) or, with
--              reserve, reserved. On cancelled the numbers leave the
--              inventory.
--   cancel:    the admin cancels an order not yet foc_confirmed.
--   patch:     corrects an order in exception (JSON of the fields).
--   resubmit:  exception -> submitted, as a new submission.
--
-- KEYS: 1 meta, 2 num, 3 idx, 4 audit, 5 gone, 6 site, 7 ea, 8 port,
--       9 ports (zset by creation), 10 open port ids (set)
-- ARGV: 1 op, 2 now_ms, 3 port order id, then per op (see the store).
-- Returns {status, released numbers joined by "\n"} or an error reply.
local op, now, id = ARGV[1], ARGV[2], ARGV[3]
local RANKS = { submitted = 1, pending = 2, foc_confirmed = 3, completed = 4 }

local function history_add(h, status, reason)
  local list = cjson.decode(h)
  list[#list + 1] = { status = status, at = tonumber(now), reason = reason }
  return cjson.encode(list)
end

if op == 'create' then
  local actor, source, cap, site, ea, fields = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  if redis.call('EXISTS', KEYS[8]) == 1 then return redis.error_reply('conflict port order ' .. id .. ' exists') end
  local meta = redis.call('HMGET', KEYS[1], 'name', 'multiple_sites')
  if not meta[1] then return redis.error_reply('account_not_found') end
  local err
  ea, err = target(meta[2] == '1', site, ea, KEYS[6], KEYS[7])
  if not ea then return err end
  local FIRST = 10
  local nums, n = row_numbers(FIRST, 6)
  local recs = redis.call('HMGET', KEYS[2], unpack(nums))
  local taken = {}
  for i = 1, n do
    if recs[i] then
      taken[#taken + 1] = nums[i] .. ' (' .. string.match(recs[i], '^([^\31]*)') .. ')'
      if #taken == 5 then break end
    end
  end
  if #taken > 0 then
    return redis.error_reply('number_exists already in the inventory or in another open port order: ' .. table.concat(taken, ', '))
  end
  local prevs = redis.call('HMGET', KEYS[5], unpack(nums))
  local arows, lines = {}, {}
  for i = 1, n do
    arows[i] = nums[i] .. SEP .. 'port_start' .. SEP .. 'released' .. SEP .. '' .. SEP .. 'porting' .. SEP .. '' .. SEP .. (prevs[i] or '')
    lines[i] = { number = nums[i], status = 'submitted', exception = '', result = '' }
  end
  local aid = audit(KEYS[4], cap, actor, source, arows)
  local hset, zadd = {}, {}
  for i = 1, n do
    local b = FIRST + (i - 1) * 6
    hset[#hset + 1] = nums[i]
    hset[#hset + 1] = 'porting' .. SEP .. '' .. SEP .. aid .. '.' .. i .. SEP .. '' .. SEP .. id .. SEP ..
      ARGV[b + 1] .. SEP .. site .. SEP .. ARGV[b + 2] .. SEP .. ARGV[b + 3] .. SEP .. ARGV[b + 4] .. SEP .. ARGV[b + 5] .. SEP ..
      ea .. SEP .. 'ported' .. SEP .. now
    zadd[#zadd + 1] = score('porting', nums[i])
    zadd[#zadd + 1] = nums[i]
  end
  bulk('HSET', KEYS[2], hset)
  bulk('ZADD', KEYS[3], zadd)
  bulk('HDEL', KEYS[5], nums)
  local f = cjson.decode(fields)
  redis.call('HSET', KEYS[8], 'id', id, 'status', 'submitted', 'country', f.country, 'status_visible', f.status_visible,
    'losing_carrier', f.losing_carrier, 'account_number', f.account_number, 'pin', f.pin,
    'requested_foc_date', f.requested_foc_date, 'foc_date', '', 'reserve', f.reserve, 'site_id', site,
    'emergency_address_id', ea, 'carrier_id', '', 'submission', 1, 'reason', '', 'note', '', 'actor', actor,
    'created_at', now, 'updated_at', now, 'numbers', cjson.encode(lines), 'history', history_add('[]', 'submitted', ''))
  redis.call('ZADD', KEYS[9], now, id)
  redis.call('SADD', KEYS[10], id)
  return { 'submitted', '' }
end

local o = redis.call('HMGET', KEYS[8], 'status', 'submission', 'carrier_id', 'numbers', 'history', 'reserve')
if not o[1] then return redis.error_reply('not_found port order ' .. id) end
local status, submission = o[1], o[2]

if op == 'carrier' then
  if ARGV[4] == submission and o[3] == '' then redis.call('HSET', KEYS[8], 'carrier_id', ARGV[5]) end
  return { status, '' }
end

if op == 'patch' then
  if status ~= 'exception' then return redis.error_reply('wrong_status only an order in exception can be corrected; it is ' .. status) end
  local f = cjson.decode(ARGV[4])
  for _, k in ipairs({ 'losing_carrier', 'account_number', 'pin', 'requested_foc_date' }) do
    if f[k] then redis.call('HSET', KEYS[8], k, f[k]) end
  end
  redis.call('HSET', KEYS[8], 'updated_at', now)
  return { status, '' }
end

if op == 'resubmit' then
  if status ~= 'exception' then return redis.error_reply('wrong_status only an order in exception can be resubmitted; it is ' .. status) end
  local lines = cjson.decode(o[4])
  for _, l in ipairs(lines) do l.status, l.exception = 'submitted', '' end
  redis.call('HSET', KEYS[8], 'status', 'submitted', 'submission', tonumber(submission) + 1, 'carrier_id', '',
    'reason', '', 'updated_at', now, 'numbers', cjson.encode(lines), 'history', history_add(o[5], 'submitted', 'resubmitted'))
  redis.call('SADD', KEYS[10], id)
  return { 'submitted', '' }
end

-- The numbers of this order still porting in the inventory.
local lines = cjson.decode(o[4])
local nums = {}
for i, l in ipairs(lines) do nums[i] = l.number end
local recs = redis.call('HMGET', KEYS[2], unpack(nums))

-- release removes the order's numbers from the inventory (cancelled).
local function release(actor, source, cap)
  local arows, gone, del, out = {}, {}, {}, {}
  for i, l in ipairs(lines) do
    local r = recs[i]
    if r then
      local st, ext, ref, rs, port = string.match(r, HEAD)
      if st == 'porting' and port == id then
        arows[#arows + 1] = l.number .. SEP .. 'port_cancel' .. SEP .. 'porting' .. SEP .. '' .. SEP .. 'released' .. SEP .. '' .. SEP .. ref
        del[#del + 1] = l.number
      end
    end
    l.status = 'cancelled'
  end
  if #del > 0 then
    local aid = audit(KEYS[4], cap, actor, source, arows)
    for k, num in ipairs(del) do
      gone[#gone + 1] = num
      gone[#gone + 1] = aid .. '.' .. k
    end
    bulk('HDEL', KEYS[2], del)
    bulk('ZREM', KEYS[3], del)
    bulk('HSET', KEYS[5], gone)
  end
  return table.concat(del, '\n')
end

if op == 'cancel' then
  local cap, actor, source = ARGV[4], ARGV[5], ARGV[6]
  if status == 'cancelled' then return { status, '' } end
  if status ~= 'submitted' and status ~= 'pending' and status ~= 'exception' then
    return redis.error_reply('wrong_status a port order can be cancelled before foc_confirmed; it is ' .. status)
  end
  local released = release(actor, source, cap)
  redis.call('HSET', KEYS[8], 'status', 'cancelled', 'updated_at', now, 'numbers', cjson.encode(lines),
    'history', history_add(o[5], 'cancelled', 'cancelled by the account'))
  redis.call('SREM', KEYS[10], id)
  return { 'cancelled', released }
end

if op ~= 'update' then return redis.error_reply('invalid_action port order step ' .. op) end

local sub, to, reason, foc, cap, actor, source = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if status == 'completed' or status == 'cancelled' or sub ~= submission then return { status, '' } end
if to == status and (to ~= 'exception' or reason == redis.call('HGET', KEYS[8], 'reason')) then return { status, '' } end
if status == 'exception' and to ~= 'cancelled' then return { status, '' } end
if RANKS[to] and RANKS[status] and RANKS[to] < RANKS[status] then return { status, '' } end

local released = ''
local note = ''
if to == 'completed' then
  local reserve = o[6] == '1'
  local m = redis.call('HMGET', KEYS[1], 'lic_toll_total', 'lic_toll_used', 'lic_tf_total', 'lic_tf_used', 'lic_toll_held', 'lic_tf_held')
  local free = {
    toll = tonumber(m[1] or '0') - tonumber(m[2] or '0') - tonumber(m[5] or '0'),
    toll_free = tonumber(m[3] or '0') - tonumber(m[4] or '0') - tonumber(m[6] or '0'),
  }
  local used = { toll = 0, toll_free = 0 }
  local arows, hset, zadd = {}, {}, {}
  local short = 0
  for i, l in ipairs(lines) do
    local r = recs[i]
    if r then
      local st, ext, ref, rs, port, t = string.match(r, HEAD)
      if st == 'porting' and port == id then
        local tail = string.sub(r, t)
        local ty = rest_type(tail)
        local after = 'reserved'
        if not reserve then
          if used[ty] < free[ty] then
            after = 'unassigned'
            used[ty] = used[ty] + 1
          else
            short = short + 1
          end
        end
        local since = ''
        if after == 'reserved' then since = now end
        arows[#arows + 1] = l.number .. SEP .. 'port_complete' .. SEP .. 'porting' .. SEP .. '' .. SEP .. after .. SEP .. '' .. SEP .. ref
        hset[#hset + 1] = { l.number, after .. SEP .. '' .. SEP .. '%REF%' .. SEP .. since .. SEP .. '' .. SEP .. tail }
        zadd[#zadd + 1] = score(after, l.number)
        zadd[#zadd + 1] = l.number
        l.result = after
      end
    end
    l.status, l.exception = 'completed', ''
  end
  if #arows > 0 then
    local aid = audit(KEYS[4], cap, actor, source, arows)
    local h = {}
    for k, r in ipairs(hset) do
      h[#h + 1] = r[1]
      h[#h + 1] = string.gsub(r[2], '%%REF%%', aid .. '.' .. k, 1)
    end
    bulk('HSET', KEYS[2], h)
    bulk('ZADD', KEYS[3], zadd)
  end
  if used.toll > 0 then redis.call('HINCRBY', KEYS[1], 'lic_toll_used', used.toll) end
  if used.toll_free > 0 then redis.call('HINCRBY', KEYS[1], 'lic_tf_used', used.toll_free) end
  if short > 0 then
    note = short .. ' number(s) found no free licence and became reserved; activate them once licences are free'
  end
  redis.call('SREM', KEYS[10], id)
elseif to == 'cancelled' then
  released = release(actor, source, cap)
  redis.call('SREM', KEYS[10], id)
else
  for _, l in ipairs(lines) do
    l.status = to
    if to == 'exception' then l.exception = reason else l.exception = '' end
  end
  -- An order in exception waits for the admin: nothing to poll.
  if to == 'exception' then redis.call('SREM', KEYS[10], id) end
end
redis.call('HSET', KEYS[8], 'status', to, 'reason', reason, 'updated_at', now, 'numbers', cjson.encode(lines),
  'history', history_add(o[5], to, reason))
if foc ~= '' then redis.call('HSET', KEYS[8], 'foc_date', foc) end
if note ~= '' then redis.call('HSET', KEYS[8], 'note', note) end
return { to, released }
