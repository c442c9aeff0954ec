"""starcoach: a local-first coach for behavioral interviews."""

__version__ = "0.1.0"
