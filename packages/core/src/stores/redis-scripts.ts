import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for `EVALSHA` (with an `EVAL` fallback on `NOSCRIPT`). */
export interface RedisScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, lua: string): RedisScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** The bits of the admit script's reply. */
export const ADMIT_FLAGS = {
  admitted: 1,
  halted: 2,
  callsExceeded: 4,
  tokensExceeded: 8,
  recordsExceeded: 16,
  timeExceeded: 32,
  newResourceType: 64,
  stateLost: 128,
  resourceCallsExceeded: 256,
} as const;

/** The fields of an approval hash, in the order every approval script and `HMGET` returns them. */
export const APPROVAL_FIELDS = [
  'tree',
  'request',
  'status',
  'requested_at',
  'expires_at',
  'answer',
  'answered_at',
] as const;

/**
 * Gives `key` the remaining TTL of `owner` (or `fallback` ms when the owner has none) if `key` has no TTL
 * yet: keys a script creates lazily (calls, types, actions) expire with their run.
 */
const FOLLOW_TTL = `
local function follow_ttl(key, owner, fallback)
  if redis.call('PTTL', key) ~= -1 then return end
  local ttl = redis.call('PTTL', owner)
  if ttl > 0 then
    redis.call('PEXPIRE', key, ttl)
  elseif fallback and fallback > 0 then
    redis.call('PEXPIRE', key, fallback)
  end
end
`;

/**
 * Registers a run: writes its record (`start`) or checks it is there (`resume`), checks the record's
 * manifest digest, and (re)sets the TTL of its keys. A record missing while the run's other keys remain
 * is lost state in either mode. A run started again keeps its counters.
 * KEYS: run, calls, types, actions, resource calls. ARGV: started_at, ttl_ms ('0': no TTL), mode, manifest
 * digest, tree.
 * Returns the `StartRunResult`.
 */
export const START_RUN = script(
  'startRun',
  `
local outcome = 'resumed'
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[3] == 'resume' then return 'state_lost' end
  -- Its other keys without its record: lost state in either mode (traced, in startRunOutcome).
  if redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) > 0 then return 'state_lost' end
  redis.call('HSET', KEYS[1], 'tree', ARGV[5], 'started_at', ARGV[1], 'manifest_digest', ARGV[4], 'tokens', 0,
    'records', 0, 'halted', 0, 'extra_tokens', 0, 'extra_records', 0, 'extra_ms', 0)
  outcome = 'started'
elseif redis.call('HGET', KEYS[1], 'manifest_digest') ~= ARGV[4] then
  return 'manifest_changed'
end
for i = 1, #KEYS do
  if ARGV[2] == '0' then redis.call('PERSIST', KEYS[i]) else redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return outcome
`,
);

/**
 * Records the newest manifest version of an agent (an atomic maximum): the rule of `orderManifest`
 * (manifest-order.ts). KEYS: the agent's manifest hash. ARGV: version, digest.
 * Returns { 'ok', '1' | '0' (it became the newest) } or { reason, newest version }.
 */
export const RECORD_MANIFEST = script(
  'recordManifest',
  `
local version = tonumber(ARGV[1])
local f = redis.call('HMGET', KEYS[1], 'version', 'digest')
if f[1] then
  local newest = tonumber(f[1])
  if version < newest then return { 'older', f[1] } end
  if version == newest then
    if f[2] ~= ARGV[2] then return { 'same_version_different_content', f[1] } end
    return { 'ok', '0' }
  end
end
if version > 0 then
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'digest', ARGV[2])
  return { 'ok', '1' }
end
return { 'ok', '0' }
`,
);

/**
 * The check-and-count of one call: the rules of `admitOn` (admit-logic.ts), in one atomic step.
 *
 * KEYS: [1] the types set and [2] the actions list of the call's own run, then for each run of the
 * chain (own run first) its run hash, its calls hash and its resource calls hash.
 * A run whose record (run hash) is gone, or whose calls hash, resource calls hash, types set or actions
 * list is gone or shorter than its record says (`calls_made`, `rcalls_made`, `types_seen`, `actions`),
 * lost its state: the call is reported `stateLost` and halted, and nothing is counted.
 * ARGV: [1] tool, [2] records, [3] tokens, [4] has resource type ('1'/'0'), [5] resource type,
 * [6] resource type known ('1'/'0'), [7] count ('1'/'0'), [8] approved ('1'), an escalation tool not
 * approved ('e'), else '0', [9] now, [10] has resource ('1'/'0'), [11] resource, then five per run of the
 * chain: max calls, max tokens, max records, time limit ms, max calls per resource ('' = no limit).
 * A run counts the call on its resource only when it limits the tool per resource (field
 * `<tool>NUL<resource>`, as `resourceCallKey`).
 * Returns the ADMIT_FLAGS bits.
 */
