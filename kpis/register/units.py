"""The council's units as every part of the product reads them: the Unit table, held in memory.

Figures are written thousands of times a page (a scorecard of 2,000 KPIs writes tens of thousands),
so a unit's style cannot cost a query. Nor can it be read once per request: that would add a query
to every page, and commands, tasks and pack rendering run outside requests. So each process keeps
one snapshot of the whole table (a dozen rows), shared by its threads, and reads it again only when
the table's *version* has changed:

* The version is a token held in Django's cache (`VERSION_KEY`). Saving a unit gives the table
  a new token once the save commits, so every process that shares the cache reads the new table
  within `RECHECK_SECONDS`; the process that saved reads its own change at once.
* A process asks the cache for the version at most once every `RECHECK_SECONDS`, not per figure,
  so even a database-backed cache costs one query a second at most.
* The token expires after `settings.UNITS_CACHE_SECONDS` (60 by default): with the default cache,
  which is each process's own memory, another worker sees an edited unit within that time; with a
  shared cache (`CACHE_URL`, see the README) within a second, and the expiry costs every process
  one read of the table a minute.

Nothing here knows the model: `kpis.register.models` builds the table with a function that reads
its rows, so this module stays below it.
"""

import dataclasses
import functools
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from pmf.formatting import PLAIN, UnitStyle

VERSION_KEY = "kpis.units.version"
RECHECK_SECONDS = 1.0
DEFAULT_CACHE_SECONDS = 60
ALIAS_SEPARATOR = ";"


def spelling_key(text: str) -> str:
    """How a unit's spellings are compared: case, spaces, hyphens, underscores and thousands
    commas do not matter ("Rate per 1,000", "rate-per-1000" and "RATE_PER_1000" are one)."""
    return re.sub(r"[\s_\-]+", " ", text.lower().replace(",", "")).strip()


def split_aliases(text: str) -> tuple[str, ...]:
    """ "GBP; £\\npounds" → ("GBP", "£", "pounds"): separated by semicolons or lines."""
    items = (item.strip() for item in re.split(rf"[{ALIAS_SEPARATOR}\n]", text))
    return tuple(dict.fromkeys(item for item in items if item))


def spaced(suffix: str) -> str:
    """A suffix as it follows a number: a word after a space (12 days, 4 tCO2e), a symbol
    against it (72.5%)."""
    return f" {suffix}" if suffix[:1].isalnum() else suffix


@dataclass(frozen=True)
class UnitInfo:
    """One unit as the rest of the product reads it (a plain record, safe to share)."""

    code: str
    name: str
    prefix: str = ""
    suffix: str = ""
    singular_suffix: str = ""
    money: bool = False
    decimals: int | None = None
    whole_numbers: bool = False
    rate_per: int | None = None
    lowest: Decimal | None = None
    highest: Decimal | None = None
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def style(self) -> UnitStyle:
        return UnitStyle(
            prefix=self.prefix,
            suffix=spaced(self.suffix),
            singular_suffix=spaced(self.singular_suffix) if self.singular_suffix else None,
            money=self.money,
            decimals=self.decimals,
        )

    @property
    def noun(self) -> str:
        """The name in a sentence: "percentage", "money", "tonnes CO2e"."""
        name = re.sub(r"\s*\(.*\)", "", self.name).strip()
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    @property
    def entry_words(self) -> str:
        """What a value is entered in, for its label: "%", "£", "days", "a whole number"."""
        if self.suffix or self.prefix:
            return self.suffix or self.prefix
        return "a whole number" if self.whole_numbers else self.noun

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way a spreadsheet may name it: its code, name, name without "(…)", aliases."""
        bare = re.sub(r"\s*\(.*\)", "", self.name).strip()
        return (self.code, self.name, bare, *self.aliases)


@dataclass(frozen=True)
class _Snapshot:
    version: str
    units: dict[str, UnitInfo]  # by code, in the table's order
    spellings: dict[str, UnitInfo]  # by spelling_key of every spelling
    styles: dict[tuple[str, int | None], UnitStyle] = field(default_factory=dict)  # as asked


class UnitTable:
    """The Unit table as this process last read it; see the module docstring."""

    def __init__(self, load: Callable[[], Iterable[UnitInfo]]) -> None:
        self._load = load
        self._snapshot: _Snapshot | None = None
        self._next_check = 0.0
        self._lock = threading.Lock()

    def get(self, code: str) -> UnitInfo | None:
        return self._current().units.get(code)

    def style(self, code: str, decimals: int | None = None) -> UnitStyle:
        """How the unit's figures are written (plain for an unknown code), to `decimals` places
        when a KPI sets its own: made once per snapshot, as this is asked for every figure."""
        snapshot = self._snapshot
        if snapshot is None or time.monotonic() >= self._next_check:
            snapshot = self._current()
        found = snapshot.styles.get((code, decimals))
        if found is None:
            unit = snapshot.units.get(code)
            found = unit.style if unit is not None else PLAIN
            if decimals is not None:
                found = dataclasses.replace(found, decimals=decimals)
            snapshot.styles[(code, decimals)] = found
        return found

    def all(self) -> list[UnitInfo]:
        return list(self._current().units.values())

    def find(self, text: str) -> UnitInfo | None:
        """The unit a person means by `text`: any of its spellings, ignoring case."""
        return self._current().spellings.get(spelling_key(text))

    def names(self) -> str:
        """ "Days, Money (£), Number, …": the valid units, for a message."""
        return ", ".join(unit.name for unit in self.all())

    def changed(self) -> None:
        """A unit was saved: read the table afresh here now, everywhere once the save commits."""
        self.forget()
        transaction.on_commit(self._new_version)

    def forget(self) -> None:
        """Read the table again at the next question (tests, after their rows roll back)."""
        with self._lock:
            self._snapshot = None
            self._next_check = 0.0

    def _new_version(self) -> None:
        cache.set(VERSION_KEY, uuid.uuid4().hex, _cache_seconds())
        self.forget()

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() < self._next_check:
            return snapshot
        with self._lock:
            version = self._version()
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._read(version)
            self._next_check = time.monotonic() + RECHECK_SECONDS
            return self._snapshot

    def _version(self) -> str:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, _cache_seconds())
            version = cache.get(VERSION_KEY, "")
        return version

    def _read(self, version: str) -> _Snapshot:
        units = {unit.code: unit for unit in self._load()}
        spellings: dict[str, UnitInfo] = {}
        for unit in units.values():
            for text in unit.spellings:
                spellings.setdefault(spelling_key(text), unit)
        return _Snapshot(version, units, spellings)


def _cache_seconds() -> int | None:
    return getattr(settings, "UNITS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)
