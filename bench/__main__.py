"""Run every benchmark and print Markdown tables (paste them into the README)."""

from __future__ import annotations

import sys

from bench import abuse, endpoints, engine, fleet, live, page, rooms, soak, training

SECTIONS = {
    "Engine cost per step, first-order methods in 2D (floats; Rosenbrock, 2,000 steps; CPU medians of 5)": (
        engine.first_order
    ),
    "Engine cost per step, first-order methods in 10D (NumPy; chained Rosenbrock, 2,000 steps)": engine.first_order_nd,
    "Engine cost per step, other methods (Rosenbrock)": engine.main,
    "Memory per stored frame (tracemalloc)": engine.memory,
    "HTTP endpoints (in-process client)": endpoints.main,
    "POST /optimize against a bare NumPy loop (CPU medians of 5)": endpoints.optimize_against_the_loop,
    "gzip levels for a long answer": endpoints.gzip_levels,
    "Reading frames out of a run (CPU, best of 7)": endpoints.frame_reads,
    "Websocket playback at 30 fps (server and clients in separate processes)": live.main,
    "Two workers with Redis against one process (REST runs and the live load, same run)": fleet.main,
    "Lecture rooms: one lecturer's 4-runner race at 30 fps, 1 to 1,000 followers": rooms.main,
    "Training a network, per full-batch step": training.main,
    "Opening a page in headless Chromium": page.main,
    "Soak: 150 websocket clients for a minute, some rude, then what is left": soak.main,
    "Abuse: one hostile client against two bystanders (issue 9's seven attacks)": abuse.main,
}


def main(argv: list[str]) -> None:
    wanted = set(argv)
    for title, run in SECTIONS.items():
        module = run.__module__.rsplit(".", 1)[-1]
        if wanted and module not in wanted:
            continue
        print(f"\n### {title}\n", flush=True)
        print(run(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
