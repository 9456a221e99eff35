"""Debian's Chromium and the flags it needs here (no sandbox as root; no background calls to a network
this machine does not have), shared by the browser tests, the picture maker and the page benchmark."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
