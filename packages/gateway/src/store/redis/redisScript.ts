/**
 * Key names and the one Lua script through which every write goes. Running the whole batch in one script
 * is what makes cursors global: the script is the only writer of `{prefix}:clock`, Redis runs scripts one
 * at a time, so ids come out strictly increasing across every channel and every gateway.
 */

/** Every key the store touches, all under one prefix. */
export interface RedisKeys {
  /** String: the last id handed out, `ms-seq`. Never expires. */
  readonly clock: string;
  /** Sorted set: channel -> milliseconds of its last write, to list channels without `KEYS`. */
  readonly channels: string;
  /** Stream of every entry of every channel, capped: what each gateway reads for live fan-out. */
  readonly feed: string;
  /** Hash: channel -> id of the first entry of its current stream, for exact gap counts. */
  readonly first: string;
  /** Hash: channel -> id of the newest entry trimmed from its stream: older cursors get a gap. */
  readonly cut: string;
  /** Hash: channel -> entries its stream held after the last write, to keep `stats.entries` exact. */
  readonly length: string;
  /** Hash: `kept`, `evicted` and `appended` totals for the whole deployment. */
  readonly stats: string;
  /** String: the cursor this history began after (see `HistoryEpoch`); gone with a flush. */
  readonly epoch: string;
  /** Hash: channel -> id of its newest entry, so that what an expired stream held is known after it. */
  readonly last: string;
  /** Sorted set: channels whose whole history expired -> when they were pruned, capped. */
  readonly gone: string;
  /** Hash: `status:<channel>` and `done:<channel>` -> `<id> <body>`, the channel's newest of each. */
  readonly state: string;
  /** Prefix of idempotency records; the hashed scope follows. */
  readonly idempotencyPrefix: string;
  /** Prefix of the per-channel streams; the channel name follows. */
  readonly channelPrefix: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    clock: `${prefix}:clock`,
    channels: `${prefix}:channels`,
    feed: `${prefix}:feed`,
    first: `${prefix}:first`,
    cut: `${prefix}:cut`,
    length: `${prefix}:len`,
    stats: `${prefix}:stats`,
    epoch: `${prefix}:epoch`,
    last: `${prefix}:last`,
    gone: `${prefix}:gone`,
    state: `${prefix}:state`,
    idempotencyPrefix: `${prefix}:idem:`,
    channelPrefix: `${prefix}:ch:`,
  };
}

/** Number of fixed KEYS before the per-channel stream keys. */
export const FIXED_KEYS = 12;

/** Number of fixed ARGV before the per-entry arguments. */
export const FIXED_ARGS = 8;

/** Channels whose whole history expired that Redis remembers (for their gaps); the oldest go first. */
export const GONE_CHANNELS_KEPT = 10_000;

/** Channels whose history expired that one append forgets, so the cost of cleaning up stays bounded. */
const PRUNE_PER_APPEND = 32;

/**
 * KEYS: clock, channels, feed, first, len, stats, cut, epoch, last, gone, state, the idempotency record,
 * then one stream key per distinct channel of the batch.
 * ARGV: historyPerChannel, ttlSeconds, feedLength, floor id, entry count, idempotency window in ms (0:
 * none), the idempotency record, the cap of gone channels, then per entry: the 1-based index of its
 * stream key among the per-channel keys, its channel, type and body JSON.
 * Returns `{ms, firstSeq, epoch}`: the batch's ids are `ms-firstSeq`, `ms-(firstSeq+1)`, ...; or
 * `{'replay', record}` when the idempotency record exists, having stored nothing.
 */
