"""Where a readiness run is anchored: the project's rules and ``pytest.ini``, whatever the command line.

pytest decides its rootdir and ini file before any plugin is loaded (``_pytest/config/findpaths.py``,
``determine_setup``): it takes the free arguments of the command line that look like existing
paths, and at that moment it does not know this plugin's options nor pytest-html's. So in
``pytest --hosts-file /build/hosts.txt --html /build/report.html`` the option values
``/build/hosts.txt`` and ``/build/report.html`` count as paths, the rootdir becomes ``/build``,
the project's ``pytest.ini`` (and its ``testpaths``) is never read, and pytest collects whatever
lies under the current directory: from the checkout, the project's own tests too. The ``=`` form
(``--hosts-file=/build/hosts.txt``) does not do it, since an argument that starts with ``-`` is
never a path; run from another directory, neither form finds the rules.

This plugin makes a readiness run (hosts given) independent of all that, before the initial
conftests are loaded (``pytest_load_initial_conftests``, the first hook that sees the parsed
options and may still change the arguments):

- with no test path on the command line, the rules directory is the one test path: exactly the
  readiness rules are collected, from any directory, whatever the form of the options;
- unless ``--rootdir`` or ``-c`` was given, the run is anchored at the project's own
  ``pytest.ini`` (rootdir, ini values, its ``addopts``, the conftest cut-off), just as when
  pytest finds it by itself: test ids, JUnit class names and report defaults are the same for
  every form.

Paths given as option values (``--html``, ``--junitxml``, ``--readiness-json``, ``--hosts-file``)
are still relative to the directory pytest was started in.
"""

from __future__ import annotations

import pathlib

import pytest

PROJECT_ROOT = pathlib.Path(__file__).resolve().parent.parent
RULES_DIR = PROJECT_ROOT / "tests_readiness"
PROJECT_INI = PROJECT_ROOT / "pytest.ini"


def is_readiness_run(known: object) -> bool:
    """Hosts were given: this is a readiness run (the plugin leaves other suites alone)."""
    return bool(getattr(known, "hosts", None) or getattr(known, "hosts_file", None))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    known = early_config.known_args_namespace
    if not is_readiness_run(known):
        return
    if not getattr(known, "file_or_dir", None) and not getattr(known, "pyargs", False):
        if not RULES_DIR.is_dir():
            raise pytest.UsageError(f"the readiness rules are not at {RULES_DIR}: install the project from its "
                                    f"checkout (pip install -e .), or name the rules directory on the command line")
        args.append(str(RULES_DIR))
        # pytest loads the initial conftests (the project's conftest.py) from this list.
        known.file_or_dir = [str(RULES_DIR)]
    if getattr(known, "rootdir", None) or getattr(known, "inifilename", None):
        return  # the user chose the rootdir or the ini file: theirs
    if not PROJECT_INI.is_file() or early_config.inipath == PROJECT_INI:
        return
    _anchor(early_config, args)


def _anchor(config: pytest.Config, args: list[str]) -> None:
    """Point the configuration at the project's ``pytest.ini``, as ``-c`` would have.

    pytest has no public way to change the rootdir once set; this redoes what ``Config._initini``
    and ``Config._preparse`` did with the ini file pytest would have found from the checkout
    (pytest 8.4, pinned in requirements.txt; tests/test_invocation.py runs every form).
    """
    from _pytest.config.findpaths import determine_setup

    rootpath, inipath, inicfg = determine_setup(inifile=str(PROJECT_INI), args=[], rootdir_cmd_arg=None,
                                                invocation_dir=config.invocation_params.dir)
    given_confcutdir = any(a == "--confcutdir" or a.startswith("--confcutdir=") for a in args)
    config._rootpath = rootpath
    config._inipath = inipath
    config.inicfg = inicfg
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(rootpath)
    config._parser.extra_info["inifile"] = str(inipath)
    if not given_confcutdir:
        config.known_args_namespace.confcutdir = str(rootpath)
    # The ini's addopts, which pytest took from no ini: before the user's, as pytest puts them.
    args[:0] = config.getini("addopts")
