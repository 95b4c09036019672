"""Talking to arXiv and mapping its records onto notes."""
