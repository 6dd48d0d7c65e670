"""`goalbook build` and `goalbook check` as a library: one pipeline, read top to bottom.

1. the practice's settings and instruments (``load.load_settings``);
2. the client folders (``load.list_client_folders``);
3. what of git the pages show (the repository's state and each client's audit trail);
4. the per-client step for every client folder (``client_step``: its files → problems, page,
   caseload row), through the speed seam (``incremental``: a memo keyed by content, the misses
   on every core); `check` stops here;
5. nothing more while any error exists: a broken practice leaves the last good book as it was;
6. the caseload from every client's row, and the book written (``output``).

``build_book`` never prints (``watch`` and ``serve`` call it in a loop; the command prints).
"""

from __future__ import annotations

import difflib
import os
import stat as stat_mod
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from goalbook import janitor, output
from goalbook.errors import GoalbookError
from goalbook.incremental.fingerprint import code_fingerprint
from goalbook.incremental.session import (
    Checked,
    Entry,
    KeptInStore,
    Outcome,
    Session,
    Step,
    key_of,
    page_stat,
)
from goalbook.incremental.store import CACHE_DIR, private_folder
from goalbook.incremental.store import enabled as store_enabled
from goalbook.problems import Problem, has_errors, sort_problems
from goalbook.records import load
from goalbook.records.model import Practice, RepoState
from goalbook.render import share_files, share_log

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AsOf:
    """A book of the record as it stood at a commit: ``root`` is then a temporary copy of it."""

    label: str  # as the pages say it, e.g. "2026-03-01 (commit 1a2b3c4)"
    history_root: Path  # the real repository, for the audit trail
    rev: str


@dataclass(frozen=True)
class BuildRequest:
    """What to build: the whole book (default), one client's page (``client``), or that client's
    share file (``client`` and ``share``); as of when; and what changed since the session's last
    build (a file watcher's paths; None: look at everything)."""

    root: Path
    out: Path | None = None
    client: str | None = None
    share: bool = False
    today: date | None = None
    as_of: AsOf | None = None
    changed: frozenset[str] | None = None
    period: Any = None  # the outcomes page's ``outcomes.Period`` (default: the 12 months up to today)
    check_only: bool = False  # `goalbook check`: stop before rendering

    def __post_init__(self) -> None:
        if self.changed is not None and not isinstance(self.changed, frozenset):
            object.__setattr__(self, "changed", frozenset(os.fspath(p) for p in self.changed))


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    ok: bool = False
    out: Path | None = None  # the book folder, or the share file
    pages: int = 0  # pages rendered (a share build: 1)
    clients: int = 0
    seconds: float = 0.0
    written: int = 0  # files whose bytes changed
    files_read: int = 0


def default_output(root: Path, practice: Practice | None) -> Path:
    return Path(root) / (practice.output if practice is not None else "_book")


def share_path(out: Path, client_id: str) -> Path:
    """``-o X.html`` is the file itself; any other output is a folder that gets ``for-client-<id>.html``."""
    return out if out.suffix.lower() == ".html" else out / share_files.share_name(client_id)


def build_book(request: BuildRequest | Path, out: Path | None = None, *, session: Session | None = None,
               progress: Progress | None = None, **what: Any) -> BuildResult:
    """Check the practice and, when it has no errors, write what ``request`` asks for.

    ``build_book(root, out, client=…, share=…, today=…)`` is short for
    ``build_book(BuildRequest(root, out, client=…, share=…, today=…))``. ``session``: what an
    earlier build of this process learnt (``watch``/``serve`` keep one); without it, one is made
    for this build. Raises ``GoalbookError`` only for misuse (unknown client, unsafe output)."""
    if not isinstance(request, BuildRequest):
        request = BuildRequest(Path(request), out, **what)
    started = time.perf_counter()
    own = session is None
    session = session if session is not None else Session(request.root)
    try:
        result = _build(request, session, progress)
    except BaseException:
        session.forget_watch()  # what this build was told is lost: the next one looks at everything
        raise
    finally:
        if own:
            session.close()
    result.seconds = time.perf_counter() - started
    return result


