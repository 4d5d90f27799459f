"""Settings, read from the environment.

``QCERT_DATA_DIR``: where keys and the embedded database live
(default ``$XDG_DATA_HOME/qcert``, i.e. ``~/.local/share/qcert``).
``QCERT_DATABASE_URL``: the database (default a SQLite file in the data directory;
``postgresql+psycopg://user@host/db`` for PostgreSQL).
``QCERT_PUBLIC_HOST``: the host (and port) the platform is reached at, which names
bodies in did:web and status lists; credentials and lists are issued only when it is known
(``qcert serve`` falls back to the address it listens on, when that is a single host).
``QCERT_REDIS_URL``: keep sessions and sign-in failure counts in Redis (``redis://…``) rather
than in the database, for several workers or hosts behind one address.
``QCERT_LATE_DAYS``: how many days back a status change may be dated without a second
person's approval (0 to 31, default 3); further back it needs ``approve-late-record``.
``QCERT_WITNESS_POLICY``: a file naming the witnesses that cosign this log's checkpoints and
how many must (C2SP tlog-policy ``witness`` and ``quorum`` lines); checkpoints are published
only once cosigned by that many.
``QCERT_CLOCK_HOURS``: how often, in hours, ``qcert serve`` applies what time decides
(a suspension past its deadline is withdrawn, a certificate past its expiry date expires),
besides once when it starts (default 24: daily; any number above 0 and at most 8784).
``QCERT_HUB_URL`` and ``QCERT_HUB_REPORTERS`` (``body=key_id,body=key_id``): the supervision hub
this installation's bodies report to by themselves, every ten minutes while ``qcert serve``
runs, each signing with its key (the hub must be one of the witnesses of the policy).
``QCERT_MQTT_URL``: the MQTT broker ``qcert evidence consume`` takes readings from
(``mqtt://[user:password@]host:port`` or ``mqtts://…``; default ``mqtt://127.0.0.1:1883``).
``QCERT_MQTT_GROUP``: the consumer group: consumers of one group share the stream through the
shared subscription ``$share/GROUP/qcert/v1/+/+/+`` (default ``qcert``; empty: a plain
subscription, one consumer). ``QCERT_MQTT_CLIENT_ID``: the consumer's MQTT client id, fixed so
that its session (and what the broker holds for it) outlives a restart; one per process
(default ``qcert-evidence-HOSTNAME``).
``QCERT_EVIDENCE_WINDOW_SECONDS``: the length of the windows in which process data readings are
anchored on the ledger (1 to 86400 seconds, default 60); ``QCERT_EVIDENCE_GRACE_SECONDS``: how
far past a window's end, in the device's own time, its readings are still taken: the window is
anchored once the device has sent a reading that far past its end (0 to 3600, default 10);
``QCERT_EVIDENCE_IDLE_SECONDS``: how long after a window's end, by the clock, it is anchored
even if its device sent nothing later (a device gone silent; 0 to 86400, default 300).
``qcert serve`` anchors due windows every few seconds.
``QCERT_EVIDENCE_SCORE``: which readings the stream watcher scores: ``arrival`` (each device's
readings as soon as this process stores them; complete with one process taking the stream) or
``settled`` (only readings in anchored windows, in seq order from the store, whoever stored
them; for several consumers sharing a stream). Unset: ``arrival``, except that
``qcert evidence consume`` with a consumer group uses ``settled``.
``QCERT_TIMEZONE``: the zone the pages show times in unless a viewer chooses another on the
account page (an IANA zone name, default ``Asia/Shanghai``); times are stored in UTC whatever it is.
``QCERT_S3_BUCKET``: keep documents and photos in this bucket of an S3-compatible object store
rather than in ``documents/`` of the data directory (needs ``pip install 'qcert[s3]'``);
``QCERT_S3_ENDPOINT_URL`` names the store (MinIO, Ceph, a cloud's S3 API; default AWS) and
``QCERT_S3_REGION`` its region. The credentials are boto3's own environment variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``), never a qcert setting.
``QCERT_SMTP_URL``: the mail server notices are e-mailed through
(``smtp://[user:password@]host[:port]``, upgraded with STARTTLS when the server offers it, or
``smtps://…`` for TLS from the start); unset, notices are shown in the workspace only.
``QCERT_SMTP_FROM``: the sender of those e-mails (default ``qcert@`` the server's host).
"""

