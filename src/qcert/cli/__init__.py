"""The ``qcert`` command line: a thin face over the parts."""