def check_book(root: Path, *, today: date | None = None, session: Session | None = None) -> Any:
    """`goalbook check`: the same pipeline, stopped before rendering."""
    from goalbook.checks import CheckResult

    result = build_book(BuildRequest(Path(root), today=today, check_only=True), session=session)
    return CheckResult(None, result.problems, result.files_read)


def _build(request: BuildRequest, session: Session, progress: Progress | None) -> BuildResult:
    root = Path(request.root)
    # 1. The practice's settings and instruments.
    loaded = load.load_settings(root, today=request.today)
    result = BuildResult(problems=list(loaded.problems), files_read=loaded.files_read)
    practice = loaded.practice
    if practice is None:
        result.problems = sort_problems(result.problems)
        return result
    # 2. The client folders.
    names, problems = load.list_client_folders(loaded.root, practice.output)
    result.problems += problems
    # 3. What of git the pages show.
    as_of = request.as_of
    whole = not request.check_only and request.client is None and not request.share
    out = (Path(request.out) if request.out is not None
           else default_output(as_of.history_root if as_of else root, practice))
    if request.check_only or request.share:
        repo, histories = None, _no_history
    else:
        repo, histories = audit_state(as_of.history_root if as_of else root, as_of.rev if as_of else "HEAD",
                                      as_of is not None, session)
    context = StepContext(loaded, repo, as_of.label if as_of else None, histories)
    # 4. The per-client step for every client folder (misses on every core).
    step = Step(
        root=str(loaded.root),
        practice_key=practice_key(loaded),
        page_base=key_of("page", repr(_stamp(repo)), context.as_of) if whole else None,
        run=context.run,
        scan=lambda name: load.scan_client_folder(loaded.root, name),
        listing=lambda name, files: load.client_folder(loaded.root, name, files),
        history=lambda cid: (histories(cid), client_dirty(repo, cid)),
        render=whole,
        book=os.path.abspath(out) if whole else None,
        prepare=prepare_templates,  # loaded once, before any worker starts, only when a page is due
    )
    total = len(names) + (1 if whole else 0)
    tick = (lambda done: progress(done, total)) if progress is not None else None
    outcomes = list(session.run(step, names, request.changed, tick))
    for o in outcomes:
        result.problems += o.listing_problems + o.checked.problems
        result.files_read += o.checked.count
    if request.check_only:
        # Comparing clients with each other (same names) is `check`'s: it points into the files of
        # clients a build would not otherwise look at, and their warnings block nothing.
        result.problems += across_clients(loaded, outcomes)
    result.problems = sort_problems(result.problems)
    # 5. Nothing more while any error exists.
    if has_errors(result.problems) or request.check_only:
        session.save(outcomes, full=True)
        result.ok = not has_errors(result.problems) and request.check_only
        return result
    output.check_output_location(out, as_of.history_root if as_of else root)
    if request.share and request.client is None:
        raise GoalbookError("--share needs --client ID: a share file is one client's book",
                            hint="e.g. goalbook build --client ana-r --share")
    if not whole:
        session.save(outcomes, full=True)
        return _one_client(request, context, session, names, outcomes, out, result, histories)
    # 6. The caseload from every client's row, and the book.
    result.out, result.clients = out, sum(o.checked.client_id is not None for o in outcomes)
    done_clients = [o for o in outcomes if o.checked.client_id is not None]
    files: dict[str, bytes] = {}
    kept: list[str] = []
    for o in done_clients:
        page = f"clients/{o.checked.client_id}.html"
        if o.kept:
            kept.append(page)
        elif o.page is not None:
            files[page] = o.page
    # Share files written outside this book from records that have changed since: named on the caseload.
    folders = {o.checked.client_id: name for name, o in zip(names, outcomes) if o.checked.client_id}
    stale_shares: list[share_log.StaleShare] = []
    if not as_of:
        stale_shares, forget = share_log.stale(
            session.share_files(), output.book_folder(out),
            {cid: Path(loaded.root, load.CLIENTS, name) for cid, name in folders.items()})
        session.keep_shares({}, forget)
    caseload_key = key_of(step.page_base, [(o.checked.client_id, o.page_key) for o in done_clients],
                          [(s.client_id, s.path, s.written.isoformat()) for s in stale_shares])
    book_state = session.book_state(step.book) if step.book else None
    if (isinstance(book_state, list) and len(book_state) == 4 and book_state[0] == caseload_key
            and page_stat(os.path.join(out, "index.html")) == book_state[1]):
        kept.append("index.html")  # nothing on the caseload changed: not even rendered
    else:
        files["index.html"] = render_caseload(practice, [o.entry for o in done_clients], done_clients,
                                              repo=repo, as_of=context.as_of, stale_shares=stale_shares)
    # The outcomes page, from every client's courses (kept with the client's page). It is not even
    # worked out again while every course, the period and the practice-wide inputs are the ones it
    # was written from and the file still has the stat it was written with.
    from goalbook.render import outcomes_page

    outcomes_key = key_of(step.page_base, step.practice_key, repr(request.period),
                          [o.entry.courses for o in done_clients if o.entry is not None])
    outcomes_file = os.path.join(out, outcomes_page.PAGE)
    if (isinstance(book_state, list) and len(book_state) == 4 and book_state[2] == outcomes_key
            and page_stat(outcomes_file) == book_state[3]):
        kept.append(outcomes_page.PAGE)
    else:
        from goalbook.views.outcomes import Course

        courses = [Course.from_json(raw) for o in done_clients if o.entry is not None for raw in o.entry.courses]
        outcomes_page.add_to_book(files, kept, practice, period=request.period, out=output.book_folder(out),
                                  courses=courses, unchanged="index.html" in kept, repo=repo, as_of=context.as_of)
    # Share files handed out from this book are rendered again: never older than the record.
    for file_name, client_id in share_files.shared_ids(output.book_folder(out), folders):
        files[file_name] = context.share_page(folders[client_id])
    # Share files of clients who are gone (an erasure) are not kept.
    result.written = write_book(out, files, kept, practice_root=as_of.history_root if as_of else root,
                                clients=sorted(folders))
    for o in done_clients:
        if not o.kept:  # a kept page keeps its record: the same file, the same stat
            page = f"clients/{o.checked.client_id}.html"
            session.page_written(o, str(step.book), page, page_stat(os.path.join(out, page)))
    index, outcomes_stat = page_stat(os.path.join(out, "index.html")), page_stat(outcomes_file)
    caseload = [caseload_key, index, outcomes_key, outcomes_stat] if index and outcomes_stat else None
    session.save(outcomes, full=True, book=(str(step.book), caseload) if caseload != book_state else None)
    if tick:
        tick(total)
    result.ok = True
    result.pages = len(files) + len(kept)
    return result


