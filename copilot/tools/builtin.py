"""The built-in, read-only tools: who is on call, is a service healthy, who is someone, and
date arithmetic. Each answers a question the indexes cannot: the answer depends on *now*."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import yaml
from pydantic import BaseModel, Field

from copilot.config import ToolsConfig
from copilot.directory import DirectoryUser, UserDirectory
from copilot.errors import ConfigError
from copilot.tools.base import Tool, ToolResult
from copilot.types import Principal

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BODY_LIMIT = 500


# --- oncall ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """A weekly rotation: ``members`` take turns, each for one week from a handoff."""

    team: str
    first_handoff: datetime
    members: tuple[str, ...]

    def shift_at(self, at: datetime) -> tuple[str, datetime, datetime] | None:
        """The member on call at ``at`` and their shift's bounds; None before the first shift."""
        if at < self.first_handoff:
            return None
        week = (at - self.first_handoff) // timedelta(weeks=1)
        start = self.first_handoff + timedelta(weeks=week)
        return self.members[week % len(self.members)], start, start + timedelta(weeks=1)


def load_rotations(path: Path) -> tuple[ZoneInfo, dict[str, Rotation]]:
    """Parse the on-call YAML; a malformed file is the operator's to fix, so it raises."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        zone = ZoneInfo(str(raw.get("timezone", "UTC")))
        rotations = [_rotation(entry, zone) for entry in raw["rotations"]]
    except FileNotFoundError as exc:
        raise ConfigError(f"on-call schedule {path} does not exist") from exc
    except (yaml.YAMLError, KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        raise ConfigError(
            f"on-call schedule {path} is malformed ({exc!r}): expected 'rotations:' entries "
            "with team, start, handoff_weekday, handoff_time and members"
        ) from exc
    return zone, {r.team.lower(): r for r in rotations}


def _rotation(entry: dict[str, Any], zone: ZoneInfo) -> Rotation:
    start = entry["start"]
    start = start if isinstance(start, date) else date.fromisoformat(str(start))
    weekday = WEEKDAYS.index(str(entry.get("handoff_weekday", "monday")).lower())
    handoff = time.fromisoformat(str(entry.get("handoff_time", "09:00")))
    first_day = start + timedelta(days=(weekday - start.weekday()) % 7)
    members = tuple(str(m).lower() for m in entry["members"])
    if not members:
        raise ValueError(f"rotation {entry['team']!r} has no members")
    return Rotation(str(entry["team"]), datetime.combine(first_day, handoff, zone), members)


class OncallArgs(BaseModel):
    team: str = Field(description="The team whose on-call person to find, e.g. sre")
    at: str | None = Field(
        default=None, description="ISO date or datetime to ask about; omit for now"
    )


class OncallTool(Tool):
    name = "oncall"
    description = "Who is on call for a team now or at a given date and time (weekly rotation)."
    Args = OncallArgs

    def __init__(
        self,
        schedule: Path,
        directory: UserDirectory,
        now: Callable[[], datetime],
        access_groups: Iterable[str] = (),
    ) -> None:
        super().__init__(access_groups)
        self._zone, self._rotations = load_rotations(schedule)
        self._directory = directory
        self._now = now

    def run(self, args: OncallArgs, principal: Principal) -> ToolResult:
        rotation = self._rotations.get(args.team.strip().lower())
        if rotation is None:
            known = ", ".join(sorted(r.team for r in self._rotations.values()))
            return ToolResult.failure(f"no rotation for team {args.team!r}; known teams: {known}")
        try:
            at = self._moment(args.at)
        except ValueError:
            return ToolResult.failure(f"'at' must be an ISO date or datetime, not {args.at!r}")
        shift = rotation.shift_at(at)
        if shift is None:
            return ToolResult.failure(
                f"the {rotation.team} rotation starts {rotation.first_handoff.isoformat()}"
            )
        email, start, end = shift
        user = self._directory.get(email)
        return ToolResult.success(
            {
                "team": rotation.team,
                "email": email,
                "name": user.name if user else email,
                "shift_start": start.isoformat(),
                "shift_end": end.isoformat(),
                "at": at.isoformat(),
            }
        )

    def _moment(self, raw: str | None) -> datetime:
        """A bare date means midday, so a handoff day answers with who holds most of it;
        a naive datetime is in the schedule's own time zone."""
        if raw is None:
            now = self._now()
            return now.astimezone(self._zone) if now.tzinfo else now.replace(tzinfo=self._zone)
        text = raw.strip()
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12), self._zone)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=self._zone)


