"""REST runs shared by every server process through Redis: each run is kept as its recipe and its step.

A run's path is a function of its config (same config, same frames), so Redis holds what makes a run
replayable, not its frames: the request body as the API took it (``Recipe``), the step it has been asked
to reach, its owner and when it was created; a few hundred bytes. Each process keeps its own copies of
the runs it has served in a ``RunStore`` (the local cache, bounded in runs, frames and bytes as one
process always was); a process asked for a run it does not hold rebuilds it from the recipe and replays
it to the step Redis holds, then keeps it.

Steps claim their range in Redis atomically (``claim``: the stored step moves from s to s + n in one
script), so two processes stepping the same run at once take disjoint ranges, each computes its own copy
up to the end of its range, and neither step is lost or taken twice: the result is the same as if the two
requests had come one after the other. Within a process, the run's lock serialises the requests that share
a copy, as before.

Budgets with Redis: the count of runs (``max_runs``) and the protection of young runs apply to all
processes together, in Redis: a new run evicts the least recently used run that is older than
``protected_seconds`` or its own client's, or is refused (StoreFull, 503) when only other clients' young
runs are left, exactly as in one process. Frames and bytes are what a process holds, so they bound each
process's cache: evicting a copy from it loses nothing (it is rebuilt on the next request, at the cost of
a replay), so the cache never refuses. Idleness is a key TTL (a record not touched for ``idle_seconds``
expires on its own); an evicted id is remembered in a bounded record (ten times ``max_runs``), so its
404 says why, as in one process. Redis without persistence forgets everything when it restarts: ids
carry the tag of the Redis dataset they were made in, so a run lost that way gets a 404 that says so.

Redis being unreachable is ``StoreUnavailable`` (503 with Retry-After and a sentence), within the client's
timeout (about two seconds), never a hang or a 500.
"""

from __future__ import annotations

import contextlib
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from app.redis_link import RedisUnavailable
from app.runs.store import RunNotFound, RunStore, StoreFull

TAG_LENGTH = 4  # characters of the Redis dataset's tag at the start of every shared run's id
RETRY_AFTER_SECONDS = 5
PREFIX = "hillside:runs:"


@dataclass(frozen=True)
class Recipe:
    """How to rebuild a run: its kind (which builder) and the request body as the API took it (JSON)."""

    kind: str
    spec: str


class StoreUnavailable(RuntimeError):
    """Redis cannot be reached or refused a command; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Everything that reads and changes the index of runs happens in one script, so concurrent processes never
# see half an eviction. KEYS: touched (zset id -> last use), evicted (zset id -> when), why (hash id -> reason),
# generation (the dataset's tag). Run records are PREFIX .. "run:" .. id (one Redis: not for Redis Cluster).
_EVICT = """
local function evict(id, why, now)
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], now, id)
  redis.call('HSET', KEYS[3], id, why)
end
"""

ADD = (
    _EVICT
    + """
-- ARGV: 1 record prefix, 2 now, 3 idle, 4 protected, 5 max_runs, 6 owner, 7 kind, 8 spec, 9 max_steps,
--       10 ttl, 11 evicted to remember, 12 idle reason, 13 full reason, 14 token, 15 a new tag if none
local now = tonumber(ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[3])))) do
  evict(id, ARGV[12], now)
end
local count = redis.call('ZCARD', KEYS[1])
while count >= tonumber(ARGV[5]) do
  local victim, oldest_young = nil, nil
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local f = redis.call('HMGET', ARGV[1] .. id, 'owner', 'created')
    if not f[2] or f[1] == ARGV[6] or now - tonumber(f[2]) > tonumber(ARGV[4]) then
      victim = id
      break
    end
    if not oldest_young or tonumber(f[2]) < oldest_young then oldest_young = tonumber(f[2]) end
  end
  if not victim then return {'full', tostring(oldest_young)} end
  evict(victim, ARGV[13], now)
  count = count - 1
end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[11])
if extra > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do redis.call('HDEL', KEYS[3], id) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
redis.call('SET', KEYS[4], ARGV[15], 'NX')
local id = redis.call('GET', KEYS[4]) .. ARGV[14]
redis.call('HSET', ARGV[1] .. id, 'kind', ARGV[7], 'spec', ARGV[8], 'step', 0, 'max_steps', ARGV[9],
  'owner', ARGV[6], 'created', ARGV[2])
