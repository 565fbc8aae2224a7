"""Built-in tools on the sample workspace's real data, HTTP tools against a local service,
and the registry's guarantees: failures are values, and refused tools never run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from copilot.config import HttpToolConfig, ToolArg, ToolsConfig
from copilot.directory import UserDirectory
from copilot.errors import ConfigError
from copilot.tools import Tool, ToolRegistry, ToolResult, build_registry
from copilot.tools.builtin import DateCalcTool, DirectoryTool, OncallTool, ServiceStatusTool
from copilot.tools.http import HttpTool
from copilot.types import Member, Principal
from tests.conftest import ACME
from tests.fakes.status_server import StatusServer

NOW = datetime(2026, 1, 14, 15, 30, tzinfo=UTC)  # a Wednesday, in week 2 of the rotations
DIRECTORY = UserDirectory.from_yaml(ACME / "users.yaml")
PRIYA = DIRECTORY.principal("priya.raman@acme.example")  # engineering, sre
MEI = DIRECTORY.principal("mei.tanaka@acme.example")  # finance


@pytest.fixture
def status() -> Iterator[StatusServer]:
    with StatusServer(slow_s=1.5) as server:
        yield server


def _run(tool: Tool, principal: Principal = PRIYA, **args: Any) -> ToolResult:
    return tool.run(tool.Args.model_validate(args), principal)


def _content(result: ToolResult) -> dict[str, Any]:
    assert result.ok, result.error
    assert isinstance(result.content, dict)
    return result.content


# --- oncall ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oncall() -> OncallTool:
    return OncallTool(ACME / "oncall.yaml", DIRECTORY, lambda: NOW, ["*"])


@pytest.mark.parametrize(
    ("team", "at", "email"),
    [
        ("sre", "2026-01-05T09:00:00", "priya.raman@acme.example"),  # exactly the first handoff
        ("sre", "2026-01-12T08:59:59", "priya.raman@acme.example"),  # a second before handoff
        ("sre", "2026-01-12T09:00:00+00:00", "tom.becker@acme.example"),  # exactly at handoff
        ("sre", "2026-01-21", "victor.ivanov@acme.example"),
        ("SRE", "2026-02-02", "priya.raman@acme.example"),  # four members: week 4 wraps
        ("payments", "2026-01-26T10:00", "marcus.chen@acme.example"),  # three members wrap
        ("it", "2026-01-13T11:00:00+02:00", "nora.lindqvist@acme.example"),  # 09:00 UTC
    ],
)
def test_oncall_at_explicit_moments(oncall: OncallTool, team: str, at: str, email: str) -> None:
    assert _content(_run(oncall, team=team, at=at))["email"] == email


def test_oncall_defaults_to_now_and_gives_the_shift(oncall: OncallTool) -> None:
    content = _content(_run(oncall, team="sre"))
    assert content["name"] == "Tom Becker"
    assert content["shift_start"] == "2026-01-12T09:00:00+00:00"
    assert content["shift_end"] == "2026-01-19T09:00:00+00:00"


def test_oncall_errors_are_values(oncall: OncallTool) -> None:
    unknown = _run(oncall, team="legal")
    assert not unknown.ok and "known teams: it, payments, sre" in str(unknown.error)
    early = _run(oncall, team="sre", at="2026-01-05T08:59")
    assert not early.ok and "starts" in str(early.error)
    assert not _run(oncall, team="sre", at="next tuesday").ok


# --- directory and date_calc ------------------------------------------------------------------


def test_directory_lookup_by_name_email_and_typo() -> None:
    tool = DirectoryTool(DIRECTORY, {"tom.becker@acme.example": "lena.fischer@acme.example"})
    tom = _content(_run(tool, name_or_email="Tom Becker"))["matches"][0]
    assert tom == {
        "name": "Tom Becker",
        "email": "tom.becker@acme.example",
        "title": "Site Reliability Engineer",
        "groups": ["engineering", "sre"],
        "manager": "Lena Fischer",
    }
    by_email = _content(_run(tool, name_or_email="MEI.TANAKA@acme.example"))["matches"]
    assert by_email[0]["name"] == "Mei Tanaka"
    assert _content(_run(tool, name_or_email="priya"))["matches"][0]["name"] == "Priya Raman"
    assert _content(_run(tool, name_or_email="Hanna Schmit"))["matches"][0]["name"] == (
        "Hannah Schmidt"
    )
    assert not _run(tool, name_or_email="Zebediah Quux").ok


def test_directory_managers_come_from_the_users_file(tmp_path: Path) -> None:
    config = ToolsConfig(enabled=["directory"], access_groups={"directory": ["*"]})
    registry = build_registry(config, ACME, DIRECTORY, lambda: NOW)
    result = registry.call("directory", {"name_or_email": "raj.patel@acme.example"}, PRIYA)
    assert _content(result)["matches"][0]["manager"] == "Sofia Alvarez"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"date": "2026-01-09", "add_business_days": 1}, ("2026-01-12", "Monday")),  # Fri -> Mon
        ({"date": "2026-01-08", "add_business_days": 3}, ("2026-01-13", "Tuesday")),
        ({"date": "2026-01-12", "add_business_days": -1}, ("2026-01-09", "Friday")),
        ({"date": "2026-01-10", "add_business_days": 1}, ("2026-01-12", "Monday")),  # from Sat
        ({"date": "2026-01-30", "add_days": 30}, ("2026-03-01", "Sunday")),
        ({"add_days": 1}, ("2026-01-15", "Thursday")),  # today is the clock's date
    ],
)
def test_date_arithmetic(args: dict[str, Any], expected: tuple[str, str]) -> None:
    content = _content(_run(DateCalcTool(lambda: NOW), **args))
    assert (content["date"], content["weekday"]) == expected


def test_days_between_dates() -> None:
    tool = DateCalcTool(lambda: NOW)
    content = _content(_run(tool, date="2026-01-09", until="2026-01-19"))
    assert (content["days"], content["business_days"]) == (10, 6)
    back = _content(_run(tool, date="2026-01-19", until="2026-01-09"))
    assert (back["days"], back["business_days"]) == (-10, -6)
    assert not _run(tool, date="09/01/2026").ok


# --- service_status and HTTP tools ------------------------------------------------------------


def _services(status: StatusServer, timeout_s: float = 5.0) -> ServiceStatusTool:
    urls = {name: status.health_url(name) for name in ("api", "ledger", "slow")}
    return ServiceStatusTool(urls, timeout_s=timeout_s, access_groups=["*"])


def test_service_status_ok_and_degraded(status: StatusServer) -> None:
    api = _content(_run(_services(status), service="API"))
    assert (api["status_code"], api["healthy"], api["body"]["status"]) == (200, True, "ok")
    ledger = _content(_run(_services(status), service="ledger"))
    assert (ledger["status_code"], ledger["healthy"]) == (503, False)
    assert ledger["body"]["reason"] == "replica lag 42s"


def test_service_status_timeout_and_unknown_are_values(status: StatusServer) -> None:
    slow = _run(_services(status, timeout_s=0.3), service="slow")
    assert not slow.ok and "did not answer within 0.3s" in str(slow.error)
    unknown = _run(_services(status), service="billing")
    assert not unknown.ok and "known services: api, ledger, slow" in str(unknown.error)


def _ticket_tool(status: StatusServer, **overrides: Any) -> HttpTool:
    config = {
        "name": "ticket",
        "description": "Look up an incident ticket by id",
        "url": status.base_url + "/api/tickets/{id}",
        "args": {
            "id": ToolArg(description="ticket id"),
            "verbose": ToolArg(type="boolean", required=False),
        },
        "access_groups": ["sre"],
        **overrides,
    }
    return HttpTool(HttpToolConfig.model_validate(config))


def test_http_tool_fills_the_template_and_query(status: StatusServer) -> None:
    tool = _ticket_tool(status)
    content = _content(_run(tool, id="INC-7", verbose=True))
    assert content["title"] == "Webhook retries stuck"
    assert content["query"] == {"verbose": "true"}
    assert _content(_run(tool, id="a/b"))["title"] == "Slash in id"
    assert status.requests[-1][1] == "/api/tickets/a%2Fb"  # encoded: no extra path segment
    spec = tool.openai_spec()["function"]
    assert spec["name"] == "ticket" and spec["parameters"]["required"] == ["id"]


def test_http_tool_errors_and_truncation(status: StatusServer) -> None:
    missing = _run(_ticket_tool(status), id="INC-404")
    assert not missing.ok and "HTTP 404" in str(missing.error)
    big = _ticket_tool(status, url=status.base_url + "/api/big", args={})
    text = _run(big).content
    assert isinstance(text, str) and len(text) <= 2001 and text.endswith("…")
    plain = _ticket_tool(status, url=status.base_url + "/api/text", args={})
    assert _run(plain).content == "plain text reply"


def test_http_template_needs_declared_arguments() -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        HttpTool(HttpToolConfig(name="bad", description="x", url="http://h/{missing}"))


# --- the registry -----------------------------------------------------------------------------


class _Args(BaseModel):
    n: int


class _Crash(Tool):
    name = "crash"
    description = "Always fails"
    Args = _Args

    def run(self, args: _Args, principal: Principal) -> ToolResult:
        raise RuntimeError(f"boom {args.n}")


class _Hang(_Crash):
    name = "hang"
    timeout_s = 0.2

    def run(self, args: _Args, principal: Principal) -> ToolResult:
        import time

        time.sleep(1.5)
        return ToolResult.success("late")


class _Echo(_Crash):
    name = "echo"

    def run(self, args: _Args, principal: Principal) -> ToolResult:
        return ToolResult.success({"n": args.n})


def _registry(*tools: Tool, allow_writes: bool = False) -> ToolRegistry:
    registry = ToolRegistry(DIRECTORY, allow_writes=allow_writes)
    for tool in tools:
        registry.register(tool)
    return registry


def test_failures_are_values_not_raises() -> None:
    registry = _registry(_Crash(["*"]), _Hang(["*"]), _Echo(["*"]))
    unknown = registry.call("nope", {}, PRIYA)
    assert not unknown.ok and "no tool named 'nope'" in str(unknown.error)
    invalid = registry.call("echo", {"n": "many"}, PRIYA)
    assert not invalid.ok and "invalid arguments for echo: n:" in str(invalid.error)
    assert not registry.call("echo", {}, PRIYA).ok
    crash = registry.call("crash", {"n": 3}, PRIYA)
    assert not crash.ok and "RuntimeError: boom 3" in str(crash.error)
    hang = registry.call("hang", {"n": 1}, PRIYA)
    assert not hang.ok and "did not finish within 0.2s" in str(hang.error)
    assert registry.call("echo", {"n": 2}, PRIYA) == ToolResult.success({"n": 2})


def test_empty_access_groups_mean_nobody() -> None:
    registry = _registry(_Echo())
    assert registry.visible_to(PRIYA) == []
    refused = registry.call("echo", {"n": 1}, PRIYA)
    assert not refused.ok and "not available" in str(refused.error)


def test_star_means_directory_users_never_anonymous() -> None:
    registry = _registry(_Echo(["*"]))
    assert [t.name for t in registry.visible_to(PRIYA)] == ["echo"]
    assert registry.visible_to(Principal.anonymous()) == []
    assert not registry.call("echo", {"n": 1}, Principal.anonymous()).ok
    stranger = Principal.user("eve@evil.example", frozenset({"sre"}))
    assert registry.visible_to(stranger) == []
    audience = Principal("#general", (PRIYA.members[0], Member("eve@evil.example")))
    assert registry.visible_to(audience) == []


def test_group_access_needs_every_audience_member() -> None:
    registry = _registry(_Echo(["sre"]))
    assert registry.visible_to(PRIYA) and not registry.visible_to(MEI)
    audience = Principal("#ops", PRIYA.members + MEI.members)
    assert not registry.call("echo", {"n": 1}, audience).ok


def test_writes_need_allow_writes_and_confirmation(status: StatusServer) -> None:
    def create(allow: bool) -> ToolRegistry:
        tool = _ticket_tool(
            status, name="open_ticket", method="POST", url=status.base_url + "/api/tickets"
        )
        return _registry(tool, allow_writes=allow)

    assert create(False).get("open_ticket") is not None
    off = create(False).call("open_ticket", {"id": "X"}, PRIYA, confirmed=True)
    assert not off.ok and "does not allow writes" in str(off.error)
    unconfirmed = create(True).call("open_ticket", {"id": "X"}, PRIYA)
    assert not unconfirmed.ok and "confirmation" in str(unconfirmed.error)
    assert status.writes == [] and status.requests == []
    done = create(True).call("open_ticket", {"id": "X"}, PRIYA, confirmed=True)
    assert done.ok and status.writes == [{"id": "X"}]


def test_refused_tool_never_reaches_the_service(status: StatusServer) -> None:
    registry = _registry(_ticket_tool(status))  # sre only
    refused = registry.call("ticket", {"id": "INC-7"}, MEI)
    assert not refused.ok and "not available to mei.tanaka@acme.example" in str(refused.error)
    assert status.requests == []


def test_build_registry_from_config(status: StatusServer) -> None:
    config = ToolsConfig(
        enabled=["oncall", "date_calc", "service_status"],
        access_groups={"oncall": ["*"], "service_status": ["sre"]},
        oncall_schedule=Path("oncall.yaml"),
        services={"api": status.health_url("api")},
        http=[HttpToolConfig(name="ticket", description="t", url=status.base_url + "/api/x")],
    )
    registry = build_registry(config, ACME, DIRECTORY, lambda: NOW)
    assert registry.names() == ["date_calc", "oncall", "service_status", "ticket"]
    assert [t.name for t in registry.visible_to(PRIYA)] == ["oncall", "service_status"]
    assert [t.name for t in registry.visible_to(MEI)] == ["oncall"]  # date_calc: nobody
    with pytest.raises(ConfigError, match="unknown tool"):
        build_registry(ToolsConfig(enabled=["teleport"]), ACME, DIRECTORY, lambda: NOW)
    with pytest.raises(ConfigError, match="oncall_schedule"):
        build_registry(ToolsConfig(enabled=["oncall"]), ACME, DIRECTORY, lambda: NOW)
