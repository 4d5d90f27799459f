"""Printed reports rendered from pure analysis results (HTML and PDF)."""
