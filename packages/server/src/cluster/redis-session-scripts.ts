import { RedisScript } from '../push/redis-script.js';

// The atomic steps of `RedisSessionStore`. Each touches the keys of one session only (one hash slot on
// Redis Cluster: they share the `{sessionId}` tag), so they run on a single server, through Sentinel and
// on Redis Cluster alike. The session's channel is passed in KEYS too, for the slot routing.

/** Lua lines logging the frame in the Lua expression `frame` in KEYS[log] and publishing it on KEYS[channel]. */
function logAndPublish(log: number, channel: number, frame: string, maxLen: string, ttl: string): string {
  return `redis.call('XADD', KEYS[${log}], 'MAXLEN', '~', ${maxLen}, '*', 'b', ${frame})
redis.call('PEXPIRE', KEYS[${log}], ${ttl})
redis.call('PUBLISH', KEYS[${channel}], ${frame})`;
}

/**
 * A plain PUBLISH, as a script so that Redis Cluster routes it by its channel like the session's other
 * steps (a PUBLISH has no key: it would go to any node, over another link, and could overtake them).
 * KEYS: channel. ARGV: frame.
 */
export const PUBLISH = new RedisScript(`redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1`);

/** KEYS: log, channel. ARGV: bus frame, maxlen, ttl, publish ('1'/'0'), sender, request id. */
export const LOG_FRAME = new RedisScript(`
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[1], 's', ARGV[5], 'r', ARGV[6])
else
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('PUBLISH', KEYS[2], ARGV[1]) end
return 1
`);

/**
 * A join: the member's record, its frame logged and published, and the entry's id kept as where its
 * history starts. KEYS: members, joins, log, channel. ARGV: connection id, record, frame, maxlen, ttl.
 */
export const ADD_MEMBER = new RedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'b', ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
redis.call('PUBLISH', KEYS[4], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], id)
return 1
`);

/** What a takeover needs, read at once. KEYS: members, joins, log. ARGV: connection id. */
export const READ_HISTORY = new RedisScript(`
local record = redis.call('HGET', KEYS[1], ARGV[1])
local join = redis.call('HGET', KEYS[2], ARGV[1])
if not record or not join then return {record or '', join or '', {}} end
return {record, join, redis.call('XRANGE', KEYS[3], '(' .. join, '+')}
`);

/** Lua lines: the survivors' frame (`survivorFrame`) for head ARGV[h] and payload ARGV[p], counted in KEYS[counter]. */
function survivorFrame(counter: number, node: string, h: string, p: string): string {
  return `local n = redis.call('INCR', KEYS[${counter}])
-- Outlives the log by far: a counter that restarted would stamp new frames as old ones.
redis.call('PEXPIRE', KEYS[${counter}], 2592000000)
local frame = ${h} .. '\\n{"vo":"~' .. ${node} .. '.' .. n .. '",' .. string.sub(${p}, 2)`;
}

/**
 * A survivor marks a dead node's member an orphan, while the record names that node and is not one
 * yet. KEYS: members, log, channel, counter. ARGV: connection id, dead node, orphan record, frame
 * head, payload, maxlen, ttl.
 */
export const ORPHAN = new RedisScript(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local record = cjson.decode(text)
if record.node ~= ARGV[2] or record.orphan == true then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
${survivorFrame(4, 'ARGV[2]', 'ARGV[4]', 'ARGV[5]')}
${logAndPublish(2, 3, 'frame', 'ARGV[6]', 'ARGV[7]')}
return 1
`);

/**
 * A survivor ends an orphan of a dead node past its grace, leaving a tombstone (that node may only have
 * stalled). KEYS: members, joins, log, channel, counter, gone. ARGV: connection id, dead node, reason,
 * frame head, payload, maxlen, ttl.
 */
export const END_ORPHAN = new RedisScript(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local record = cjson.decode(text)
if record.node ~= ARGV[2] or record.orphan ~= true then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[6], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[6], ARGV[7])
${survivorFrame(5, 'ARGV[2]', 'ARGV[4]', 'ARGV[5]')}
${logAndPublish(3, 4, 'frame', 'ARGV[6]', 'ARGV[7]')}
return 1
`);

/** Lua lines: return the holder of KEYS[1]'s member ARGV[1] if not ARGV[2], or `!<reason>` from tombstones KEYS[gone]. */
function yieldToOthers(gone: number): string {
  return `local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then
  local node = cjson.decode(text).node
  if node ~= ARGV[2] then return node end
elseif redis.call('HEXISTS', KEYS[${gone}], ARGV[1]) == 1 then
  return '!' .. redis.call('HGET', KEYS[${gone}], ARGV[1])
end`;
}

/**
 * A member's record written by the node that holds it, with its frame, only while the record names
 * that node (`SessionStore.writeMember`). KEYS: members, joins, log, channel, gone. ARGV: connection
 * id, this node, 'set'|'del', record, frame ('' for none), maxlen, ttl.
 */
export const MEMBER_WRITE = new RedisScript(`
${yieldToOthers(5)}
if ARGV[3] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if ARGV[5] ~= '' then
${logAndPublish(3, 4, 'ARGV[5]', 'ARGV[6]', 'ARGV[7]')}
end
return ''
`);

/** A node taken for dead asserts its member again. KEYS: members, gone. ARGV: connection id, this node, record. */
export const REASSERT = new RedisScript(`
${yieldToOthers(2)}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ''
`);

/** Takes a member over from a dead node. KEYS: members. ARGV: connection id, dead node, new record. */
export const CLAIM = new RedisScript(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text or cjson.decode(text).node ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`);

/** A stream's record set (ARGV[2] not '') or removed, with its frame ('' for none). KEYS: streams, log, channel. ARGV: stream id, record, frame, maxlen, ttl. */
export const STREAM_WRITE = new RedisScript(`
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
if ARGV[3] ~= '' then
${logAndPublish(2, 3, 'ARGV[3]', 'ARGV[4]', 'ARGV[5]')}
end
return 1
`);

/** Drops a dead node's lease and session list, unless it renewed meanwhile. KEYS: nodes, its sessions. ARGV: node, now. */
export const FORGET_NODE = new RedisScript(`
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lease and tonumber(lease) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`);

/** Compare-and-set on one key: KEYS[1], ARGV[1] expected, ARGV[2] new ('' deletes). */
export const REPLACE_IF = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
`);

export const ALL_SCRIPTS = [PUBLISH, LOG_FRAME, ADD_MEMBER, READ_HISTORY, ORPHAN, END_ORPHAN, MEMBER_WRITE, REASSERT, CLAIM, STREAM_WRITE, FORGET_NODE, REPLACE_IF];