def across_clients(loaded: load.LoadResult, outcomes: list[Outcome]) -> list[Problem]:
    """The checks that compare clients with each other (from what each client's step kept)."""
    from goalbook.checks import same_names

    clients = sorted((o.checked.client_id, o.folder, o.checked.name, _Sources(o.checked.sources[1]))
                     for o in outcomes if o.checked.client_id is not None)
    return load.resolve(same_names([(folder, cid, name, src) for cid, folder, name, src in clients]), loaded.root)


@dataclass(frozen=True)
class _Sources:
    client_file: str | None


def _no_history(_cid: str) -> Any:
    return None


def _stamp(repo: RepoState | None) -> Any:
    return None if repo is None else (repo.is_repo, repo.commit, bool(repo.dirty))


def practice_key(loaded: load.LoadResult) -> str:
    """Everything besides a client's own files that its problems and page depend on."""
    practice = loaded.practice
    assert practice is not None
    return key_of(code_fingerprint(), practice.name, sorted(practice.clinicians.items()), practice.today.isoformat(),
                  practice.today_fixed, sorted(practice.categories.items()), practice.alerts,
                  sorted(practice.instruments.items()), sorted(loaded.practice_instrument_files),
                  loaded.settings_ok, loaded.today_unusable)


# --- The pure per-client step ----------------------------------------------------------------------


