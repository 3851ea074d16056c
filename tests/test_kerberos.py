"""Kerberos against a real MIT KDC: the suite gets tickets, the emulated host accepts them.

A throwaway realm (``tests/kdc.py``: Debian's krb5-kdc on 127.0.0.1) holds the host's account
``vagrant`` and the service principals ``HTTP/localhost`` and ``HTTP/win1.emulator.test``,
exported to a keytab the emulator accepts with (pyspnego as the acceptor). The suite runs in a
subprocess with ``KRB5_CONFIG`` pointing at the realm, and checks the host end to end (20
results), from a password or from a credential cache made by ``kinit`` beforehand; over HTTP
its messages are encrypted, over HTTPS its token is bound to the certificate. Every Kerberos
failure a domain user meets is a clear Failed result or usage error, never a traceback.
"""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
import sys
import time

import pytest
import requests

from fixtures.emulator import Fleet, free_base_address
from readiness.kerberos import certificate_hash
from tests.emulated import ROOT, run_suite, scenario
from tests.kdc import Kdc, require_kdc
from tests.sshd import free_port

USER = "vagrant"  # the healthy scenario's account
PASSWORD = "vagrant"
NAMED = "win1.emulator.test"  # an SPN name that no resolver knows: reached by address with an override


@pytest.fixture(scope="module")
def kdc(tmp_path_factory):
    require_kdc()
    with Kdc(tmp_path_factory.mktemp("kdc")) as server:
        server.add_user(USER, PASSWORD)
        server.add_user("intruder", "intruder-pw")
        server.add_service("HTTP/localhost")
        server.add_service(f"HTTP/{NAMED}")
        yield server


@pytest.fixture(scope="module")
def local(kdc, tmp_path_factory):
    """The healthy host on 127.0.0.1 (free ports), named ``localhost``: its SPN is HTTP/localhost."""
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    with Fleet([scenario("healthy")], base_address="127.0.0.1", http_port=free_port("127.0.0.1"),
               https_port=free_port("127.0.0.1"), ca_file=str(ca), keytab=str(kdc.dir / "service.keytab"),
               service_names={"healthy": "localhost"}) as served:
        yield served, str(ca)


@pytest.fixture(scope="module")
def named(kdc):
    """The healthy host on a random loopback address, whose service principal is HTTP/win1.emulator.test."""
    with Fleet([scenario("healthy")], base_address=free_base_address(), keytab=str(kdc.dir / "service.keytab"),
               service_names={"healthy": NAMED}) as served:
        yield served


@pytest.fixture
def realm(kdc, monkeypatch, tmp_path):
    """The suite's environment: this realm's krb5.conf, a credential cache of its own, no password."""
    for name, value in kdc.env(KRB5CCNAME=f"FILE:{tmp_path / 'ccache'}").items():
        if name.startswith("KRB5"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("READINESS_WINRM_PASSWORD", raising=False)
    return tmp_path / "ccache"


def _all_passed(result, data, host: str) -> None:
    out = result.stdout.str()
    assert result.ret == 0, out[-3000:]
    assert data is not None
    entries = {entry["host"]: entry for entry in data["hosts"]}
    results = entries[host]["results"]
    assert len(results) == 20
    assert {r["CheckResult"] for r in results} == {"Passed"}, [r["CheckResultMessage"] for r in results]
    result.assert_outcomes(passed=20)


def _failed(result, data, host: str) -> list[str]:
    """The one-line messages of a host whose every result Failed (AccessDenied)."""
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]
    assert "Traceback" not in out
    results = {entry["host"]: entry for entry in data["hosts"]}[host]["results"]
    assert len(results) == 20
    for r in results:
        assert r["CheckResult"] == "Failed"
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.AccessDenied", r["CheckResultMessage"]
        assert "\n" not in r["CheckResultMessage"]
    return sorted({r["CheckResultMessage"] for r in results})


def _refused(pytester, user: str, address: str, port: int, query: str = "no_ssl=true") -> str:
    """Run the suite with Kerberos against one host that must fail it; its one message."""
    url = f"winrm://{user}@{address}:{port}?{query}"
    result, data = run_suite(pytester, f"--hosts={url}", "--winrm-transport", "kerberos")
    [message] = _failed(result, data, f"winrm://{user}@{address}:{port}")
    return message


