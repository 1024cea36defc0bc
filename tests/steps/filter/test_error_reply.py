"""filter.error_reply: stack traces, error pages and error messages instead of an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.error_reply import ErrorReplyFilter, measure_errors

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"

TRACE = (
    "Traceback (most recent call last):\n"
    '  File "app.py", line 3, in <module>\n'
    "    main()\n"
    '  File "app.py", line 2, in main\n'
    "    return 1 / 0\n"
    "ZeroDivisionError: division by zero"
)


def chat(reply: str, user: str = "What is the capital of Peru?") -> Record:
    return Record(messages=[Message("user", user), Message("assistant", reply)])


ERRORS = [
    TRACE,
    "Something went wrong. Please try again later.",
    "Oops! Something went wrong while generating the response.",
    "An error occurred while processing your request.",
    "An unexpected error has occurred (code 500). Please try again.",
    '{"error": {"message": "The server had an error while processing your request.", '
    '"type": "server_error"}}',
    '{\n  "error": {\n    "code": 429,\n    "message": "Rate limit reached for gpt-4"\n  }\n}',
    "502 Bad Gateway",
    "HTTP/1.1 503 Service Unavailable",
    "<html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>503 Service Unavailable</h1></body></html>",
    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
    "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>",
    "Rate limit exceeded. Please try again in 20 seconds.",
    "Request timed out.",
    "Internal Server Error",
    "The server is currently overloaded. Please retry later.",
    "That model is currently overloaded with other requests.",
    "TypeError: Cannot read properties of undefined (reading 'map')\n"
    "    at App (App.js:12:23)\n    at renderWithHooks (react-dom.development.js:14985:18)",
    'Exception in thread "main" java.lang.NullPointerException\n'
    "\tat com.example.Main.main(Main.java:5)",
    "Error: 502 Bad Gateway\n\nSorry about that, please retry your request later or contact "
    "support if the issue persists.",
]

NOT_ERRORS = [
    "The capital of Peru is Lima.",
    "It looks like something went wrong with the payment. Let me check it for you.",
    "Something went wrong with your payment, so I've refunded it in full.",
    "An error occurred in the first step of your derivation: the sign of x flips.",
    "Please check the address and ZIP code, then try again; if it still fails, your bank can "
    "approve the payment.",
    "If you see 'Rate limit exceeded', wait a minute and retry.",
    "503 Service Unavailable means the server is temporarily unable to handle the request.",
    "HTTP status codes in the 5xx range mean the server failed.\n\n"
    "- 500 Internal Server Error: a generic failure.\n"
    "- 502 Bad Gateway: an upstream server sent an invalid response.\n"
    "- 503 Service Unavailable: the server is overloaded or down for maintenance.",
    "## 404 Not Found\n\nThe server cannot find the page; check the URL for typos.",
    "```\n" + TRACE + "\n```\nThis traceback means that `main()` divides by zero. Guard the "
    "division with `if b:` first.",
    "Use `raise ValueError('bad input')` when the argument is wrong.",
    '```json\n{"error": {"message": "Not found"}}\n```\nThat is the body the API sends back.',
]


@pytest.mark.parametrize("reply", ERRORS)
def test_error_replies_are_dropped(reply: str) -> None:
    reject = ErrorReplyFilter().check(chat(reply))
    assert reject is not None and reject.code == "error_reply"
    assert reject.value and len(reject.value) <= 200


@pytest.mark.parametrize("reply", NOT_ERRORS)
def test_near_misses_are_kept(reply: str) -> None:
    assert ErrorReplyFilter().check(chat(reply)) is None


def test_explaining_a_trace_the_user_pasted_is_kept() -> None:
    explanation = (
        TRACE + "\n\nThe last line names the exception: you divide by zero on line 2. Check the "
        "denominator first, or catch ZeroDivisionError and return None."
    )
    assert ErrorReplyFilter().check(chat(explanation, user=f"Why?\n{TRACE}")) is None
    assert ErrorReplyFilter().check(chat(TRACE, user=f"Why?\n{TRACE}")) is None  # echo, quoted
    # not pasted by the user: the trace is an error unless the explanation outweighs it
    assert ErrorReplyFilter().check(chat(explanation)) is not None
    longer = (
        explanation + " Python raises it for every division and modulo by zero, so guard them all."
    )
    assert ErrorReplyFilter().check(chat(longer)) is None


def test_naming_an_error_answers_a_question_about_errors() -> None:
    user = "What type of error is this code prone to?\ndef div(a, b):\n    return a/b"
    assert ErrorReplyFilter().check(chat("ZeroDivisionError", user=user)) is None
    reply = (
        "Error: the function never checks b.\nFixed:\ndef div(a, b):\n    return a / b if b else 0"
    )
    assert ErrorReplyFilter().check(chat(reply, user=user)) is None
    assert ErrorReplyFilter().check(chat("Error: the upstream service failed.")) is not None


def test_an_error_opening_a_reply_needs_an_explanation() -> None:
    reply = "Error: upstream connect error.\n\nThe proxy lost its connection; retrying may help."
    assert ErrorReplyFilter().check(chat(reply)) is not None
    assert ErrorReplyFilter(explain_min_chars=20).check(chat(reply)) is None


def test_the_share_threshold() -> None:
    reply = "Something went wrong. " + "Here is what I found about Lima, the capital. " * 2
    error, other, first, opens = measure_errors(reply)
    assert first == "Something went wrong." and opens and error == 21 and other > error
    share = error / (error + other)
    assert ErrorReplyFilter(explain_min_chars=0).check(chat(reply)) is None
    reject = ErrorReplyFilter(explain_min_chars=0, min_error_share=0.15).check(chat(reply))
    assert reject is not None and f"{share:.0%}" in (reject.detail or "")


def test_turns_and_roles() -> None:
    record = Record(
        messages=[
            Message("user", "hi"),
            Message("assistant", "Internal Server Error"),
            Message("user", "again?"),
            Message("assistant", "Hello! How can I help?"),
            Message("tool", "Traceback (most recent call last):\nKeyError: 'x'"),
        ]
    )
    assert ErrorReplyFilter().check(record) is not None
    assert ErrorReplyFilter(turns="last").check(record) is None
    assert ErrorReplyFilter(roles=["tool"]).check(record) is not None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data_has_no_error_replies() -> None:
    step = ErrorReplyFilter()
    for path in sorted(SHARED.rglob("*.json*")):
        if path.name == "dataset_info.json":
            continue
        for record in iter_records(open_source(path)):
            if isinstance(record, Record):
                assert step.check(record) is None, (path.name, record.source)
