"""Coding-help and general-knowledge scenarios.

These texts are literal (never ``str.format``-ed) because the answers hold code; variety comes
from the question variants, the user's lead-ins and the follow-ups.
"""

from __future__ import annotations

from dataclasses import replace

from ftprep.demo.scenario import Scenario

_CODING = (
    Scenario(
        openers=(
            "How do I remove duplicates from a list in Python but keep the original order?",
            "python: dedupe a list without losing order?",
        ),
        answers=(
            "Use a dict, since dicts keep insertion order (Python 3.7+):\n\n```python\nitems = [3, 1, 3, 2, 1]\nunique = list(dict.fromkeys(items))\nprint(unique)  # [3, 1, 2]\n```\n\n`dict.fromkeys` keeps the first occurrence of each value and runs in O(n). It needs hashable items; `set()` would also dedupe but loses the order.",
        ),
        followups=(
            (
                "What if the items are dicts? I get 'unhashable type'.",
                'Then dedupe on a hashable key instead:\n\n```python\nseen = set()\nunique = []\nfor row in rows:\n    key = row["id"]\n    if key not in seen:\n        seen.add(key)\n        unique.append(row)\n```\n\nIf there\'s no single key, use `tuple(sorted(row.items()))` as the key, as long as the values are hashable.',
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "What's the simplest way to sum one column of a CSV file in Python?",
            "I have sales.csv with an 'amount' column. How do I get the total in python without pandas?",
        ),
        answers=(
            'The standard library\'s `csv` module is enough:\n\n```python\nimport csv\n\nwith open("sales.csv", newline="", encoding="utf-8") as f:\n    total = sum(float(row["amount"]) for row in csv.DictReader(f))\nprint(f"total: {total:.2f}")\n```\n\n`DictReader` uses the header row as keys. Use `decimal.Decimal` instead of `float` if you need exact cents.',
        ),
        followups=(
            (
                "Some rows have an empty amount and it crashes.",
                'Skip empty cells explicitly:\n\n```python\ntotal = sum(\n    float(row["amount"])\n    for row in csv.DictReader(f)\n    if row["amount"].strip()\n)\n```\n\nIf you\'d rather know about bad rows, collect their line numbers with `enumerate` instead of silently skipping them.',
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "I keep getting TypeError: 'NoneType' object is not subscriptable. What does it mean?",
            "why does result['name'] give 'NoneType object is not subscriptable'?",
        ),
        answers=(
            'It means the variable you\'re indexing is `None`. Usually a function returned nothing, for example a lookup that found no match, or a method like `list.sort()` that works in place and returns `None`:\n\n```python\nuser = find_user(email)  # returns None when not found\nif user is None:\n    raise LookupError(f"no user with email {email!r}")\nprint(user["name"])\n```\n\nCheck for `None` where the value comes from, rather than where it crashes.',
        ),
        followups=(
            (
                "It's from data = data.sort()",
                "That's the culprit: `list.sort()` sorts in place and returns `None`, so `data` becomes `None`. Either call `data.sort()` on its own line, or use `data = sorted(data)`, which returns a new list.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "Can you show me a debounce function in JavaScript?",
            "js debounce for a search input, no lodash please",
        ),
        answers=(
            'Here\'s a small, dependency-free version:\n\n```javascript\nfunction debounce(fn, wait = 300) {\n  let timer;\n  return (...args) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), wait);\n  };\n}\n\nconst onSearch = debounce((q) => fetchResults(q), 250);\ninput.addEventListener("input", (e) => onSearch(e.target.value));\n```\n\nEach keystroke resets the timer, so `fetchResults` only runs once the user pauses for 250 ms.',
        ),
        followups=(
            (
                "How do I cancel a pending call when the component unmounts?",
                "Expose a cancel method:\n\n```javascript\nfunction debounce(fn, wait = 300) {\n  let timer;\n  const debounced = (...args) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), wait);\n  };\n  debounced.cancel = () => clearTimeout(timer);\n  return debounced;\n}\n```\n\nThen call `onSearch.cancel()` in your cleanup (for React, the function returned from `useEffect`).",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "SQL: how do I count orders per customer for the last 30 days?",
            "postgres query for number of orders by each customer in the past month, highest first",
        ),
        answers=(
            "Group by customer and filter on the date first:\n\n```sql\nSELECT customer_id, COUNT(*) AS orders\nFROM orders\nWHERE created_at >= NOW() - INTERVAL '30 days'\nGROUP BY customer_id\nORDER BY orders DESC;\n```\n\nAn index on `orders (created_at)` keeps this fast on large tables. Customers with no orders in the window won't appear; LEFT JOIN from `customers` if you need them with a count of 0.",
        ),
        followups=(
            (
                "And only customers with more than 5 orders?",
                "Add a `HAVING` clause, which filters after grouping:\n\n```sql\nSELECT customer_id, COUNT(*) AS orders\nFROM orders\nWHERE created_at >= NOW() - INTERVAL '30 days'\nGROUP BY customer_id\nHAVING COUNT(*) > 5\nORDER BY orders DESC;\n```",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "How do I find all files bigger than 100 MB on Linux?",
            "bash command to list large files in my home dir, sorted by size",
        ),
        answers=(
            "`find` can filter by size, and `du`/`sort` make it readable:\n\n```bash\nfind ~ -type f -size +100M -print0 | xargs -0 du -h | sort -rh | head -20\n```\n\n`-size +100M` matches files over 100 MiB, `-print0`/`-0` keep names with spaces intact, and `sort -rh` sorts human-readable sizes with the largest first.",
        ),
        followups=(
            (
                "Can I skip the .cache folder?",
                "Yes, prune it so `find` doesn't descend into it:\n\n```bash\nfind ~ -path ~/.cache -prune -o -type f -size +100M -print0 | xargs -0 du -h | sort -rh\n```",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "I committed to the wrong branch. How do I undo the last commit but keep my changes?",
            "git: undo last commit, keep the files changed",
        ),
        answers=(
            'Use a soft reset, which moves the branch back one commit and leaves your changes staged:\n\n```bash\ngit reset --soft HEAD~1\ngit switch correct-branch\ngit commit -m "Your message"\n```\n\nOnly do this if you haven\'t pushed the commit yet; if you have, use `git revert` on the shared branch instead.',
        ),
        followups=(
            (
                "I already pushed it.",
                "Then don't rewrite history on the shared branch. Revert it and re-apply the commit on the right branch:\n\n```bash\ngit revert <sha>\ngit push\ngit switch correct-branch\ngit cherry-pick <sha>\n```\n\n`revert` adds a new commit that undoes the change, so nobody else's clone breaks.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "How do I parse an ISO 8601 timestamp like 2024-05-03T14:22:09Z in Python?",
            "datetime.fromisoformat fails on the Z suffix, what should I use?",
        ),
        answers=(
            'On Python 3.11+ `fromisoformat` accepts the `Z` suffix directly. On older versions, replace it with an explicit offset:\n\n```python\nfrom datetime import datetime\n\nstamp = "2024-05-03T14:22:09Z"\ndt = datetime.fromisoformat(stamp.replace("Z", "+00:00"))\nprint(dt.tzinfo)  # UTC\n```\n\nThe result is timezone-aware, so comparisons and arithmetic with other aware datetimes are safe.',
        ),
        followups=(
            (
                "How do I convert it to New York time?",
                'Use `zoneinfo` from the standard library:\n\n```python\nfrom zoneinfo import ZoneInfo\n\nlocal = dt.astimezone(ZoneInfo("America/New_York"))\nprint(local.isoformat())\n```\n\n`zoneinfo` handles daylight saving time; on Windows you may need `pip install tzdata`.',
            ),
        ),
        literal=True,
    ),
)

_GENERAL = (
    Scenario(
        openers=("Why is the sky blue?", "why is the sky blue but sunsets are red?"),
        answers=(
            "Sunlight contains all colors, and air molecules scatter short (blue) wavelengths much more strongly than long (red) ones; this is called Rayleigh scattering. That scattered blue light reaches your eyes from every direction, so the sky looks blue. At sunset the light travels through much more air, most of the blue is scattered away, and the remaining light looks orange and red.",
        ),
        followups=(
            (
                "Then why isn't it violet?",
                "Violet scatters even more than blue, but sunlight contains less violet, some is absorbed high in the atmosphere, and our eyes are less sensitive to it. The mix we perceive comes out as sky blue.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "What's the difference between weather and climate?",
            "weather vs climate, simple explanation?",
        ),
        answers=(
            "Weather is the state of the atmosphere at a given time and place: today's temperature, rain or wind. Climate is the long-term pattern of weather in a region, usually averaged over 30 years or more. A cold week says little about climate; a trend over decades does.",
        ),
        followups=(
            (
                "So one cold winter doesn't disprove warming?",
                "Right. Single seasons vary a lot from year to year. Climate trends show up in long-term averages, which is why scientists compare decades rather than individual years.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "Why do leaves change color in autumn?",
            "what makes leaves turn red and yellow in fall?",
        ),
        answers=(
            "Leaves are green because of chlorophyll. In autumn, shorter days and cooler temperatures make trees stop producing it, and as it breaks down the yellow and orange pigments (carotenoids) that were there all along become visible. Reds come from anthocyanins, which some trees produce in autumn from sugars trapped in the leaf.",
        ),
        followups=(
            (
                "Why are some years more colorful?",
                "Sunny days and cool (but not freezing) nights boost anthocyanin production, giving brighter reds. Drought, early frost or a very warm autumn usually make the colors duller.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=("Why do we have leap years?", "why does February sometimes have 29 days?"),
        answers=(
            "A year (one orbit of the Sun) lasts about 365.2422 days. Adding a day every four years keeps the calendar aligned with the seasons. Because that slightly overcorrects, century years are leap years only if divisible by 400, so 2000 was a leap year but 1900 was not.",
        ),
        followups=(
            (
                "When is the next century year that isn't a leap year?",
                "2100. It's divisible by 100 but not by 400, so it will have a 28-day February.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=("Why is the ocean salty?", "where does the salt in the sea come from?"),
        answers=(
            "Rain is slightly acidic and slowly dissolves minerals from rocks; rivers carry those ions, mostly sodium and chloride, to the sea. When seawater evaporates, the salt stays behind, so over millions of years it has accumulated. Hydrothermal vents on the sea floor add more. On average seawater is about 3.5% salt.",
        ),
        followups=(
            (
                "Then why aren't rivers salty?",
                "They do carry dissolved salts, but in tiny concentrations, because the water is constantly replaced by rain. Only where water collects and evaporates, like the ocean or the Dead Sea, does salt build up.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "Does water boil at a lower temperature in the mountains?",
            "why do pasta instructions say to cook longer at high altitude?",
        ),
        answers=(
            "Yes. Water boils when its vapor pressure equals the surrounding air pressure, and air pressure drops with altitude. At about 3,000 m water boils near 90 °C instead of 100 °C. Since the water is cooler, food cooks more slowly, so pasta and eggs need more time.",
        ),
        followups=(
            (
                "Is that why pressure cookers are faster?",
                "Exactly. A pressure cooker raises the pressure, so water boils at around 120 °C, and the hotter water cooks food much faster.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=("How does a credit score work?", "what actually goes into a credit score?"),
        answers=(
            "A credit score estimates how likely you are to repay debt. Common models weigh payment history most heavily, then how much of your available credit you use, the length of your credit history, the mix of account types and recent applications. Paying on time and keeping balances low relative to your limits help the most.",
        ),
        followups=(
            (
                "Does checking my own score lower it?",
                "No. Checking your own score is a soft inquiry and has no effect. Only hard inquiries, from applying for new credit, can lower it slightly for a while.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=("What is a black hole, in simple terms?", "explain black holes like I'm 12"),
        answers=(
            "A black hole is a region where so much mass is squeezed into a small space that gravity is strong enough to stop anything, even light, from escaping once it crosses a boundary called the event horizon. Many form when very massive stars collapse at the end of their lives; giant ones sit at the centers of most galaxies.",
        ),
        followups=(
            (
                "What would happen if Earth fell into one?",
                "It would be stretched apart by tidal forces long before reaching the event horizon of a small black hole. Fortunately the nearest known black holes are over a thousand light-years away.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=("How do plants make food?", "can you explain photosynthesis quickly?"),
        answers=(
            "Plants use photosynthesis: chlorophyll in their leaves captures sunlight, and that energy turns carbon dioxide from the air and water from the soil into glucose, releasing oxygen as a by-product. The glucose fuels the plant and is used to build cellulose and starch.",
        ),
        followups=(
            (
                "Do plants breathe at night?",
                "Plants respire all the time, using oxygen and releasing carbon dioxide. During the day photosynthesis outpaces respiration; at night only respiration continues.",
            ),
        ),
        literal=True,
    ),
    Scenario(
        openers=(
            "How far away is the Moon?",
            "how long does light take to get from the moon to us?",
        ),
        answers=(
            "The Moon is about 384,400 km from Earth on average; its orbit is slightly elliptical, so the distance varies between roughly 363,000 and 405,000 km. Light covers that in about 1.3 seconds.",
        ),
        followups=(
            (
                "And the Sun?",
                "About 150 million km on average, and sunlight takes roughly 8 minutes and 20 seconds to reach us.",
            ),
        ),
        literal=True,
    ),
)

#: Lead-ins that users put before a question (kept literal, no slots).
CODING_LEAD_INS = (
    "", "", "", "Quick question: ", "hey, ", "Sorry if this is basic, but ", "Can you help? ",
    "I'm stuck. ", "Noob question: ", "Working on a side project. ", "At work right now: ", "Hi! ",
    "Need help fast: ", "Probably a dumb question, but ", "Hello. ",
)  # fmt: skip
GENERAL_LEAD_INS = (
    "", "", "", "Quick question: ", "Hi! ", "hey, ", "My kid asked me this and I didn't know: ",
    "Random thought: ", "Settle a debate for us: ", "I've always wondered: ", "Curious: ",
    "Something I never understood: ", "Hello! ", "Just wondering, ",
)  # fmt: skip

CODING = tuple(replace(s, lead_ins=CODING_LEAD_INS) for s in _CODING)
GENERAL = tuple(replace(s, lead_ins=GENERAL_LEAD_INS) for s in _GENERAL)

#: Turns that can end a coding or general-knowledge conversation.
TOPIC_CLOSINGS: tuple[tuple[str, str], ...] = (
    ("Thanks, that makes sense!", "Glad it helped! Feel free to ask if anything else comes up."),
    ("perfect, thanks", "You're welcome!"),
    ("Great explanation, thank you.", "Happy to help. Have fun with it!"),
    ("ok got it", "Great! Let me know if you want to go deeper into any part of it."),
    ("Thank you, that was really clear.", "You're welcome, glad it was useful."),
    ("cool, thx", "Anytime!"),
    ("That's exactly what I needed.", "Great to hear. Good luck with the rest of it!"),
    ("Awesome, thanks a lot!", "My pleasure. Come back any time you have another question."),
    ("Makes sense now, thanks.", "Glad it clicked! Happy to help with follow-up questions."),
    ("Nice, I learned something today.", "That's the best kind of day. Enjoy!"),
)
