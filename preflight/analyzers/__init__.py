"""Analyzers: small classes fed frame by frame (or an audio track) that produce Measurements.

They measure; they never judge. The checks in ``lipgate.preflight.checks`` judge what they measured.
"""
