"""A machining line's readings with a planted fault, for demonstrations and tests (synthetic).

Five process variables are driven by two latent factors (load and ambient heat) plus their own
noise, so they are correlated as a real line's are; three key characteristics follow the
process with specification limits. From reading ``fault_at`` on, the coolant temperature
drifts upwards by ``drift`` of its standard deviation per reading, independently of the
latent factors, and the bore diameter grows with it (thermal expansion), so the fault breaks
the variables' correlation (seen by SPE, Jackson 1991 ch. 2) and pulls a characteristic
towards its upper limit. Values are in the units named in :data:`UNITS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FAULT_VARIABLE", "PROCESS", "SPECS", "UNITS", "Line", "line_readings"]

PROCESS: tuple[str, ...] = (
    "spindle_load",
    "feed_rate",
    "coolant_temp",
    "motor_current",
    "vibration",
)
CHARACTERISTICS: tuple[str, ...] = ("bore_diameter", "surface_roughness", "wall_thickness")
UNITS: dict[str, str] = {
    "spindle_load": "%",
    "feed_rate": "mm/min",
    "coolant_temp": "°C",
    "motor_current": "A",
    "vibration": "mm/s",
    "bore_diameter": "mm",
    "surface_roughness": "µm",
    "wall_thickness": "mm",
}
# (lower, upper, target) specification limits of each key characteristic.
SPECS: dict[str, tuple[float | None, float | None, float | None]] = {
    "bore_diameter": (24.97, 25.03, 25.00),
    "surface_roughness": (None, 1.6, None),
    "wall_thickness": (2.90, 3.10, 3.00),
}
FAULT_VARIABLE = "coolant_temp"

# mean, loading on load, loading on heat, own noise (all in the variable's unit)
_PROCESS_MODEL: dict[str, tuple[float, float, float, float]] = {
    "spindle_load": (62.0, 6.0, 0.0, 1.0),
    "feed_rate": (480.0, 25.0, 0.0, 5.0),
    "coolant_temp": (22.0, 0.3, 1.2, 0.25),
    "motor_current": (14.0, 1.1, 0.3, 0.2),
    "vibration": (2.2, 0.25, 0.05, 0.06),
}


@dataclass(frozen=True)
class Line:
    """Readings of one line: ``frame`` (readings x variables, time order), and its truth.

    ``fault_at`` is the first faulty reading (None: no fault); ``normal`` is how many leading
    readings are fault-free and may train a monitor.
    """

    frame: pd.DataFrame
    fault_at: int | None
    fault_variable: str
    normal: int

    @property
    def process(self) -> pd.DataFrame:
        """The process variables only."""
        return self.frame[list(PROCESS)]


def line_readings(seed: int, n: int = 400, fault_at: int | None = 250, drift: float = 0.05) -> Line:
    """``n`` readings of the line; from ``fault_at`` on the coolant drifts (see module doc).

    ``drift`` is in standard deviations of the coolant temperature per reading.
    """
    if n < 40:
        raise ValueError("n: a line needs at least 40 readings")
    if fault_at is not None and not 20 <= fault_at < n:
        raise ValueError(f"fault_at: must be between 20 and {n - 1}")
    rng = np.random.default_rng(seed)
    # Latent factors are AR(1), as a line's load and heat wander slowly.
    latent = np.zeros((n, 2))
    shocks = rng.normal(0.0, np.sqrt(1 - 0.7**2), (n, 2))
    for t in range(1, n):
        latent[t] = 0.7 * latent[t - 1] + shocks[t]
    load, heat = latent[:, 0], latent[:, 1]
    data: dict[str, np.ndarray] = {}
    for name, (mean, a, b, noise) in _PROCESS_MODEL.items():
        data[name] = mean + a * load + b * heat + rng.normal(0.0, noise, n)
    ramp = np.zeros(n)
    if fault_at is not None:
        coolant_sd = float(np.hypot(np.hypot(0.3, 1.2), 0.25))
        ramp[fault_at:] = drift * coolant_sd * np.arange(1, n - fault_at + 1)
    data[FAULT_VARIABLE] = data[FAULT_VARIABLE] + ramp
    # Characteristics: the bore expands with coolant temperature (4 µm/°C here).
    coolant_dev = data[FAULT_VARIABLE] - _PROCESS_MODEL[FAULT_VARIABLE][0]
    data["bore_diameter"] = 25.0 + 0.004 * coolant_dev + rng.normal(0.0, 0.005, n)
    data["surface_roughness"] = 0.9 + 0.04 * load + np.abs(rng.normal(0.0, 0.12, n))
    data["wall_thickness"] = 3.0 + 0.004 * load + rng.normal(0.0, 0.022, n)
    normal = n if fault_at is None else fault_at
    return Line(pd.DataFrame(data), fault_at, FAULT_VARIABLE, normal)
