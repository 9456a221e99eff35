"""The `hillside` command: start the server."""

from __future__ import annotations

import argparse
import gc

import uvicorn

# Every live race keeps its frames (small dicts and lists), so a hall of clients holds millions of
# objects; Python's default collector then walks them all every few hundred milliseconds and every
# stream stalls for tens of milliseconds (bench/live.py: p99 63 ms at 100 clients, 21 ms with this).
# Our data has no reference cycles to speak of, so collect far less often.
GC_THRESHOLDS = (50_000, 20, 100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hillside", description="Serve the Hillside gradient-descent visualiser.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    args = parser.parse_args(argv)
    gc.freeze()  # what was imported so far lives for the whole process: never scan it again
    gc.set_threshold(*GC_THRESHOLDS)
    print(f"Hillside is running at http://{args.host}:{args.port}/  (press Ctrl+C to stop)", flush=True)
    # No per-message deflate: compressing frames costs CPU and stalls other streams. Messages over 1 MiB are refused
    # by uvicorn itself; the app refuses anything over 64 KiB with a readable error first.
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_per_message_deflate=False,
        ws_max_size=1 << 20,
    )


if __name__ == "__main__":
    main()
