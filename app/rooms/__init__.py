"""Lecture rooms: a hall follows one lecturer's live connection, and the class races itself (issue 11).

codes: room codes and tokens. limits: per-address rate limits and display names. present: the room's present
state rebuilt from the messages it relayed. questions: the class race's questions and answers. backends: where
a room lives (this process, or Redis for several). follow: a follower's bounded queue and a process's followers
of each room. host: the lecturer's side of a room. lecturer: the websocket-like proxy that lets the ordinary
/ws handler serve a lecturer. service: one object per process that ties them together.
"""
