"""HiGHS run in a child process that is killed at its deadline, so that a scenario's answer comes within its time
limit whatever HiGHS is doing. HiGHS checks its time limit and our interrupt between steps, but not inside all of
them: on bench/sourcing.py's 500 x 50 RFQ its root cut separation ran for up to 4 s past a 2 s limit without asking
either. A process can be stopped anywhere. The child reports each better plan as HiGHS finds it; when it is killed,
the best of those (or the caller's own first plan) is the answer, and the caller's own bounds measure its gap."""

from __future__ import annotations

import contextlib
import ctypes
import enum
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf
# Prices have four decimals and quantities are whole, so two plans' totals differ by at least 0.0001: a gap below
# half of that proves the plan optimal, where HiGHS's default relative gap (0.01 %) would not.
ABSOLUTE_GAP = 0.00005
# What the worker leaves of its time for stopping by itself and sending its answer (HiGHS is asked to stop that much
# before the deadline): a tenth of the time, at most 0.1 s.
STOP_SHARE = 0.1
STOP_SECONDS = 0.1


def _without_banner() -> None:
    """HiGHS prints its banner to the process's stdout when the first `Highs` is made, before any option can
    silence it: make that first one here, once, with file descriptor 1 pointed at /dev/null for the moment."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
        saved = os.dup(1)
        quiet = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(quiet, 1)
            highspy.Highs()
            ctypes.CDLL(None).fflush(None)  # the banner sits in C's stdout buffer when stdout is a pipe
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(quiet)


_without_banner()
log = logging.getLogger(__name__)

# A worker is a fresh interpreter that imports this module, not a fork of the web app (a fork would copy the app's
# locks in whatever state its other threads held them) nor a multiprocessing child (which runs the parent's main
# script again first). It serves one solve after another; one killed at a deadline is replaced at once, in the
# background, so that the next scenario does not wait for its start (about 0.15 s).
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _clock() -> float:
    """A clock that reads the same in every process of the machine (time.perf_counter() promises that only within
    one process): deadlines cross into the worker on it."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class _Worker:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module, no user input)
            [sys.executable, "-m", "app.sourcing.highs_process", str(theirs.fileno())], pass_fds=[theirs.fileno()],
            cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))},
            stdin=subprocess.DEVNULL)
        theirs.close()
        self.connection = Connection(ours.detach())

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the worker and reap it; its end of the connection stays open (a thread may still be writing to it)."""
        if self.alive():
            self.process.kill()
        self.process.wait()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _take() -> _Worker:
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.alive():
                return worker
            worker.kill()
            worker.connection.close()
    return _Worker()


def _give_back(worker: _Worker) -> None:
    with _idle_lock:
        _idle.append(worker)


def start_worker() -> None:
    """Have a worker waiting, so that the first scenario solved after a start does not wait for one."""
    with _idle_lock:
        if _idle:
            return
    _give_back(_Worker())


@dataclass(frozen=True)
class Lp:
    """The mixed-integer program as HiGHS takes it: columns (cost, bounds, whole or not) and rows in compressed
    row form."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray  # bool per column
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray


