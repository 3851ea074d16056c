"""Readiness of Windows machines for the Azure Update Management agent, as a pytest suite.

The troubleshooter's 20 rules run as pytest tests over ``--hosts``; see the README.
"""

__version__ = "0.1.0"
