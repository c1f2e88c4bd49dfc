"""Reading the invites that arrive: the mail's text/calendar part, parsed twice — by icalendar,
and by a reader of RFC 5545's content lines written here from the RFC (§3.1: unfold, then
``NAME;PARAM=VALUE:VALUE``), which shares nothing with the library that wrote them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from icalendar import Calendar

# §3.1: NAME *(";" param) ":" value; a param value may be quoted (it then holds ; : ,).
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:,]*)')


@dataclass
class Line:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Invite:
    """One mail's invite as read by hand: the calendar's and its one event's properties."""

    to: str
    subject: str
    content_type_method: str
    calendar: dict[str, str] = field(default_factory=dict)
    event: dict[str, Line] = field(default_factory=dict)
    events: int = 0

    @property
    def method(self) -> str:
        return self.calendar["METHOD"]

    @property
    def uid(self) -> str:
        return self.event["UID"].value

    @property
    def sequence(self) -> int:
        return int(self.event["SEQUENCE"].value)

    @property
    def attendee(self) -> str:
        return self.event["ATTENDEE"].value.removeprefix("mailto:")


def content_lines(text: str) -> list[Line]:
    """RFC 5545 §3.1 by hand: a line beginning with a space or a tab continues the one before
    (each folded line at most 75 octets); then the name, its parameters, and the value."""
    physical = text.replace("\r\n", "\n").split("\n")
    assert physical[-1] == "", "a calendar ends with a line break"
    unfolded: list[str] = []
    for line in physical[:-1]:
        assert len(line.encode()) <= 75, f"a content line longer than 75 octets: {line!r}"
        if line[:1] in (" ", "\t"):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    lines = []
    for line in unfolded:
        head = re.match(r'([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*))*):', line)
        assert head is not None, f"not a content line: {line!r}"
        params = {key.upper(): value.strip('"') for key, value in _PARAM.findall(head.group(2))}
        lines.append(Line(head.group(1).upper(), params, line[head.end() :]))
    return lines


def read_by_hand(text: str, *, to: str = "", subject: str = "", method: str = "") -> Invite:
    invite = Invite(to=to, subject=subject, content_type_method=method)
    path: list[str] = []
    for line in content_lines(text):
        if line.name == "BEGIN":
            path.append(line.value)
            invite.events += line.value == "VEVENT"
        elif line.name == "END":
            assert path.pop() == line.value
        elif path == ["VCALENDAR"]:
            invite.calendar[line.name] = line.value
        elif path == ["VCALENDAR", "VEVENT"]:
            assert line.name not in invite.event, f"{line.name} twice (one ATTENDEE: the panelist)"
            invite.event[line.name] = line
    assert path == []
    return invite


def calendar_part(mail: EmailMessage) -> tuple[str, str]:
    """The mail's text/calendar part: its text and its Content-Type's method."""
    for part in mail.walk():
        if part.get_content_type() == "text/calendar":
            assert isinstance(part, EmailMessage)
            content = part.get_content()
            assert isinstance(content, str)
            return content, str(part.get_param("method"))
    raise AssertionError(f"no text/calendar part in {mail['Subject']!r}")


def invites_in(received: list[EmailMessage]) -> list[tuple[Invite, Calendar]]:
    """Each mail's invite, read by hand and by icalendar (whose reading must agree)."""
    result = []
    for mail in received:
        text, method = calendar_part(mail)
        # The subject's strip: Python's folder moves a subject of 70-odd characters whole to a
        # continuation line ("Subject:\n Moved: …"), and its parser keeps the fold's space.
        subject = str(mail["Subject"]).strip()
        by_hand = read_by_hand(text, to=str(mail["To"]), subject=subject, method=method)
        parsed = Calendar.from_ical(text)
        (event,) = parsed.events
        assert str(parsed["METHOD"]) == by_hand.method == method
        assert (event.uid, event.sequence) == (by_hand.uid, by_hand.sequence)
        for read, line in ((event.start, "DTSTART"), (event.end, "DTEND"), (event.stamp, "DTSTAMP")):
            assert isinstance(read, datetime)
            assert read.utcoffset() == timedelta(0)
            assert f"{read:%Y%m%dT%H%M%SZ}" == by_hand.event[line].value
        assert [str(a) for a in event.attendees] == [by_hand.event["ATTENDEE"].value]
        result.append((by_hand, parsed))
    return result
