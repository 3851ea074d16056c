"""Hosts from Ansible inventories, read by ansible-core: INI and YAML, group_vars and host_vars,
vaulted values; mixed Windows and Linux hosts; every error names the host and the variable."""

from __future__ import annotations

import dataclasses
import json
import secrets
import subprocess
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from fixtures.emulator import Fleet, free_base_address
from readiness.hosts import HostSpecError, collect_hosts
from readiness.inventory import AnsibleInventory, InventoryError
from tests.emulated import expected, leaks, reported, scenario, suite_process

VAULT_PASSWORD = "vault-" + secrets.token_hex(4)


def vaulted(text: str) -> str:
    """``text`` as an inline ``!vault`` YAML value, encrypted as ansible-vault encrypt_string does."""
    encrypted = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(text).decode()
    return "!vault |\n" + "".join(f"  {line}\n" for line in encrypted.splitlines())


def vault_file(tmp_path: Path, mode: int = 0o600, text: str = VAULT_PASSWORD) -> str:
    path = tmp_path / "vault-pass"
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return str(path)


def inventory_dir(tmp_path: Path, hosts_ini: str, group_vars: dict[str, str] | None = None,
                  host_vars: dict[str, str] | None = None) -> Path:
    root = tmp_path / "inventory"
    (root / "group_vars").mkdir(parents=True)
    (root / "host_vars").mkdir()
    (root / "hosts.ini").write_text(hosts_ini, encoding="utf-8")
    for name, text in (group_vars or {}).items():
        (root / "group_vars" / f"{name}.yml").write_text(text, encoding="utf-8")
    for name, text in (host_vars or {}).items():
        (root / "host_vars" / f"{name}.yml").write_text(text, encoding="utf-8")
    return root


MIXED = """
[windows]
web1 ansible_host=127.0.0.5
web2 ansible_host=127.0.0.6 ansible_port=5985 ansible_winrm_scheme=http ansible_winrm_transport=ntlm
dc1 ansible_host=127.0.0.7 ansible_connection=psrp ansible_psrp_protocol=https ansible_psrp_auth=negotiate ansible_psrp_cert_validation=ignore

[linux]
lin1 ansible_host=127.0.0.8 ansible_user=deploy ansible_port=2222
runner ansible_connection=local
"""
WINDOWS_VARS = """
ansible_connection: winrm
ansible_user: 'CONTOSO\\admin'
ansible_password: plain-password
ansible_winrm_read_timeout_sec: 40
"""


def test_windows_hosts_become_winrm_hosts_with_their_settings(tmp_path):
    root = inventory_dir(tmp_path, MIXED, {"windows": WINDOWS_VARS},
                         {"web1": "ansible_password: \"{{ web1_secret }}\"\nweb1_secret: from-host-vars\n"})
    specs = {s.hostname: s for s in AnsibleInventory(str(root)).hosts("all")}
    web1, web2, dc1 = specs["127.0.0.5"], specs["127.0.0.6"], specs["127.0.0.7"]
    # Ansible's defaults: HTTPS on 5986; HTTP when the scheme says so.
    assert (web1.display, web1.password, web1.option("read_timeout_sec")) == (
        "winrm://CONTOSO\\admin@127.0.0.5:5986", "from-host-vars", "40")
    assert web1.option("no_ssl") is None and web1.source == f"inventory {root}"
    assert (web2.display, web2.option("no_ssl"), web2.option("transport"), web2.password) == (
        "winrm://CONTOSO\\admin@127.0.0.6:5985", "true", "ntlm", "plain-password")
    # psrp: its own variable names; "negotiate" is NTLM here, "ignore" skips the certificate check.
    assert (dc1.scheme, dc1.port, dc1.option("transport"), dc1.option("no_verify_ssl")) == ("winrm", 5986, "ntlm", "true")
    # Other platforms through testinfra's backends, with no password.
    assert (specs["127.0.0.8"].display, specs["127.0.0.8"].password) == ("ssh://deploy@127.0.0.8:2222", None)
    assert [s.scheme for s in specs.values()].count("local") == 1


