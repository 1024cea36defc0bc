"""The human spot-check: a static review page of a stratified random sample, and its ratings
brought back.

:func:`review_sample` draws ``n`` examples spread over the strata of a field (proportionally,
each stratum at least one while ``n`` allows; seeded, so the same file and seed give the same
sample) and :func:`render_review_page` writes them as one HTML file with, per example, a 1-5
rating, a flag and notes. The answers stay in the browser (``localStorage``: closing the tab
loses nothing) and are exported as JSON or CSV. The page's one script is allowed by its hash in
the Content-Security-Policy, so nothing else can run, and every text from the data is escaped.

:func:`load_reviews` reads exports back (several reviewers' files together), keyed by each
record's id, or a hash of its content when it has none (:func:`review_key`).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import orjson

from ftprep.errors import FtprepError
from ftprep.record import Record
from ftprep.steps.dedup.common import field_value

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1em;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.5em 0;z-index:1}
section.ex{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.5em 1em}
.ex h2{font-size:1em;margin:.2em 0;color:#555}.msg{margin:.4em 0;padding:.4em .6em;
border-radius:4px;white-space:pre-wrap;word-break:break-word}.user{background:#eef4ff}
.assistant{background:#f3f8ee}.system,.developer{background:#f6f6f6;color:#555}.tool{background:#fff8e6}
.role{font-weight:bold;font-size:12px;text-transform:uppercase;color:#666;display:block}
.controls{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin-top:.5em}
textarea{width:100%;min-height:2.5em}.done{border-color:#1a7f37}
"""

_SCRIPT = r"""
(function () {
  const page = document.body.dataset.page;
  const store = "ftprep-review:" + page;
  const state = JSON.parse(localStorage.getItem(store) || "{}");
  const reviewer = document.getElementById("reviewer");
  reviewer.value = state.__reviewer || "";
  function save() { localStorage.setItem(store, JSON.stringify(state)); progress(); }
  function progress() {
    const all = document.querySelectorAll("section.ex");
    let rated = 0;
    all.forEach(function (ex) {
      const s = state[ex.dataset.key];
      const done = s && (s.rating || s.flag);
      ex.classList.toggle("done", !!done);
      if (done) rated += 1;
    });
    document.getElementById("progress").textContent = rated + " / " + all.length + " reviewed";
  }
  document.querySelectorAll("section.ex").forEach(function (ex) {
    const key = ex.dataset.key;
    const s = state[key] || {};
    ex.querySelectorAll("input[type=radio]").forEach(function (r) {
      r.checked = String(s.rating) === r.value;
      r.addEventListener("change", function () {
        state[key] = Object.assign(state[key] || {}, {rating: Number(r.value), updated: new Date().toISOString()});
        save();
      });
    });
    const flag = ex.querySelector("input.flag");
    flag.checked = !!s.flag;
    flag.addEventListener("change", function () {
      state[key] = Object.assign(state[key] || {}, {flag: flag.checked, updated: new Date().toISOString()});
      save();
    });
    const notes = ex.querySelector("textarea");
    notes.value = s.notes || "";
    notes.addEventListener("input", function () {
      state[key] = Object.assign(state[key] || {}, {notes: notes.value, updated: new Date().toISOString()});
      save();
    });
  });
  reviewer.addEventListener("input", function () { state.__reviewer = reviewer.value; save(); });
  function rows() {
    return Object.keys(state).filter(function (k) { return k !== "__reviewer"; }).map(function (k) {
      const s = state[k];
      return {key: k, rating: s.rating || null, flag: !!s.flag, notes: s.notes || "", updated: s.updated || null};
    });
  }
  function download(name, type, text) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function cell(v) { v = v === null ? "" : String(v); return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
  document.getElementById("export-json").addEventListener("click", function () {
    const doc = {ftprep_review: 1, page: page, reviewer: reviewer.value, reviews: rows()};
    download("review-" + (reviewer.value || "anonymous") + ".json", "application/json", JSON.stringify(doc, null, 2));
  });
  document.getElementById("export-csv").addEventListener("click", function () {
    const lines = ["key,rating,flag,notes,reviewer,updated"].concat(rows().map(function (r) {
      return [r.key, r.rating, r.flag, r.notes, reviewer.value, r.updated].map(cell).join(",");
    }));
    download("review-" + (reviewer.value || "anonymous") + ".csv", "text/csv", lines.join("\n") + "\n");
  });
  progress();
})();
"""


