"""The results store: every certification attempt, signed, in SQLite or PostgreSQL.

One SQLAlchemy 2 Core layer runs on both. The signed record of an attempt (canonical JSON) is
the source of truth; the other columns and tables are derived from it so reports can query
without parsing transcripts, and ``verify`` re-derives them to catch an edit to any of them.

Deletions and replays: every write of a record appends an entry to the store's ``ledger`` (the
attempt, its status and the SHA-256 of the record text), each entry chained to the one before
(``link = sha256(previous link, entry)``), and the chain's end is kept in ``store_head`` signed
with the key, together with the store's own id (``store_meta``), which every record carries too.
``verify`` re-walks the chain: a deleted attempt is still in the ledger, a deleted ledger entry
breaks the chain, an older version of a record put back is not the last one the ledger wrote, and
a record copied from another store names that store. (Putting back a copy of the whole database
is not caught: keep backups out of reach.)

Schema versions live in ``collector_sim_schema`` (one row per applied migration). Opening a store
applies the missing migrations in order, in one transaction under a lock (SQLite ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock), so many graders may open a new store at once; a store
written by a newer collector-sim is refused rather than guessed at. Never edit a migration that
has shipped: add one.

Trainee ids are canonical (``identity.check_trainee``: NFKC, case-folded) in every row the store
writes and in every query it answers: ``attempts(trainee="Ｔ1")`` finds ``t1``'s attempts, and a
record whose trainee id is not canonical is refused, so callers never need to care.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, SQLAlchemyError

from ..errors import UserError
from .identity import check_trainee
from .signing import SigningKey, canonical, sha256_hex

DB_ENV = "COLLECTOR_SIM_DB"
SCHEMA_TABLE = "collector_sim_schema"
GENESIS = "0" * 64                       # the link before the first ledger entry
_MIGRATION_LOCK = 0x636F6C6C             # PostgreSQL advisory lock id for migrations ("coll")


def default_db_path() -> Path:
    from ..paths import home_dir

    return home_dir() / "results.sqlite3"


def resolve_url(db: str | None) -> tuple[str, Path | None]:
    """``--db`` / ``$COLLECTOR_SIM_DB`` / the default, as an SQLAlchemy URL (and the file, for SQLite)."""
    value = db or os.environ.get(DB_ENV) or ""
    if not value:
        path = default_db_path()
        return f"sqlite:///{path}", path
    if "://" in value:
        url = value
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            return url, Path(url[len("sqlite:///"):])
        return url, None
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}", path


def shown_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


# -- schema ---------------------------------------------------------------------------------------

def _v1_tables(md: sa.MetaData) -> dict[str, sa.Table]:
    attempts = sa.Table(
        "attempts", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("exam_id", sa.String(100), nullable=False),
        sa.Column("trainee", sa.String(200), nullable=False),
        sa.Column("attempt_no", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),       # incomplete | passed | failed
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("calls_done", sa.Integer, nullable=False),
        sa.Column("calls_total", sa.Integer, nullable=False),
        sa.Column("politeness", sa.Float),
        sa.Column("clarity", sa.Float),
        sa.Column("solution", sa.Float),
        sa.Column("overall", sa.Float),
        sa.Column("red_line_count", sa.Integer, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),             # JSON list, as in the record
        sa.Column("note", sa.Text),                                # why an attempt is incomplete
        sa.Column("record", sa.Text, nullable=False),              # canonical JSON: what is signed
        sa.Column("signature", sa.String(64), nullable=False),     # HMAC-SHA256 hex of record
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.UniqueConstraint("exam_id", "trainee", "attempt_no", name="uq_attempt_number"),
    )
    sa.Index("ix_attempts_trainee", attempts.c.trainee)
    sa.Index("ix_attempts_exam", attempts.c.exam_id, attempts.c.status)
    calls = sa.Table(
        "attempt_calls", md,
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(40)),
        sa.Column("politeness", sa.Integer),
        sa.Column("clarity", sa.Integer),
        sa.Column("solution", sa.Integer),
        sa.Column("overall", sa.Integer),
        sa.Column("duration_s", sa.Float),
    )
    red = sa.Table(
        "attempt_red_lines", md,
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("turn", sa.Integer),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
    )
    sa.Index("ix_red_lines_rule", red.c.rule)
    return {"attempts": attempts, "calls": calls, "red_lines": red}


def _v2_tables(md: sa.MetaData) -> dict[str, sa.Table]:
    meta = sa.Table(
        "store_meta", md,
        sa.Column("id", sa.Integer, primary_key=True),             # always 1
        sa.Column("store_id", sa.String(32), nullable=False),      # in every record this store signs
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    ledger = sa.Table(
        "ledger", md,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("exam_id", sa.String(100), nullable=False),
        sa.Column("trainee", sa.String(200), nullable=False),
        sa.Column("attempt_no", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("written_at", sa.String(40), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),   # sha256 of the record text written
        sa.Column("link", sa.String(64), nullable=False),          # sha256(previous link, this entry)
    )
    sa.Index("ix_ledger_attempt", ledger.c.exam_id, ledger.c.trainee, ledger.c.attempt_no)
    head = sa.Table(
        "store_head", md,
        sa.Column("id", sa.Integer, primary_key=True),             # always 1
        sa.Column("seq", sa.Integer, nullable=False),              # entries in the ledger
        sa.Column("link", sa.String(64), nullable=False),          # the last entry's link
        sa.Column("key_id", sa.String(16)),
        sa.Column("signature", sa.String(64)),                     # HMAC over store id, seq and link
    )
    return {"meta": meta, "ledger": ledger, "head": head}


def _migrate_v1(conn: Connection) -> None:
    md = sa.MetaData()
    _v1_tables(md)
    md.create_all(conn)


def _migrate_v2(conn: Connection) -> None:
    md = sa.MetaData()
    tables = _v2_tables(md)
    md.create_all(conn)
    conn.execute(tables["meta"].insert().values(id=1, store_id=uuid.uuid4().hex, created_at=now_iso()))
    conn.execute(tables["head"].insert().values(id=1, seq=0, link=GENESIS, key_id=None, signature=None))


#: (version, description, step) — in order; append, never edit
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "attempts, their calls and red lines; signed records", _migrate_v1),
    (2, "store id, a hash-chained ledger of every record written and its signed head", _migrate_v2),
]
LATEST = MIGRATIONS[-1][0]

METADATA = sa.MetaData()
T = _v1_tables(METADATA)
T.update(_v2_tables(METADATA))
SCHEMA = sa.Table(
    SCHEMA_TABLE, METADATA,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
)


from .attempt import now_iso  # noqa: E402  (one clock for records and schema rows)


def ledger_link(previous: str, entry: dict[str, Any]) -> str:
    """The chain: each entry's link hashes the link before it and the entry itself."""
    return sha256_hex(previous + "\n" + canonical(entry))


