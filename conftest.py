# The readiness plugin is installed as a pytest plugin (``pip install -r requirements.txt``
# installs this project), so pytest knows its options before it looks at paths. Run from a
# checkout where it is not installed, this loads it all the same.
pytest_plugins = ["readiness.hookspecs", "readiness.plugin", "readiness.capture_plugin", "readiness.waiting",
                  "readiness.waivers"]
