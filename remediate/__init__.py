"""remediate: find and fix Microsoft 365 sign-in failure CAA20002 on Windows fleets."""

__version__ = "0.1.0"
