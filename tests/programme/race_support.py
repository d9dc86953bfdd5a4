"""Two changes that meet: each in its own thread, with its own database connection.

The first change is held between its check and its write (``Race.hold``, called from
a patched step of the service); the second runs then. On code that locks what its rule
reads, the second waits on the first's lock, the first's wait at the barrier times out,
it writes and commits, and only then does the second go on. On code that does not, the
second commits in the gap and the first writes over it. Tests assert the final state,
never the timing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

# How long the first change waits for the second at the barrier. The second is only
# blocked by the first's lock when the code is right; then this is the time it waits.
HOLD_SECONDS = 2.0


@dataclass
class Outcome:
    """What one side of the race returned, or the exception that stopped it."""

    value: Any = None
    error: BaseException | None = None

    def unwrap(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass
class Race:
    """Holds the first change between its check and its write while the second runs."""

    hold_seconds: float = HOLD_SECONDS
    checked: threading.Event = field(default_factory=threading.Event)
    barrier: threading.Barrier = field(init=False)
    first_thread: threading.Thread | None = None
    held: bool = False

    def __post_init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=self.hold_seconds)

    def hold(self) -> None:
        """Called by the first change after its check: let the second run, wait for it."""
        if threading.current_thread() is not self.first_thread or self.held:
            return
        self.held = True
        self.checked.set()
        self._meet()

    def _meet(self) -> None:
        # A broken barrier: the other side waits on a lock this side holds (or is done).
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()

    def holding(self, step: Callable[..., Any]) -> Callable[..., Any]:
        """``step`` as the service calls it, then held in the first thread."""

        def held_step(*args: Any, **kwargs: Any) -> Any:
            result = step(*args, **kwargs)
            self.hold()
            return result

        return held_step

    def holding_before(self, step: Callable[..., Any]) -> Callable[..., Any]:
        """``step``, held in the first thread before it runs."""

        def held_step(*args: Any, **kwargs: Any) -> Any:
            self.hold()
            return step(*args, **kwargs)

        return held_step

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Outcome, Outcome]:
        """Run both changes, the second once the first has passed its check."""
        outcomes = (Outcome(), Outcome())

        def side(index: int, change: Callable[[], Any]) -> None:
            try:
                with connection.cursor() as cursor:
                    # A change that hangs fails the test instead of the whole run.
                    cursor.execute(
                        "SET lock_timeout = '20s'; SET idle_in_transaction_session_timeout = '20s'"
                    )
                if index == 1 and not self.checked.wait(timeout=30):
                    raise AssertionError("the first change never reached its hold")
                outcomes[index].value = change()
            except BaseException as error:  # reported to the test
                outcomes[index].error = error
            finally:
                if index == 0:
                    # A first change that ended before its hold must not keep the second waiting.
                    self.checked.set()
                else:
                    self._meet()
                connection.close()

        threads = [
            threading.Thread(target=side, args=(0, first), name="race-first", daemon=True),
            threading.Thread(target=side, args=(1, second), name="race-second", daemon=True),
        ]
        self.first_thread = threads[0]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), f"{thread.name} is still running: a deadlock?"
        return outcomes
