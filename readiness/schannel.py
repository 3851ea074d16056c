"""TLS 1.2 in SChannel's registry settings, as both profiles' TlsVersionCheck read them.

The values are ``Enabled`` and ``DisabledByDefault`` under
``HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client``
and ``...\\Server``. A condition "= n" holds only for a value that is present and equal to n, as
the troubleshooters test it with PowerShell's ``-eq`` (:meth:`readiness.facts.Facts.registry_equals`:
a String ``"0"`` is 0, an absent value is neither 0 nor 1).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readiness.facts import Facts

TLS12 = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\"


@dataclasses.dataclass(frozen=True)
class Tls12Settings:
    """Which of the values hold 0 or 1, per side."""

    client_disabled_by_default: tuple[bool, bool]  # (= 0, = 1)
    server_disabled_by_default: tuple[bool, bool]
    client_enabled: tuple[bool, bool]
    server_enabled: tuple[bool, bool]

    @classmethod
    def of(cls, facts: Facts) -> Tls12Settings:
        def value(side: str, name: str) -> tuple[bool, bool]:
            return (facts.registry_equals(TLS12 + side, name, 0), facts.registry_equals(TLS12 + side, name, 1))

        return cls(value("Client", "DisabledByDefault"), value("Server", "DisabledByDefault"),
                   value("Client", "Enabled"), value("Server", "Enabled"))

    @property
    def switched_on(self) -> bool:
        """Windows Server 2008 R2's test: ``DisabledByDefault`` = 0 on both sides, and not
        ``Enabled`` = 0 on both."""
        return (self.client_disabled_by_default[0] and self.server_disabled_by_default[0]
                and not (self.client_enabled[0] and self.server_enabled[0]))

    @property
    def switched_off(self) -> bool:
        """Windows Server 2012 and later's test: ``DisabledByDefault`` = 1 or ``Enabled`` = 0 on either side."""
        return (self.client_disabled_by_default[1] or self.server_disabled_by_default[1]
                or self.client_enabled[0] or self.server_enabled[0])
