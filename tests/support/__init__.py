"""Test helpers: knowledge bases, local servers, the seeds, the site fixture."""