# --- service_status -------------------------------------------------------------------------


class ServiceArgs(BaseModel):
    service: str = Field(description="The service whose health to check")


class ServiceStatusTool(Tool):
    name = "service_status"
    description = "Check whether an internal service is up: calls its health endpoint."
    Args = ServiceArgs

    def __init__(
        self, services: dict[str, str], timeout_s: float = 5.0, access_groups: Iterable[str] = ()
    ) -> None:
        super().__init__(access_groups)
        self._services = {name.lower(): url for name, url in services.items()}
        self.timeout_s = timeout_s
        self.description += " Known services: " + ", ".join(sorted(services)) + "."

    def run(self, args: ServiceArgs, principal: Principal) -> ToolResult:
        service = args.service.strip().lower()
        url = self._services.get(service)
        if url is None:
            known = ", ".join(sorted(self._services)) or "none"
            return ToolResult.failure(f"unknown service {args.service!r}; known services: {known}")
        try:
            response = httpx.get(url, timeout=self.timeout_s)
        except httpx.TimeoutException:
            return ToolResult.failure(
                f"{service} health check at {url} did not answer within {self.timeout_s:g}s"
            )
        except httpx.HTTPError as exc:
            return ToolResult.failure(f"cannot reach {service} at {url}: {type(exc).__name__}")
        return ToolResult.success(
            {
                "service": service,
                "status_code": response.status_code,
                "healthy": response.is_success,
                "body": body_summary(response),
            }
        )


def body_summary(response: httpx.Response, limit: int = _BODY_LIMIT) -> Any:
    """The JSON body when it is small, else the text cut to ``limit`` characters."""
    try:
        data = response.json()
    except ValueError:
        return truncate(response.text, limit)
    text = json.dumps(data, ensure_ascii=False)
    return data if len(text) <= limit else truncate(text, limit)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- directory ------------------------------------------------------------------------------


class DirectoryArgs(BaseModel):
    name_or_email: str = Field(description="A person's name (or part of it) or email")


class DirectoryTool(Tool):
    name = "directory"
    description = "Look up a colleague: email, job title, groups and manager, by name or email."
    Args = DirectoryArgs
    min_score = 0.6
    max_matches = 3

    def __init__(
        self,
        directory: UserDirectory,
        managers: dict[str, str] | None = None,
        access_groups: Iterable[str] = (),
    ) -> None:
        super().__init__(access_groups)
        self._directory = directory
        self._managers = managers or {}

    def run(self, args: DirectoryArgs, principal: Principal) -> ToolResult:
        query = " ".join(args.name_or_email.lower().split())
        if not query:
            return ToolResult.failure("give a name or an email to look up")
        scored = sorted(
            ((match_score(query, u), u.email, u) for u in self._directory), reverse=True
        )
        matches = [u for score, _, u in scored if score >= self.min_score][: self.max_matches]
        if not matches:
            return ToolResult.failure(f"nobody in the directory matches {args.name_or_email!r}")
        return ToolResult.success({"matches": [self._card(u) for u in matches]})

    def _card(self, user: DirectoryUser) -> dict[str, Any]:
        manager_email = self._managers.get(user.email) or str(getattr(user, "manager", "") or "")
        manager = self._directory.get(manager_email) if manager_email else None
        return {
            "name": user.name,
            "email": user.email,
            "title": user.title,
            "groups": sorted(user.groups),
            "manager": manager.name if manager else (manager_email or None),
        }


def match_score(query: str, user: DirectoryUser) -> float:
    """1.0 for an exact email or name, 0.9 for a whole-word part of the name or email,
    else the best fuzzy ratio against the name, its words and the email's local part."""
    name = user.name.lower()
    local = user.email.split("@")[0]
    if query in (user.email, name, local):
        return 1.0
    words = set(name.split()) | set(local.replace("_", ".").split("."))
    if set(query.split()) <= words or query in name:
        return 0.9
    candidates = [name, local, *words]
    return max(difflib.SequenceMatcher(None, query, c).ratio() for c in candidates)