def _tgs_requests(kdc: Kdc, spn: str) -> int:
    """Service tickets the KDC issued for ``spn`` (its log: ``TGS_REQ ... for HTTP/name@REALM``)."""
    # The whole log: a count over its tail would lose old lines as new ones come.
    return sum(1 for line in kdc.log(tail=None).splitlines() if "TGS_REQ" in line and "ISSUE" in line and f"for {spn}@" in line)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_ticket_from_the_password_checks_the_named_host_end_to_end(pytester, kdc, local, realm, monkeypatch, scheme):
    served, ca = local
    host = served.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
    before = _tgs_requests(kdc, "HTTP/localhost")
    url = (f"winrm://{USER}@localhost:{host.http_port}?no_ssl=true" if scheme == "http"
           else f"winrm://{USER}@localhost:{host.https_port}")
    result, data = run_suite(pytester, f"--hosts={url}", "--winrm-transport", "kerberos", "--winrm-ca-trust", ca)
    port = host.http_port if scheme == "http" else host.https_port
    _all_passed(result, data, f"winrm://{USER}@localhost:{port}")
    # A real Kerberos exchange: the KDC issued a service ticket for the host's SPN ...
    assert _tgs_requests(kdc, "HTTP/localhost") > before
    # ... and the ticket from the password stayed in the suite's memory, not in a cache on disk.
    assert not realm.exists()


def test_a_credential_cache_from_kinit_checks_the_host_with_no_password_anywhere(pytester, kdc, local, realm):
    served, _ = local
    host = served.hosts[0]
    done = kdc.kinit(USER, PASSWORD, ccache=f"FILE:{realm}")
    assert done.returncode == 0, done.stderr
    assert "READINESS_WINRM_PASSWORD" not in os.environ
    url = f"winrm://{USER}@localhost:{host.http_port}?no_ssl=true"
    result, data = run_suite(pytester, f"--hosts={url}", "--winrm-transport", "kerberos")
    _all_passed(result, data, f"winrm://{USER}@localhost:{host.http_port}")


def test_an_address_with_the_spn_name_as_a_host_option(pytester, kdc, named, realm, monkeypatch):
    host = named.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
    before = _tgs_requests(kdc, f"HTTP/{NAMED}")
    url = f"winrm://{USER}@{host.address}:{host.http_port}?no_ssl=true&transport=kerberos&kerberos_hostname_override={NAMED}"
    result, data = run_suite(pytester, f"--hosts={url}")
    _all_passed(result, data, f"winrm://{USER}@{host.address}:{host.http_port}")
    assert _tgs_requests(kdc, f"HTTP/{NAMED}") > before


def test_an_address_where_kerberos_needs_a_name_is_a_usage_error(pytester, named, realm, monkeypatch):
    host = named.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
    result, _ = run_suite(pytester, f"--hosts=winrm://{USER}@{host.address}:{host.http_port}?no_ssl=true",
                          "--winrm-transport", "kerberos")
    err = result.stderr.str()
    assert result.ret == 4, err[-2000:]
    assert (f"Kerberos needs the host's name for its service principal (HTTP/<name>), not the address "
            f"{host.address}") in err
    assert "kerberos_hostname_override=NAME" in err
    assert "Traceback" not in err + result.stdout.str()


def test_an_spn_the_kdc_does_not_know_is_an_unknown_principal(pytester, named, realm, monkeypatch):
    host = named.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
    message = _refused(pytester, USER, host.address, host.http_port,
                       "no_ssl=true&kerberos_hostname_override=nosuch.emulator.test")
    assert "unknown principal: the KDC has no service principal HTTP/nosuch.emulator.test" in message
    assert "Server HTTP/nosuch.emulator.test@EMULATOR.TEST not found in Kerberos database" in message


def test_a_user_the_kdc_does_not_know_is_an_unknown_principal(pytester, local, realm, monkeypatch):
    served, _ = local
    host = served.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", "whatever")
    message = _refused(pytester, "mallory", "localhost", host.http_port)
    assert "unknown principal: the KDC does not know the user 'mallory'" in message


def test_an_expired_ticket_in_the_cache_is_named_as_such(pytester, kdc, local, realm):
    served, _ = local
    host = served.hosts[0]
    done = kdc.kinit(USER, PASSWORD, "-l", "2s", ccache=f"FILE:{realm}")
    assert done.returncode == 0, done.stderr
    time.sleep(3)
    message = _refused(pytester, USER, "localhost", host.http_port)
    assert "expired ticket: the credential cache's ticket has expired; renew it with kinit" in message


