"""Tests of the benches: that what they measure can fail."""