def test_a_group_of_a_yaml_inventory_file_and_patterns(tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text("""
all:
  children:
    windows:
      vars: {ansible_connection: winrm, ansible_user: admin, ansible_port: 5985}
      children:
        web: {hosts: {w1: {ansible_host: 127.0.0.11}, w2: {ansible_host: 127.0.0.12}}}
        prod: {hosts: {w2: {}, w3: {ansible_host: 127.0.0.13}}}
""", encoding="utf-8")
    inventory = AnsibleInventory(str(path))
    assert [s.display for s in inventory.hosts("web:&prod")] == ["winrm://admin@127.0.0.12:5985"]
    assert [s.option("no_ssl") for s in inventory.hosts("prod")] == ["true", "true"]
    specs = collect_hosts("ansible://web,winrm://admin@127.0.0.20", None, inventory.hosts)
    assert [s.display for s in specs] == ["winrm://admin@127.0.0.11:5985", "winrm://admin@127.0.0.12:5985",
                                          "winrm://admin@127.0.0.20:5986"]
    with pytest.raises(HostSpecError, match="given twice"):
        collect_hosts("ansible://web,ansible://prod", None, inventory.hosts)


def test_vaulted_password_needs_the_vault_password(tmp_path):
    root = inventory_dir(tmp_path, "[windows]\nweb1 ansible_host=127.0.0.5\n",
                         {"windows": "ansible_connection: winrm\nansible_user: admin\nansible_password: "
                                     + vaulted("Vaulted-Secret-1")})
    [spec] = AnsibleInventory(str(root), vault_file(tmp_path)).hosts("windows")
    assert spec.password == "Vaulted-Secret-1"
    with pytest.raises(InventoryError) as error:
        AnsibleInventory(str(root)).hosts("windows")
    assert "inventory host 'web1'" in str(error.value) and "ansible_password" in str(error.value)
    assert "Vaulted-Secret-1" not in str(error.value)


@pytest.mark.parametrize(("ini", "group_vars", "pattern", "message"), [
    ("[windows]\nw ansible_host=127.0.0.5\n", {}, "nosuch",
     "ansible://nosuch: no host of .* matches 'nosuch' \\(its groups: windows\\)"),
    ("[windows]\nw ansible_host=127.0.0.5 ansible_connection=docker\n", {}, "windows",
     "inventory host 'w': ansible_connection 'docker' is not accepted"),
    ("[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm ansible_winrm_scheme=ftp\n", {}, "windows",
     "inventory host 'w': ansible_winrm_scheme must be http or https, not 'ftp'"),
    ("[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm ansible_winrm_server_cert_validation=maybe\n", {},
     "windows", "ansible_winrm_server_cert_validation must be validate or ignore"),
    ("[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm ansible_port=70000\n", {}, "windows",
     "inventory host 'w'.*bad port"),
    ("[windows]\nw ansible_host='bad host' ansible_connection=winrm\n", {}, "windows",
     "inventory host 'w'.*is not a host name or IP address"),
    ("[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm\n",
     {"windows": "ansible_password: \"{{ undefined_variable }}\"\n"}, "windows",
     "inventory host 'w': variable ansible_password cannot be resolved"),
])
def test_bad_hosts_name_the_host_and_the_variable(tmp_path, ini, group_vars, pattern, message):
    root = inventory_dir(tmp_path, ini, group_vars)
    with pytest.raises(InventoryError, match=message):
        AnsibleInventory(str(root)).hosts(pattern)


def test_bad_inventories_and_vault_files(tmp_path):
    with pytest.raises(InventoryError, match="no such file or directory"):
        AnsibleInventory(str(tmp_path / "absent")).hosts("all")
    broken = tmp_path / "broken.yml"
    broken.write_text("all: [unclosed\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"broken\.yml' cannot be read"):
        AnsibleInventory(str(broken)).hosts("all")
    ok = tmp_path / "ok.ini"
    ok.write_text("w ansible_host=127.0.0.5\n", encoding="utf-8")
    for mode, message in ((0o644, "can be read by its group or others"), (0o700, "is executable")):
        with pytest.raises(InventoryError, match=message):
            AnsibleInventory(str(ok), vault_file(tmp_path, mode)).hosts("all")
    with pytest.raises(InventoryError, match="no such file"):
        AnsibleInventory(str(ok), str(tmp_path / "none")).hosts("all")
    with pytest.raises(HostSpecError, match="needs --ansible-inventory"):
        collect_hosts("ansible://windows", None)


def _run(out: Path, *args: str) -> subprocess.CompletedProcess:
    return suite_process(out, "-rA", "--log-level=DEBUG", f"--html={out / 'report.html'}",
                         f"--junitxml={out / 'junit.xml'}", f"--readiness-json={out / 'readiness.json'}",
                         "--connect-timeout", "2", *args, timeout=180)


def test_a_run_from_a_mixed_inventory_with_a_vault(tmp_path):
    """Two emulated Windows hosts (one password vaulted) and the runner as a Linux host."""
    canary = f"Canary-{secrets.token_hex(8)}"
    out = tmp_path / "out"
    out.mkdir()
    # The emulated hosts accept the canary as their password.
    with Fleet([dataclasses.replace(scenario(n), password=canary) for n in ("healthy", "seed-sample")],
               base_address=free_base_address(count=2)) as served:
        healthy, seed = served.hosts
        root = inventory_dir(tmp_path, f"""
[windows]
healthy ansible_host={healthy.address} ansible_port={healthy.http_port}
seed ansible_host={seed.address} ansible_port={seed.http_port}

[linux]
runner ansible_connection=local

[fleet:children]
windows
linux
""", {"windows": f"ansible_connection: winrm\nansible_user: {healthy.user}\nansible_winrm_transport: ntlm\n"},
                             {"healthy": "ansible_password: " + vaulted(canary), "seed": f"ansible_password: {canary}\n"})
        run = _run(out, "--hosts=ansible://fleet", f"--ansible-inventory={root}",
                   f"--ansible-vault-password-file={vault_file(tmp_path)}")
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    report = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    hosts = {entry["host"]: entry for entry in report["hosts"]}
    assert hosts["local://"]["platform"] == "linux" and not hosts["local://"]["results"]
    for name, host in (("healthy", healthy), ("seed-sample", seed)):
        results = hosts[f"winrm://{host.user}@{host.address}:{host.http_port}"]["results"]
        assert reported({"results": results}) == [tuple(r) for r in expected(name).results], name
    assert len(hosts) == 3
    assert "20 rules: 20 Passed" in run.stdout  # the healthy host, reached with its vaulted password
    assert "local://" in run.stdout  # the runner was a host of the run, to which the rules do not apply
    # Neither password (the vaulted one, the plain one) nor the vault's is in any output or file.
    assert leaks(tmp_path / "out", [run.stdout, run.stderr], [canary, VAULT_PASSWORD]) == []
    assert "carry a password" not in run.stdout + run.stderr  # no URL carried one


def test_a_host_without_credentials_is_a_usage_error_naming_the_variable(tmp_path):
    root = inventory_dir(tmp_path, "[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm\n")
    out = tmp_path / "out"
    out.mkdir()
    run = _run(out, "--hosts=ansible://windows", f"--ansible-inventory={root}")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "names no user (set ansible_user for it in inventory" in run.stderr
    root2 = inventory_dir(tmp_path / "2", "[windows]\nw ansible_host=127.0.0.5 ansible_connection=winrm ansible_user=a\n")
    run = _run(out, "--hosts=ansible://windows", f"--ansible-inventory={root2}")
    assert run.returncode == 4 and "no password for winrm://a@127.0.0.5:5986" in run.stderr
    assert "ansible_password for it in inventory" in run.stderr
