"""Tests for athanor.dialects."""
