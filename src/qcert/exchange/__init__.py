"""Exchange: the published reporting standard (JSON Schema, xlsx and CSV), IAF CertSearch and the
national reporting set, and a body's reporting to a supervision hub."""
