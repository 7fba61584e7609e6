"""A child process for store tests: keys forms into a study, reporting each durable step on stdout.

    python -m tests.store_child drafts STUDY WAVE CODE        # saves a draft after each section, then waits
    python -m tests.store_child returns STUDY WAVE PREFIX N   # saves N returns as fast as it can
"""

from __future__ import annotations

import sys
import time

from tui.domain.returns import answers as ans
from tui.domain.store import Draft, Study


def drafts(path: str, wave: str, code: str) -> None:
    study = Study.open(path)
    instrument = study.wave(wave).instrument
    draft = Draft(wave=wave, operator="KID", participant_code=code)
    done: dict = {}
    step = 0
    for bank in instrument.banks:
        for section in bank.sections:
            # Highlight statement 1 of every section: easy to check after the kill.
            done.setdefault(bank.id, {"present": True, "sections": {}})["sections"][section.letter] = [1] \
                if section.statements else []
            draft.state = {"done": done, "at": [bank.id, section.letter]}
            study.save_draft(draft)
            step += 1
            print(f"SAVED {step} {bank.id} {section.letter}", flush=True)
            time.sleep(0.05)
    print("ALL", flush=True)
    time.sleep(60)


def returns(path: str, wave: str, prefix: str, n: int) -> None:
    study = Study.open(path)
    instrument = study.wave(wave).instrument
    for i in range(n):
        # Alternate schools so the codes stay valid; the serial-free returns never collide.
        answers = ans.from_codes(instrument, [instrument.codes()[i % 60]])
        study.save_return(wave, f"{prefix}{(i % 5) + 1}", answers, operator=f"OP{prefix}")
    print("DONE", flush=True)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "drafts":
        drafts(*args)
    else:
        returns(args[0], args[1], args[2], int(args[3]))
