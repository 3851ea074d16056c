"""Hosts as users write them: --hosts entries, hosts files, passwords, shards."""

import pytest

from readiness.hosts import (
    HostSpecError,
    collect_hosts,
    parse_host,
    password_for,
    select_shard,
)


@pytest.mark.parametrize(
    ("text", "display", "port", "no_ssl"),
    [
        ("winrm://admin@10.0.0.5?no_ssl=true", "winrm://admin@10.0.0.5:5985", 5985, True),
        ("winrm://admin@10.0.0.6", "winrm://admin@10.0.0.6:5986", 5986, False),
        ("winrm://admin:pw@host.example:15986", "winrm://admin@host.example:15986", 15986, False),
        ("admin@bare-name", "winrm://admin@bare-name:5986", 5986, False),
        ("winrm://admin@[::1]:5985?no_ssl=true", "winrm://admin@[::1]:5985", 5985, True),
    ],
)
def test_winrm_hosts_parse_with_winrm_default_ports(text, display, port, no_ssl):
    spec = parse_host(text)
    assert spec.display == display
    assert spec.port == port
    assert spec.flag("no_ssl") is no_ssl


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("winrm://", "names no host"),
        ("winrm://admin@", "names no host"),
        ("winrm://admin@h:99999", "bad port '99999'"),
        ("winrm://admin@h:0", "bad port 0"),
        ("winrm://admin:secret@h:http", "bad port 'http'"),
        ("ftp://admin@h", "unknown connection scheme 'ftp'"),
        ("winrm://admin@h?colour=red", "unknown option 'colour'"),
        ("winrm://admin@h?no_ssl=maybe", "no_ssl must be true or false"),
        ("winrm://admin@h?read_timeout_sec=soon", "read_timeout_sec must be a whole number"),
        ("winrm://admin@h?operation_timeout_sec=0", "operation_timeout_sec must be a whole number"),
        ("winrm://admin@bad_host!", "is not a host name"),
        ("   ", "empty host name"),
    ],
)
def test_bad_hosts_get_an_error_that_names_them(text, message):
    with pytest.raises(HostSpecError) as info:
        parse_host(text)
    assert message in str(info.value)
    assert "secret" not in str(info.value)


def test_password_comes_from_the_url_before_the_environment(monkeypatch):
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", "from-env")
    assert password_for(parse_host("winrm://a:from-url@h")) == "from-url"
    assert password_for(parse_host("winrm://a@h")) == "from-env"
    monkeypatch.delenv("READINESS_WINRM_PASSWORD")
    assert password_for(parse_host("winrm://a@h")) is None


def test_password_is_in_no_printed_form():
    spec = parse_host("winrm://a:Canary-7f3e@h")
    for shown in (spec.display, repr(spec), str(spec)):
        assert "Canary-7f3e" not in shown


def test_hosts_file_skips_comments_and_blank_lines(tmp_path):
    fleet = tmp_path / "fleet.txt"
    fleet.write_text("# fleet\nwinrm://a@h1\n\n  winrm://a@h2  # second\n#winrm://a@h3\n")
    assert [s.display for s in collect_hosts(None, [str(fleet)])] == ["winrm://a@h1:5986", "winrm://a@h2:5986"]


def test_hosts_from_option_and_files_keep_their_order(tmp_path):
    fleet = tmp_path / "fleet.txt"
    fleet.write_text("winrm://a@h2\nwinrm://a@h3\n")
    specs = collect_hosts("winrm://a@h1", [str(fleet)])
    assert [s.hostname for s in specs] == ["h1", "h2", "h3"]


@pytest.mark.parametrize(
    ("hosts", "files", "message"),
    [
        ("", [], "--hosts is empty"),
        (",", [], "--hosts is empty"),
        ("winrm://a@h1,,winrm://a@h2", [], "has an empty entry"),
        ("winrm://a@h1,winrm://a@h1", [], "given twice"),
        (None, ["/nonexistent/fleet.txt"], "no such file"),
    ],
)
def test_bad_host_lists_are_named(hosts, files, message):
    with pytest.raises(HostSpecError) as info:
        collect_hosts(hosts, files)
    assert message in str(info.value)


def test_empty_hosts_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(HostSpecError, match="lists no host"):
        collect_hosts(None, [str(empty)])


def test_shards_split_the_hosts_stably_and_completely():
    specs = [parse_host(f"winrm://a@10.0.{i // 250}.{i % 250 + 1}") for i in range(500)]
    shards = [select_shard(specs, f"{k}/4") for k in range(1, 5)]
    assert sorted(s.display for shard in shards for s in shard) == sorted(s.display for s in specs)
    assert all(60 < len(shard) < 190 for shard in shards)
    assert select_shard(specs, "2/4") == shards[1]
    assert select_shard(list(reversed(specs)), "2/4") == list(reversed(shards[1]))


@pytest.mark.parametrize("shard", ["0/4", "5/4", "x", "1/0", "1-4"])
def test_bad_shard_is_named(shard):
    with pytest.raises(HostSpecError, match="--shard"):
        select_shard([parse_host("winrm://a@h")], shard)