from __future__ import annotations

import math
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import QcertError

__all__ = ["CLOCK_HOURS", "SCORE_MODES", "SettingInvalid", "Settings", "score_mode"]

# The lifecycle's default (``qcert.lifecycle.aggregate.LATE_DAYS``, which a test keeps equal),
# written here so that reading the settings does not load the whole lifecycle package: every
# command line start pays for what this module imports.
LATE_DAYS = 3
CLOCK_HOURS = 24.0  # the clocks run daily unless QCERT_CLOCK_HOURS says otherwise
MQTT_URL = "mqtt://127.0.0.1:1883"  # where ``qcert evidence consume`` looks for a broker
MQTT_GROUP = "qcert"
TIMEZONE = "Asia/Shanghai"  # where most of qcert's users read their pages


class SettingInvalid(QcertError):
    """A ``QCERT_*`` setting that cannot be used, in en and zh-CN."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.zh = message_zh


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "qcert"


def _timezone(value: str | None) -> str:
    if value is None or not value.strip():
        return TIMEZONE
    name = value.strip()
    try:
        if len(name) > 64:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingInvalid(
            f"QCERT_TIMEZONE: {name!r} is not an IANA time zone (such as Asia/Shanghai)",
            f"QCERT_TIMEZONE：{name!r} 不是 IANA 时区名称（例如 Asia/Shanghai）",
        ) from None
    return name


def _late_days(value: str | None) -> int:
    if value is None or not value.strip():
        return LATE_DAYS
    if not value.strip().isdigit() or int(value) > 31:
        raise SettingInvalid(
            f"QCERT_LATE_DAYS: {value!r} is not a whole number of days from 0 to 31",
            f"QCERT_LATE_DAYS：{value!r} 不是 0 至 31 之间的整数天数",
        )
    return int(value)


_PAIR = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]{0,63})=([A-Za-z0-9][A-Za-z0-9._-]{0,63})")


def _hub(url: str | None, reporters: str | None) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    if not url or not url.strip():
        if reporters and reporters.strip():
            raise SettingInvalid(
                "QCERT_HUB_REPORTERS is set without QCERT_HUB_URL",
                "设置了 QCERT_HUB_REPORTERS 但未设置 QCERT_HUB_URL",
            )
        return None, ()
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingInvalid(
            f"QCERT_HUB_URL: {url!r} is not an http(s) URL",
            f"QCERT_HUB_URL：{url!r} 不是 http(s) 地址",
        )
    pairs = []
    for item in (reporters or "").split(","):
        if not item.strip():
            continue
        found = _PAIR.fullmatch(item.strip())
        if found is None:
            raise SettingInvalid(
                f"QCERT_HUB_REPORTERS: {item.strip()!r} is not BODY=KEY_ID",
                f"QCERT_HUB_REPORTERS：{item.strip()!r} 不是 机构=密钥标识 格式",
            )
        pairs.append((found[1], found[2]))
    if not pairs:
        raise SettingInvalid(
            "QCERT_HUB_URL is set but QCERT_HUB_REPORTERS names no body=key",
            "设置了 QCERT_HUB_URL，但 QCERT_HUB_REPORTERS 未列出任何 机构=密钥",
        )
    return url, tuple(pairs)


@dataclass(frozen=True)
class Settings:
    """Where qcert keeps its data."""

    data_dir: Path
    database_url: str
    public_host: str | None = None
    redis_url: str | None = None
    witness_policy: Path | None = None
    late_days: int = LATE_DAYS
    clock_hours: float = CLOCK_HOURS
    # The supervision hub this installation's bodies report to by themselves, and with which
    # key each body signs (QCERT_HUB_URL, QCERT_HUB_REPORTERS="body=key,body=key").
    hub_url: str | None = None
    hub_reporters: tuple[tuple[str, str], ...] = ()
    # Real-time evidence over MQTT: the broker, the consumer group, this consumer's client id.
    mqtt_url: str = MQTT_URL
    mqtt_group: str = MQTT_GROUP
    mqtt_client_id: str = ""
    # Real-time evidence: the anchoring window, the grace after its end (of the device's own
    # time) and the idle allowance after which a silent device's windows are anchored, seconds.
    evidence_window: int = 60
    evidence_grace: int = 10
    evidence_idle: int = 300
    # Which readings the stream watcher scores (QCERT_EVIDENCE_SCORE): "arrival", "settled",
    # or "" when not set (each face picks: the grouped consumer "settled", others "arrival").
    evidence_score: str = ""
    # Documents in an S3-compatible bucket instead of on disk (QCERT_S3_*).
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    # Notices by e-mail (QCERT_SMTP_URL, QCERT_SMTP_FROM); without a URL, in-app only.
    smtp_url: str | None = None
    smtp_from: str | None = None
    # The zone the pages show times in by default (QCERT_TIMEZONE); stored times stay UTC.
    timezone: str = TIMEZONE

    @classmethod
    def from_env(cls, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        """Settings from arguments, then ``QCERT_*`` environment variables, then defaults."""
        env_dir = os.environ.get("QCERT_DATA_DIR")
        directory = data_dir or (Path(env_dir) if env_dir else _default_data_dir())
        url = database_url or os.environ.get("QCERT_DATABASE_URL")
        host = os.environ.get("QCERT_PUBLIC_HOST") or None
        redis = os.environ.get("QCERT_REDIS_URL") or None
        policy = os.environ.get("QCERT_WITNESS_POLICY") or None
        bucket, endpoint, region = _s3(
            os.environ.get("QCERT_S3_BUCKET"),
            os.environ.get("QCERT_S3_ENDPOINT_URL"),
            os.environ.get("QCERT_S3_REGION"),
        )
        return cls(
            directory,
            url or f"sqlite:///{directory / 'qcert.db'}",
            host,
            redis,
            Path(policy) if policy else None,
            _late_days(os.environ.get("QCERT_LATE_DAYS")),
            _clock_hours(os.environ.get("QCERT_CLOCK_HOURS") or None),
            *_hub(os.environ.get("QCERT_HUB_URL"), os.environ.get("QCERT_HUB_REPORTERS")),
            *mqtt_settings(
                os.environ.get("QCERT_MQTT_URL"),
                os.environ.get("QCERT_MQTT_GROUP"),
                os.environ.get("QCERT_MQTT_CLIENT_ID"),
            ),
            evidence_window=_seconds(
                "QCERT_EVIDENCE_WINDOW_SECONDS",
                os.environ.get("QCERT_EVIDENCE_WINDOW_SECONDS"),
                60,
                1,
                86_400,
            ),
            evidence_grace=_seconds(
                "QCERT_EVIDENCE_GRACE_SECONDS",
                os.environ.get("QCERT_EVIDENCE_GRACE_SECONDS"),
                10,
                0,
                3_600,
            ),
            evidence_idle=_seconds(
                "QCERT_EVIDENCE_IDLE_SECONDS",
                os.environ.get("QCERT_EVIDENCE_IDLE_SECONDS"),
                300,
                0,
                86_400,
            ),
            evidence_score=_score(os.environ.get("QCERT_EVIDENCE_SCORE")),
            s3_bucket=bucket,
            s3_endpoint_url=endpoint,
            s3_region=region,
            smtp_url=os.environ.get("QCERT_SMTP_URL") or None,
            smtp_from=os.environ.get("QCERT_SMTP_FROM") or None,
            timezone=_timezone(os.environ.get("QCERT_TIMEZONE")),
        )

    @property
    def keys_dir(self) -> Path:
        """Directory of the signing keys (mode 0700, files 0600)."""
        return self.data_dir / "keys"

    @property
    def documents_dir(self) -> Path:
        """Directory of the documents' bytes, stored by their SHA-256 (mode 0700)."""
        return self.data_dir / "documents"


