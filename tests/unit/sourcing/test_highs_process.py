"""HiGHS in its worker process: answers come back whole, a worker that does not answer is killed at the deadline
and replaced, and a solve never outlasts its time limit."""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from app.sourcing import highs_process
from app.sourcing.highs_process import Ending, Lp
from app.sourcing.solver import build, solve
from tests.unit.sourcing.test_solver import hard_problem


def _one_line_two_offers() -> Lp:
    """Buy 3 units of one line: x1 at 2.0 (at most 2 units), x2 at 5.0, both continuous."""
    return Lp(cost=np.array([2.0, 5.0]), lower=np.zeros(2), upper=np.array([2.0, 3.0]), integer=np.zeros(2, dtype=bool),
              row_lower=np.array([3.0]), row_upper=np.array([3.0]), starts=np.array([0], dtype=np.int32),
              index=np.array([0, 1], dtype=np.int32), value=np.array([1.0, 1.0]))


def _idle_worker() -> highs_process._Worker:
    highs_process.start_worker()
    with highs_process._idle_lock:
        return highs_process._idle[-1]


def test_a_worker_answers_and_serves_the_next_solve_too() -> None:
    # given a worker waiting
    worker = _idle_worker()
    # when two programs are solved one after the other
    first = highs_process.run(_one_line_two_offers(), time.perf_counter() + 10)
    second = highs_process.run(_one_line_two_offers(), time.perf_counter() + 10)
    # then both are optimal, from the same worker, which waits for a third
    assert first.ending is second.ending is Ending.OPTIMAL
    assert list(first.values) == list(second.values) == [2.0, 1.0]
    assert not first.killed and worker.alive()
    assert worker in highs_process._idle


def test_a_worker_that_does_not_answer_is_killed_at_the_deadline_and_replaced() -> None:
    # given a worker that cannot answer: stopped, as HiGHS is while a step that checks no time limit runs
    worker = _idle_worker()
    os.kill(worker.process.pid, signal.SIGSTOP)
    # when a program is given to it with half a second to go
    started = time.perf_counter()
    run = highs_process.run(_one_line_two_offers(), started + 0.5)
    waited = time.perf_counter() - started
    # then the answer comes at the deadline, with no plan, the worker is gone and a fresh one waits in its place
    assert 0.45 <= waited < 0.9
    assert run.ending is Ending.UNPROVEN and run.killed and run.values is None
    assert not worker.alive()
    assert worker not in highs_process._idle and highs_process._idle
    assert highs_process.run(_one_line_two_offers(), time.perf_counter() + 10).ending is Ending.OPTIMAL


def test_a_scenario_is_answered_within_its_time_limit_when_highs_would_not_stop() -> None:
    # given a problem HiGHS cannot prove in a second, and a worker that never answers
    problem, constraints = hard_problem(120, 20, seed=3)
    os.kill(_idle_worker().process.pid, signal.SIGSTOP)
    # when the scenario is solved with a one-second limit
    result = solve(problem, constraints, time_limit=1.0)
    # then the first plan comes back in time, with a gap measured by the solver's own bounds. Every step of the solve
    # ends 3 % before the limit (solver.ANSWER_SHARE); what is allowed past it is for a loaded machine's scheduler
    # (CI runs two test processes on two cores, and stop 24's CI delayed a killed worker's answer by 0.1 s). A solve
    # that waited for the stopped worker would never answer; the quiet figures are bench/sourcing.py's.
    assert result.seconds < 1.2
    assert result.status.has_plan and result.gap is not None and result.gap > 0
    assert build(problem, constraints, partial=False).offers  # the model was not empty: HiGHS had work to do
