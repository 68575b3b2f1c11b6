-- prelude.lua is prepended to every script of the store.
-- Records are fields joined by the ASCII unit separator (\31); text fields
-- never contain control characters (inventory.ValidateText).
local SEP = '\31'
local ROWSEP = '\30'

-- A number record is 14 fields (see schema.go): status, extension id,
-- audit ref, reserved_since, port order id, then the fields no transition
-- changes: type, site, country, area code, region, city, emergency
-- address, source, acquired_at. Scripts split off only the five changing
-- ones (HEAD, whose last capture is where the rest starts).
local HEAD = '^([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31()'
local function rest_type(r) return string.match(r, '^([^\31]*)') end
local function rest_country(r) return string.match(r, '^[^\31]*\31[^\31]*\31([^\31]*)') end

-- RANK is each status's class in the status index (unassigned and assigned
-- share the active class, 3e15 and up).
local RANK = { porting = 1e15, reserved = 2e15, unassigned = 3e15, assigned = 3e15 }

-- score orders the status index (schema.go's indexScore): porting and
-- reserved numbers by class then digits, the active ones interleaved in
-- number order with the parity telling assigned from unassigned. Every
-- score is below 2^53, so it is exact as a double, and Redis 7 and
-- miniredis print Lua numbers exactly.
local function score(status, num)
  if status == 'unassigned' then return 3e15 + 2 * tonumber(num) end
  if status == 'assigned' then return 3e15 + 2 * tonumber(num) + 1 end
  return RANK[status] + tonumber(num)
end

-- bulk calls a variadic command in slices that stay under Lua's stack limit.
local function bulk(cmd, key, args, step)
  step = step or 4000
  local n = #args
  local i = 1
  while i <= n do
    local j = math.min(i + step - 1, n)
    redis.call(cmd, key, unpack(args, i, j))
    i = j + 1
  end
end

-- audit writes one stream entry for the changed rows (each row: number,
-- action, before status, before extension, after status, after extension,
-- previous audit ref) and returns the entry id.
local function audit(key, cap, actor, source, rows)
  return redis.call('XADD', key, 'MAXLEN', '~', cap, '*', 'a', actor, 's', source, 'r', table.concat(rows, ROWSEP))
end

-- target checks where numbers coming in go: with multiple sites a site
-- (whose emergency address they take), without them an emergency address.
-- It returns the emergency address, or nil and an error reply.
local function target(multi, site, ea, site_key, ea_key)
  if multi then
    if site == '' then return nil, redis.error_reply('site_required a target site is required when the account has multiple sites') end
    if ea ~= '' then return nil, redis.error_reply('invalid_field emergency_address_id is only for accounts without multiple sites (the site gives it)') end
    local s = redis.call('HGET', site_key, site)
    if not s then return nil, redis.error_reply('site_not_found site ' .. site) end
    return cjson.decode(s)['emergency_address_id'] or ''
  end
  if site ~= '' then return nil, redis.error_reply('invalid_field site_id is only for accounts with multiple sites') end
  if ea == '' then return nil, redis.error_reply('emergency_address_required an emergency address is required') end
  if redis.call('HEXISTS', ea_key, ea) == 0 then return nil, redis.error_reply('emergency_address_not_found emergency address ' .. ea) end
  return ea
end

-- row_numbers returns the numbers of the ARGV rows of width fields that
-- start at first (a row's number is its first field), and their count.
local function row_numbers(first, width)
  local n = (#ARGV - first + 1) / width
  local nums = {}
  for i = 1, n do nums[i] = ARGV[first + (i - 1) * width] end
  return nums, n
end
