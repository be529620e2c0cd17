"""Reads the Atom and iCalendar outputs saved by the test suite (target/feeds/) with
independent parsers: Python's `icalendar` and `feedparser`."""
import datetime
import pathlib
import sys

import feedparser
import icalendar

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "feeds"
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


files = sorted(ROOT.glob("*"))
check("outputs were saved", len(files) > 0, str(ROOT))
for path in files:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ics":
        cal = icalendar.Calendar.from_ical(text)
        events = [c for c in cal.walk("VEVENT")]
        check(f"{path.name}: one event", len(events) == 1, str(len(events)))
        for ev in events:
            start = ev.decoded("DTSTART")
            check(f"{path.name}: DTSTART is an instant in UTC",
                  isinstance(start, datetime.datetime) and start.utcoffset() == datetime.timedelta(0),
                  repr(start))
            check(f"{path.name}: UID is the ActivityPub id", str(ev["UID"]).startswith("http"))
            check(f"{path.name}: SEQUENCE", int(ev["SEQUENCE"]) >= 0)
            if path.name.startswith("network-"):
                check(f"{path.name}: 14:00 Paris is 13:00 UTC",
                      start == datetime.datetime(2026, 2, 12, 13, 0, tzinfo=datetime.timezone.utc),
                      repr(start))
                check(f"{path.name}: confirmed", str(ev["STATUS"]) == "CONFIRMED")
            if path.name.startswith("cancelled-"):
                check(f"{path.name}: cancelled", str(ev["STATUS"]) == "CANCELLED")
                check(f"{path.name}: edited twice", int(ev["SEQUENCE"]) >= 2)
    elif path.suffix == ".atom":
        feed = feedparser.parse(text)
        check(f"{path.name}: well-formed", not feed.bozo, str(feed.get("bozo_exception")))
        check(f"{path.name}: three entries", len(feed.entries) == 3, str(len(feed.entries)))
        for entry in feed.entries:
            check(f"{path.name}: entry has id, link and date",
                  entry.get("id", "").startswith("http") and entry.get("link") and entry.get("updated_parsed"))

print(f"feed check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
