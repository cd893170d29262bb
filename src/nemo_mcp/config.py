"""Settings from the environment, with named defaults. No I/O here: folders are created on first use."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from nemo_mcp.errors import ConfigError

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_URL = "https://nemovideo.com"
SKILL_NAME = "image-to-video-low-vram"

DEFAULT_WAIT_SECONDS = 45.0
# Claude Desktop cancels a stdio tool call after about 60 s; no budget may get close to that.
MAX_WAIT_SECONDS = 55.0
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 30.0
# How long an ordinary API call (state, credits, a render poll) may take to answer.
DEFAULT_REQUEST_TIMEOUT_SECONDS = 30.0
MAX_REQUEST_TIMEOUT_SECONDS = 300.0
# After a dropped stream, the first look at the session's state (contract §4: "e.g. after 30 s").
DEFAULT_RECOVERY_DELAY_SECONDS = 30.0
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The longest instruction sent to the video agent (characters).
MAX_INSTRUCTION_CHARS = 8000
MAX_CLIENT_ID_LENGTH = 64

Backend = Literal["cloud", "local"]


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once at start-up.

    `token` is kept out of the repr so that logging a Settings object can never leak it.
    """

    api_url: str = DEFAULT_API_URL
    web_url: str = DEFAULT_WEB_URL
    token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    skill_source: str | None = None
    backend: Backend = "cloud"
    output_dir: Path = field(default_factory=lambda: Path.home() / "nemo-videos")
    allowed_dirs: tuple[Path, ...] = field(
        default_factory=lambda: default_allowed_dirs(Path.home(), Path.cwd())
    )
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    # ~/.config/nemovideo holds the client id (the contract names that file) and the token cache.
    config_dir: Path = field(default_factory=lambda: Path.home() / ".config" / "nemovideo")
    # Render handles and the local backend's state.
    data_dir: Path = field(default_factory=lambda: _default_data_dir())
    rate_limit_wait_seconds: float = DEFAULT_RATE_LIMIT_WAIT_SECONDS
    request_timeout_seconds: float = DEFAULT_REQUEST_TIMEOUT_SECONDS
    recovery_delay_seconds: float = DEFAULT_RECOVERY_DELAY_SECONDS
    # Only for the local backend, which fetches URL uploads itself.
    allow_private_urls: bool = False
    # The bearer key `serve --http` requires from every request; needed to listen beyond loopback.
    http_key: str | None = field(default=None, repr=False)
    # What cached tokens, known sessions and render handles belong to. For a remote API that is its URL;
    # the embedded backend listens on a new port every run, so it is named by its data folder instead.
    backend_scope: str | None = None

    @property
    def scope(self) -> str:
        return self.backend_scope or self.api_url

    @property
    def embedded(self) -> bool:
        """Pointed at the embedded backend (`with_local_backend`): free CPU rendering whose loopback URLs
        die with the process, so no result hands them out."""
        return (self.backend_scope or "").startswith("local:")

    @property
    def client_id_file(self) -> Path:
        return self.config_dir / "client_id"

    @property
    def token_cache_file(self) -> Path:
        return self.config_dir / "token.json"

    @property
    def render_handles_dir(self) -> Path:
        # Named "jobs" on disk since the first release: handles stored there by it are still resumed.
        return self.data_dir / "jobs"

    @property
    def local_backend_dir(self) -> Path:
        return self.data_dir / "local-backend"

    def with_api_url(self, api_url: str) -> Settings:
        """A copy pointing at another backend, e.g. the embedded local one on an ephemeral port."""
        return replace(self, api_url=_url("api_url", api_url), backend_scope=None)

    def with_local_backend(self, api_url: str) -> Settings:
        """A copy pointing at the embedded backend serving `local_backend_dir` at `api_url`.

        Its sessions, token and render handles stay valid across runs even though the port changes, web
        links open the backend's own page (nemovideo.com cannot know an offline session), and `backend`
        says "local" (renders on it are polled quickly).
        """
        url = _url("api_url", api_url)
        scope = f"local:{self.local_backend_dir.resolve()}"
        return replace(self, api_url=url, web_url=url, backend_scope=scope, backend="local")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
        """Read settings from `environ` (default: the process environment).

        Raises ConfigError with one line naming the variable, the bad value and what is expected.
        """
        env = os.environ if environ is None else environ
        home = Path(env["HOME"]).expanduser() if env.get("HOME") else Path.home()
        here = cwd or Path.cwd()

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("NEMO_TOKEN")
        client_id = get("NEMO_CLIENT_ID")
        if client_id is not None and len(client_id) > MAX_CLIENT_ID_LENGTH:
            raise ConfigError(
                f"NEMO_CLIENT_ID is {len(client_id)} characters; at most {MAX_CLIENT_ID_LENGTH}."
            )

        backend = (get("NEMO_MCP_BACKEND") or "cloud").lower()
        if backend not in ("cloud", "local"):
            raise ConfigError(f"NEMO_MCP_BACKEND={backend!r} is not valid; use 'cloud' or 'local'.")

        allowed_raw = get("NEMO_MCP_ALLOWED_DIRS")
        if allowed_raw is None:
            allowed: tuple[Path, ...] = default_allowed_dirs(home, here)
        else:
            allowed = tuple(
                _folder("NEMO_MCP_ALLOWED_DIRS", part, home, here)
                for part in allowed_raw.split(os.pathsep)
                if part.strip()
            )
            if not allowed:
                raise ConfigError("NEMO_MCP_ALLOWED_DIRS is empty; give at least one folder.")

        xdg_data = get("XDG_DATA_HOME")
        data_default = Path(xdg_data) / "nemo-mcp" if xdg_data else home / ".local" / "share" / "nemo-mcp"

        return cls(
            api_url=_url("NEMO_API_URL", get("NEMO_API_URL") or DEFAULT_API_URL),
            web_url=_url("NEMO_WEB_URL", get("NEMO_WEB_URL") or DEFAULT_WEB_URL),
            token=token,
            client_id=client_id,
            skill_source=get("SKILL_SOURCE"),
            backend=backend,  # type: ignore[arg-type]  # checked against the Literal just above
            output_dir=_folder(
                "NEMO_MCP_OUTPUT_DIR", get("NEMO_MCP_OUTPUT_DIR") or str(home / "nemo-videos"), home, here
            ),
            allowed_dirs=allowed,
            wait_seconds=parse_wait_seconds("NEMO_MCP_WAIT_SECONDS", get("NEMO_MCP_WAIT_SECONDS")),
            config_dir=_folder(
                "NEMO_MCP_CONFIG_DIR",
                get("NEMO_MCP_CONFIG_DIR") or str(home / ".config" / "nemovideo"),
                home,
                here,
            ),
            data_dir=_folder("NEMO_MCP_DATA_DIR", get("NEMO_MCP_DATA_DIR") or str(data_default), home, here),
            rate_limit_wait_seconds=_non_negative(
                "NEMO_MCP_RATE_LIMIT_WAIT", get("NEMO_MCP_RATE_LIMIT_WAIT"), DEFAULT_RATE_LIMIT_WAIT_SECONDS
            ),
            allow_private_urls=_flag("NEMO_MCP_ALLOW_PRIVATE_URLS", get("NEMO_MCP_ALLOW_PRIVATE_URLS")),
            request_timeout_seconds=seconds_within(
                "NEMO_MCP_REQUEST_TIMEOUT",
                get("NEMO_MCP_REQUEST_TIMEOUT"),
                DEFAULT_REQUEST_TIMEOUT_SECONDS,
                most=MAX_REQUEST_TIMEOUT_SECONDS,
            ),
            recovery_delay_seconds=_non_negative(
                "NEMO_MCP_RECOVERY_DELAY", get("NEMO_MCP_RECOVERY_DELAY"), DEFAULT_RECOVERY_DELAY_SECONDS
            ),
            http_key=_http_key(get("NEMO_MCP_HTTP_KEY")),
        )


