"""Tests for athanor.engine."""