class ReviewSampler:
    """``n`` records spread over the values of ``stratify`` (a dotted path such as
    ``metadata.category``; ``None``: one stratum), chosen by a seeded hash of each record's key
    so that the sample does not depend on the file's order. Fed one record at a time
    (:meth:`add`), so it can ride along another pass over the data; memory: ``n`` records per
    stratum."""

    def __init__(self, n: int, *, stratify: str | None = None, seed: int = 0) -> None:
        self.n, self.stratify, self.seed = n, stratify, seed
        self._heaps: dict[str, list[tuple[int, int, Record]]] = {}
        self._counts: dict[str, int] = {}
        self._seen = 0

    def add(self, record: Record) -> None:
        stratum = _stratum(record, self.stratify)
        self._counts[stratum] = self._counts.get(stratum, 0) + 1
        digest = hashlib.blake2b(f"{self.seed}\0{review_key(record)}".encode(), digest_size=8)
        item = (int.from_bytes(digest.digest(), "big"), self._seen, record)
        self._seen += 1
        heap = self._heaps.setdefault(stratum, [])
        if len(heap) < self.n:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)

    def chosen(self) -> list[Record]:
        """The sample, stratum by stratum, each in the order the records came."""
        total = sum(self._counts.values())
        if not total:
            return []
        quotas = _quotas(self._counts, min(self.n, total))
        out = []
        for stratum in sorted(self._heaps):
            best = sorted(self._heaps[stratum], reverse=True)[: quotas[stratum]]
            out += [r for _, _, r in sorted(best, key=lambda item: item[1])]
        return out


def review_sample(
    records: Iterable[Record], n: int, *, stratify: str | None = None, seed: int = 0
) -> list[Record]:
    """:class:`ReviewSampler`'s sample of ``records``."""
    sampler = ReviewSampler(n, stratify=stratify, seed=seed)
    for record in records:
        sampler.add(record)
    return sampler.chosen()


def review_key(record: Record) -> str:
    """How a review names a record: its id, else a hash of its content (the same wherever the
    file is read from)."""
    if record.id is not None:
        return record.id
    content = record.to_dict()
    content.pop("metadata", None)
    return "sha:" + hashlib.blake2b(orjson.dumps(content), digest_size=8).hexdigest()


def _stratum(record: Record, path: str | None) -> str:
    if path is None:
        return ""
    value = field_value(record, path)
    return "(missing)" if value is None else str(value)


def _quotas(counts: dict[str, int], n: int) -> dict[str, int]:
    """Proportional shares of ``n`` (largest remainders), every stratum at least one while
    ``n`` allows, never more than a stratum has."""
    total = sum(counts.values())
    strata = sorted(counts, key=lambda s: -counts[s])
    quotas = dict.fromkeys(counts, 0)
    for s in strata[:n]:
        quotas[s] = 1
    left = n - sum(quotas.values())
    if left > 0:
        ideal = {s: counts[s] / total * n for s in counts}
        extra = sorted(counts, key=lambda s: ideal[s] - quotas[s], reverse=True)
        while left > 0:
            grew = False
            for s in extra:
                if left and quotas[s] < counts[s] and quotas[s] < round(ideal[s]) + 1:
                    quotas[s] += 1
                    left -= 1
                    grew = True
            if not grew:
                for s in extra:
                    if left and quotas[s] < counts[s]:
                        quotas[s] += 1
                        left -= 1
                break
    return quotas