def test_no_ticket_and_no_password_says_run_kinit(pytester, local, realm):
    served, _ = local
    host = served.hosts[0]
    message = _refused(pytester, USER, "localhost", host.http_port)
    assert "no ticket" in message and "run kinit" in message


def test_a_kdc_whose_clock_is_an_hour_off_is_a_clock_skew(pytester, kdc, local, realm, monkeypatch, tmp_path):
    served, _ = local
    host = served.hosts[0]
    # A second KDC over the same realm database, its clock an hour ahead (libfaketime).
    with kdc.skewed(tmp_path / "skewed", "+1h") as config:
        monkeypatch.setenv("KRB5_CONFIG", str(config))
        monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
        message = _refused(pytester, USER, "localhost", host.http_port)
    assert "clock skew: this machine's clock and the KDC's" in message
    assert "Clock skew too great" in message


def test_another_account_of_the_realm_is_refused_by_the_host(pytester, local, realm, monkeypatch):
    served, _ = local
    host = served.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", "intruder-pw")
    message = _refused(pytester, "intruder", "localhost", host.http_port)
    assert "rejected the credentials of user 'intruder'" in message


def test_negotiate_uses_kerberos_for_a_name_and_ntlm_for_an_address(pytester, kdc, local, named, realm, monkeypatch):
    served, _ = local
    by_name, by_address = served.hosts[0], named.hosts[0]
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", PASSWORD)
    before = _tgs_requests(kdc, "HTTP/localhost")
    urls = [f"winrm://{USER}@localhost:{by_name.http_port}?no_ssl=true",
            f"winrm://{USER}@{by_address.address}:{by_address.http_port}?no_ssl=true"]
    result, _ = run_suite(pytester, f"--hosts={','.join(urls)}", "--winrm-transport", "negotiate")
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.assert_outcomes(passed=40)
    assert _tgs_requests(kdc, "HTTP/localhost") > before  # Kerberos for the name
    # An address names no SPN: NTLM at once, as Windows does; the KDC never heard of the address.
    assert by_address.address not in kdc.log(tail=None)


def _token(kdc: Kdc, bindings: bytes | None) -> str:
    """A Kerberos token for HTTP/localhost (pyspnego, from the password), bound to ``bindings``."""
    import spnego
    from spnego.channel_bindings import GssChannelBindings

    context = spnego.client(USER, PASSWORD, hostname="localhost", service="HTTP", protocol="kerberos",
                            channel_bindings=GssChannelBindings(application_data=bindings) if bindings else None)
    return "Negotiate " + base64.b64encode(context.step()).decode()


def test_over_https_the_host_refuses_a_token_bound_to_another_certificate(kdc, local, realm):
    served, ca = local
    host = served.hosts[0]
    url = f"https://localhost:{host.https_port}/wsman"
    wrong = b"tls-server-end-point:" + bytes(32)
    refused = requests.post(url, data=b"", headers={"Authorization": _token(kdc, wrong)}, verify=ca, timeout=10)
    assert refused.status_code == 401
    # The certificate's own binding (RFC 5929 tls-server-end-point), as the suite computes it.
    pem = ssl.get_server_certificate(("127.0.0.1", host.https_port))
    right = b"tls-server-end-point:" + certificate_hash(ssl.PEM_cert_to_DER_cert(pem))
    accepted = requests.post(url, data=b"", headers={"Authorization": _token(kdc, right)}, verify=ca, timeout=10)
    assert accepted.status_code == 200
    assert accepted.headers["WWW-Authenticate"].startswith("Negotiate ")  # mutual authentication


def test_without_the_kerberos_libraries_the_transport_says_what_to_install():
    # A Python where python-gssapi cannot be imported (as without pyspnego's kerberos extra).
    code = ("import sys; sys.modules['gssapi'] = None; from readiness.connection import missing_transport_library; "
            "print(missing_transport_library('kerberos')); print(missing_transport_library('negotiate'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("Kerberos needs pyspnego's kerberos extra (python-gssapi and pykrb5 over MIT Kerberos: "
                               "apt-get install libkrb5-dev gcc, then pip install -r requirements-kerberos.txt"), line