@dataclass
class StepContext:
    """What every client's step shares: the practice's settings and instruments, and git's view."""

    loaded: load.LoadResult
    repo: RepoState | None
    as_of: str | None
    histories: Any = None

    def run(self, folder: load.ClientFolder, contents: dict[str, bytes], render: bool,
            history: Any = None) -> tuple[Checked, bytes | None, Entry | None]:
        """One client folder → its problems, and with ``render`` its page and caseload entry."""
        client, sources, problems, count = load.load_client(folder, contents)
        if client is not None:
            from goalbook.checks import client_problems

            alone = replace(self.loaded, clients={sources.folder: sources})
            problems = problems + client_problems(alone, [client])
        checked = Checked(client.id if client is not None else None,
                          [sources.folder, sources.client_file, sources.goals_file, sources.goals_ok],
                          problems, count, client.name if client is not None else "")
        if not render or client is None or has_errors(problems):
            return checked, None, None
        from goalbook.views.outcomes import client_courses
        from goalbook.views.score_views import client_scores

        # Scored once: the page and the outcome courses read the same scores.
        scores = client_scores(client, self.loaded.practice)  # type: ignore[arg-type]
        html, entry = self.page(client, history if history is not None else self.history_of(client.id),
                                scores=scores)
        entry.courses = [c.to_json() for c in client_courses(client, self.loaded.practice, scores)]  # type: ignore[arg-type]
        return checked, html, entry

    def share_page(self, name: str) -> bytes:
        """The share page of the client in folder ``name`` (only for a client without errors)."""
        folder, _ = load.scan_client_folder(self.loaded.root, name)
        client = load.load_client(folder)[0]
        assert client is not None
        return self.client_page(client)

    def history_of(self, client_id: str) -> tuple[Any, list[str]]:
        histories = self.histories or _no_history
        return histories(client_id), client_dirty(self.repo, client_id)

    def page(self, client: Any, history: tuple[Any, list[str]], scores: Any = None) -> tuple[bytes, Entry]:
        """The clinician's page of ``client`` and its line on the caseload."""
        from goalbook.render import pages
        from goalbook.views import book_views

        practice = self.loaded.practice
        assert practice is not None
        view = book_views.client_view(practice, client, history=history[0], dirty=history[1], scores=scores)
        # The page's first screen and the caseload row show the same sparklines: drawn once.
        glance = pages.glance_of(view)
        html = pages.render_client(view, practice_name=practice.name, today=practice.today,
                                   repo=self.repo, as_of=self.as_of, glance=glance)
        return html.encode("utf-8"), caseload_entry(view, glance)

    def client_page(self, client: Any) -> bytes:
        """The page handed to ``client`` themselves (a share file): no history, no caseload line."""
        from goalbook.render import pages
        from goalbook.views import book_views

        practice = self.loaded.practice
        assert practice is not None
        view = book_views.client_view(practice, client, audience="client")
        html = pages.render_client(view, practice_name=practice.name, today=practice.today, repo=None,
                                   as_of=self.as_of)
        return html.encode("utf-8")


def caseload_entry(view: Any, glance: Any = None) -> Entry:
    """What the caseload shows of one client: its row and its block of alerts (``glance``: the
    view's ``pages.glance_of``, when the client's page has it too)."""
    from goalbook.render import pages
    from goalbook.views import book_views

    groups = book_views.group_alerts([view])
    group = None
    if groups:
        group = [book_views.alert_group_key(groups[0]), str(pages.caseload_alert_group(groups[0]))]
    due = [[d.sort_key, str(pages.caseload_due_item(d))] for d in view.due_week]
    return Entry(view.status, str(pages.caseload_row(view, glance)), len(view.alerts), group, due)