redis.call('EXPIRE', ARGV[1] .. id, ARGV[10])
redis.call('ZADD', KEYS[1], now, id)
return {'ok', id}
"""
)

# A run is live when its record exists and it was used within the idle time; using it renews both.
_LIVE = """
local key, id, now = ARGV[1] .. ARGV[2], ARGV[2], tonumber(ARGV[3])
local used = redis.call('ZSCORE', KEYS[1], id)
if not used or now - tonumber(used) > tonumber(ARGV[4]) or redis.call('EXISTS', key) == 0 then return false end
redis.call('ZADD', KEYS[1], now, id)
redis.call('EXPIRE', key, ARGV[5])
"""
# ARGV: 1 record prefix, 2 id, 3 now, 4 idle, 5 ttl (6: steps, for CLAIM)
TOUCH = _LIVE + "return redis.call('HMGET', key, 'kind', 'spec', 'step')\n"
CLAIM = (
    _LIVE
    + """
local step = tonumber(redis.call('HGET', key, 'step'))
local target = math.min(step + tonumber(ARGV[6]), tonumber(redis.call('HGET', key, 'max_steps')))
redis.call('HSET', key, 'step', target)
return {step, target}
"""
)
DELETE = _LIVE + "redis.call('DEL', key)\nredis.call('ZREM', KEYS[1], id)\nreturn 1\n"


class SharedRunStore:
    """Runs kept in Redis as recipes and steps, with a bounded local cache of replayed copies per process."""

    def __init__(
        self,
        client: Any,
        cache: RunStore,
        rebuild: Callable[[Recipe], Any],
        max_runs: int,
        idle_seconds: float,
        protected_seconds: float = 0.0,
        clock: Callable[[], float] = time.time,
        where: str = "Redis",
        prefix: str = PREFIX,
    ) -> None:
        self.client = client
        self.cache = cache
        self.rebuild = rebuild
        self.max_runs = max_runs
        self.idle_seconds = idle_seconds
        self.protected_seconds = protected_seconds
        self._clock = clock
        self._where = where
        self._records = prefix + "run:"
        self._index = [prefix + "touched", prefix + "evicted", prefix + "why", prefix + "generation"]
        self._add, self._touch = client.register_script(ADD), client.register_script(TOUCH)
        self._claim, self._delete = client.register_script(CLAIM), client.register_script(DELETE)
        self._rebuilding = threading.Lock()

    @property
    def _ttl(self) -> int:
        return max(1, math.ceil(self.idle_seconds))

    def _call(self, script: Any, *args: Any) -> Any:
        try:
            return script(keys=self._index, args=[self._records, *args])
        except RedisUnavailable:
            raise StoreUnavailable(
                f"The run store ({self._where}) cannot be reached just now, so runs cannot be created, read or "
                f"stepped. Try again in {RETRY_AFTER_SECONDS} seconds; POST /api/v1/optimize, which keeps nothing, "
                "works meanwhile."
            ) from None
        except RedisError as error:
            said = f"The run store ({self._where}) refused a command ({error}); try again later."
            raise StoreUnavailable(said) from None

    def add(self, run: Any, owner: str | None = None, recipe: Recipe | None = None) -> str:
        """Record ``recipe`` in Redis (evicting as one process would) and keep ``run`` in the local cache."""
        if recipe is None:
            raise ValueError("a shared run needs the recipe it is rebuilt from")
        now = self._clock()
        answer = self._call(
            self._add,
            repr(now),
            self.idle_seconds,
            self.protected_seconds,
            self.max_runs,
            owner or "",
            recipe.kind,
            recipe.spec,
            run.config.max_steps,
            self._ttl,
            10 * self.max_runs,
            f"it was idle for more than {self.idle_seconds / 60:g} minutes",
            f"the server keeps at most {self.max_runs:,} runs and this run was the least recently used",
            secrets.token_urlsafe(9),
            secrets.token_urlsafe(3)[:TAG_LENGTH],
        )
        if answer[0] == b"full":
            wait = self.protected_seconds - (now - float(answer[1]))
            retry = max(1, math.ceil(wait))
            raise StoreFull(
                f"The server is full: it keeps at most {self.max_runs:,} runs, and every run it holds is younger "
                f"than {self.protected_seconds:g} seconds, so none is removed for a new one. Try again in {retry} "
                "seconds, delete runs you no longer need, or use POST /api/v1/optimize, which keeps nothing.",
                retry,
            )
        run_id = answer[1].decode()
        self._cache(run_id, run, owner)
        return run_id

    def _cache(self, run_id: str, run: Any, owner: str | None) -> None:
        with contextlib.suppress(StoreFull):  # larger than this process keeps: replayed from Redis when asked for
            self.cache.put(run_id, run, owner)

    def checkout(self, run_id: str) -> tuple[Any, int]:
        """The local copy of ``run_id`` (rebuilt from its recipe when this process has none) and its step in Redis.

        The copy may be behind that step: the caller catches it up under its lock (``budget.holding``).
        """
        found = self._call(self._touch, run_id, repr(self._clock()), self.idle_seconds, self._ttl)
        if not found:
            self.cache.discard(run_id)
            raise RunNotFound(self._explain(run_id))
        kind, spec, step = (value.decode() for value in found)
        run = self.cache.find(run_id)
        if run is None:
            with self._rebuilding:  # two requests that miss at once share one copy
                run = self.cache.find(run_id)
                if run is None:
                    run = self.rebuild(Recipe(kind, spec))
                    self._cache(run_id, run, None)
        return run, int(step)

    def claim(self, run_id: str, run: Any, n: int) -> tuple[int, int]:
        """Move the run's step in Redis by ``n`` (capped at max_steps) in one script: (first step, end step).

        Another process may have claimed steps since the caller caught its copy up; the range it gets starts
        after theirs, and the caller computes its copy through both.
        """
        claimed = self._call(self._claim, run_id, repr(self._clock()), self.idle_seconds, self._ttl, n)
        if not claimed:
            self.cache.discard(run_id)
            raise RunNotFound(self._explain(run_id))
        before, target = (int(value) for value in claimed)
        return before + 1, target

    def reserve(self, run_id: str, steps: int) -> None:
        """Room in this process's cache for ``steps`` more frames (it evicts other copies; it never refuses)."""
        with contextlib.suppress(StoreFull):
            self.cache.reserve(run_id, steps)

    def lock_for(self, run: Any) -> threading.Lock:
        return self.cache.lock_for(run)

    def delete(self, run_id: str) -> None:
        gone = self._call(self._delete, run_id, repr(self._clock()), self.idle_seconds, self._ttl)
        self.cache.discard(run_id)
        if not gone:
            raise RunNotFound(self._explain(run_id))

    def _explain(self, run_id: str) -> str:
        """Why there is no run ``run_id``: evicted (and why), idle, lost in a Redis restart, or never made."""
        idle = f"it was idle for more than {self.idle_seconds / 60:g} minutes"
        again = "Create it again with POST /api/v1/runs (the same config replays the same path)."
        try:
            why, used, tag = self._read_why(run_id)
        except RedisUnavailable:
            why, used, tag = None, None, None
        if why is not None:
            return f"Run {run_id} was removed because {why.decode()}. {again}"
        if used is not None and self._clock() - float(used) > self.idle_seconds:
            return f"Run {run_id} was removed because {idle}. {again}"
        if len(run_id) == TAG_LENGTH + 12 and (tag is None or tag.decode() != run_id[:TAG_LENGTH]):
            return (
                f"There is no run {run_id} any more: it was kept in {self._where}, which has restarted since "
                "without keeping its data (runs are not written to disk), so every run made before the restart is "
                f"gone. {again}"
            )
        return f"There is no run {run_id}. Create one with POST /api/v1/runs."

    def _read_why(self, run_id: str) -> tuple[Any, Any, Any]:
        touched, _, why, generation = self._index
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(why, run_id)
            pipe.zscore(touched, run_id)
            pipe.get(generation)
            return tuple(pipe.execute())

    def close(self) -> None:
        self.client.close()