export const APPEND_SCRIPT = `
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function fmt(n) return string.format('%.0f', n) end
-- Counts a channel's expired entries as evicted (never passes -0, which HINCRBY refuses).
local function forget(channel)
  local len = tonumber(redis.call('HGET', KEYS[5], channel) or '0')
  if len > 0 then
    redis.call('HINCRBY', KEYS[6], 'kept', -len)
    redis.call('HINCRBY', KEYS[6], 'evicted', len)
  end
end

-- Forgets what an expired channel held, remembering the newest id it dropped.
local function drop(channel)
  local last = redis.call('HGET', KEYS[9], channel)
  if last then redis.call('HSET', KEYS[7], channel, last) end
  redis.call('HDEL', KEYS[9], channel)
  redis.call('HDEL', KEYS[11], 'status:' .. channel, 'done:' .. channel)
end

-- A repeat of a keyed publish stores nothing and gets the first one's record.
local window = tonumber(ARGV[6])
if window > 0 then
  local prior = redis.call('GET', KEYS[12])
  if prior then return {'replay', prior} end
end

local maxlen, ttl, feedlen = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local slack = math.max(1, math.floor(maxlen / 10))
local count = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- The last id: the clock, or the gateway's own high-water mark when Redis lost the clock (a restart
-- without persistence), so cursors never step back for the gateways that saw the old ones.
local lastMs, lastSeq = parse(ARGV[4])
local clock = redis.call('GET', KEYS[1])
if clock then
  local ms, seq = parse(clock)
  if ms > lastMs or (ms == lastMs and seq > lastSeq) then lastMs, lastSeq = ms, seq end
end
local ms, seq = now, 0
if lastMs >= now then ms, seq = lastMs, lastSeq + 1 end

-- The epoch: a history without a clock is new (a flush, a Redis that lost its data) and begins after
-- the first id it would hand out; one with a clock but no epoch was written before epochs were kept,
-- and every cursor of it still belongs.
local epoch = redis.call('GET', KEYS[8])
if not epoch then
  if clock then
    epoch = '0-0'
  else
    epoch = fmt(ms) .. '-' .. fmt(seq)
    seq = seq + 1
  end
  redis.call('SET', KEYS[8], epoch)
end
local firstSeq = seq

-- Forget channels whose stream expired, a few per call; what they dropped stays known (bounded).
local cutoff = now - ttl * 1000 - 1000
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. fmt(cutoff), 'LIMIT', 0, ${PRUNE_PER_APPEND})
for _, channel in ipairs(stale) do
  forget(channel)
  drop(channel)
  redis.call('HDEL', KEYS[5], channel)
  redis.call('ZREM', KEYS[2], channel)
  redis.call('ZADD', KEYS[10], now, channel)
end
local over = redis.call('ZCARD', KEYS[10]) - tonumber(ARGV[8])
if over > 0 then
  for _, channel in ipairs(redis.call('ZRANGE', KEYS[10], 0, over - 1)) do
    redis.call('HDEL', KEYS[4], channel)
    redis.call('HDEL', KEYS[7], channel)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[10], 0, over - 1)
end

local fresh = {}
local newest = {}
for i = 0, count - 1 do
  local base = ${FIXED_ARGS + 1} + i * 4
  local key = KEYS[${FIXED_KEYS} + tonumber(ARGV[base])]
  local channel, kind, body = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local id = fmt(ms) .. '-' .. fmt(seq)
  if fresh[key] == nil then
    fresh[key] = channel
    if redis.call('EXISTS', key) == 0 then
      -- A new stream, or one whose history expired before its channel was pruned.
      forget(channel)
      drop(channel)
      redis.call('HSET', KEYS[4], channel, id)
      redis.call('ZREM', KEYS[10], channel)
    end
  end
  redis.call('XADD', key, id, 't', kind, 'b', body)
  redis.call('XADD', KEYS[3], id, 'c', channel, 't', kind, 'b', body)
  if kind ~= 'log' then redis.call('HSET', KEYS[11], kind .. ':' .. channel, id .. ' ' .. body) end
  newest[key] = id
  seq = seq + 1
end

-- Trim in steps of about a tenth of the cap, remembering the newest id trimmed: Redis does not record
-- it, and it is what tells a resume point that entries after it are gone.
local trimmed = 0
for key, channel in pairs(fresh) do
  local len = redis.call('XLEN', key)
  local excess = len - maxlen
  if excess >= slack then
    local gone = redis.call('XRANGE', key, '-', '+', 'COUNT', excess)
    redis.call('XTRIM', key, 'MAXLEN', maxlen)
    redis.call('HSET', KEYS[7], channel, gone[#gone][1])
    trimmed = trimmed + excess
    len = maxlen
  end
  redis.call('EXPIRE', key, ttl)
  redis.call('ZADD', KEYS[2], ms, channel)
  redis.call('HSET', KEYS[5], channel, len)
  redis.call('HSET', KEYS[9], channel, newest[key])
end
redis.call('XTRIM', KEYS[3], 'MAXLEN', '~', feedlen)
redis.call('SET', KEYS[1], fmt(ms) .. '-' .. fmt(seq - 1))
redis.call('HINCRBY', KEYS[6], 'appended', count)
redis.call('HINCRBY', KEYS[6], 'kept', count - trimmed)
redis.call('HINCRBY', KEYS[6], 'evicted', trimmed)
-- Written with the entries, so a repeat through any gateway finds it exactly when they are stored.
if window > 0 then redis.call('SET', KEYS[12], ARGV[7], 'PX', window) end
return {fmt(ms), firstSeq, epoch}
`;
