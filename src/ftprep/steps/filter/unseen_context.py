"""``filter.unseen_context``: user turns that point at something the model cannot see (an image
link, "see attached", "the screenshot above") when no image or file comes with them."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, field_validator

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.sentences import (
    check_patterns,
    clip,
    compile_any,
    contains_any,
    judged_texts,
    strip_code,
)

_MEDIA = r"(?:image|picture|photo|photograph|screenshot|screen\s?shot|diagram|chart|graph|figure"
_MEDIA += r"|drawing|sketch|painting|video|pdf|scan)"
#: links to files and media the model cannot open
_FILE_URL = re.compile(
    r"\bhttps?://\S+?\.(?:png|jpe?g|gif|webp|bmp|svg|tiff?|heic|pdf|docx?|xlsx?|pptx?|mp3|wav"
    r"|m4a|mp4|mov|avi|webm)(?![\w.])|\bhttps?://(?:[\w-]+\.)*(?:imgur\.com|prnt\.sc|gyazo\.com"
    r"|i\.redd\.it|1drv\.ms|youtu\.be)/\S+|\bhttps?://(?:drive\.google\.com|docs\.google\.com"
    r"/(?:document|spreadsheets|presentation)/d|(?:www\.)?dropbox\.com/s|onedrive\.live\.com"
    r"|(?:www\.)?youtube\.com/watch|(?:www\.)?vimeo\.com/\d)\S*",
    re.IGNORECASE,
)
_PAGE_URL = re.compile(r"\bhttps?://\S+|\bwww\.[\w-]+\.\S+", re.IGNORECASE)
#: a request about what a linked page says (a link alone may just be data)
_ABOUT_CONTENT = re.compile(
    r"\b(?:summari[sz]e|summary|outline|main points|key points|tl;?dr|describe|what (?:is|does)"
    r" (?:this|the) (?:article|page|post|video|paper|site|website) (?:say|about)|content of"
    r"|read (?:this|the)|according to (?:this|the)|in (?:this|the) (?:article|video|post|paper)"
    r"|watch|transcribe|classify the content)",
    re.IGNORECASE,
)
#: a request for code, where a link is data to be handled
_CODE_TASK = re.compile(
    r"\b(?:code(?![ :#-]*[A-Z]+[-_]?\d)|html|css|markdown|script|function|program|curl|regex|parse|href|src|download"
    r"|scrape|scraper|ajax|javascript|python|sql|endpoint)\b",
    re.IGNORECASE,
)
#: phrases that refer to an attachment or an image
PHRASES: tuple[str, ...] = (
    r"\bsee (?:the )?attach(?:ed|ment)",
    r"\b(?:please )?find (?:it )?attached\b",
    r"\bi(?:['’]ve| have)? (?:attached|uploaded) (?:a|an|the|my|this|two|some)\b",
    r"\bi(?:['’]m| am) (?:attaching|uploading)\b",
    r"\b(?:the|this|my) attached\b",
    r"\battached (?:is|are|here)\b",
    r"\bin the attachment\b",
    rf"\b(?:the|this|my) {_MEDIA}s? (?:above|below|attached|i (?:just )?(?:sent|shared|uploaded"
    r"|attached|posted|provided|included))",
    rf"\bas (?:shown|seen|depicted|illustrated) in (?:the |this )?{_MEDIA}\b",
    r"\b(?:in|on|from) (?:this|my|the attached) (?:screenshot|screen shot|image|picture|photo"
    r"|photograph)\b",
    r"\b(?:this|my|the) screen ?shot\b",
    r"\b(?:describe|caption|analy[sz]e|look at|check out|what(?:['’]s| is) (?:in|on)) (?:this"
    rf"|the attached|my) {_MEDIA}\b",
)
_PHRASE = re.compile("|".join(f"(?:{p})" for p in PHRASES), re.IGNORECASE)
_TRIGGERS: tuple[str, ...] = ("http", "www.", "attach", "screen", "image", "picture", "photo")
_TRIGGERS += ("figure", "graph", "diagram", "chart", "drawing", "sketch", "painting", "video")
_TRIGGERS += ("pdf", "scan", "upload")
_SIDE_CHANNELS = ("images", "image", "videos", "video", "audios", "files", "attachments")
#: content part types that carry what the model sees besides text (image_url, input_file...)
_MEDIA_KINDS = ("image", "file", "audio", "video", "document")


class UnseenContextParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["user"], description="Roles whose turns are looked at."
    )
    links: bool = Field(
        True,
        description="Flag links to images and files, and links to pages the user asks "
        "about ('summarize this article: https://...').",
    )
    max_chars: int = Field(
        1500,
        ge=1,
        description="Longer turns are taken as pasted documents, whose references ('as shown "
        "in Figure 3') are to the document, and are not looked at.",
    )
    extra_phrases: list[str] = Field(
        default_factory=list,
        description="More regular expressions (case-insensitive) that refer to unseen context.",
    )

    _patterns = field_validator("extra_phrases")(check_patterns)


class UnseenContextFilter(FilterStep):
    """Drop records whose user turns refer to an image, a file or a page the model cannot see.

    A reference is a link to an image or a file (``.png``, ``.jpg``, ``.pdf``..., imgur, Google
    Drive, Dropbox, YouTube), a link to a page in a short turn that asks about its content
    ("Summarize this article https://..."), or a phrase such as "see attached", "the image
    above", "in this screenshot", "as shown in the figure", "describe this picture". A typed
    image or file part in that turn or an earlier one, an ``images`` field beside the messages
    or an ``<image>`` token makes the context visible: kept. Links in requests for code ("write
    a scraper for https://...") are data, not context, and code blocks are left out.

    Reads: the texts of the turns of ``roles`` and the content part types of every turn.
    Writes: nothing.
    Drops: ``unseen_context``, with the link or phrase as the value.
    """

    id: ClassVar[str] = "filter.unseen_context"
    Params = UnseenContextParams
    params: UnseenContextParams

    def setup(self) -> None:
        self._extra = compile_any(self.params.extra_phrases)

    def keep(self, record: Record) -> bool | Reject:
        texts = judged_texts(record, self.params.roles)
        if not texts:
            return True
        lowered = "\n".join(t for _, t in texts).lower()
        if self._extra is None and not contains_any(lowered, _TRIGGERS):
            return True
        if any(key in record.extra for key in _SIDE_CHANNELS):
            return True
        for index, text in texts:
            if len(text) > self.params.max_chars:
                continue
            if self._extra is None and len(texts) > 1 and not contains_any(text.lower(), _TRIGGERS):
                continue  # the words were in another turn
            found = self._reference(strip_code(text))
            if found is not None and not _media_before(record, index):
                return Reject("unseen_context", value=clip(found), detail="no image or file")
        return True

    def _reference(self, text: str) -> str | None:
        """The link or phrase of ``text`` that refers to unseen context, if any."""
        if "<image>" in text or "<video>" in text:
            return None
        for pattern in (_PHRASE, self._extra):
            for match in pattern.finditer(text) if pattern is not None else ():
                if not _quoted(text, match.start()):
                    return match.group(0)
        if not self.params.links or ("http" not in text and "www." not in text):
            return None
        rest = _PAGE_URL.sub(" ", text)
        if (link := _FILE_URL.search(text)) and not _CODE_TASK.search(rest):
            return link.group(0)
        urls = list(_PAGE_URL.finditer(text))
        if (
            urls
            and len(rest) <= 300
            and _ABOUT_CONTENT.search(rest)
            and not _CODE_TASK.search(rest)
        ):
            return urls[0].group(0)
        return None


def _quoted(text: str, position: int) -> bool:
    """Whether ``position`` lies inside a double-quoted passage (an email the user dictates)."""
    before = text[:position]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _media_before(record: Record, index: int) -> bool:
    """Whether message ``index`` or an earlier one has an image, file, audio or video part."""
    for message in record.messages[: index + 1]:
        if isinstance(message.content, list):
            for part in message.content:
                kind = str(part.get("type", ""))
                if any(media in kind for media in _MEDIA_KINDS):
                    return True
    return False