def render_caseload(practice: Practice, entries: list[Entry | None], outcomes: list[Outcome], *,
                    repo: RepoState | None, as_of: str | None, stale_shares: list[Any] | None = None) -> bytes:
    """The caseload page from each client's entry (kept or new), in the clients' order."""
    from markupsafe import Markup

    from goalbook.views.book_views import PracticeView

    pages = prepare_templates()
    names = {o.checked.client_id: o.checked.name or o.checked.client_id for o in outcomes if o.checked.client_id}
    shown = [e for e in entries if e is not None]
    rows = [_Fragment(Markup(e.row), e.status) for e in shown]
    groups = sorted((e.group[0], o.checked.client_id or "", e.group[1])
                    for e, o in zip(entries, outcomes) if e is not None and e.group is not None)
    alerts = [_Fragment(Markup(""))] * sum(e.alerts for e in shown)  # only counted on the page
    view = PracticeView(
        name=practice.name, today=practice.today, clients=rows, alerts=alerts,  # type: ignore[arg-type]
        clinicians={c.id: c.name for c in practice.clinicians.values()}, repo=repo, as_of=as_of,
        alert_groups=[_Fragment(Markup(html)) for _, _, html in groups],  # type: ignore[list-item]
        due=[_Fragment(Markup(html)) for _, html in sorted((d for e in shown for d in e.due), key=lambda d: d[0])],  # type: ignore[misc]
        stale_shares=[(s, names.get(s.client_id, s.client_id)) for s in stale_shares or []],
    )
    return pages.render_caseload(view).encode("utf-8")


@dataclass
class _Fragment:
    """A ready piece of the caseload: a client's row (with its status) or one alert."""

    html: Any  # Markup
    status: str = ""


def _one_client(request: BuildRequest, context: StepContext, session: Session, names: list[str],
                outcomes: list[Outcome], out: Path, result: BuildResult, histories: Any) -> BuildResult:
    """One client's page into the existing book, or that client's share file."""
    assert request.client is not None
    practice = context.loaded.practice
    assert practice is not None
    by_id = {o.checked.client_id: (name, o) for name, o in zip(names, outcomes) if o.checked.client_id}
    if request.client not in by_id:
        raise GoalbookError(f"no client '{request.client}' in this practice" + _did_you_mean(request.client, by_id),
                            hint="client ids are the folder names under clients/")
    name, _ = by_id[request.client]
    folder, _ = load.scan_client_folder(context.loaded.root, name)
    client, _, _, _ = load.load_client(folder)
    assert client is not None
    prepare_templates()
    if request.share:
        html = context.client_page(client)
        target = share_path(out, client.id)
        with janitor.watching(None, (target.parent, f".{target.name}.")):
            output.write_share_file(target, html, client.id)
        if request.as_of is None:  # a file from today's records: the caseload says when they move on
            session.keep_shares({os.path.abspath(target): share_log.entry(client.id, Path(folder.path),
                                                                          practice.today)})
        result.out, result.written = target, 1
    else:
        html, _ = context.page(client, (histories(client.id), client_dirty(context.repo, client.id)))
        # One client's page: refresh it inside the existing book, leaving the rest as it was.
        result.written = write_book(out, {**_existing(out), f"clients/{client.id}.html": html}, None,
                                    practice_root=context.loaded.root if request.as_of is None
                                    else request.as_of.history_root)
        result.out = out
    result.ok, result.pages, result.clients = True, 1, 1
    return result


def write_book(out: Path, files: dict[str, bytes], kept: list[str] | None, *, practice_root: Path,
               clients: list[str] | None = None) -> int:
    """Write the book (``output``): a few changed files in place, else whole through a staging
    folder that a janitor removes should this process be killed. ``kept``: pages of the current
    book that stay as they are (None: replace the book whole). One build of a practice writes at
    a time; leftovers of interrupted builds are removed first."""
    lock = cache_folder(practice_root)
    if kept is not None:
        with janitor.book_lock(lock):
            janitor.remove_leftovers(output.book_folder(out))
            written = output.update_book(out, files, keep=kept, clients=clients)
        if written is not None:
            return written
    real = output.book_folder(out)  # a linked book is written (and staged) where the link points
    places = [(real.parent, prefix) for prefix in janitor.leftover_prefixes(real)]
    with janitor.watching(lock, *places), janitor.book_lock(lock):  # the lock is released first
        janitor.remove_leftovers(real)
        return output.write_book(out, files, keep=kept or (), clients=clients)


