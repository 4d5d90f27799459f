"""Tests a scheme's test stages ask for: a type test before the first decision, a sampling
test in surveillance, each recorded from its laboratory report (ISO/IEC 17065:2012 7.4, 7.9).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`).
"""

from __future__ import annotations

from datetime import date

from . import events as ev
from .aggregate import Recording, invalid, text_field
from .cycle import RESULTS, SampleTest

__all__ = ["SampleTests"]


class SampleTests:
    """Test reports recorded against the scheme's test stages."""

    def record_test(
        self,
        test_id: str,
        stage: str,
        laboratory: str,
        report_no: str,
        result: str,
        on: date,
        note: str = "",
        rec: Recording | None = None,
    ) -> None:
        """Record the report of a test one of the scheme's test stages asks for (a type test
        before the first decision, a sampling test in surveillance: ISO/IEC 17065:2012 7.4,
        7.9), with its conclusion; the report's date ``on`` is not after today."""
        self._effective("on", on, rec, ordered=False)
        self._after_contract_review("action.record_test")
        if test_id in self.tests:
            raise invalid("test_id", "test.recorded", test_id=test_id)
        declared = self._declared(stage, "test", "stage")
        self._needs_certificate(
            declared, "action.record_stage_test", stage=stage, stage_zh=declared.title.zh
        )
        if result not in RESULTS:
            raise invalid("result", "choice.one_of", choices=RESULTS)
        self.record(
            ev.TestRecorded(
                test_id,
                stage,
                text_field("laboratory", laboratory, 200),
                text_field("report_no", report_no, 64),
                result,
                on.isoformat(),
                note.strip() and text_field("note", note),
            )
        )

    def tests_of(self, stage: str) -> list[SampleTest]:
        """The current cycle's tests of ``stage``, in the order recorded."""
        return [t for t in self.tests.values() if t.cycle == self.cycle and t.stage == stage]

    def _on_test_recorded(self, e: ev.TestRecorded) -> None:
        self.tests[e.test_id] = SampleTest(
            e.stage, e.result, date.fromisoformat(e.on), self.cycle, e.laboratory, e.report_no
        )
