"""The `hillside` command: start the server."""

from __future__ import annotations

import argparse
import dataclasses
import os

import uvicorn

from app import redis_link
from app.addresses import WILDCARDS, reachable_urls
from app.hosts import is_ip_literal
from app.origins import is_origin
from app.server import WORKER_APP, WORKER_HTTP, tune_gc, uvicorn_options, worker_environment
from app.settings import Settings

WORKERS_NEED_REDIS = (
    "--workers {n} needs --redis (or HILLSIDE_REDIS_URL): runs made through the REST API and lecture rooms "
    "live in one process unless they are shared through Redis, so with {n} workers a run created on one "
    "would not be found on the others. Add --redis redis://127.0.0.1:6379/0 (start redis-server first), "
    "or leave out --workers."
)


def origin(value: str) -> str:
    if not is_origin(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an origin; give one such as http://hall.example.org:8000")
    return value


def redis_url(value: str) -> str:
    try:
        return redis_link.check_url(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hillside", description="Serve the Hillside gradient-descent visualiser.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name this server may be reached by, besides IP addresses and this machine's own names "
        "(repeatable; *.example.org for a whole domain; also HILLSIDE_ALLOWED_HOSTS)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        type=origin,
        metavar="ORIGIN",
        help="another site whose pages may open websockets here, such as https://course.example.org "
        "(repeatable; also HILLSIDE_ALLOWED_ORIGINS)",
    )
    parser.add_argument(
        "--redis",
        type=redis_url,
        default=None,
        metavar="URL",
        help="share runs and lecture rooms between server processes through this Redis, such as "
        "redis://127.0.0.1:6379/0 (also HILLSIDE_REDIS_URL; default: everything in this one process)",
    )
    parser.add_argument(
        "--workers",
        type=workers,
        default=1,
        metavar="N",
        help="serve with N worker processes, each with its own share of the cores (default 1; more than 1 "
        "needs --redis, where the workers share runs and lecture rooms)",
    )
    args = parser.parse_args(argv)
    if args.workers > 1 and not (args.redis or os.environ.get("HILLSIDE_REDIS_URL")):
        parser.error(WORKERS_NEED_REDIS.format(n=args.workers))
    return args


def workers(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of worker processes from 1 to 64")
    return int(value)


def settings_for(args: argparse.Namespace) -> Settings:
    """The environment's settings, plus the names and origins given on the command line."""
    settings = Settings()
    hosts = [*settings.allowed_hosts, *args.allow_host]
    if args.host not in WILDCARDS and not is_ip_literal(args.host):
        hosts.append(args.host)  # `--host hall-laptop.lan` is a name students will use
    origins = [*settings.allowed_origins, *args.allow_origin]
    redis = args.redis or settings.redis_url
    return dataclasses.replace(settings, allowed_hosts=tuple(hosts), allowed_origins=tuple(origins), redis_url=redis)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = settings_for(args)
    options = uvicorn_options(settings)
    if args.workers > 1:
        _say_where(args, settings)
        # Each worker is a fresh process that imports the app and reads its settings from the environment.
        os.environ.update(worker_environment(settings))
        options["http"] = WORKER_HTTP  # a class made at run time cannot be sent to another process; its name can
        uvicorn.run(WORKER_APP, factory=True, workers=args.workers, host=args.host, port=args.port, **options)
        return
    from app.main import create_app  # here, so that `hillside --help` answers at once

    app = create_app(settings)
    tune_gc()
    _say_where(args, settings)
    uvicorn.run(app, host=args.host, port=args.port, **options)


def _say_where(args: argparse.Namespace, settings: Settings) -> None:
    if args.host in WILDCARDS:
        print(f"Hillside is running at http://127.0.0.1:{args.port}/ on this machine.", flush=True)
        urls = reachable_urls(args.host, args.port)
        if urls:
            print("Students on the same network can open:", *urls, sep="\n  ", flush=True)
        print("(press Ctrl+C to stop)", flush=True)
    else:
        print(f"Hillside is running at {reachable_urls(args.host, args.port)[0]}  (press Ctrl+C to stop)", flush=True)
    if settings.redis_url:
        where = redis_link.describe(settings.redis_url)
        print(f"Runs and lecture rooms are shared through Redis at {where}.", flush=True)
    if args.workers > 1:
        print(f"{args.workers} worker processes answer on this address.", flush=True)


if __name__ == "__main__":
    main()
