-- apply.lua applies a batch of actions to numbers already in an account's
-- inventory, in one atomic step, and returns each row's outcome.
--
-- KEYS: 1 meta, 2 num, 3 idx, 4 ext, 5 extno, 6 extemail, 7 extlinks,
--       8 audit, 9 gone, 10 resv, 11 marker, 12 progress
-- ARGV: 1 now_ms, 2 actor, 3 source, 4 audit_cap, 5 flags, 6 marker_ttl,
--       7 rows failed before this step (counted into progress),
--       8 N rows, 9 NN extension numbers, 10 NE emails, 11 NI extension ids,
--       then the distinct extension refs: NN extension numbers, NE emails,
--       NI ids (together the ref list, 1-based), then N numbers, N actions,
--       and N ref positions ("0" for none).
-- flags: 'm' use and write the applied-marker, 'd' dry run, 'p' count
--        outcomes into the progress hash.
-- Returns {replayed (0|1), outcomes joined by "\n"}.
--
-- This script is the bulk importer's hot path. It reads with one HMGET per
-- key and writes with one variadic command per key, keeps the numbers'
-- state in flat arrays rather than a table per row, parses only the head of
-- each record (the rest is cut from the stored string when written back),
-- and writes extension links without reading them.
local now, actor, source, cap, flags, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local prefailed = tonumber(ARGV[7])
local use_marker = string.find(flags, 'm', 1, true) ~= nil
local dry = string.find(flags, 'd', 1, true) ~= nil
local progress = string.find(flags, 'p', 1, true) ~= nil

if use_marker then
  local done = redis.call('GET', KEYS[11])
  if done then return { 1, done } end
end

local N, NN, NE, NI = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local REFS = 12                 -- ARGV position of the first ref
local NUMS = REFS + NN + NE + NI -- of the first number
local ACTS = NUMS + N
local RIDX = ACTS + N
local nrows = N
local nums = {}
for i = 1, N do nums[i] = ARGV[NUMS + i - 1] end

local multi = redis.call('HGET', KEYS[1], 'multiple_sites') == '1'

-- State of the rows' numbers, overlaid as rows apply. A number's state
-- lives in slot slot[number] (its first row) of the arrays below; st is
-- false when the number is not in the inventory.
local slot = {}
local st, ext, au, rs, po, rec, tail = {}, {}, {}, {}, {}, {}, {}
if nrows > 0 then
  local recs = redis.call('HMGET', KEYS[2], unpack(nums))
  for i = 1, nrows do
    local n = nums[i]
    if not slot[n] then
      slot[n] = i
      local r = recs[i]
      if r then
        st[i], ext[i], au[i], rs[i], po[i], tail[i] = string.match(r, HEAD)
        rec[i] = r
      else
        st[i] = false
      end
    end
  end
end
-- rest returns the unchanging fields of a number's record.
local function rest(k) return string.sub(rec[k], tail[k]) end

-- Resolve the distinct refs to extension ids (tid, by ref position);
-- ids given directly must exist, and with multiple sites the targets'
-- sites are needed (tsite).
local tid, tsite = {}, {}
if NN > 0 then
  local got = redis.call('HMGET', KEYS[5], unpack(ARGV, REFS, REFS + NN - 1))
  for j = 1, NN do tid[j] = got[j] end
end
if NE > 0 then
  local got = redis.call('HMGET', KEYS[6], unpack(ARGV, REFS + NN, REFS + NN + NE - 1))
  for j = 1, NE do tid[NN + j] = got[j] end