SCORE_MODES = ("arrival", "settled")


def _score(value: str | None) -> str:
    """``QCERT_EVIDENCE_SCORE`` checked: one of ``SCORE_MODES``, or "" when unset or blank."""
    value = (value or "").strip()
    if value and value not in SCORE_MODES:
        raise SettingInvalid(
            f"QCERT_EVIDENCE_SCORE: {value!r} is not 'arrival' or 'settled'",
            f"QCERT_EVIDENCE_SCORE：{value!r} 须为 'arrival' 或 'settled'",
        )
    return value


def score_mode(score: str, group: str = "") -> Literal["arrival", "settled"]:
    """Which readings the stream watcher scores: ``score`` (``QCERT_EVIDENCE_SCORE``) when
    set; else ``settled`` for a consumer in a group (the group splits each device's readings
    between processes, so only the settled readings in the store are complete), ``arrival``
    otherwise."""
    if score == "settled" or (not score and group):
        return "settled"
    return "arrival"


# A group or client id is one MQTT topic level: no '/', '+', '#' or '$' (MQTT 5.0, 4.8.2).
_MQTT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def mqtt_settings(
    url: str | None, group: str | None, client_id: str | None
) -> tuple[str, str, str]:
    """The broker URL, consumer group and client id, checked (``SettingInvalid`` naming the
    setting otherwise); ``None`` or blank for the defaults (a group of ``""`` is no group)."""
    url = (url or "").strip() or MQTT_URL
    if url != MQTT_URL:
        from .evidence.mqtt import BrokerUrlInvalid, parse_broker_url

        try:
            parse_broker_url(url)
        except BrokerUrlInvalid as err:
            raise SettingInvalid(f"QCERT_MQTT_URL: {err.en}", f"QCERT_MQTT_URL：{err.zh}") from None
    group = MQTT_GROUP if group is None else group.strip()
    if group and not _MQTT_NAME.fullmatch(group):
        raise SettingInvalid(
            f"QCERT_MQTT_GROUP: {group!r} is not 1-64 letters, digits, '.', '_' or '-'",
            f"QCERT_MQTT_GROUP：{group!r} 须为 1 至 64 个字母、数字、'.'、'_' 或 '-'",
        )
    client_id = (client_id or "").strip() or default_client_id()
    if not _MQTT_NAME.fullmatch(client_id):
        raise SettingInvalid(
            f"QCERT_MQTT_CLIENT_ID: {client_id!r} is not 1-64 letters, digits, '.', '_' or '-'",
            f"QCERT_MQTT_CLIENT_ID：{client_id!r} 须为 1 至 64 个字母、数字、'.'、'_' 或 '-'",
        )
    return url, group, client_id


