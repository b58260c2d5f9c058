"""Scrapyd fails closed: ``deploy/scrapyd-launch``, ``deploy/deploy-egg`` and the deploy files that use them.

The launcher refuses to start Scrapyd without usable credentials (exit 78, one line
naming the variable, nothing listening); with them a real Scrapyd, in a temporary
directory on a free loopback port, answers 401 to unauthenticated calls and listens
on 127.0.0.1 only, whatever its scrapyd.conf says, unless ``SCRAPYD_BIND_ADDRESS``
is set. ``deploy-egg`` names a missing ``SCRAPYD_URL``. The systemd units and the
crontab run these scripts from ``$RFI_CN_HOME``, the one path variable.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crawling import ROOT

DEPLOY = ROOT / "deploy"
LAUNCHER = DEPLOY / "scrapyd-launch"
USER, PASSWORD = "rfi", "launcher-test-password"
EX_CONFIG = 78  # the launcher's "refused" status, which scrapyd.service does not restart on
STARTUP = 30.0
ENV_FILE = "/etc/rfi_cn/scrapyd.env"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, port)) == 0


def clean_env(home: Path, **values: str) -> dict[str, str]:
    """The test's environment without Scrapyd or crawl variables, plus ``values``.

    ``RFI_CN_HOME`` is ``home`` (no ``venv/`` in it), so the scripts find Scrapyd on
    ``PATH``, where this interpreter's scripts come first.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SCRAPYD_", "RFI_", "DATA_LAKE", "CRAWL_"))
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["RFI_CN_HOME"] = str(home)
    env.update(values)
    return env


def request(url: str, auth: tuple[str, str] | None, data: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTP call (POST when ``data`` is given): status code and body, errors included."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    call = urllib.request.Request(url, data=body)
    if auth is not None:
        call.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(call, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on TCP ``port`` (Linux's /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)  # 32-bit words in host (little-endian) order
            packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(str(ipaddress.ip_address(packed)))
    return found


def answers(url: str) -> bool:
    """Whether Scrapyd answers an authenticated call yet (while it starts, the port may refuse or reset)."""
    try:
        return request(url, (USER, PASSWORD))[0] == 200
    except OSError:
        return False


def launch_refused(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAUNCHER)], cwd=cwd, env=env, capture_output=True, text=True, timeout=30)


@contextmanager
def launched(home: Path, **values: str) -> Iterator[tuple[int, Path]]:
    """Scrapyd started by the launcher in ``home`` on a free port; stopped (its whole group) on exit.

    ``home``'s scrapyd.conf is one that used to fail open: no credentials, and a
    bind_address of 127.0.0.2 that the launcher's default must override.
    """
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.2\nusername =\npassword =\npoll_interval = 0.2\n", encoding="utf-8"
    )
    env = clean_env(home, SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD, SCRAPYD_HTTP_PORT=str(port), **values)
    log = home / "scrapyd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(LAUNCHER)], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        host = env.get("SCRAPYD_BIND_ADDRESS", "127.0.0.1")
        end = time.monotonic() + STARTUP
        while not answers(f"http://{host}:{port}/daemonstatus.json"):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < end, f"Scrapyd did not answer within {STARTUP} s:\n{log.read_text()}"
            time.sleep(0.1)
        yield port, log
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        except ProcessLookupError:
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    """Scrapyd through the launcher with credentials and the default address: its URL, port and log."""
    with launched(tmp_path_factory.mktemp("scrapyd")) as (port, log):
        yield f"http://127.0.0.1:{port}", port, log


# The launcher refuses


@pytest.mark.parametrize(
    ("values", "named", "why"),
    [
        ({}, "SCRAPYD_USERNAME and SCRAPYD_PASSWORD are", "not set or empty"),
        ({"SCRAPYD_PASSWORD": PASSWORD}, "SCRAPYD_USERNAME is", "not set or empty"),
        ({"SCRAPYD_USERNAME": USER}, "SCRAPYD_PASSWORD is", "not set or empty"),
        ({"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": ""}, "SCRAPYD_PASSWORD is", "not set or empty"),
        ({"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": " \t "}, "SCRAPYD_PASSWORD is", "not set or empty"),
        ({"SCRAPYD_USERNAME": "", "SCRAPYD_PASSWORD": PASSWORD}, "SCRAPYD_USERNAME is", "not set or empty"),
        ({"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": "ChangeMe"}, "SCRAPYD_PASSWORD", "is a placeholder"),
        ({"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": "short-pass"}, "SCRAPYD_PASSWORD", "shorter than 12"),
        ({"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": "two words pass"}, "SCRAPYD_PASSWORD", "whitespace"),
        ({"SCRAPYD_USERNAME": "r:fi", "SCRAPYD_PASSWORD": PASSWORD}, "SCRAPYD_USERNAME", "contains ':'"),
    ],
)
def test_the_launcher_refuses_without_usable_credentials(
    values: dict[str, str], named: str, why: str, tmp_path: Path
) -> None:
    port = free_port()
    refused = launch_refused(clean_env(tmp_path, SCRAPYD_HTTP_PORT=str(port), **values), tmp_path)
    assert refused.returncode == EX_CONFIG
    [line] = refused.stderr.splitlines()  # one line, naming the variable and the reason
    assert line.startswith("scrapyd-launch: refusing to start Scrapyd: ")
    assert named in line and why in line
    assert ("SCRAPYD_USERNAME" in line) == ("USERNAME" in named)  # only the variable at fault
    assert refused.stdout == ""  # Scrapyd never ran: it would have logged its start
    assert not accepts("127.0.0.1", port)
    assert list(tmp_path.iterdir()) == []  # no eggs/, dbs/, logs/