end
for j = NN + NE + 1, NN + NE + NI do tid[j] = ARGV[REFS + j - 1] end
if NI > 0 or (multi and NN + NE > 0) then
  local pos, idl = {}, {}
  for j = 1, NN + NE + NI do
    if tid[j] then pos[#pos + 1] = j; idl[#idl + 1] = tid[j] end
  end
  if #idl > 0 then
    local got = redis.call('HMGET', KEYS[4], unpack(idl))
    for x = 1, #pos do
      if got[x] then tsite[pos[x]] = ext_site(got[x]) else tid[pos[x]] = false end
    end
  end
end

-- Extension links: members "<extension id>\0<number>" of a lex-ordered
-- zset, added and removed without reading (the final state of each member
-- wins when a batch touches it twice).
local linkset, linkorder = {}, {}
local function link(id, num)
  local m = id .. '\0' .. num
  if linkset[m] == nil then linkorder[#linkorder + 1] = m end
  linkset[m] = true
end
local function unlink(id, num)
  local m = id .. '\0' .. num
  if linkset[m] == nil then linkorder[#linkorder + 1] = m end
  linkset[m] = false
end

local function assignee_no(id)
  local r = redis.call('HGET', KEYS[4], id)
  if r then return string.match(r, '^([^\31]*)') end
  return id
end

local lic = nil
local function free_licences(ntype, delta)
  if not lic then
    -- Licences held by open orders are not free.
    local m = redis.call('HMGET', KEYS[1], 'lic_toll_total', 'lic_toll_used', 'lic_tf_total', 'lic_tf_used', 'lic_toll_held', 'lic_tf_held')
    lic = { toll = tonumber(m[1] or '0') - tonumber(m[2] or '0') - tonumber(m[5] or '0'),
            toll_free = tonumber(m[3] or '0') - tonumber(m[4] or '0') - tonumber(m[6] or '0'),
            tf_total = tonumber(m[3] or '0') }
  end
  return lic[ntype] - delta
end

local out = {}
local lines, lslot = {}, {}
local lastrow = {}
local resv = {}
local licdelta = { toll = 0, toll_free = 0 }
local nok, nunchanged, nfailed = 0, 0, 0

for i = 1, nrows do
  local num = nums[i]
  local act = ARGV[ACTS + i - 1]
  local k = slot[num]
  local s = st[k]
  local res
  if not s then
    res = 'number_not_found'
  else
    local before_ext = ext[k]
    if act == 'assign' or act == 'reassign' then
      local ref = tonumber(ARGV[RIDX + i - 1])
      local id = tid[ref]
      if not id then
        res = 'extension_not_found'
      elseif s == 'porting' or s == 'reserved' then
        res = 'number_not_active'
      elseif act == 'assign' and s == 'assigned' then
        if before_ext == id then res = 'unchanged' else res = 'already_assigned' .. SEP .. assignee_no(before_ext) end
      elseif act == 'reassign' and s ~= 'assigned' then
        res = 'not_assigned'
      elseif act == 'reassign' and before_ext == id then
        res = 'unchanged'
      elseif multi and rest_type(rest(k)) == 'toll' and rest_site(rest(k)) ~= tsite[ref] then
        res = 'site_mismatch' .. SEP .. rest_site(rest(k)) .. SEP .. tsite[ref]
      else
        if before_ext ~= '' then unlink(before_ext, num) end
        link(id, num)
        st[k], ext[k] = 'assigned', id
        res = 'ok'
      end
    elseif act == 'unassign' then
      if s ~= 'assigned' then
        res = 'not_assigned'
      else
        unlink(before_ext, num)
        st[k], ext[k] = 'unassigned', ''
        res = 'ok'
      end
    elseif act == 'delete' then
      if s == 'assigned' then
        res = 'already_assigned' .. SEP .. assignee_no(before_ext)
      elseif s == 'porting' then
        res = 'number_not_active'
      else
        if s == 'unassigned' then
          local ty = rest_type(rest(k))
          licdelta[ty] = licdelta[ty] - 1
        else
          resv[#resv + 1] = num .. SEP .. rest_country(rest(k)) .. SEP .. rs[k] .. SEP .. now
        end
        st[k] = 'released'
        res = 'ok'
      end
    elseif act == 'activate' or act == 'port_complete' then
      local from = (act == 'activate') and 'reserved' or 'porting'
      if s ~= from then
        if s == 'assigned' or s == 'unassigned' then res = 'unchanged'
        elseif act == 'activate' and s == 'porting' then res = 'number_not_active'
        else res = 'wrong_status' end
      else
        local ty = rest_type(rest(k))
        if free_licences(ty, licdelta[ty]) <= 0 then
          if act == 'activate' then
            res = (ty == 'toll_free' and lic.tf_total == 0) and 'toll_free_license_required' or 'license_exhausted'
          else
            st[k], rs[k], po[k] = 'reserved', now, ''
            res = 'reserved'
          end
        else
          licdelta[ty] = licdelta[ty] + 1
          if s == 'reserved' then
            resv[#resv + 1] = num .. SEP .. rest_country(rest(k)) .. SEP .. rs[k] .. SEP .. now
          end
          st[k], rs[k], po[k] = 'unassigned', '', ''
          res = 'ok'
        end
      end
    elseif act == 'port_reserve' then
      if s == 'reserved' then res = 'unchanged'
      elseif s ~= 'porting' then res = 'wrong_status'
      else
        st[k], rs[k], po[k] = 'reserved', now, ''
        res = 'ok'
      end
    elseif act == 'port_cancel' then
      if s ~= 'porting' then
        res = 'wrong_status'
      else
        st[k] = 'released'
        res = 'ok'
      end
    else
      res = 'invalid_action'
    end
    if res == 'ok' or res == 'reserved' then
      local prev = au[k]
      if lastrow[num] then prev = '.' .. lastrow[num] end
      local a = #lines + 1
      lines[a] = num .. SEP .. act .. SEP .. s .. SEP .. before_ext .. SEP .. st[k] .. SEP .. ext[k] .. SEP .. prev
      lslot[a] = k
      lastrow[num] = a
      if st[k] == 'released' then st[k] = false end
    end
  end
  out[i] = res
  if res == 'ok' or res == 'reserved' then nok = nok + 1
  elseif res == 'unchanged' then nunchanged = nunchanged + 1
  else nfailed = nfailed + 1 end
end

local joined = table.concat(out, '\n')

-- A dry run writes nothing but its progress and marker.
if not dry and #lines > 0 then
  local id = audit(KEYS[8], cap, actor, source, lines)
  local hset, zadd, hdel, gone = {}, {}, {}, {}
  -- Each number's record points at its newest audit row; a number changed
  -- twice in one batch keeps the later row (which links the earlier).
  for a = 1, #lines do
    local k = lslot[a]
    local num = nums[k]
    if lastrow[num] == a then
      local ref = id .. '.' .. a
      if not st[k] then
        hdel[#hdel + 1] = num
        gone[#gone + 1] = num
        gone[#gone + 1] = ref
      else
        hset[#hset + 1] = num
        hset[#hset + 1] = st[k] .. SEP .. ext[k] .. SEP .. ref .. SEP .. rs[k] .. SEP .. po[k] .. SEP .. rest(k)
        zadd[#zadd + 1] = score(st[k], num)
        zadd[#zadd + 1] = num
      end
    end
  end
  if #hset > 0 then bulk('HSET', KEYS[2], hset); bulk('ZADD', KEYS[3], zadd) end
  if #hdel > 0 then bulk('HDEL', KEYS[2], hdel); bulk('ZREM', KEYS[3], hdel); bulk('HSET', KEYS[9], gone) end
  if #resv > 0 then bulk('RPUSH', KEYS[10], resv) end
  local ladd, lrem = {}, {}
  for _, m in ipairs(linkorder) do
    if linkset[m] then ladd[#ladd + 1] = 0; ladd[#ladd + 1] = m else lrem[#lrem + 1] = m end
  end
  if #lrem > 0 then bulk('ZREM', KEYS[7], lrem) end
  if #ladd > 0 then bulk('ZADD', KEYS[7], ladd) end
  if licdelta.toll ~= 0 then redis.call('HINCRBY', KEYS[1], 'lic_toll_used', licdelta.toll) end
  if licdelta.toll_free ~= 0 then redis.call('HINCRBY', KEYS[1], 'lic_tf_used', licdelta.toll_free) end
end

if progress then
  redis.call('HINCRBY', KEYS[12], 'rows_done', nrows + prefailed)
  redis.call('HINCRBY', KEYS[12], 'rows_ok', nok)
  redis.call('HINCRBY', KEYS[12], 'rows_unchanged', nunchanged)
  redis.call('HINCRBY', KEYS[12], 'rows_failed', nfailed + prefailed)
end
if use_marker then
  redis.call('SET', KEYS[11], joined, 'EX', ttl)
end
return { 0, joined }