export const ADMIT = script(
  'admit',
  `${FOLLOW_TTL}
local tool = ARGV[1]
local records = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local has_type = ARGV[4] == '1'
local rtype = ARGV[5]
local known = ARGV[6] == '1'
local count = ARGV[7] == '1'
local approved = ARGV[8] == '1'
local escalation = ARGV[8] == 'e'
local now = tonumber(ARGV[9])
local has_resource = ARGV[10] == '1'
local rfield = tool .. '\\0' .. ARGV[11]
local n = (#KEYS - 2) / 3

local function limit(s)
  if s == '' then return nil end
  return tonumber(s)
end

local halted, calls_x, tokens_x, records_x, time_x, new_type = false, false, false, false, false, false
local rcalls_x = false
local own_exists, lost = false, false

for i = 1, n do
  local run, calls, rcalls = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  local a = 11 + 5 * (i - 1)
  local f = redis.call('HMGET', run, 'started_at', 'tokens', 'records', 'halted', 'extra_tokens', 'extra_records',
    'extra_ms', 'calls_made', 'types_seen', 'actions', 'rcalls_made')
  local gone = not f[1] or (f[8] == '1' and redis.call('EXISTS', calls) == 0)
    or (f[11] == '1' and redis.call('EXISTS', rcalls) == 0)
  if not gone and i == 1 then
    gone = (f[9] == '1' and redis.call('EXISTS', KEYS[1]) == 0)
      or redis.call('LLEN', KEYS[2]) < tonumber(f[10] or '0')
  end
  if gone then
    lost = true -- its state is gone (deleted, expired, a store restarted empty): fail closed, no fresh budget
  else
    if i == 1 then own_exists = true end
    local used = tonumber(f[2] or '0')
    if tokens ~= 0 then used = tonumber(redis.call('HINCRBYFLOAT', run, 'tokens', ARGV[3])) end
    if f[4] == '1' then halted = true end
    local max_calls = limit(ARGV[a + 1])
    if max_calls and tonumber(redis.call('HGET', calls, tool) or '0') >= max_calls then calls_x = true end
    local max_per_resource = limit(ARGV[a + 5])
    if has_resource and max_per_resource
      and tonumber(redis.call('HGET', rcalls, rfield) or '0') >= max_per_resource then
      rcalls_x = true
    end
    local max_tokens = limit(ARGV[a + 2])
    if max_tokens and used > max_tokens + tonumber(f[5] or '0') then tokens_x = true end
    local max_records = limit(ARGV[a + 3])
    if records > 0 and max_records and tonumber(f[3] or '0') + records > max_records + tonumber(f[6] or '0') then
      records_x = true
    end
    local time_limit = limit(ARGV[a + 4])
    if time_limit and now - tonumber(f[1]) > time_limit + tonumber(f[7] or '0') then time_x = true end
  end
end

if lost then halted = true end
if has_type and not known and own_exists and redis.call('SISMEMBER', KEYS[1], rtype) == 0 then new_type = true end

local soft = records_x or (not escalation and (tokens_x or time_x or new_type))
local admitted = count and not halted and not calls_x and not rcalls_x and (approved or not soft)
if admitted then
  for i = 1, n do
    local run, calls, rcalls = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
    if redis.call('HINCRBY', calls, tool, 1) == 1 then
      follow_ttl(calls, run, nil)
      redis.call('HSET', run, 'calls_made', 1)
    end
    if has_resource and ARGV[11 + 5 * (i - 1) + 5] ~= '' then
      -- The hash's first field: it takes the run's TTL, and the record notes it (a lost hash is lost state).
      if redis.call('HINCRBY', rcalls, rfield, 1) == 1 and redis.call('HLEN', rcalls) == 1 then
        follow_ttl(rcalls, run, nil)
        redis.call('HSET', run, 'rcalls_made', 1)
      end
    end
    if records ~= 0 then redis.call('HINCRBYFLOAT', run, 'records', ARGV[2]) end
  end
  if has_type and redis.call('SADD', KEYS[1], rtype) == 1 then
    follow_ttl(KEYS[1], KEYS[3], nil)
    redis.call('HSET', KEYS[3], 'types_seen', 1)
  end
end

local flags = 0
if admitted then flags = flags + 1 end
if halted then flags = flags + 2 end
if calls_x then flags = flags + 4 end
if tokens_x then flags = flags + 8 end
if records_x then flags = flags + 16 end
if time_x then flags = flags + 32 end
if new_type then flags = flags + 64 end
if lost then flags = flags + 128 end
if rcalls_x then flags = flags + 256 end
return flags
`,
);

