"""WinRM over HTTPS: certificates verified by default, trusted through --winrm-ca-trust or skipped per host.

The emulator signs every HTTPS listener with a CA of its own (``Fleet(ca_file=...)``), as a
Windows fleet with a private CA; NTLM over HTTPS is bound to the listener's certificate
(channel binding; a binding to another certificate is refused), so an NTLM host that passes
here sent the binding of the certificate it verified.
"""

from __future__ import annotations

from readiness.catalog import RULES
from tests.emulated import display, expected, fleet, host_url, run_suite

ARGS = ("--winrm-read-timeout", "3", "--winrm-operation-timeout", "2", "--connect-timeout", "1")


def _results(data) -> dict[str, list[tuple[str, str, str]]]:
    return {e["host"]: [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in e["results"]]
            for e in data["hosts"]}


def _expected(name: str) -> list[tuple[str, str, str]]:
    return list(expected(name).results)


def _skip_verify(host) -> str:
    return host_url(host, "https") + "?no_verify_ssl=true"


def _basic(host) -> str:
    return host_url(host, "https") + "?transport=basic"


def test_https_hosts_pass_with_the_ca_trusted_over_ntlm_with_channel_binding_and_basic(pytester, tmp_path):
    ca = tmp_path / "ca.pem"
    with fleet(["healthy", "seed-sample", "warnings"], ca_file=str(ca)) as served:
        ntlm, seed, basic = served.hosts
        urls = [host_url(ntlm, "https"), host_url(seed, "https"), _basic(basic)]
        # A URL's transport=basic is accepted only with the flag (readiness/transport_policy.py).
        result, data = run_suite(pytester, "--hosts=" + ",".join(urls), "--winrm-ca-trust", str(ca),
                                 "--allow-insecure-transport", *ARGS)
    assert data is not None, result.stdout.str()[-3000:]
    got = _results(data)
    assert list(got) == [display(h, "https") for h in served.hosts]
    assert got[display(ntlm, "https")] == _expected("healthy")
    assert got[display(seed, "https")] == _expected("seed-sample")
    assert got[display(basic, "https")] == _expected("warnings")


def test_https_hosts_without_the_ca_fail_with_tls_error_unless_verification_is_skipped(pytester, tmp_path):
    with fleet(["healthy", "seed-sample"], ca_file=str(tmp_path / "ca.pem")) as served:
        untrusted, skipped = served.hosts
        result, data = run_suite(pytester, f"--hosts={host_url(untrusted, 'https')},{_skip_verify(skipped)}",
                                 "--allow-insecure-transport", *ARGS)
    assert data is not None, result.stdout.str()[-3000:]
    assert result.ret == 1
    reports = {e["host"]: e["results"] for e in data["hosts"]}
    failed = reports[display(untrusted, "https")]
    assert [r["RuleId"] for r in failed] == list(RULES)
    for r in failed:
        assert r["CheckResult"] == "Failed"
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.TlsError"
        message = r["CheckResultMessage"]
        assert display(untrusted, "https") in message and "\n" not in message
        assert "not trusted" in message
        assert "--winrm-ca-trust" in message and "?no_verify_ssl=true" in message
    assert _results(data)[display(skipped, "https")] == _expected("seed-sample")


def test_a_ca_file_of_another_ca_does_not_make_a_host_trusted(pytester, tmp_path):
    other = tmp_path / "other-ca.pem"
    with fleet(["healthy"], ca_file=str(tmp_path / "ca.pem")) as served, \
            fleet(["healthy"], ca_file=str(other)) as trusted_elsewhere:
        host, control = served.hosts[0], trusted_elsewhere.hosts[0]
        result, data = run_suite(pytester, f"--hosts={host_url(host, 'https')},{host_url(control, 'https')}",
                                 "--winrm-ca-trust", str(other), *ARGS)
    assert data is not None, result.stdout.str()[-3000:]
    reports = {e["host"]: e["results"] for e in data["hosts"]}
    assert {r["CheckResultMessageId"] for r in reports[display(host, "https")]} == {
        f"{rule_id}.Failed.TlsError" for rule_id in RULES}
    for r in reports[display(host, "https")]:
        assert f"does not chain to the CA in --winrm-ca-trust {other}" in r["CheckResultMessage"]
        assert "?no_verify_ssl=true" in r["CheckResultMessage"]
    assert _results(data)[display(control, "https")] == _expected("healthy")


def test_the_system_trust_store_is_the_default_and_the_error_puts_trusting_the_ca_first(pytester, tmp_path,
                                                                                      monkeypatch):
    """A CA in the system store (OpenSSL's SSL_CERT_FILE here, as an internal CA installed on a runner)
    is trusted without --winrm-ca-trust; a host signed by a CA not in it is TlsError, and its message
    offers --winrm-ca-trust and the system store before, and apart from, skipping verification."""
    system_ca = tmp_path / "system-ca.pem"
    with fleet(["healthy"], ca_file=str(system_ca)) as served, \
            fleet(["healthy"], ca_file=str(tmp_path / "elsewhere.pem")) as elsewhere:
        monkeypatch.setenv("SSL_CERT_FILE", str(system_ca))
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        trusted, untrusted = served.hosts[0], elsewhere.hosts[0]
        result, data = run_suite(pytester, f"--hosts={host_url(trusted, 'https')},{host_url(untrusted, 'https')}",
                                 *ARGS)
    assert data is not None, result.stdout.str()[-3000:]
    assert _results(data)[display(trusted, "https")] == _expected("healthy")
    reports = {e["host"]: e["results"] for e in data["hosts"]}
    for r in reports[display(untrusted, "https")]:
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.TlsError"
        message = r["CheckResultMessage"]
        assert f"system trust store ({system_ca})" in message, message
        assert message.index("--winrm-ca-trust") < message.index("no_verify_ssl"), message