def ledger_entry(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a ledger row its link covers."""
    return {k: row[k] for k in ("seq", "exam_id", "trainee", "attempt_no", "status", "written_at", "record_hash")}


def head_text(store_id: str, seq: int, link: str) -> str:
    return canonical({"store": store_id, "seq": int(seq), "link": link})


def _canonical_trainee(trainee: str) -> None:
    """A record is written only under the canonical form of its trainee id (the one queries use)."""
    if check_trainee(trainee) != trainee:
        raise UserError(f"trainee id {trainee!r} is not in canonical form ({check_trainee(trainee)!r}); "
                        "the store writes and looks up canonical ids only")


# -- derived rows ---------------------------------------------------------------------------------

def derive(record: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The attempt's columns, its call rows and its red-line rows, all from the signed record."""
    result = record.get("result") or {}
    scores = result.get("scores") or {}
    calls = record.get("calls") or []
    red = result.get("red_lines") or []
    columns = {
        "exam_id": record["exam"]["id"], "trainee": record["trainee"], "attempt_no": record["attempt"],
        "status": record["status"], "started_at": record["started_at"], "finished_at": record.get("finished_at"),
        "engine_version": record["engine"]["version"], "calls_done": len(calls),
        "calls_total": len(record["exam"]["calls"]),
        "politeness": scores.get("politeness"), "clarity": scores.get("clarity"),
        "solution": scores.get("solution"), "overall": scores.get("overall"),
        "red_line_count": len(red), "reasons": json.dumps(result.get("reasons") or [], ensure_ascii=False),
        "note": record.get("note"), "key_id": record["key_id"],
    }
    call_rows = []
    for i, c in enumerate(calls):
        s = c.get("summary") or {}
        call_rows.append({"position": i, "scenario": c["scenario"], "seed": c["seed"], "outcome": c.get("outcome"),
                          "politeness": s.get("politeness"), "clarity": s.get("clarity"),
                          "solution": s.get("solution"), "overall": s.get("overall"),
                          "duration_s": c.get("duration_s")})
    red_rows = [{"seq": k, "position": r["call"], "scenario": r["scenario"], "turn": r.get("turn"),
                 "rule": r["rule"], "evidence": r.get("evidence") or ""} for k, r in enumerate(red)]
    return columns, call_rows, red_rows


@dataclass
class StoredAttempt:
    """One row of ``attempts`` as read back (``record`` is the signed text, unparsed)."""

    id: int
    columns: dict[str, Any]
    record: str
    signature: str

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["columns"][name]
        except KeyError:
            raise AttributeError(name) from None

    def parsed(self) -> dict[str, Any]:
        return json.loads(self.record)


@dataclass
class Snapshot:
    """The whole store as one read transaction saw it (see ``Store.snapshot``)."""

    store_id: str = ""
    head: dict[str, Any] | None = None
    ledger: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[StoredAttempt] = field(default_factory=list)
    calls: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    red_lines: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class AttemptLimitReached(UserError):
    """The trainee has used every attempt the exam allows."""


class Store:
    """A results store at one URL. Create with ``Store.open``.

    Writing (``create_attempt``, ``update_attempt``, ``import_records``) needs the signing key,
    which signs the ledger's head; reading does not."""

    def __init__(self, engine: Engine, url: str, key: SigningKey | None = None):
        self.engine = engine
        self.url = url
        self.key = key
        self.store_id = ""

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    # -- opening and migrating ------------------------------------------------------------------
    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True, key: SigningKey | None = None) -> "Store":
        """Open (and migrate) the store. ``create=False`` refuses to make a new SQLite file."""
        url, path = resolve_url(db)
        shown = shown_url(url)
        if path is not None:
            if not path.exists() and not create:
                raise UserError(f"no results store at {path} (nothing has been graded there; "
                                f"choose one with --db or ${DB_ENV})")
            if path.is_dir():
                raise UserError(f"--db {path}: is a directory, expected a database file")
            if not path.parent.exists():
                if db or os.environ.get(DB_ENV):
                    raise UserError(f"--db {path}: the directory {path.parent} does not exist")
                path.parent.mkdir(parents=True, exist_ok=True)
        try:
            kwargs: dict[str, Any] = {"future": True}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"timeout": 30}
            engine = sa.create_engine(url, **kwargs)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise UserError(f"--db {shown}: not a usable database URL ({_first_line(exc)})") from None
        except ModuleNotFoundError as exc:
            raise UserError(f"--db {shown}: the database driver is not installed ({exc.name}); "
                            "for PostgreSQL: pip install 'collector-sim[postgres]'") from None
        if url.startswith("sqlite"):
            # the driver's own transaction handling is switched off so that a transaction is one
            # BEGIN … COMMIT: reads see one snapshot, writes lock the file at once (BEGIN IMMEDIATE)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, url, key)
        try:
            store.migrate()
            store.store_id = store._read_store_id()
        except OperationalError as exc:
            raise UserError(f"cannot open the results store {shown}: {_first_line(exc.orig or exc)}") from None
        except SQLAlchemyError as exc:
            raise UserError(f"cannot open the results store {shown}: {_first_line(exc)}") from None
        return store

    @property
    def shown(self) -> str:
        return shown_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def schema_version(self, conn: Connection | None = None) -> int:
        def read(c: Connection) -> int:
            if not sa.inspect(c).has_table(SCHEMA_TABLE):
                return 0
            return int(c.execute(sa.select(sa.func.max(SCHEMA.c.version))).scalar() or 0)

        if conn is not None:
            return read(conn)
        with self.engine.connect() as c:
            return read(c)

    def _read_store_id(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.execute(sa.select(T["meta"].c.store_id)).scalar() or "")

    @contextmanager
    def _write(self, *, migration: bool = False) -> Iterator[Connection]:
        """One write transaction that holds the store's write lock from its first statement:
        SQLite ``BEGIN IMMEDIATE`` (retried while another writer holds the file), PostgreSQL an
        advisory lock for migrations (attempt writes lock the ledger's head row instead)."""
        tries = 8
        for n in range(tries):
            conn = self.engine.connect()
            try:
                if self.is_sqlite:
                    conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
                trans = conn.begin()
            except OperationalError as exc:
                conn.close()
                if n + 1 < tries and _is_locked(exc):
                    time.sleep(0.05 * (n + 1))
                    continue
                raise
            break
        try:
            if migration and self.engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            yield conn
            trans.commit()
        except BaseException:
            if trans.is_active:
                trans.rollback()
            raise
        finally:
            conn.close()

    def migrate(self) -> list[int]:
        """Apply missing migrations, all in one locked transaction; return the versions applied."""
        current = self.schema_version()
        if current > LATEST:
            raise UserError(f"the results store {self.shown} has schema version {current}; this collector-sim "
                            f"knows up to {LATEST}: upgrade collector-sim")
        if current == LATEST:
            return []
        applied: list[int] = []
        with self._write(migration=True) as conn:
            if not sa.inspect(conn).has_table(SCHEMA_TABLE):
                SCHEMA.create(conn)
            current = self.schema_version(conn)  # another process may have got there first
            for version, description, step in MIGRATIONS:
                if version <= current:
                    continue
                step(conn)
                conn.execute(SCHEMA.insert().values(version=version, applied_at=now_iso(), description=description))
                applied.append(version)
        return applied

    # -- the ledger -----------------------------------------------------------------------------
    def _need_key(self) -> SigningKey:
        if self.key is None:
            raise UserError("writing to the results store needs the signing key: set COLLECTOR_SIM_KEY "
                            "(or COLLECTOR_SIM_KEY_FILE)")
        return self.key

    def _lock_head(self, conn: Connection) -> dict[str, Any]:
        """Lock the ledger's head (the store's one writer at a time) and check it is ours to extend."""
        key = self._need_key()
        h = T["head"]
        head = conn.execute(sa.select(h).where(h.c.id == 1).with_for_update()).mappings().first()
        if head is None:
            raise UserError(f"the results store {self.shown} has no ledger head: it was tampered with; "
                            "run collector-sim verify")
        head = dict(head)
        if head["signature"] is None:
            self._adopt_legacy(conn, head)
        elif not key.check(head_text(self.store_id, head["seq"], head["link"]), head["signature"]):
            whose = "another key" if head["key_id"] != key.key_id else "nobody: it was edited"
            raise UserError(f"the results store's ledger head is signed by {whose} (key {head['key_id']}); "
                            "refusing to write on top of it: run collector-sim verify")
        return head

    def _adopt_legacy(self, conn: Connection, head: dict[str, Any]) -> None:
        """A store from before the ledger: its attempts enter the ledger once, on the first write.
        A store whose records already name it cannot have lost its head honestly."""
        a = T["attempts"]
        if int(head["seq"]) != 0:
            raise UserError("the results store's ledger head is unsigned but not empty: it was tampered with; "
                            "run collector-sim verify")
        chained = conn.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.record.like('%"store":"' + self.store_id + '"%'))).scalar()
        if chained:
            raise UserError("the results store's ledger head was reset although attempts were written through "
                            "it: it was tampered with; run collector-sim verify")
        for row in conn.execute(sa.select(a.c.exam_id, a.c.trainee, a.c.attempt_no, a.c.status, a.c.record)
                                .order_by(a.c.id)).mappings():
            self._append(conn, head, row["exam_id"], row["trainee"], int(row["attempt_no"]), row["status"],
                         row["record"])

    def _append(self, conn: Connection, head: dict[str, Any], exam_id: str, trainee: str, attempt_no: int,
                status: str, text: str) -> None:
        entry = {"seq": int(head["seq"]) + 1, "exam_id": exam_id, "trainee": trainee, "attempt_no": attempt_no,
                 "status": status, "written_at": now_iso(), "record_hash": sha256_hex(text)}
        link = ledger_link(head["link"], entry)
        conn.execute(T["ledger"].insert().values(**entry, link=link))
        head["seq"], head["link"] = entry["seq"], link

    def _seal_head(self, conn: Connection, head: dict[str, Any]) -> None:
        key = self._need_key()
        conn.execute(T["head"].update().where(T["head"].c.id == 1).values(
            seq=head["seq"], link=head["link"], key_id=key.key_id,
            signature=key.sign(head_text(self.store_id, head["seq"], head["link"]))))

    # -- writing --------------------------------------------------------------------------------
    def attempts_used(self, exam_id: str, trainee: str) -> int:
        a = T["attempts"]
        trainee = check_trainee(trainee)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(a).where(
                a.c.exam_id == exam_id, a.c.trainee == trainee)).scalar() or 0)

    def create_attempt(self, exam_id: str, trainee: str, allowed: int,
                       seal: Callable[[int], tuple[dict[str, Any], str, str]]) -> tuple[int, int]:
        """Reserve the next attempt number within the limit and store its first signed record.

        ``seal(attempt_no)`` builds ``(record, record_text, signature)``. Writers take turns on the
        ledger's head, so counting the attempts used and storing the next one cannot race.
        The trainee id is counted in its canonical form, and the record must carry that form.
        """
        a = T["attempts"]
        trainee = check_trainee(trainee)
        for _ in range(3):
            try:
                with self._write() as conn:
                    head = self._lock_head(conn)
                    used, last = conn.execute(sa.select(sa.func.count(), sa.func.max(a.c.attempt_no)).where(
                        a.c.exam_id == exam_id, a.c.trainee == trainee)).one()
                    if used >= allowed:
                        raise AttemptLimitReached(
                            f"trainee {trainee!r} has used {used} of {allowed} attempts at exam {exam_id!r}"
                            " (incomplete attempts count); no further attempt is allowed")
                    number = int(last or 0) + 1
                    record, text, signature = seal(number)
                    attempt_id = self._insert(conn, head, record, text, signature)
                    self._seal_head(conn, head)
            except IntegrityError:
                continue
            return attempt_id, number
        raise UserError(f"could not reserve an attempt number for {trainee!r} at {exam_id!r}: "
                        "another attempt is being started at the same time; try again")

    def _insert(self, conn: Connection, head: dict[str, Any], record: dict[str, Any], text: str,
                signature: str) -> int:
        columns, call_rows, red_rows = derive(record)
        _canonical_trainee(columns["trainee"])
        attempt_id = conn.execute(T["attempts"].insert().values(
            **columns, record=text, signature=signature)).inserted_primary_key[0]
        self._write_children(conn, attempt_id, call_rows, red_rows)
        self._append(conn, head, columns["exam_id"], columns["trainee"], columns["attempt_no"], columns["status"],
                     text)
        return int(attempt_id)

    def _write_children(self, conn: Connection, attempt_id: int, call_rows: list[dict[str, Any]],
                        red_rows: list[dict[str, Any]]) -> None:
        if call_rows:
            conn.execute(T["calls"].insert(), [dict(r, attempt_id=attempt_id) for r in call_rows])
        if red_rows:
            conn.execute(T["red_lines"].insert(), [dict(r, attempt_id=attempt_id) for r in red_rows])

    def update_attempt(self, attempt_id: int, record: dict[str, Any], text: str, signature: str) -> None:
        """Replace an attempt's signed record (after a call, or when it finishes) and its derived rows."""
        columns, call_rows, red_rows = derive(record)
        _canonical_trainee(columns["trainee"])
        with self._write() as conn:
            head = self._lock_head(conn)
            conn.execute(T["attempts"].update().where(T["attempts"].c.id == attempt_id).values(
                **columns, record=text, signature=signature))
            conn.execute(T["calls"].delete().where(T["calls"].c.attempt_id == attempt_id))
            conn.execute(T["red_lines"].delete().where(T["red_lines"].c.attempt_id == attempt_id))
            self._write_children(conn, attempt_id, call_rows, red_rows)
            self._append(conn, head, columns["exam_id"], columns["trainee"], columns["attempt_no"],
                         columns["status"], text)
            self._seal_head(conn, head)

    def import_records(self, items: Iterable[tuple[dict[str, Any], str, str]], batch: int = 500) -> int:
        """Bulk-insert already signed records (benchmarks, migrating between stores)."""
        n = 0
        pending: list[tuple[dict[str, Any], str, str]] = []

        def flush() -> None:
            with self._write() as conn:
                head = self._lock_head(conn)
                for record, text, signature in pending:
                    self._insert(conn, head, record, text, signature)
                self._seal_head(conn, head)
            pending.clear()

        for item in items:
            pending.append(item)
            n += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        return n

    # -- reading --------------------------------------------------------------------------------
    def attempts(self, *, trainee: str | None = None, exam_id: str | None = None,
                 with_record: bool = False) -> list[StoredAttempt]:
        a = T["attempts"]
        cols = [c for c in a.c if c.name not in ("record",)]
        query = sa.select(*cols, a.c.record) if with_record else sa.select(*cols)
        if trainee is not None:
            query = query.where(a.c.trainee == check_trainee(trainee))
        if exam_id is not None:
            query = query.where(a.c.exam_id == exam_id)
        query = query.order_by(a.c.exam_id, a.c.trainee, a.c.attempt_no)
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                d = dict(row)
                record = d.pop("record", "") if with_record else ""
                out.append(StoredAttempt(int(d["id"]), d, record, d["signature"]))
        return out

    def snapshot(self) -> "Snapshot":
        """Everything ``verify`` reads, in one read transaction: one consistent state of the store
        even while graders write (SQLite: one BEGIN … snapshot; PostgreSQL: REPEATABLE READ)."""
        a, c, r, lg, h, m = T["attempts"], T["calls"], T["red_lines"], T["ledger"], T["head"], T["meta"]
        snap = Snapshot()
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snap.store_id = str(conn.execute(sa.select(m.c.store_id)).scalar() or "")
                head = conn.execute(sa.select(h).where(h.c.id == 1)).mappings().first()
                snap.head = dict(head) if head is not None else None
                snap.ledger = [dict(row) for row in conn.execute(sa.select(lg).order_by(lg.c.seq)).mappings()]
                for row in conn.execute(sa.select(a).order_by(a.c.id)).mappings():
                    d = dict(row)
                    text = d.pop("record")
                    snap.attempts.append(StoredAttempt(int(d["id"]), d, text, d["signature"]))
                for row in conn.execute(sa.select(c).order_by(c.c.attempt_id, c.c.position)).mappings():
                    d = dict(row)
                    snap.calls.setdefault(int(d.pop("attempt_id")), []).append(d)
                for row in conn.execute(sa.select(r).order_by(r.c.attempt_id, r.c.seq)).mappings():
                    d = dict(row)
                    snap.red_lines.setdefault(int(d.pop("attempt_id")), []).append(d)
        return snap

    def iter_attempts(self, batch: int = 500) -> Iterator[StoredAttempt]:
        """Every attempt with its record, streamed in id order (for ``verify``)."""
        a = T["attempts"]
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = list(conn.execute(sa.select(a).where(a.c.id > last).order_by(a.c.id).limit(batch)).mappings())
            if not rows:
                return
            for row in rows:
                d = dict(row)
                record = d.pop("record")
                yield StoredAttempt(int(d["id"]), d, record, d["signature"])
            last = int(rows[-1]["id"])

    def children(self, *, trainee: str | None = None, exam_id: str | None = None
                 ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
        """Call rows and red-line rows by attempt id, for the attempts of a trainee or exam (or all)."""
        calls: dict[int, list[dict[str, Any]]] = {}
        reds: dict[int, list[dict[str, Any]]] = {}
        a, c, r = T["attempts"], T["calls"], T["red_lines"]
        qc = sa.select(c).order_by(c.c.attempt_id, c.c.position)
        qr = sa.select(r).order_by(r.c.attempt_id, r.c.seq)
        if trainee is not None or exam_id is not None:
            ids = sa.select(a.c.id)
            if trainee is not None:
                ids = ids.where(a.c.trainee == check_trainee(trainee))
            if exam_id is not None:
                ids = ids.where(a.c.exam_id == exam_id)
            qc, qr = qc.where(c.c.attempt_id.in_(ids)), qr.where(r.c.attempt_id.in_(ids))
        with self.engine.connect() as conn:
            for row in conn.execute(qc).mappings():
                d = dict(row)
                calls.setdefault(int(d.pop("attempt_id")), []).append(d)
            for row in conn.execute(qr).mappings():
                d = dict(row)
                reds.setdefault(int(d.pop("attempt_id")), []).append(d)
        return calls, reds

    def records(self, attempt_ids: list[int]) -> dict[int, str]:
        """Signed record texts for a few attempts (certificates)."""
        a = T["attempts"]
        out: dict[int, str] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(attempt_ids), 500):
                chunk = attempt_ids[i:i + 500]
                for aid, text in conn.execute(sa.select(a.c.id, a.c.record).where(a.c.id.in_(chunk))):
                    out[int(aid)] = text
        return out

    def record(self, attempt_id: int) -> dict[str, Any]:
        a = T["attempts"]
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(a.c.record).where(a.c.id == attempt_id)).scalar()
        return json.loads(text) if text else {}

    def exam_stats(self, exam_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Cohort figures per exam: attempts by status, trainees, certified trainees."""
        a = T["attempts"]
        q = sa.select(a.c.exam_id, a.c.status, sa.func.count(), sa.func.count(sa.distinct(a.c.trainee))) \
            .group_by(a.c.exam_id, a.c.status)
        qt = sa.select(a.c.exam_id, sa.func.count(sa.distinct(a.c.trainee))).group_by(a.c.exam_id)
        if exam_ids is not None:
            ids = list(exam_ids)
            q, qt = q.where(a.c.exam_id.in_(ids)), qt.where(a.c.exam_id.in_(ids))
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for exam_id, status, n, trainees in conn.execute(q):
                e = out.setdefault(exam_id, {"attempts": 0, "passed": 0, "failed": 0, "incomplete": 0,
                                             "trainees": 0, "certified": 0})
                e["attempts"] += int(n)
                e[status] = e.get(status, 0) + int(n)
                if status == "passed":
                    e["certified"] = int(trainees)
            for exam_id, trainees in conn.execute(qt):
                out[exam_id]["trainees"] = int(trainees)
        for e in out.values():
            done = e["passed"] + e["failed"]
            e["pass_rate"] = round(e["passed"] / done, 3) if done else None
        return out

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(T["attempts"])).scalar() or 0)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # no implicit transactions: _sqlite_begin says when one starts
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _is_locked(exc: BaseException) -> bool:
    return "locked" in str(getattr(exc, "orig", None) or exc).lower() or "busy" in str(exc).lower()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
