"""Modules copied verbatim (with the do-not-edit header) into every generated package."""
