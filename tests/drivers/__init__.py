"""Tests of the device drivers."""
