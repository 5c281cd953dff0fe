"""Tests for athanor.pool."""
