"""Multivariate process monitoring: PCA, dynamic PCA and CVA monitors, alarms and their causes.

Every monitor is fitted on readings taken while the process ran normally (rows = readings in
time order, columns = variables) and scores new readings with monitoring statistics and
control limits:

- :class:`PCAMonitor`: Hotelling's T² on the retained principal components and the squared
  prediction error SPE (Q) on the residuals (Jackson 1991; MacGregor & Kourti 1995).
- :class:`DynamicPCAMonitor`: the same on a window of lagged readings (Ku, Storer &
  Georgakis 1995), which takes in the autocorrelation of a controlled process.
- :class:`CVAMonitor`: canonical variate analysis of past against future readings, with T² on
  the state variables and T² on the residual canonical variates (Russell, Chiang & Braatz 2000).

Statistics are dimensionless: quadratic forms of readings autoscaled with the training mean
and standard deviation. The monitors are scikit-learn estimators (:mod:`.monitors`; scorers
for model selection in :mod:`.scorers`). :class:`StreamingScorer` scores readings as they
arrive, one by one or in blocks, and applies an alarm persistence rule; alarms become
:class:`AlarmRaised` / :class:`AlarmCleared` events. Contributions and reconstruction-based
contributions (Alcala & Qin 2009) say which variables carry an alarm; :func:`change_points`
and :func:`onset` say when a deviation started.

Modules: :mod:`.limits` (control limits), :mod:`.scores` (per-reading results),
:mod:`.inputs` (checks on readings), :mod:`.models`, :mod:`.monitors`, :mod:`.streaming`,
:mod:`.changes`, :mod:`.scorers`. This package is the public surface.
"""

from __future__ import annotations

from .changes import change_points, onset
from .inputs import MonitorInputError
from .limits import jackson_mudholkar_limit, parallel_analysis, t2_limit
from .monitors import CVAMonitor, DynamicPCAMonitor, Monitor, PCAMonitor
from .scorers import (
    MonitorScorer,
    detection_at_false_alarm_rate,
    detection_delay,
    detection_rate,
    detection_splits,
    false_alarm_rate,
    make_monitor_scorer,
)
from .scores import Scores, persistent
from .streaming import (
    AlarmCleared,
    AlarmRaised,
    Block,
    Reading,
    StreamingScorer,
    alarm_events,
    first_alarm,
)

__all__ = [
    "AlarmCleared",
    "AlarmRaised",
    "Block",
    "CVAMonitor",
    "DynamicPCAMonitor",
    "Monitor",
    "MonitorInputError",
    "MonitorScorer",
    "PCAMonitor",
    "Reading",
    "Scores",
    "StreamingScorer",
    "alarm_events",
    "change_points",
    "detection_at_false_alarm_rate",
    "detection_delay",
    "detection_rate",
    "detection_splits",
    "false_alarm_rate",
    "first_alarm",
    "jackson_mudholkar_limit",
    "make_monitor_scorer",
    "onset",
    "parallel_analysis",
    "persistent",
    "t2_limit",
]
