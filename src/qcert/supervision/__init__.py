"""The regulator's supervision hub: intake of every body's reports, witness of their logs,
jurisdictions, random inspection, situation views, risk and warnings."""
