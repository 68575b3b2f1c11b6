-- addext.lua creates extensions in one atomic step, allocating extension
-- numbers that are not given and keeping numbers and user emails unique.
--
-- KEYS: 1 meta, 2 ext, 3 extno, 4 extemail, 5 extsearch, 6 site,
--       7 marker, 8 progress
-- ARGV: 1 flags ('m' marker, 'd' dry run, 'p' progress), 2 marker_ttl,
--       3 rows failed before this step, then rows of 6: extension number
--       ('' to allocate), type, name, email, site id, and the search terms
--       of the name and email (joined by \30; the caller lower-cases them).
-- Returns {replayed, outcomes joined by "\n"}; an ok outcome is
-- "ok\31<id>\31<extension number>".
local flags, ttl, prefailed = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local use_marker = string.find(flags, 'm', 1, true) ~= nil
local dry = string.find(flags, 'd', 1, true) ~= nil
local progress = string.find(flags, 'p', 1, true) ~= nil
if use_marker then
  local done = redis.call('GET', KEYS[7])
  if done then return { 1, done } end
end
local meta = redis.call('HMGET', KEYS[1], 'name', 'multiple_sites', 'next_extno')
if not meta[1] then return redis.error_reply('account_not_found') end
local multi = meta[2] == '1'
local nextno = tonumber(meta[3] or '1000')

local FIRST = 4
local nrows = (#ARGV - FIRST + 1) / 6
local taken, emails, sites = {}, {}, {}
local out, nok, nfailed = {}, 0, 0
local seq = 0
for i = 1, nrows do
  local b = FIRST + (i - 1) * 6
  local no, etype, name, email, site = ARGV[b], ARGV[b + 1], ARGV[b + 2], string.lower(ARGV[b + 3]), ARGV[b + 4]
  local res
  if multi and site == '' then
    res = 'site_required' .. SEP .. 'a site is required when the account has multiple sites'
  elseif not multi and site ~= '' then
    res = 'invalid_field' .. SEP .. 'site is only for accounts with multiple sites'
  elseif site ~= '' and sites[site] == nil and redis.call('HEXISTS', KEYS[6], site) == 0 then
    res = 'site_not_found' .. SEP .. site
  elseif no ~= '' and (taken[no] or redis.call('HEXISTS', KEYS[3], no) == 1) then
    res = 'extension_exists' .. SEP .. 'extension number ' .. no .. ' is taken'
  elseif email ~= '' and (emails[email] or redis.call('HEXISTS', KEYS[4], email) == 1) then
    res = 'extension_exists' .. SEP .. 'email ' .. email .. ' belongs to another extension'
  else
    if site ~= '' then sites[site] = true end
    if no == '' then
      repeat
        nextno = nextno + 1
        no = tostring(nextno)
      until not taken[no] and redis.call('HEXISTS', KEYS[3], no) == 0
    end
    taken[no] = true
    if email ~= '' then emails[email] = true end
    local id
    if dry then
      id = ''
    else
      seq = redis.call('HINCRBY', KEYS[1], 'ext_seq', 1)
      id = 'ext_' .. seq
      redis.call('HSET', KEYS[2], id, no .. SEP .. etype .. SEP .. ARGV[b + 2] .. SEP .. email .. SEP .. site)
      redis.call('HSET', KEYS[3], no, id)
      if email ~= '' then redis.call('HSET', KEYS[4], email, id) end
      local terms = { '#' .. no .. '\0' .. id, no .. '\0' .. id }
      for t in string.gmatch(ARGV[b + 5], '[^\30]+') do terms[#terms + 1] = t .. '\0' .. id end
      local z = {}
      for _, t in ipairs(terms) do z[#z + 1] = 0; z[#z + 1] = t end
      redis.call('ZADD', KEYS[5], unpack(z))
    end
    res = 'ok' .. SEP .. id .. SEP .. no
  end
  out[i] = res
  if string.sub(res, 1, 3) == 'ok' .. SEP then nok = nok + 1 else nfailed = nfailed + 1 end
end
local joined = table.concat(out, '\n')
-- A dry run writes nothing but its progress and marker.
if not dry then redis.call('HSET', KEYS[1], 'next_extno', nextno) end
-- Batch steps check ext_ver for the extension refs they resolved.
if not dry and nok > 0 then redis.call('HINCRBY', KEYS[1], 'ext_ver', 1) end
if progress then
  redis.call('HINCRBY', KEYS[8], 'rows_done', nrows + prefailed)
  redis.call('HINCRBY', KEYS[8], 'rows_ok', nok)
  redis.call('HINCRBY', KEYS[8], 'rows_failed', nfailed + prefailed)
end
if use_marker then redis.call('SET', KEYS[7], joined, 'EX', ttl) end
return { 0, joined }
