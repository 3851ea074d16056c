"""The reports of a readiness run, each a pytest plugin loaded with the readiness plugin.

- :mod:`readiness.reports.gathering`: the results of the rule tests, gathered per host on the
  controller (they travel on the test reports, through pytest-xdist too);
- :mod:`readiness.reports.json_report`: the troubleshooter JSON, per run and per host, and
  the merge of shard reports (``python -m readiness.reports.json_report merge OUT IN...``);
- :mod:`readiness.reports.terminal_report`: the summary at the end of the terminal output;
- :mod:`readiness.reports.html_report`: the readiness view of pytest-html's report.
"""