def cache_folder(practice_root: Path) -> Path | None:
    """The practice's ``.goalbook-cache`` folder, when it is a folder of the user's own."""
    folder = Path(practice_root) / CACHE_DIR
    return folder if store_enabled() and private_folder(folder) else None


# --- Rendering ----------------------------------------------------------------------------------------


def prepare_templates() -> Any:
    """The page renderers, with Jinja's compiled templates kept between processes: compiling them
    costs a fresh `build` a quarter of a second, more than rendering one client's page.

    The compiled code is kept in the user's own cache folder (``$XDG_CACHE_HOME/goalbook``,
    owner-only), never in the practice: it is code, and a practice folder can come from
    someone else (a copy, an archive). Jinja re-checks each template's source hash and its own
    bytecode version on load, and the folder is named after goalbook's version."""
    from goalbook.render import pages

    env = pages.environment()
    if env.bytecode_cache is None and store_enabled():
        folder = _template_cache_folder()
        if folder is not None:
            env.bytecode_cache = _bytecode_cache(folder)
    return pages


def warm_up() -> None:
    """Load the page templates now (``watch``, after its first build): the first save then
    renders at once instead of compiling templates first."""
    try:
        env = prepare_templates().environment()
        for name in ("client.html", "caseload.html", "caseload_parts.html"):
            env.get_template(name)
    except Exception:  # noqa: BLE001, S110 — only an optimisation; the build reports real problems
        pass


def _template_cache_folder() -> Path | None:
    from goalbook import __version__

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goalbook"
    folder = base / f"templates-{__version__}"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)  # ~/.cache itself: the user's, mode as it comes
        for path in (base, folder):
            path.mkdir(mode=0o700, exist_ok=True)
            st = os.lstat(path)
            if not stat_mod.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return None  # a link, or someone else's: never load code from it
            if stat_mod.S_IMODE(st.st_mode) & 0o077:
                os.chmod(path, 0o700)
    except (OSError, RuntimeError):  # no home folder, read-only: compile as before
        return None
    return folder


def _bytecode_cache(folder: Path) -> Any:
    """Jinja's file cache, for which a damaged file, a full disk or a read-only folder only
    costs time. (Defined here so that importing this module does not import Jinja.)"""
    from jinja2 import FileSystemBytecodeCache

    class QuietBytecodeCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return QuietBytecodeCache(str(folder))


def _existing(out: Path) -> dict[str, bytes]:
    """The current book's pages, so a one-client build keeps them (the swap replaces the folder)."""
    out = output.book_folder(out)
    if not out.is_dir() or not output.is_ours(out):
        return {}
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.html"))
        if p.is_file() and not p.is_symlink() and (p.parent != out or p.name in ("index.html", "outcomes.html"))
    }


def audit_state(root: Path, rev: str, as_of: bool, session: Session | None = None):
    """The repository state and a history lookup; outside git (or without audit.py) a calm None.
    ``session``: keeps what git's commits meant between the builds of one watch."""
    try:
        from goalbook.history import audit
    except ImportError:  # the audit trail is optional for the book
        return None, lambda _cid: None
    state = audit.repo_state(root)
    if as_of:
        # The snapshot is the committed record: nothing in it is uncommitted.
        state = RepoState(is_repo=state.is_repo, commit=None if not state.is_repo else rev, dirty=())
    if not state.is_repo:
        return state, lambda _cid: None
    if as_of or session is None:  # a snapshot's history is not the practice's: a store of its own
        trail = audit.AuditTrail(KeptInStore())
    else:
        if session.audit_trail is None:
            session.audit_trail = audit.AuditTrail(KeptInStore(session))
        trail = session.audit_trail
    histories = audit.practice_history(root, rev=rev, trail=trail)
    return state, lambda cid: histories.get(cid, [])


def client_dirty(repo: RepoState | None, client_id: str) -> list[str]:
    if repo is None:
        return []
    return [p for p in repo.dirty if p.startswith(f"clients/{client_id}/")]


def _did_you_mean(word: str, ids: Any) -> str:
    close = difflib.get_close_matches(word, sorted(ids), n=1)
    return f" — did you mean '{close[0]}'?" if close else ""