def load_managers(users_file: Path) -> dict[str, str]:
    """Email -> manager email from the users YAML (the directory itself keeps no manager)."""
    try:
        raw = yaml.safe_load(users_file.read_text(encoding="utf-8")) or {}
        entries = raw.get("users", [])
        return {
            str(e["email"]).lower(): str(e["manager"]).lower()
            for e in entries
            if isinstance(e, dict) and e.get("manager") and e.get("email")
        }
    except (OSError, yaml.YAMLError, AttributeError):
        return {}


# --- date_calc ------------------------------------------------------------------------------


class DateArgs(BaseModel):
    date: str | None = Field(default=None, description="ISO start date; omit for today")
    add_days: int = Field(default=0, description="Calendar days to add (negative subtracts)")
    add_business_days: int = Field(
        default=0, description="Working days (Monday to Friday) to add (negative subtracts)"
    )
    until: str | None = Field(
        default=None, description="ISO end date: count the days from 'date' to it instead"
    )


class DateCalcTool(Tool):
    name = "date_calc"
    description = (
        "Date arithmetic: add calendar or business days to a date, or count the days "
        "between two dates; gives the weekday too."
    )
    Args = DateArgs

    def __init__(self, today: Callable[[], datetime], access_groups: Iterable[str] = ()) -> None:
        super().__init__(access_groups)
        self._today = today

    def run(self, args: DateArgs, principal: Principal) -> ToolResult:
        try:
            start = date.fromisoformat(args.date.strip()) if args.date else self._today().date()
            until = date.fromisoformat(args.until.strip()) if args.until else None
        except ValueError:
            return ToolResult.failure("dates must be ISO dates like 2026-03-16")
        if until is not None:
            return ToolResult.success(days_between(start, until))
        result = add_business_days(start + timedelta(days=args.add_days), args.add_business_days)
        return ToolResult.success(
            {"from": start.isoformat(), "date": result.isoformat(), "weekday": weekday(result)}
        )


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()].capitalize()


def add_business_days(day: date, count: int) -> date:
    """Step over weekends; holidays are not known, so they count as working days."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def days_between(start: date, end: date) -> dict[str, Any]:
    """Calendar days and working days (start excluded, end included) from start to end."""
    low, high = sorted((start, end))
    business = sum(1 for n in range(1, (high - low).days + 1) if (low + timedelta(n)).weekday() < 5)
    sign = 1 if end >= start else -1
    return {
        "from": start.isoformat(),
        "until": end.isoformat(),
        "days": (end - start).days,
        "business_days": sign * business,
        "until_weekday": weekday(end),
    }


# --- factory --------------------------------------------------------------------------------

BUILTINS = ("oncall", "service_status", "directory", "date_calc")


def make_builtin(
    name: str,
    config: ToolsConfig,
    workspace_root: Path,
    directory: UserDirectory,
    today: Callable[[], datetime],
    users_file: Path,
    access_groups: Iterable[str],
) -> Tool:
    """One enabled built-in; an unknown name or a missing schedule is a config error."""
    if name == "oncall":
        if config.oncall_schedule is None:
            raise ConfigError("tool 'oncall' is enabled but tools.oncall_schedule is not set")
        schedule = config.oncall_schedule
        path = schedule if schedule.is_absolute() else workspace_root / schedule
        return OncallTool(path, directory, today, access_groups)
    if name == "service_status":
        return ServiceStatusTool(dict(config.services), access_groups=access_groups)
    if name == "directory":
        return DirectoryTool(directory, load_managers(users_file), access_groups)
    if name == "date_calc":
        return DateCalcTool(today, access_groups)
    raise ConfigError(f"unknown tool {name!r} in tools.enabled; built-ins: {', '.join(BUILTINS)}")


def utc_now() -> datetime:
    """The default clock for ``build_registry``'s ``today``."""
    return datetime.now(UTC)
