"""Lecture rooms: a hall follows one lecturer's live connection, and the class races itself (issue 11).

codes: room codes and tokens. limits: per-address rate limits and display names. present: the room's present
state rebuilt from the messages it relayed. questions: the class race's questions, answers and lambda_max.
backend: where a room lives (this process's memory); redis_backend: the same in Redis, for several
processes. follow: a follower's bounded queue and this process's followers of each room. host: the
lecturer's side of a room. lecturer: the websocket-like proxy that lets the ordinary /ws handler serve a
lecturer. service: one object per process that ties them together. The wire protocol is in
docs/websocket.md, "Rooms".
"""
