"""Submitting public forms in the browser: history.js sends them with fetch(), so a click returns
before the next page is there. ``send`` clicks and waits for the outcome: the next page (after a
redirect, put in place with location.replace) or the same page with its errors swapped in."""

from __future__ import annotations

import time


def send(page, locator, timeout: float = 15.0) -> None:
    page.evaluate("document.body.dataset.stale = '1'")
    locator.click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate("() => document.readyState === 'complete' && !!document.body && !document.body.dataset.stale"):
                page.wait_for_load_state()
                return
        except Exception:  # noqa: BLE001 - the page is navigating; ask again
            pass
        time.sleep(0.05)
    raise AssertionError("the form was not answered in time")