class Ending(enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNPROVEN = "unproven"  # stopped by the time limit (or killed at it), with or without a plan


@dataclass(frozen=True)
class Run:
    """How a run ended: the best plan found as a value per column, quantities whole (None without a plan), HiGHS's
    relative gap (None while it has no bound) and its lower bound (-inf while it has none)."""

    ending: Ending
    values: np.ndarray | None = None
    gap: float | None = None
    dual_bound: float = -math.inf
    killed: bool = False

    @property
    def found(self) -> bool:
        return self.ending is Ending.OPTIMAL or self.values is not None


def highs(lp: Lp, time_limit: float) -> highspy.Highs:
    """A HiGHS instance holding `lp`, silent, single-threaded, stopping at `time_limit` seconds or at an absolute
    gap that proves a plan optimal."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.001, float(time_limit)))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", ABSOLUTE_GAP)
    h.setOptionValue("threads", 1)
    # Measured on bench/sourcing.py's 500 x 50 RFQ: the feasibility-jump heuristic spent the first seconds before
    # the root LP and never beat what the root found; without it the same scenarios were solved sooner or alike.
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    n = len(lp.cost)
    h.addCols(n, lp.cost, lp.lower, lp.upper, 0, np.array([], dtype=np.int32), np.array([], dtype=np.int32),
              np.array([], dtype=np.float64))
    kinds = np.where(lp.integer, int(highspy.HighsVarType.kInteger), int(highspy.HighsVarType.kContinuous))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds.astype(np.uint8))
    if len(lp.row_lower):
        h.addRows(len(lp.row_lower), lp.row_lower, lp.row_upper, len(lp.index), lp.starts, lp.index, lp.value)
    return h


def run(lp: Lp, deadline: float, start: np.ndarray | None = None) -> Run:
    """Solve `lp` by the wall-clock `deadline` (a time.perf_counter() value), from the plan `start` (a value per
    column) when given, in a worker process: HiGHS is asked to stop shortly before the deadline, and the worker is
    killed at it if HiGHS has not answered by then."""
    seconds = deadline - time.perf_counter()
    if seconds <= 0:
        return Run(Ending.UNPROVEN)
    stop_at = _clock() + seconds - min(STOP_SECONDS, seconds * STOP_SHARE)
    worker: _Worker | None = _take()
    best: tuple[np.ndarray, float] | None = None
    # Sent from a thread: a program of some MB does not fit in the socket's buffer, and a worker still starting, or
    # stuck, would hold a plain send past the deadline. Killing the worker ends that thread's send with an error.
    sending = threading.Thread(target=_send, args=(worker.connection, (lp, stop_at, start)), daemon=True)
    sending.start()
    try:
        while worker.connection.poll(max(0.0, deadline - time.perf_counter())):
            message = worker.connection.recv()
            if message[0] == "plan":
                best = message[1], message[2]
            else:
                _, ending, values, gap, dual_bound = message
                _give_back(worker)
                worker = None
                return Run(Ending(ending), None if values is None else whole(lp, values), gap, dual_bound)
    except (EOFError, OSError):  # the worker died (out of memory, say): what it sent before counts
        log.exception("the HiGHS worker stopped without answering")
    finally:
        if worker is not None:
            worker.kill()
        sending.join()  # the send has ended: the worker took it, or its death broke it
        if worker is not None:
            worker.connection.close()
            _give_back(_Worker())  # its replacement starts now, not when the next scenario needs it
    if best is None:
        return Run(Ending.UNPROVEN, killed=True)
    return Run(Ending.UNPROVEN, whole(lp, best[0]), None, best[1], killed=True)


def _send(connection: Connection, message: object) -> None:
    with contextlib.suppress(OSError):  # the worker was killed meanwhile: its answer is not awaited any more
        connection.send(message)


def _serve(connection: Connection) -> None:
    """A worker: solve each (lp, stop_at, start) received, until the connection closes."""
    while True:
        try:
            lp, stop_at, start = connection.recv()
        except EOFError:
            return
        _solve(connection, lp, stop_at, start)


def _solve(connection: Connection, lp: Lp, stop_at: float, start: np.ndarray | None) -> None:
    """Run HiGHS on `lp` until `stop_at` (on `_clock`) at most, as far as it checks, sending ("plan", values, bound)
    for each better plan it finds, then ("done", ending, values, gap, bound)."""
    h = highs(lp, stop_at - _clock())
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        h.setSolution(solution)

    def listen(kind: Any, _message: object, data_out: Any, data_in: Any, _user: object) -> None:
        if kind == highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution:
            bound = float(data_out.mip_dual_bound)
            connection.send(("plan", np.array(data_out.mip_solution, dtype=np.float64),
                             bound if math.isfinite(bound) else -math.inf))
        elif _clock() > stop_at:
            data_in.user_interrupt = True

    h.setCallback(listen, None)
    # Its LP solves are asked too (the root LP of a big model can outlast the limit, and the MIP callback is not
    # asked then).
    kinds = (highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution,
             highspy.cb.HighsCallbackType.kCallbackMipInterrupt,
             highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
             highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)
    for kind in kinds:
        h.startCallback(kind)
    h.run()
    for kind in kinds:
        h.stopCallback(kind)
    status = h.getModelStatus()
    info = h.getInfo()
    ending = (Ending.OPTIMAL if status == highspy.HighsModelStatus.kOptimal
              else Ending.INFEASIBLE if status == highspy.HighsModelStatus.kInfeasible else Ending.UNPROVEN)
    has_plan = ending is Ending.OPTIMAL or info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value, dtype=np.float64) if has_plan else None
    gap, bound = float(info.mip_gap), float(info.mip_dual_bound)
    connection.send(("done", ending.value, values, gap if math.isfinite(gap) else None,
                     bound if math.isfinite(bound) else -math.inf))


def whole(lp: Lp, values: np.ndarray) -> np.ndarray:
    """The plan's values with whole quantities: where quantities are continuous columns (see solver.build) and some
    came out fractional, the LP over them is solved again by simplex with every integer column fixed at its value,
    whose basic solution is whole and costs no more."""
    if lp.integer.all() or np.all(np.abs(values - np.round(values)) <= 1e-6):
        return values
    n = len(values)
    fixed = np.where(lp.integer, np.round(values), lp.lower)
    upper = np.where(lp.integer, np.round(values), lp.upper)
    h = highs(Lp(lp.cost, fixed, upper, np.zeros(n, dtype=bool), lp.row_lower, lp.row_upper, lp.starts, lp.index,
                 lp.value), 60.0)  # an LP of bounds and one row per line and vendor: a moment
    h.setOptionValue("solver", "simplex")
    h.run()
    return np.array(h.getSolution().col_value, dtype=np.float64)


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])))
