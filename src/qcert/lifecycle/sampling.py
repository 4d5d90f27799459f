"""Which sites a multi-site client's audit must visit: the IAF MD 1 sample size the contract
review set for the phase, the central function, and the sites drawn at random (IAF MD 1 6.1).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`).
"""

from __future__ import annotations

from .. import schemes
from ..locale.problems import problem
from ..schemes.model import Stage
from .audit_time import SITE_COLUMN
from .rules import refuse

__all__ = ["Sampling"]


class Sampling:
    """The IAF MD 1 sample of sites an audit plan must include."""

    def required_random_sites(self, kind: str) -> list[str]:
        """Sites the next ``kind`` audit must include, drawn at random (IAF MD 1 6.1)."""
        size = self._sample_size(kind)
        if not size:
            return []
        nth = sum(1 for a in self._cycle_audits() if a.kind == kind)
        others = [s for s in self.sites if s != self.central_site]
        return schemes.random_sites(others, size, self.id, self.cycle, kind, nth)

    def _sample_size(self, kind: str) -> int:
        """The IAF MD 1 sample of an audit of stage ``kind``: the initial one at the closing
        initial stage, the surveillance and recertification ones at theirs."""
        phase = self.phase_of(kind)
        if phase == "initial" and kind != self._closing_stage():
            return 0
        sample = self.contract.sample if self.contract else None
        return sample[phase] if sample and phase in SITE_COLUMN else 0

    def _check_sample(self, stage: Stage, sites: list[str]) -> list[str] | None:
        kind = stage.id
        size = self._sample_size(kind)
        if not size:
            return None
        central = self.central_site
        visited = [s for s in sites if s != central]
        if len(visited) < size or (central and central not in sites):
            also, also_zh = problem("sample.and_central", central=central) if central else ("", "")
            raise refuse(
                "md1.sample",
                kind=kind,
                kind_zh=stage.title.zh,
                size=size,
                central=also,
                central_zh=also_zh,
            )
        drawn = self.required_random_sites(kind)
        if not set(drawn) <= set(sites):
            raise refuse("md1.random", sites=drawn)
        return drawn