# Folders whose contents are the system's, not a person's: never allowed unless NEMO_MCP_ALLOWED_DIRS says so.
SYSTEM_FOLDERS = frozenset(
    {
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/run",
        "/sbin", "/snap", "/srv", "/sys", "/usr", "/var", "/Applications", "/Library", "/System",
        "/Volumes", "/private", "/cores",
    }
)  # fmt: skip
# Shared by every user of the machine: allowed as a whole only on purpose (a folder inside them is fine).
SHARED_FOLDERS = frozenset({"/tmp", "/var/tmp", "/Users", "/home"})  # noqa: S108  # compared, never used


def default_allowed_dirs(home: Path, here: Path) -> tuple[Path, ...]:
    """The home folder and the current folder, minus any that would open too much.

    Desktop hosts may start a server in `/`: the root, a system folder (or one inside it), a folder that
    holds other people's homes, or one above the home folder is never allowed by default. Decided on the
    paths as written (no I/O here); `NEMO_MCP_ALLOWED_DIRS` overrides it all.
    """
    kept: list[Path] = []
    for folder in (home, here):
        if not _too_broad(folder, home) and folder not in kept:
            kept.append(folder)
    return tuple(kept)


def _too_broad(folder: Path, home: Path) -> bool:
    text = os.path.normpath(str(folder))
    if folder.anchor and text == os.path.normpath(folder.anchor):
        return True  # a drive or the root
    if text in SHARED_FOLDERS or (text != os.path.normpath(str(home)) and Path(home).is_relative_to(text)):
        return True
    return any(text == system or text.startswith(system + os.sep) for system in SYSTEM_FOLDERS)