def test_the_shipped_env_example_is_refused_until_its_password_is_replaced(tmp_path: Path) -> None:
    """The example, sourced like the crontab does, carries a placeholder the launcher refuses."""
    script = f'set -a; . "{DEPLOY / "scrapyd.env.example"}"; set +a; exec "{LAUNCHER}"'
    refused = subprocess.run(
        ["sh", "-c", script], cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == EX_CONFIG
    assert refused.stderr.splitlines() == [
        "scrapyd-launch: refusing to start Scrapyd: SCRAPYD_PASSWORD is a placeholder;"
        " set a real one (e.g. openssl rand -hex 24)"
    ]


def test_the_launcher_names_a_missing_scrapyd(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD, PATH="/nonexistent")
    refused = subprocess.run(["/bin/bash", str(LAUNCHER)], env=env, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 127
    assert refused.stderr.splitlines() == [
        f"scrapyd-launch: refusing to start Scrapyd: no scrapyd in {tmp_path}/venv/bin or on PATH (see docs/deploy.md)"
    ]


# The launcher starts Scrapyd with authentication on, on loopback


def test_unauthenticated_calls_are_refused(scrapyd) -> None:
    url, _, _ = scrapyd
    assert request(f"{url}/daemonstatus.json", None)[0] == 401
    assert request(f"{url}/daemonstatus.json", (USER, "wrong-password-123"))[0] == 401
    egg = {"project": "rfi_cn", "version": "1", "egg": "not an egg"}
    assert request(f"{url}/addversion.json", None, egg)[0] == 401
    assert request(f"{url}/schedule.json", None, {"project": "rfi_cn", "spider": "rfi_cn"})[0] == 401
    status, body = request(f"{url}/listprojects.json", (USER, PASSWORD))
    assert status == 200 and b'"projects": []' in body  # the refused upload stored nothing


def test_authenticated_calls_are_served(scrapyd) -> None:
    url, _, log = scrapyd
    status, body = request(f"{url}/daemonstatus.json", (USER, PASSWORD))
    assert status == 200 and b'"status": "ok"' in body
    text = log.read_text()
    assert "Basic authentication enabled" in text
    assert "authentication disabled" not in text


def test_it_listens_on_loopback_only_whatever_scrapyd_conf_says(scrapyd) -> None:
    _, port, log = scrapyd
    assert listening_addresses(port) == {"127.0.0.1"}  # not the conf's 127.0.0.2, not 0.0.0.0
    assert not accepts("127.0.0.2", port)
    text = log.read_text()
    assert "scrapyd-launch: starting " in text and f" on 127.0.0.1, authentication on (user {USER})" in text
    assert f"Scrapyd web console available at http://127.0.0.1:{port}/" in text
    assert PASSWORD not in text


def test_scrapyd_bind_address_moves_it(tmp_path: Path) -> None:
    with launched(tmp_path, SCRAPYD_BIND_ADDRESS="127.0.0.3") as (port, log):
        assert listening_addresses(port) == {"127.0.0.3"}
        assert not accepts("127.0.0.1", port)
        assert request(f"http://127.0.0.3:{port}/daemonstatus.json", None)[0] == 401
        assert f"Scrapyd web console available at http://127.0.0.3:{port}/" in log.read_text()


# deploy-egg


@pytest.mark.parametrize(
    ("values", "line"),
    [
        (
            {"SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD},
            "deploy-egg: SCRAPYD_URL not set or empty (export the environment file first:"
            " set -a; . /etc/rfi_cn/scrapyd.env; set +a)",
        ),
        (
            {"SCRAPYD_URL": "", "SCRAPYD_USERNAME": USER},
            "deploy-egg: SCRAPYD_URL, SCRAPYD_PASSWORD not set or empty (export the environment file first:"
            " set -a; . /etc/rfi_cn/scrapyd.env; set +a)",
        ),
        (
            {"SCRAPYD_URL": "127.0.0.1:6800", "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD},
            "deploy-egg: SCRAPYD_URL must start with http:// or https:// (e.g. http://127.0.0.1:6800),"
            " not '127.0.0.1:6800'",
        ),
    ],
)
def test_deploy_egg_names_what_to_set(values: dict[str, str], line: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, **values)
    del env["RFI_CN_HOME"]  # the checkout above the script
    refused = subprocess.run(
        [str(DEPLOY / "deploy-egg")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == EX_CONFIG
    assert refused.stderr.splitlines() == [line]
    assert refused.stdout == ""  # no egg was built


# The deploy files: the launcher, the scripts and the one path variable


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's [Service] settings, each key with all its values in order."""
    settings: dict[str, list[str]] = {}
    section = None
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def exec_start(settings: dict[str, list[str]], home: Path) -> list[str]:
    """ExecStart's words with ${RFI_CN_HOME} as ``home``: the default from Environment= is /opt/rfi_cn."""
    assert settings["Environment"] == ["RFI_CN_HOME=/opt/rfi_cn"]
    [command] = settings["ExecStart"]
    return command.replace("${RFI_CN_HOME}", str(home)).split()


def test_scrapyd_service_runs_the_launcher_as_a_service_account() -> None:
    service = unit("scrapyd.service")
    assert exec_start(service, ROOT) == ["/bin/bash", str(LAUNCHER)]  # systemd takes no variable as the program
    assert os.access(LAUNCHER, os.X_OK)
    assert service["EnvironmentFile"] == [ENV_FILE]
    assert service["User"] == ["scrapyd"] and service["Group"] == ["scrapyd"]
    assert service["StateDirectory"] == ["scrapyd"] and service["WorkingDirectory"] == ["/var/lib/scrapyd"]
    assert service["RestartPreventExitStatus"] == [f"{EX_CONFIG} 127"]  # a refusal is not retried
    assert service["Restart"] == ["on-failure"]
    for setting, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes"}.items():
        assert service[setting] == [value]


def test_the_crawl_service_runs_the_schedule_script_from_rfi_cn_home() -> None:
    service = unit("rfi-cn-crawl.service")
    assert exec_start(service, ROOT) == ["/bin/bash", str(DEPLOY / "rfi-cn-schedule.sh")]
    assert service["EnvironmentFile"] == [ENV_FILE]


def test_no_deploy_file_hard_codes_the_checkout_path() -> None:
    """/opt/rfi_cn appears only as RFI_CN_HOME's default."""
    for path in DEPLOY.iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "/opt/rfi_cn" in line:
                assert "RFI_CN_HOME" in line, f"{path.name}: {line}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units() -> None:
    units = [str(DEPLOY / name) for name in ("scrapyd.service", "rfi-cn-crawl.service", "rfi-cn-crawl.timer")]
    verified = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60, cwd=DEPLOY
    )
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


def crontab_command() -> str:
    [line] = [
        line
        for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    fields = line.split(maxsplit=5)
    assert fields[:5] == ["7", "*", "*", "*", "*"]
    assert "%" not in fields[5]  # cron would cut the command there
    return fields[5]


@pytest.mark.parametrize(
    ("password", "logged"), [(PASSWORD, "project 'rfi_cn' not found"), ("wrong-password-123", "401")]
)
def test_the_crontab_line_sources_the_env_file_and_runs_the_schedule_script(
    scrapyd, password: str, logged: str, tmp_path: Path
) -> None:
    """The cron command, run by sh against the launched Scrapyd, with the env file and logger swapped.

    Authenticated, the call reaches Scrapyd (nothing is deployed there: "not found");
    with a wrong password Scrapyd answers 401. Either way the failure reaches the log.
    """
    url, _, _ = scrapyd
    command = crontab_command()
    assert command.count(ENV_FILE) == 1 and '"${RFI_CN_HOME:-/opt/rfi_cn}/deploy/rfi-cn-schedule.sh"' in command
    env_file = tmp_path / "scrapyd.env"
    env_file.write_text(
        f"SCRAPYD_URL={url}\nSCRAPYD_USERNAME={USER}\nSCRAPYD_PASSWORD={password}\nRFI_CN_HOME={ROOT}\n",
        encoding="utf-8",
    )
    bin_dir, log = tmp_path / "bin", tmp_path / "syslog"
    bin_dir.mkdir()
    (bin_dir / "logger").write_text(f'#!/bin/sh\n{{ echo "logger $*"; cat; }} >>"{log}"\n', encoding="utf-8")
    (bin_dir / "logger").chmod(0o755)
    env = clean_env(tmp_path, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    del env["RFI_CN_HOME"]  # it comes from the env file
    subprocess.run(
        ["sh", "-c", command.replace(ENV_FILE, str(env_file))], env=env, cwd=tmp_path, timeout=60, check=True
    )
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "logger -t rfi-cn-schedule"
    assert any(logged in line for line in lines[1:]), lines
    assert password not in "\n".join(lines)
