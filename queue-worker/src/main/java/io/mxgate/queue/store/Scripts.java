package io.mxgate.queue.store;

/**
 * The queue index's Lua scripts: every state change of an entry is one atomic script, so two replicas never both
 * claim an entry and an entry is always in exactly one of the sets {@code due}, {@code active}, {@code hold}. All
 * keys share the hash tag {@code {mxgate-queue}}, so they live in one Redis Cluster slot (ARGV[1] is the prefix;
 * KEYS[1], the due set, routes the call).
 */
final class Scripts {

    private Scripts() {
    }

    /** Removes an entry (leaving a tombstone for re-reads of its record); 1 when its message has no entry left. */
    private static final String TOMBSTONE = """
            local function tombstone(p, id, ttl)
              local e = p .. 'e:' .. id
              local qid = redis.call('HGET', e, 'qid')
              redis.call('DEL', e)
              redis.call('HSET', e, 'state', 'done', 'qid', qid or '')
              redis.call('PEXPIRE', e, ttl)
              redis.call('ZREM', p .. 'due', id)
              redis.call('ZREM', p .. 'active', id)
              redis.call('ZREM', p .. 'hold', id)
              if qid then
                redis.call('SREM', p .. 'm:' .. qid, id)
                if redis.call('SCARD', p .. 'm:' .. qid) == 0 then
                  redis.call('ZREM', p .. 'msgs', qid)
                  return 1
                end
              end
              return 0
            end
            """;

    /** ARGV: prefix id qid arrival due now size sender attempts topic partition offset rcpt. 1 added, 0 known. */
    static final String ADD = """
            local p = ARGV[1]
            local e = p .. 'e:' .. ARGV[2]
            if redis.call('EXISTS', e) == 1 then return 0 end
            redis.call('HSET', e, 'qid', ARGV[3], 'arrival', ARGV[4], 'due', ARGV[5], 'created', ARGV[6],
              'size', ARGV[7], 'sender', ARGV[8], 'attempts', ARGV[9], 'topic', ARGV[10], 'partition', ARGV[11],
              'offset', ARGV[12], 'rcpt', ARGV[13], 'state', 'deferred')
            redis.call('ZADD', p .. 'due', ARGV[5], ARGV[2])
            redis.call('SADD', p .. 'm:' .. ARGV[3], ARGV[2])
            redis.call('ZADD', p .. 'msgs', 'NX', ARGV[4], ARGV[3])
            return 1
            """;

    /** ARGV: prefix now deadline limit token. Returns id, fields, id, fields... of the entries now active. */
    static final String CLAIM = """
            local p = ARGV[1]
            local ids = redis.call('ZRANGEBYSCORE', p .. 'due', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
            local out = {}
            for _, id in ipairs(ids) do
              redis.call('ZREM', p .. 'due', id)
              local e = p .. 'e:' .. id
              if redis.call('HGET', e, 'state') == 'deferred' then
                redis.call('ZADD', p .. 'active', ARGV[3], id)
                redis.call('HSET', e, 'state', 'active', 'token', ARGV[5])
                table.insert(out, id)
                table.insert(out, redis.call('HGETALL', e))
              end
            end
            return out
            """;

    /** ARGV: prefix deadline id... Extends the lease of entries still active. */
    static final String RENEW = """
            local p = ARGV[1]
            local n = 0
            for i = 3, #ARGV do
              n = n + redis.call('ZADD', p .. 'active', 'XX', 'CH', ARGV[2], ARGV[i])
            end
            return n
            """;

    /** ARGV: prefix now ttl. Entries whose lease ran out go back to due (or hold, or away, as asked meanwhile). */
    static final String RECOVER = TOMBSTONE + """
            local p = ARGV[1]
            local ids = redis.call('ZRANGEBYSCORE', p .. 'active', '-inf', ARGV[2])
            for _, id in ipairs(ids) do
              redis.call('ZREM', p .. 'active', id)
              local e = p .. 'e:' .. id
              local op = redis.call('HGET', e, 'op')
              redis.call('HDEL', e, 'token', 'op')
              if op == 'delete' then
                tombstone(p, id, ARGV[3])
              elseif op == 'hold' then
                redis.call('HSET', e, 'state', 'hold')
                redis.call('ZADD', p .. 'hold', redis.call('HGET', e, 'arrival'), id)
              else
                redis.call('HSET', e, 'state', 'deferred', 'due', ARGV[2])
                redis.call('ZADD', p .. 'due', ARGV[2], id)
              end
            end
            return #ids
            """;

    /**
     * ARGV: prefix id token mode(deferred|done) due attempts rcpt ttl. -1: the lease was lost (another replica has
     * the entry); 0: entry removed, the message has others; 1: entry removed and the message with it; 2: still
     * queued (deferred or, when asked meanwhile, on hold).
     */
    static final String FINISH = TOMBSTONE + """
            local p = ARGV[1]
            local id = ARGV[2]
            local e = p .. 'e:' .. id
            if redis.call('HGET', e, 'state') ~= 'active' or redis.call('HGET', e, 'token') ~= ARGV[3] then
              return -1
            end
            redis.call('ZREM', p .. 'active', id)
            local op = redis.call('HGET', e, 'op')
            if ARGV[4] == 'done' or op == 'delete' then
              return tombstone(p, id, ARGV[8])
            end
            redis.call('HSET', e, 'attempts', ARGV[6], 'rcpt', ARGV[7], 'due', ARGV[5])
            redis.call('HDEL', e, 'token', 'op')
            if op == 'hold' then
              redis.call('HSET', e, 'state', 'hold')
              redis.call('ZADD', p .. 'hold', redis.call('HGET', e, 'arrival'), id)
            else
              redis.call('HSET', e, 'state', 'deferred')
              redis.call('ZADD', p .. 'due', ARGV[5], id)
            end
            return 2
            """;