/** Adds tokens to every known run. KEYS: run hashes. ARGV: tokens. */
export const ADD_TOKENS = script(
  'addTokens',
  `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('HINCRBYFLOAT', KEYS[i], 'tokens', ARGV[1]) end
end
return 1
`,
);

/** Raises a known run's budgets. KEYS: run hash. ARGV: tokens, records, ms. */
export const EXTEND = script(
  'extend',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(ARGV[1]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'extra_tokens', ARGV[1]) end
if tonumber(ARGV[2]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'extra_records', ARGV[2]) end
if tonumber(ARGV[3]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'extra_ms', ARGV[3]) end
return 1
`,
);

/** Halts a known run. KEYS: run hash. */
export const HALT = script(
  'halt',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'halted', 1)
return 1
`,
);

/**
 * Stores an approval, replacing any earlier one with its id, and indexes it in its tree.
 * KEYS: approval hash, the tree's approval index (sorted set). ARGV: ttl_ms, requested_at, approval id,
 * then field, value pairs.
 */
export const PUT_APPROVAL = script(
  'putApproval',
  `
local ttl = tonumber(ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`,
);

const READ_APPROVAL = `
local function read(key)
  return redis.call('HMGET', key, ${APPROVAL_FIELDS.map((f) => `'${f}'`).join(', ')})
end
`;

/**
 * First answer wins, bound to the action hash. KEYS: approval hash.
 * ARGV: action hash, new status, answer JSON, answered at, channel, approval id.
 * Returns { outcome, fields }: outcome 'ok' | 'unknown' | 'hash_mismatch' | 'already_answered'.
 */
export const ANSWER_APPROVAL = script(
  'answerApproval',
  `${READ_APPROVAL}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'unknown' } end
if redis.call('HGET', KEYS[1], 'hash') ~= ARGV[1] then return { 'hash_mismatch', read(KEYS[1]) } end
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return { 'already_answered', read(KEYS[1]) } end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'answer', ARGV[3], 'answered_at', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return { 'ok', read(KEYS[1]) }
`,
);

/**
 * Records a timeout if the approval is still pending. KEYS: approval hash.
 * ARGV: answered at, channel, approval id. Returns like ANSWER_APPROVAL.
 */
export const EXPIRE_APPROVAL = script(
  'expireApproval',
  `${READ_APPROVAL}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'unknown' } end
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return { 'already_answered', read(KEYS[1]) } end
redis.call('HSET', KEYS[1], 'status', 'timeout', 'answered_at', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return { 'ok', read(KEYS[1]) }
`,
);

/** approved | edited → executing, once. KEYS: approval hash. Returns 1 for the one caller that claimed it. */
export const CLAIM_EXECUTION = script(
  'claimExecution',
  `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'approved' and status ~= 'edited' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'executing')
return 1
`,
);

/** executing → done. KEYS: approval hash. */
export const COMPLETE_EXECUTION = script(
  'completeExecution',
  `
if redis.call('HGET', KEYS[1], 'status') ~= 'executing' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'done')
return 1
`,
);

/**
 * Appends an action to a run's compensation log; a new log expires with its run (or after the fallback
 * TTL when the run is unknown). The run's record counts the actions (`admit` finds a lost log by it).
 * KEYS: actions list, run hash. ARGV: action JSON, fallback ttl_ms.
 */
export const APPEND_ACTION = script(
  'appendAction',
  `${FOLLOW_TTL}
if redis.call('RPUSH', KEYS[1], ARGV[1]) == 1 then follow_ttl(KEYS[1], KEYS[2], tonumber(ARGV[2])) end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HINCRBY', KEYS[2], 'actions', 1) end
return 1
`,
);
