"""The regulator's supervision hub: random inspection, situation views, risk and warnings."""