    /** ARGV: prefix now. Makes every deferred entry due now; returns how many were not due yet. */
    static final String FLUSH_ALL = """
            local p = ARGV[1]
            local ids = redis.call('ZRANGEBYSCORE', p .. 'due', '(' .. ARGV[2], '+inf')
            for _, id in ipairs(ids) do
              redis.call('ZADD', p .. 'due', ARGV[2], id)
              redis.call('HSET', p .. 'e:' .. id, 'due', ARGV[2])
            end
            return #ids
            """;

    /**
     * ARGV: prefix op(flush|hold|release|delete) qid now ttl. Returns {entries changed, 1 if the message is gone}.
     * An active entry is marked, and the mark is applied when its attempt ends.
     */
    static final String MESSAGE_OP = TOMBSTONE + """
            local p = ARGV[1]
            local op = ARGV[2]
            local now = ARGV[4]
            local ids = redis.call('SMEMBERS', p .. 'm:' .. ARGV[3])
            local n = 0
            local gone = 0
            for _, id in ipairs(ids) do
              local e = p .. 'e:' .. id
              local state = redis.call('HGET', e, 'state')
              if op == 'flush' then
                if state == 'deferred' then
                  redis.call('ZADD', p .. 'due', now, id)
                  redis.call('HSET', e, 'due', now)
                  n = n + 1
                end
              elseif op == 'hold' then
                if state == 'deferred' then
                  redis.call('ZREM', p .. 'due', id)
                  redis.call('HSET', e, 'state', 'hold')
                  redis.call('ZADD', p .. 'hold', redis.call('HGET', e, 'arrival'), id)
                  n = n + 1
                elseif state == 'active' then
                  redis.call('HSET', e, 'op', 'hold')
                  n = n + 1
                end
              elseif op == 'release' then
                if state == 'hold' then
                  redis.call('ZREM', p .. 'hold', id)
                  redis.call('HSET', e, 'state', 'deferred', 'due', now)
                  redis.call('ZADD', p .. 'due', now, id)
                  n = n + 1
                elseif state == 'active' and redis.call('HGET', e, 'op') == 'hold' then
                  redis.call('HDEL', e, 'op')
                  n = n + 1
                end
              elseif op == 'delete' then
                if state == 'active' then
                  redis.call('HSET', e, 'op', 'delete')
                else
                  gone = tombstone(p, id, ARGV[5])
                end
                n = n + 1
              end
            end
            return {n, gone}
            """;

    /** ARGV: prefix offset limit. Returns {messages, {qid, arrival, {id, fields, ...}, ...}}. */
    static final String LIST = """
            local p = ARGV[1]
            local first = tonumber(ARGV[2])
            local qids = redis.call('ZRANGE', p .. 'msgs', first, first + tonumber(ARGV[3]) - 1, 'WITHSCORES')
            local out = {}
            for i = 1, #qids, 2 do
              local entries = {}
              for _, id in ipairs(redis.call('SMEMBERS', p .. 'm:' .. qids[i])) do
                table.insert(entries, id)
                table.insert(entries, redis.call('HGETALL', p .. 'e:' .. id))
              end
              table.insert(out, qids[i])
              table.insert(out, qids[i + 1])
              table.insert(out, entries)
            end
            return {redis.call('ZCARD', p .. 'msgs'), out}
            """;

    /** ARGV: prefix. Returns {due, active, hold, messages, oldest arrival or -1}. */
    static final String STATS = """
            local p = ARGV[1]
            local oldest = redis.call('ZRANGE', p .. 'msgs', 0, 0, 'WITHSCORES')
            return {redis.call('ZCARD', p .. 'due'), redis.call('ZCARD', p .. 'active'),
              redis.call('ZCARD', p .. 'hold'), redis.call('ZCARD', p .. 'msgs'),
              oldest[2] or '-1'}
            """;

    /** ARGV: prefix (topic:partition offset)... Raises the index's applied positions; never lowers one. */
    static final String APPLIED = """
            local k = ARGV[1] .. 'applied'
            for i = 2, #ARGV, 2 do
              if tonumber(ARGV[i + 1]) > tonumber(redis.call('HGET', k, ARGV[i]) or '-1') then
                redis.call('HSET', k, ARGV[i], ARGV[i + 1])
              end
            end
            return 1
            """;

    /** ARGV: prefix. The applied positions: topic:partition, offset, ... */
    static final String APPLIED_GET = """
            return redis.call('HGETALL', ARGV[1] .. 'applied')
            """;

    /** ARGV: prefix token ttl. Extends the rebuild lock if this replica still holds it; 1 when it does. */
    static final String RELOCK = """
            local k = ARGV[1] .. 'reindex-lock'
            if redis.call('GET', k) == ARGV[2] then return redis.call('PEXPIRE', k, ARGV[3]) end
            return 0
            """;

    /** ARGV: prefix token. Drops the rebuild lock if this replica holds it. */
    static final String UNLOCK = """
            local k = ARGV[1] .. 'reindex-lock'
            if redis.call('GET', k) == ARGV[2] then return redis.call('DEL', k) end
            return 0
            """;
}
