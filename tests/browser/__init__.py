"""Pages driven in real headless Chromium, checked with axe-core."""
