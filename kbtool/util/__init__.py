"""Plumbing with no knowledge of notes: atomic files, clocks, git, retries."""
