"""The Redis run store against a real redis-server: what several processes share, each with its own cache.

Two apps (or two stores) with their own local caches over one Redis stand for two server processes here;
tests/test_fleet.py does the same with real `hillside` processes. Time is a fake clock where idleness and
protection are tested, so nothing waits.
"""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from app import redis_link
from app.api import run_store
from app.cli import parse_args, settings_for
from app.main import create_app
from app.runs.factory import build_config
from app.runs.run import Run
from app.runs.shared_store import Recipe, SharedRunStore
from app.runs.store import RunNotFound, RunStore, StoreFull
from app.server import worker_environment
from app.settings import Settings
from tests.redis_server import redis_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.redis

BOWL = {"function": "bowl", "optimizer": "gd"}


def _recipe(body: dict) -> Recipe:
    from app.api.runs import recipe_of
    from app.api.schemas import RunCreate

    return recipe_of(RunCreate.model_validate(body), Run(build_config(body["function"], body["optimizer"])))


@pytest.fixture
def stores(redis_server):  # noqa: F811
    """A factory of stores that share one Redis namespace (one per test), each with its own cache, as processes."""
    prefix = f"test:{secrets.token_hex(4)}:"
    made = []

    def make(max_runs: int = 10, idle: float = 3600, protected: float = 0.0, clock=None) -> SharedRunStore:
        store = SharedRunStore(
            redis_link.connect_sync(redis_server.url),
            RunStore(max_runs, idle),
            run_store.rebuild,
            max_runs=max_runs,
            idle_seconds=idle,
            protected_seconds=protected,
            prefix=prefix,
            **({"clock": clock} if clock else {}),
        )
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def _add(store: SharedRunStore, owner: str = "a") -> str:
    return store.add(Run(build_config("bowl", "gd", {})), owner, _recipe(BOWL))


def test_a_new_run_evicts_the_least_recently_used_of_all_processes_and_its_404_says_why(stores):
    one, two = stores(max_runs=2), stores(max_runs=2)
    first = _add(one)
    second = _add(two)
    two.checkout(first)  # used on the other process: now the second is the least recently used
    _add(one)
    with pytest.raises(RunNotFound, match=r"at most 2 runs and this run was the least recently used"):
        one.checkout(second)
    assert one.checkout(first)[0].step == 0


def test_other_clients_young_runs_are_protected_across_processes(stores):
    now = [1000.0]
    one, two = stores(max_runs=2, protected=120, clock=lambda: now[0]), stores(max_runs=2, protected=120)
    two._clock = lambda: now[0]
    first = _add(one, owner="a")
    _add(two, owner="b")
    now[0] += 30
    with pytest.raises(StoreFull) as full:
        _add(one, owner="c")
    assert full.value.retry_after == 90
    _add(two, owner="a")  # a client's own runs make room for its new ones, young or not
    with pytest.raises(RunNotFound, match="least recently used"):
        two.checkout(first)


def test_an_idle_run_expires_in_redis_and_its_404_says_it_was_idle(stores, redis_server):  # noqa: F811
    now = [1000.0]
    store = stores(idle=60, clock=lambda: now[0])
    run_id = _add(store)
    ttl = store.client.ttl(f"{store._records}{run_id}")
    assert 0 < ttl <= 60  # Redis forgets the record by itself if no process comes back
    now[0] += 59
    store.checkout(run_id)  # used: its idle time starts again
    now[0] += 61
    with pytest.raises(RunNotFound, match="idle for more than 1 minutes"):
        store.checkout(run_id)
    _add(store)  # the next creation moves it to the record of evicted runs; the 404 stays the same
    with pytest.raises(RunNotFound, match="idle for more than 1 minutes"):
        store.checkout(run_id)


def test_the_record_of_evicted_runs_is_bounded(stores):
    store = stores(max_runs=1)
    ids = [_add(store) for _ in range(15)]
    touched, evicted, why, _ = store._index
    assert store.client.zcard(evicted) == 10 == store.client.hlen(why)
    assert store.client.zcard(touched) == 1
    with pytest.raises(RunNotFound, match="least recently used"):
        store.checkout(ids[-2])
    with pytest.raises(RunNotFound, match="There is no run"):
        store.checkout(ids[0])  # forgotten: too long ago to say why


def test_runs_lost_with_redis_data_get_a_404_that_says_so(stores):
    store = stores()
    run_id = _add(store)
    store.client.flushdb()  # what a restart without persistence leaves
    with pytest.raises(RunNotFound, match="restarted since without keeping its data"):
        store.checkout(run_id)
    fresh = _add(store)
    assert fresh[:4] != run_id[:4] and store.checkout(fresh)[1] == 0


