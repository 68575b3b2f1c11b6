-- apply.lua applies a batch of actions to numbers already in an account's
-- inventory, in one atomic step, and returns each row's outcome.
--
-- KEYS: 1 meta, 2 num, 3 idx, 4 ext, 5 extno, 6 extemail, 7 extnums,
--       8 audit, 9 gone, 10 resv, 11 marker, 12 progress
-- ARGV: 1 now_ms, 2 actor, 3 source, 4 audit_cap, 5 flags, 6 marker_ttl,
--       7 rows failed before this step (counted into progress),
--       then rows as triples: number, action, extension ref
--       (extension ref: "n:<extension number>", "e:<email>", "i:<id>" or "").
-- flags: 'm' use and write the applied-marker, 'd' dry run, 'p' count
--        outcomes into the progress hash.
-- Returns {replayed (0|1), outcomes joined by "\n"}.
local now, actor, source, cap, flags, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local prefailed = tonumber(ARGV[7])
local use_marker = string.find(flags, 'm', 1, true) ~= nil
local dry = string.find(flags, 'd', 1, true) ~= nil
local progress = string.find(flags, 'p', 1, true) ~= nil

if use_marker then
  local done = redis.call('GET', KEYS[11])
  if done then return { 1, done } end
end

local FIRST = 8
local nrows = (#ARGV - FIRST + 1) / 3
local nums, acts, refs = {}, {}, {}
for i = 1, nrows do
  local b = FIRST + (i - 1) * 3
  nums[i], acts[i], refs[i] = ARGV[b], ARGV[b + 1], ARGV[b + 2]
end

local multi = redis.call('HGET', KEYS[1], 'multiple_sites') == '1'

-- Current state: records of the rows' numbers (overlaid as rows apply).
local cur = {}
if nrows > 0 then
  local recs = redis.call('HMGET', KEYS[2], unpack(nums))
  for i = 1, nrows do
    if recs[i] and cur[nums[i]] == nil then cur[nums[i]] = split(recs[i]) end
    if not recs[i] and cur[nums[i]] == nil then cur[nums[i]] = false end
  end
end

-- Resolve extension refs to ids.
local byno, byemail, byid = {}, {}, {}
local nolist, emlist, idlist = {}, {}, {}
for i = 1, nrows do
  local r = refs[i]
  local kind, val = string.sub(r, 1, 1), string.sub(r, 3)
  if kind == 'n' and byno[val] == nil then byno[val] = false; nolist[#nolist + 1] = val
  elseif kind == 'e' and byemail[val] == nil then byemail[val] = false; emlist[#emlist + 1] = val
  elseif kind == 'i' and byid[val] == nil then byid[val] = false; idlist[#idlist + 1] = val end
end
if #nolist > 0 then
  local ids = redis.call('HMGET', KEYS[5], unpack(nolist))
  for j = 1, #nolist do if ids[j] then byno[nolist[j]] = ids[j]; idlist[#idlist + 1] = ids[j] end end
end
if #emlist > 0 then
  local ids = redis.call('HMGET', KEYS[6], unpack(emlist))
  for j = 1, #emlist do if ids[j] then byemail[emlist[j]] = ids[j]; idlist[#idlist + 1] = ids[j] end end
end

-- Extension records of the targets and of the current assignees.
local exts, links = {}, {}
local want, wantlist = {}, {}
for _, id in ipairs(idlist) do if not want[id] then want[id] = true; wantlist[#wantlist + 1] = id end end
for _, rec in pairs(cur) do
  if rec and rec[F_EXT] ~= '' and not want[rec[F_EXT]] then want[rec[F_EXT]] = true; wantlist[#wantlist + 1] = rec[F_EXT] end
end
if #wantlist > 0 then
  local recs = redis.call('HMGET', KEYS[4], unpack(wantlist))
  local lists = redis.call('HMGET', KEYS[7], unpack(wantlist))
  for j = 1, #wantlist do
    if recs[j] then exts[wantlist[j]] = split(recs[j]) end
    links[wantlist[j]] = lists[j] or false
  end
end

-- link sets: parsed lazily, written back only when changed.
local linkset, linkdirty = {}, {}
local function linkof(id)
  local s = linkset[id]
  if s then return s end
  s = {}
  local l = links[id]
  if l and l ~= '' then for n in string.gmatch(l, '[^,]+') do s[n] = true end end
  linkset[id] = s
  return s
end

local function target(ref)
  local kind, val = string.sub(ref, 1, 1), string.sub(ref, 3)
  local id
  if kind == 'n' then id = byno[val] elseif kind == 'e' then id = byemail[val] elseif kind == 'i' then id = val end
  if id and exts[id] then return id end
  return nil
end

local out = {}
local hset, zadd, hdel, zrem, gone, resv, arows = {}, {}, {}, {}, {}, {}, {}
local lastrow = {} -- number -> its latest audit row in this batch
local licdelta = { lic_toll_used = 0, lic_tf_used = 0 }
local nok, nunchanged, nfailed = 0, 0, 0

for i = 1, nrows do
  local num, act = nums[i], acts[i]
  local rec = cur[num]
  local res
  if not rec then
    res = 'number_not_found'
  else
    local st = rec[F_STATUS]
    local before_st, before_ext = st, rec[F_EXT]
    if act == 'assign' or act == 'reassign' then
      local id = target(refs[i])
      if not id then
        res = 'extension_not_found'
      elseif st == 'porting' or st == 'reserved' then
        res = 'number_not_active'
      elseif act == 'assign' and st == 'assigned' then
        if rec[F_EXT] == id then res = 'unchanged' else res = 'already_assigned' .. SEP .. (exts[rec[F_EXT]] and exts[rec[F_EXT]][E_NUMBER] or rec[F_EXT]) end
      elseif act == 'reassign' and st ~= 'assigned' then
        res = 'not_assigned'
      elseif act == 'reassign' and rec[F_EXT] == id then
        res = 'unchanged'
      elseif multi and rec[F_TYPE] == 'toll' and rec[F_SITE] ~= exts[id][E_SITE] then
        res = 'site_mismatch' .. SEP .. rec[F_SITE] .. SEP .. exts[id][E_SITE]
      else
        if rec[F_EXT] ~= '' then linkof(rec[F_EXT])[num] = nil; linkdirty[rec[F_EXT]] = true end
        linkof(id)[num] = true; linkdirty[id] = true
        rec[F_STATUS], rec[F_EXT] = 'assigned', id
        res = 'ok'
      end
    elseif act == 'unassign' then
      if st ~= 'assigned' then
        res = 'not_assigned'
      else
        linkof(rec[F_EXT])[num] = nil; linkdirty[rec[F_EXT]] = true
        rec[F_STATUS], rec[F_EXT] = 'unassigned', ''
        res = 'ok'
      end
    elseif act == 'delete' then
      if st == 'assigned' then
        res = 'already_assigned' .. SEP .. (exts[rec[F_EXT]] and exts[rec[F_EXT]][E_NUMBER] or rec[F_EXT])
      elseif st == 'porting' then
        res = 'number_not_active'
      else
        if st == 'unassigned' then
          local _, used = lic_fields(rec[F_TYPE])
          licdelta[used] = licdelta[used] - 1
        else
          resv[#resv + 1] = num .. SEP .. rec[F_COUNTRY] .. SEP .. rec[F_RESERVED] .. SEP .. now
        end
        rec[F_STATUS] = 'released'
        res = 'ok'
      end
    elseif act == 'activate' or act == 'port_complete' then
      local from = (act == 'activate') and 'reserved' or 'porting'
      if st ~= from then
        res = (st == 'assigned' or st == 'unassigned') and 'unchanged' or 'wrong_status'
        if act == 'activate' and st == 'porting' then res = 'number_not_active' end
      else
        local total, used = lic_fields(rec[F_TYPE])
        local have = tonumber(redis.call('HGET', KEYS[1], total) or '0') - tonumber(redis.call('HGET', KEYS[1], used) or '0') - licdelta[used]
        if have <= 0 then
          if act == 'activate' then
            res = (rec[F_TYPE] == 'toll_free' and tonumber(redis.call('HGET', KEYS[1], total) or '0') == 0) and 'toll_free_license_required' or 'license_exhausted'
          else
            rec[F_STATUS], rec[F_RESERVED], rec[F_PORT] = 'reserved', now, ''
            res = 'reserved'
          end
        else
          licdelta[used] = licdelta[used] + 1
          if st == 'reserved' then
            resv[#resv + 1] = num .. SEP .. rec[F_COUNTRY] .. SEP .. rec[F_RESERVED] .. SEP .. now
          end
          rec[F_STATUS], rec[F_RESERVED], rec[F_PORT] = 'unassigned', '', ''
          res = 'ok'
        end
      end
    elseif act == 'port_reserve' then
      if st ~= 'porting' then
        res = (st == 'reserved') and 'unchanged' or 'wrong_status'
      else
        rec[F_STATUS], rec[F_RESERVED], rec[F_PORT] = 'reserved', now, ''
        res = 'ok'
      end
    elseif act == 'port_cancel' then
      if st ~= 'porting' then
        res = 'wrong_status'
      else
        rec[F_STATUS] = 'released'
        res = 'ok'
      end
    else
      res = 'invalid_action'
    end
    if res == 'ok' or res == 'reserved' then
      rec[F_UPDATED] = now
      local prev = rec[F_AUDIT]
      if lastrow[num] then prev = '.' .. lastrow[num] end
      arows[#arows + 1] = { num, act, before_st, before_ext, rec[F_STATUS], rec[F_EXT], prev, rec }
      lastrow[num] = #arows
      if rec[F_STATUS] == 'released' then cur[num] = false end
    end
  end
  out[i] = res
  if res == 'ok' or res == 'reserved' then nok = nok + 1
  elseif res == 'unchanged' then nunchanged = nunchanged + 1
  else nfailed = nfailed + 1 end
end

local joined = table.concat(out, '\n')
if dry then return { 0, joined } end

if #arows > 0 then
  local lines = {}
  for k, a in ipairs(arows) do lines[k] = table.concat(a, SEP, 1, 7) end
  local id = audit(KEYS[8], cap, actor, source, lines)
  -- Each number's record points at its newest audit row; a number changed
  -- twice in one batch keeps the later row (its own chain links the earlier).
  local final = {}
  for k, a in ipairs(arows) do
    local rec = a[8]
    rec[F_AUDIT] = id .. '.' .. k
    final[a[1]] = rec
  end
  for num, rec in pairs(final) do
    if rec[F_STATUS] == 'released' then
      hdel[#hdel + 1] = num
      zrem[#zrem + 1] = num
      gone[#gone + 1] = num
      gone[#gone + 1] = rec[F_AUDIT]
    else
      hset[#hset + 1] = num
      hset[#hset + 1] = join(rec)
      zadd[#zadd + 1] = score(rec[F_STATUS], num)
      zadd[#zadd + 1] = num
    end
  end
  if #hset > 0 then bulk('HSET', KEYS[2], hset); bulk('ZADD', KEYS[3], zadd) end
  if #hdel > 0 then bulk('HDEL', KEYS[2], hdel); bulk('ZREM', KEYS[3], zrem); bulk('HSET', KEYS[9], gone) end
  if #resv > 0 then bulk('RPUSH', KEYS[10], resv) end
  local lset, ldel = {}, {}
  for id, _ in pairs(linkdirty) do
    local l = {}
    for n, _ in pairs(linkset[id]) do l[#l + 1] = n end
    if #l == 0 then ldel[#ldel + 1] = id else
      table.sort(l)
      lset[#lset + 1] = id
      lset[#lset + 1] = table.concat(l, ',')
    end
  end
  if #lset > 0 then bulk('HSET', KEYS[7], lset) end
  if #ldel > 0 then bulk('HDEL', KEYS[7], ldel) end
  for f, d in pairs(licdelta) do
    if d ~= 0 then redis.call('HINCRBY', KEYS[1], f, d) end
  end
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
