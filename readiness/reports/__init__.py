"""The reports of a readiness run, each a pytest plugin loaded with the readiness plugin.

- :mod:`readiness.reports.gathering`: the results of the rule tests, gathered per host on the
  controller (they travel on the test reports, through pytest-xdist too);
- :mod:`readiness.reports.json_report`: the troubleshooter JSON, per run and per host, and
  the merge of shard reports (``python -m readiness.reports.json_report merge OUT IN...``);
- :mod:`readiness.reports.terminal_report`: the summary at the end of the terminal output (per
  host, or one fleet table);
- :mod:`readiness.reports.html_report`: the readiness view of pytest-html's report, whose first
  screen is :mod:`readiness.reports.fleet_html`;
- :mod:`readiness.reports.fleet`: the fleet at a glance (hosts by state, rules by count), the model
  of the HTML summary and the terminal's fleet table.

:mod:`readiness.report_html` renders JSON reports (a sharded fleet's, merged) as the same HTML page.
"""