def test_ids_are_unguessable(stores):
    store = stores(max_runs=100)
    ids = {_add(store) for _ in range(20)}
    assert len(ids) == 20 and all(len(run_id) == 16 for run_id in ids)
    assert len({run_id[4:] for run_id in ids}) == 20  # 72 random bits after the dataset's tag


@pytest.fixture
def two_apps(redis_server):  # noqa: F811
    settings = Settings(redis_url=redis_server.url)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        yield one, two


@pytest.mark.parametrize(
    "body",
    [
        {
            "function": {"expression": "x^2 + 3*sin(y)"},
            "optimizer": "adam",
            "hyperparameters": {"lr": 0.05, "amsgrad": True},
            "schedule": {"kind": "cosine", "t_max": 20},
            "start": [3, 2],
            "seed": 7,
            "max_steps": 40,
        },
        {"function": "rosenbrock", "optimizer": "bfgs", "max_steps": 40},
        {"function": "himmelblau", "optimizer": "nelder_mead", "max_steps": 40},
    ],
)
def test_a_run_rebuilt_by_another_process_has_the_very_same_frames(two_apps, body):
    one, two = two_apps
    created = one.post("/api/v1/runs", json=body)
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    stepped = two.post(f"/api/v1/runs/{run_id}/step", json={"n": 25}).json()  # rebuilt there from the recipe
    assert [frame["step"] for frame in stepped["frames"]] == list(range(1, stepped["step"] + 1))
    more = one.post(f"/api/v1/runs/{run_id}/step", json={"n": 10}).json()  # the first copy catches up, then steps
    assert more["frames"][0]["step"] == stepped["step"] + 1 or more["status"] != "running"
    read = two.get(f"/api/v1/runs/{run_id}").json()
    alone = {key: value for key, value in body.items() if key != "max_steps"}
    optimize = one.post("/api/v1/optimize", json={**alone, "steps": read["step"]}).json()["frames"]
    assert read["frames"] == optimize
    assert one.get(f"/api/v1/runs/{run_id}").json()["frames"] == optimize


def test_a_network_run_trained_on_one_process_is_replayed_exactly_on_another(two_apps):
    one, two = two_apps
    body = {"network": {"dataset": "circles", "points": 60, "batch": 8}, "optimizer": "adam", "seed": 3}
    run_id = one.post("/api/v1/network/runs", json=body).json()["id"]
    first = one.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 20}).json()
    second = two.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 5}).json()  # shuffles replayed too
    assert [frame["step"] for frame in second["frames"]] == [21, 22, 23, 24, 25]
    assert two.get(f"/api/v1/network/runs/{run_id}").json()["frames"][:21] == [
        *one.get(f"/api/v1/network/runs/{run_id}", params={"since": 0}).json()["frames"][:1],
        *first["frames"],
    ]
    assert (
        one.get(f"/api/v1/network/runs/{run_id}/weights").json()
        == two.get(f"/api/v1/network/runs/{run_id}/weights").json()
    )
    assert two.delete(f"/api/v1/network/runs/{run_id}").status_code == 204
    assert one.get(f"/api/v1/network/runs/{run_id}").status_code == 404


def test_steps_stop_at_max_steps_whichever_process_takes_them(two_apps):
    one, two = two_apps
    run_id = one.post("/api/v1/runs", json={**BOWL, "hyperparameters": {"lr": 1e-3}, "max_steps": 10}).json()["id"]
    assert one.post(f"/api/v1/runs/{run_id}/step", json={"n": 7}).json()["step"] == 7
    last = two.post(f"/api/v1/runs/{run_id}/step", json={"n": 7}).json()
    assert [frame["step"] for frame in last["frames"]] == [8, 9, 10] and last["status"] == "max_steps"
    assert one.post(f"/api/v1/runs/{run_id}/step", json={"n": 7}).json()["frames"] == []


def test_with_workers_every_process_gets_the_settings_the_command_line_gave(monkeypatch):
    hall = ["--host", "hall.example.org", "--allow-host", "*.uni.example"]
    args = parse_args([*hall, "--allow-origin", "https://course.example.org", "--redis", "redis://127.0.0.1:7000/0"])
    wanted = settings_for(args)
    for name, value in worker_environment(wanted).items():
        monkeypatch.setenv(name, value)
    assert Settings() == wanted


def test_more_than_one_worker_without_redis_is_refused_with_what_to_add(capsys, monkeypatch):
    monkeypatch.delenv("HILLSIDE_REDIS_URL", raising=False)
    with pytest.raises(SystemExit):
        parse_args(["--workers", "2"])
    said = capsys.readouterr().err
    assert "--workers 2 needs --redis" in said and "would not be found on the others" in said
    assert parse_args(["--workers", "1"]).workers == 1