def parse_wait_seconds(name: str, raw: str | float | None) -> float:
    """A wait budget: a positive number of seconds, at most MAX_WAIT_SECONDS."""
    if raw is None:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number; give seconds, e.g. 45.") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name}={raw!r} must be a positive number of seconds, e.g. 45.")
    if value > MAX_WAIT_SECONDS:
        raise ConfigError(
            f"{name}={raw!r} is too long: MCP clients cancel calls after about 60 s; use at most {MAX_WAIT_SECONDS:g}."
        )
    return value


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) / "nemo-mcp" if xdg else Path.home() / ".local" / "share" / "nemo-mcp"


def _url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}={raw!r} is not an http(s) URL; expected e.g. {DEFAULT_API_URL}.")
    return raw.rstrip("/")


def _folder(name: str, raw: str, home: Path, here: Path) -> Path:
    text = raw.strip()
    if "\x00" in text:
        raise ConfigError(f"{name} contains a NUL character.")
    path = home / text[2:] if text == "~" or text.startswith(("~/", "~\\")) else Path(text)
    if not path.is_absolute():
        path = here / path
    return path


def _non_negative(name: str, raw: str | None, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds.") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name}={raw!r} must be zero or a positive number of seconds.")
    return value


def seconds_within(name: str, raw: str | None, default: float, *, most: float, least: float = 0.0) -> float:
    """A setting in seconds: more than 0, at least `least` and at most `most`; `default` when unset."""
    value = _non_negative(name, raw, default)
    if value <= 0 or value < least or value > most:
        span = f"{least:g} to {most:g}" if least > 0 else f"more than 0 and at most {most:g}"
        raise ConfigError(f"{name}={raw!r} must be {span} seconds.")
    return value


MIN_HTTP_KEY_LENGTH = 32


def _http_key(raw: str | None) -> str | None:
    # The value never appears in an error: only what is wrong with it.
    if raw is None:
        return None
    if len(raw) < MIN_HTTP_KEY_LENGTH or not (raw.isascii() and raw.isprintable()) or " " in raw:
        raise ConfigError(
            f"NEMO_MCP_HTTP_KEY must be at least {MIN_HTTP_KEY_LENGTH} printable ASCII characters without "
            "spaces, e.g. the output of `openssl rand -hex 32`."
        )
    return raw


def _flag(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value; use 1 or 0.")
