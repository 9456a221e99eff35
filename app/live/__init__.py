"""Live sessions: playback of runs and races for the websocket, with no I/O of their own."""
