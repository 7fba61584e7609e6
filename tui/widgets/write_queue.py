"""One writer thread per screen: store writes run off the keystroke path, one after another.

Order matters: a draft written after a section must never land after the save that removed it
(save_return deletes the draft in its own transaction). A single worker draining a FIFO gives
that for free. Results come back as messages to whoever queued the job.

Writes run in the gaps between keystrokes. A write holds Python's GIL for a few milliseconds
(building SQL), and a thread holding the GIL makes the keyboard thread wait for it, several times
per keystroke; so the writer waits until no key has come for QUIET_S (a human's next key rarely
follows Enter that fast), or at most MAX_DEFER_S during a burst. That bound is the durability
promise: a completed section's draft is on disk within MAX_DEFER_S (plus the write) of its Enter,
however fast the keys come, so a killed process loses at most the section being typed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from tui.domain.entry import DraftJob, Job
from tui.domain.store import StoreError, Study

log = logging.getLogger("surveydesk")


class WriteDone(Message):
    def __init__(self, job: Job, result: Any) -> None:
        super().__init__()
        self.job = job
        self.result = result


class WriteFailed(Message):
    def __init__(self, job: Job, error: str) -> None:
        super().__init__()
        self.job = job
        self.error = error


QUIET_S = 0.05
# Only a scanner or a machine keeps keys coming faster than QUIET_S for this long; a write must
# not wait longer (it was 1 s: a burst could then lose a completed section to a kill).
MAX_DEFER_S = 0.2
# Reads (the progress figures) lose nothing by waiting, and may be heavy: they wait longer.
READ_DEFER_S = 1.0


def wait_for_a_gap(last_key: Callable[[], float] | None, since: float, limit: float = READ_DEFER_S,
                   urgent: threading.Event | None = None) -> None:
    """Sleep until no key has come for QUIET_S, or until ``limit`` seconds after ``since`` (monotonic),
    or until ``urgent`` is set (the keyboard thread is waiting for the writes: no key can come)."""
    if last_key is None:
        return
    while not (urgent is not None and urgent.is_set()):
        now = time.monotonic()
        quiet = now - last_key()
        if quiet >= QUIET_S or now - since >= limit:
            return
        pause = min(QUIET_S - quiet, limit - (now - since))
        if urgent is not None:
            urgent.wait(pause)
        else:
            time.sleep(pause)


class WriteQueue:
    """Jobs in, messages out. ``start`` runs the writer as a thread worker of ``owner``;
    ``last_key`` (monotonic time of the latest keystroke) lets it write between keystrokes."""

    POLL_S = 0.2

    def __init__(self, owner: DOMNode, study: Study, last_key: Callable[[], float] | None = None):
        self.owner = owner
        self.study = study
        self.last_key = last_key
        self._jobs: queue.Queue[tuple[Job, MessagePump, float] | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._urgent = threading.Event()
        # Writes other than drafts (saves, deletes, resolutions): what a look-up may depend on.
        self._records = 0
        self._records_idle = threading.Event()
        self._records_idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self.draft_ids: dict[int, int] = {}  # form token -> draft id; touched by the writer thread only
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.owner.run_worker(self._drain, thread=True, group="store-writes", name="store writer",
                                  exit_on_error=False)

    @property
    def pending(self) -> int:
        return self._pending

    def put(self, job: Job, reply_to: MessagePump | None = None) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
            if not isinstance(job, DraftJob):
                self._records += 1
                self._records_idle.clear()
        self._jobs.put((job, reply_to or self.owner, time.monotonic()))

    def flush(self, timeout: float = 30.0) -> bool:
        """Block until every queued job has run (tests, and before the app closes)."""
        return self._idle.wait(timeout)

    def land(self, timeout: float = 30.0, *, drafts: bool = True) -> bool:
        """From the keyboard thread, before it reads the study (an identity look-up, the drafts
        list): the writes queued so far land first, at once (no key can come while it waits), so
        what a key finds never depends on how fast the keys before it came. ``drafts=False``: only
        saves, deletes and resolutions (what an identity look-up can depend on)."""
        done = self._idle if drafts else self._records_idle
        if done.is_set():
            return True
        self._urgent.set()
        try:
            return done.wait(timeout)
        finally:
            self._urgent.clear()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then end the writer."""
        self.flush(timeout)
        self._jobs.put(None)

    def _drain(self) -> None:
        worker = get_current_worker()
        while True:
            try:
                item = self._jobs.get(timeout=self.POLL_S)
            except queue.Empty:
                # Cancelled (the app is closing) and nothing left to write: done.
                if worker.is_cancelled:
                    return
                continue
            if item is None:
                return
            job, reply_to, queued_at = item
            wait_for_a_gap(self.last_key, queued_at, MAX_DEFER_S, self._urgent)
            if self._superseded(job):
                self._done(job)
                continue
            try:
                result = job.run(self.study, self.draft_ids)
            except StoreError as exc:
                message: Message = WriteFailed(job, str(exc))
            except Exception as exc:  # a failed write must reach the operator, not vanish
                log.exception("store write failed")
                message = WriteFailed(job, f"{type(exc).__name__}: {exc}")
            else:
                message = WriteDone(job, result)
            self._done(job)
            reply_to.post_message(message)

    def _superseded(self, job: Job) -> bool:
        """A draft with a newer draft of the same form queued behind it need not be written (a
        draft follows every keystroke that changes the form; in a burst only the last counts)."""
        if not isinstance(job, DraftJob):
            return False
        with self._jobs.mutex:
            return any(item is not None and isinstance(item[0], DraftJob) and item[0].token == job.token
                       for item in self._jobs.queue)

    def _done(self, job: Job) -> None:
        with self._lock:
            self._pending -= 1
            if not self._pending:
                self._idle.set()
            if not isinstance(job, DraftJob):
                self._records -= 1
                if not self._records:
                    self._records_idle.set()
