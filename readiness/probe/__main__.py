"""``python -m readiness.probe export``: the probe as one self-contained script, for offline hosts.

    python -m readiness.probe export [--automation-account-location LOC] [--readiness-profile NAME]
        [--azure-cloud CLOUD] [--compact] [--out FILE]

writes the script (to stdout without ``--out``). On the machine:

    powershell -NoProfile -ExecutionPolicy Bypass -File readiness-probe.ps1 [-OutFile PATH]

prints (or writes to PATH, as UTF-8) the capture to judge with ``pytest --hosts=capture://FILE``.
See docs/captures.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from readiness.profiles import CHOICES, CLOUDS, DEFAULT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m readiness.probe",
        description="The readiness probe as a self-contained script for machines checked offline.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="export")
    export = commands.add_parser(
        "export", help="write the probe with its input, printing a capture",
        description="Write the probe with its input (the endpoints of the location) as one PowerShell script "
                    "that prints a capture; judge it with pytest --hosts=capture://FILE.")
    export.add_argument("--automation-account-location", default=None, metavar="LOCATION",
                        help="Azure location of the Automation account (e.g. japaneast): selects the endpoints")
    export.add_argument("--readiness-profile", default=DEFAULT, metavar="NAME", choices=CHOICES,
                        help="the profile whose facts the probe gathers (update-management, azure-vm, arc, auto); "
                             "the capture names it and is judged with its rules")
    export.add_argument("--azure-cloud", default=None, choices=CLOUDS,
                        help="the cloud of the Update Manager profiles' endpoints (default: AzureCloud)")
    export.add_argument("--compact", action="store_true",
                        help="print the capture as one line, gzip then base64 (for Azure Run Command, "
                             "which keeps only the last 4,096 bytes of output)")
    export.add_argument("--out", default=None, metavar="FILE", help="write the script to FILE (default: stdout)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from readiness.capture import export_script
    from readiness.endpoints import Endpoints
    from readiness.regions import is_azure_location

    args = _parser().parse_args(argv)
    location = args.automation_account_location
    if location is not None and not is_azure_location(location):
        fallback = Endpoints.for_location(None)
        print(f"python -m readiness.probe: --automation-account-location {location!r} is not an Azure location "
              f"(e.g. japaneast, usgovvirginia, chinaeast2); to export for the default endpoints "
              f"({fallback.operations}), leave the option out", file=sys.stderr)
        return 2
    text = export_script(location, compact=args.compact, profile=args.readiness_profile, cloud=args.azure_cloud)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_bytes(text.encode("ascii"))
    except OSError as exc:
        print(f"python -m readiness.probe: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"{args.out}: run it on the machine with: powershell -NoProfile -ExecutionPolicy Bypass "
          f"-File {Path(args.out).name} -OutFile capture.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