def render_review_page(
    records: list[Record], *, title: str, page_id: str, stratify: str | None
) -> str:
    """The review page for ``records`` (see the module docstring)."""
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash}'"
    )
    sections = []
    for k, record in enumerate(records, 1):
        key = review_key(record)
        stratum = f" · {escape(_stratum(record, stratify))}" if stratify else ""
        radios = "".join(
            f'<label><input type="radio" name="r{k}" value="{v}"> {v}</label>' for v in range(1, 6)
        )
        sections.append(
            f'<section class="ex" data-key="{escape(key, quote=True)}"><h2>{k}. '
            f"{escape(key)}{stratum}</h2>{_messages(record)}"
            f'<div class="controls"><span>rating:</span>{radios}'
            f'<label><input type="checkbox" class="flag"> flag</label></div>'
            f'<textarea placeholder="notes" aria-label="notes for {k}"></textarea></section>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f'<body data-page="{escape(page_id, quote=True)}"><header><strong>{escape(title)}</strong>'
        ' · <label>reviewer <input id="reviewer" placeholder="your name"></label> · '
        '<span id="progress"></span> · <button id="export-json">export JSON</button> '
        '<button id="export-csv">export CSV</button><br><small>Rate each example 1 (harmful or '
        "wrong) to 5 (ideal), flag what must not be trained on, note why. Answers stay in this "
        "browser until exported; bring them back with <code>ftprep review import</code>."
        "</small></header>" + "".join(sections) + f"<script>{_SCRIPT}</script></body></html>"
    )


def _messages(record: Record) -> str:
    if record.is_text:
        return (
            f'<div class="msg user"><span class="role">text</span>{escape(record.text or "")}</div>'
        )
    out = []
    for m in record.messages:
        text = m.text
        calls = ""
        if m.tool_calls:
            calls = "\n".join(f"→ {c.name}({c.arguments})" for c in m.tool_calls)
        body = escape("\n".join(p for p in (text, calls) if p))
        role = escape(m.role)
        out.append(f'<div class="msg {role}"><span class="role">{role}</span>{body}</div>')
    return "".join(out)


@dataclass
class Reviews:
    """Ratings, flags and notes by record key and reviewer."""

    by_key: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def reviewers(self) -> list[str]:
        return sorted({r for by in self.by_key.values() for r in by})

    def add(self, reviewer: str, row: dict[str, Any]) -> None:
        key = str(row.get("key") or "")
        if not key:
            return
        self.by_key.setdefault(key, {})[reviewer] = {
            "rating": _rating(row.get("rating")),
            "flag": _flag(row.get("flag")),
            "notes": str(row.get("notes") or ""),
        }

    def agreement(self) -> dict[str, Any] | None:
        """How far reviewers agree on the items several of them rated (None: no such item)."""
        from ftprep.collect.agreement import krippendorff_alpha, percent_agreement

        units = [
            [v["rating"] for v in by.values() if v["rating"] is not None]
            for by in self.by_key.values()
        ]
        units = [u for u in units if len(u) >= 2]
        if not units:
            return None
        return {
            "items": len(units),
            "reviewers": len(self.reviewers),
            "percent_agreement": round(percent_agreement(units), 4),
            "krippendorff_alpha_ordinal": round(krippendorff_alpha(units, "ordinal"), 4),
        }


def load_reviews(paths: Iterable[str | Path]) -> Reviews:
    """Exports of the review page (JSON or CSV), several reviewers' files together."""
    reviews = Reviews()
    for path in map(Path, paths):
        try:
            if path.suffix.lower() == ".csv":
                with path.open(newline="", encoding="utf-8-sig") as file:
                    for row in csv.DictReader(file):
                        reviews.add(row.get("reviewer") or path.stem, row)
                continue
            doc = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError, csv.Error, UnicodeDecodeError) as exc:
            raise FtprepError(f"{path}: not a review export: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("reviews"), list):
            raise FtprepError(f"{path}: not a review export (no reviews list)")
        reviewer = str(doc.get("reviewer") or path.stem)
        for row in doc["reviews"]:
            if isinstance(row, dict):
                reviews.add(reviewer, row)
    return reviews


def _rating(value: Any) -> int | None:
    try:
        rating = int(float(value))
    except (TypeError, ValueError):
        return None
    return rating if 1 <= rating <= 5 else None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "y", "x")
