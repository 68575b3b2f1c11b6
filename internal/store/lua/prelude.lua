-- prelude.lua is prepended to every script of the store.
-- Records are fields joined by the ASCII unit separator (\31); text fields
-- never contain control characters (inventory.ValidateText).
local SEP = '\31'
local ROWSEP = '\30'

local function split(s)
  local t, i, start = {}, 1, 1
  while true do
    local j = string.find(s, SEP, start, true)
    if not j then
      t[i] = string.sub(s, start)
      return t
    end
    t[i] = string.sub(s, start, j - 1)
    i = i + 1
    start = j + 1
  end
end

-- Number record fields (see schema.go).
local F_STATUS, F_TYPE, F_COUNTRY, F_AREA, F_REGION, F_CITY, F_SITE, F_EA,
  F_SOURCE, F_EXT, F_ACQUIRED, F_UPDATED, F_RESERVED, F_PORT, F_AUDIT = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
local NFIELDS = 15

-- Extension record fields.
local E_NUMBER, E_TYPE, E_NAME, E_EMAIL, E_SITE = 1, 2, 3, 4, 5

local RANK = { porting = '1', reserved = '2', unassigned = '3', assigned = '4' }

-- score orders the status index: the status rank, then the number's digits
-- padded to 15, built as a string so no float formatting can round it.
local function score(status, num)
  local digits = string.sub(num, 2)
  return RANK[status] .. string.rep('0', 15 - #digits) .. digits
end

local function join(t) return table.concat(t, SEP) end

-- lic_field names the meta fields of a number type's licence pool.
local function lic_fields(ntype)
  if ntype == 'toll_free' then return 'lic_tf_total', 'lic_tf_used' end
  return 'lic_toll_total', 'lic_toll_used'
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