def default_client_id() -> str:
    """``qcert-evidence-HOSTNAME``: fixed across restarts of a host's consumer."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:40] or "host"
    return f"qcert-evidence-{host}"


# S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens (AWS bucket naming rules).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _s3(
    bucket: str | None, endpoint: str | None, region: str | None
) -> tuple[str | None, str | None, str | None]:
    bucket, endpoint, region = (
        v.strip() if v and v.strip() else None for v in (bucket, endpoint, region)
    )
    if bucket is None:
        if endpoint or region:
            raise SettingInvalid(
                "QCERT_S3_ENDPOINT_URL or QCERT_S3_REGION is set without QCERT_S3_BUCKET",
                "设置了 QCERT_S3_ENDPOINT_URL 或 QCERT_S3_REGION，但未设置 QCERT_S3_BUCKET",
            )
        return None, None, None
    if not _BUCKET.fullmatch(bucket):
        raise SettingInvalid(
            f"QCERT_S3_BUCKET: {bucket!r} is not a bucket name (3-63 of a-z, 0-9, '.', '-')",
            f"QCERT_S3_BUCKET：{bucket!r} 不是存储桶名称（3 至 63 个小写字母、数字、'.' 或 '-'）",
        )
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise SettingInvalid(
            f"QCERT_S3_ENDPOINT_URL: {endpoint!r} is not an http(s) URL",
            f"QCERT_S3_ENDPOINT_URL：{endpoint!r} 不是 http(s) 地址",
        )
    return bucket, endpoint, region


def _clock_hours(text: str | None) -> float:
    if text is None:
        return CLOCK_HOURS
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and 0 < hours <= 8784):
        raise SettingInvalid(
            f"QCERT_CLOCK_HOURS: {text!r} is not a number of hours above 0 and at most 8784",
            f"QCERT_CLOCK_HOURS：{text!r} 不是大于 0 且不超过 8784 的小时数",
        )
    return hours


def _seconds(name: str, text: str | None, default: int, low: int, high: int) -> int:
    """A whole number of seconds from ``low`` to ``high``; ``default`` when unset."""
    if text is None or not text.strip():
        return default
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise SettingInvalid(
            f"{name}: {text!r} is not a whole number of seconds from {low} to {high}",
            f"{name}：{text!r} 不是 {low} 至 {high} 之间的整数秒数",
        )
    return int(value)
