"""Real-time evidence: process data collected from an organisation's lines, stations and
sensors over MQTT and HTTP, stored exactly once, and solidified window by window on the ledger
(国市监认证发〔2025〕72号 (三)).

- :mod:`.payload`: the reading message (JSON Schema v1) and a reading's canonical bytes;
- :mod:`.intake`: :class:`Intake` takes batches of messages, and anchors due windows;
- :mod:`.model`, :mod:`.commands`, :mod:`.events`, :mod:`.handlers`: data sources and anchoring
  through the bus;
- :mod:`.window`: a window's RFC 9162 tree, and the offline verifier of a reading's proof;
- :mod:`.monitors`, :mod:`.watch`: each device's stream watched by a monitor fitted on its
  anchored normal period, alarms raised as readings arrive (国市监认证发〔2025〕72号 (四));
  :mod:`.monitor_model`, :mod:`.monitor_commands`, :mod:`.monitor_events`,
  :mod:`.monitor_handlers`: monitors and alarms through the bus.
"""
