"""Browser tests: headless Chromium (Playwright) and axe-core against the real server."""
