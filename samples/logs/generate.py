"""Generate the sample mail logs in this folder (deterministic: a fixed seed).

    python samples/logs/generate.py

postfix-compromised.log  a small company's Postfix (northwind.example): ordinary
                         daytime mail, then one SASL account sends ~2,000 messages at
                         night from dozens of client IPs; Outlook (S3150), Gmail
                         (4.7.28) and Spamhaus (zen) start refusing.
exim-mainlog.log         an Exim host where a web script (U=www-data) bursts at night.
mailgun-events.jsonl     a Mailgun newsletter sender with a high bounce rate.
The Postfix log is copied to samples/lab/logs/ for `mailhygiene demo`.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB_COPY = HERE.parent / "lab" / "logs" / "postfix-compromised.log"
DOMAIN = "northwind.example"
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
OFFICE_IP = "203.0.113.20"
REMOTE = {
    "gmail.com": ("gmail-smtp-in.l.google.com", "142.250.102.27"),
    "outlook.com": ("outlook-com.olc.protection.outlook.com", "52.101.68.2"),
    "yahoo.com": ("mta5.am0.yahoodns.net", "67.195.204.72"),
    "contoso.example": ("mx.contoso.example", "192.0.2.80"),
    "fabrikam.example": ("mail.fabrikam.example", "192.0.2.90"),
    "mail.example.net": ("mx.mail.example.net", "198.51.100.200"),
}
OUTLOOK_S3150 = (
    "host outlook-com.olc.protection.outlook.com[52.101.68.2] said: 550 5.7.1 Unfortunately, "
    "messages from [203.0.113.77] weren't sent. Please contact your Internet service provider "
    "since part of their network is on our block list (S3150). (in reply to MAIL FROM command)"
)
GMAIL_4728 = (
    "host gmail-smtp-in.l.google.com[142.250.102.27] said: 421-4.7.28 Gmail has detected an "
    "unusual rate of unsolicited mail originating from your IP address. To protect our users "
    "from spam, mail sent from your IP address has been temporarily rate limited. "
    "(in reply to end of DATA command)"
)
ZEN = (
    "host mx.mail.example.net[198.51.100.200] said: 554 5.7.1 Service unavailable; Client host "
    "[203.0.113.77] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/"
    "203.0.113.77 (in reply to RCPT TO command)"
)


class PostfixLog:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.lines, self.pid = rng, [], 2000

    def qid(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEF") for _ in range(10))

    def line(self, at: datetime, program: str, text: str) -> None:
        self.pid += 1
        stamp = at.isoformat(timespec="microseconds")  # rsyslog's RFC 3339 default (Debian 12)
        self.lines.append(f"{stamp} mx1 postfix/{program}[{self.pid}]: {text}")

    def message(self, at: datetime, user: str, client: str, rcpt: str, outcome: str) -> None:
        qid, domain = self.qid(), rcpt.rpartition("@")[2]
        host, ip = REMOTE[domain]
        sender = f"{user}@{DOMAIN}"
        self.line(at, "smtpd", f"{qid}: client=unknown[{client}], sasl_method=LOGIN, "
                  f"sasl_username={sender}")  # fmt: skip
        self.line(at, "qmgr", f"{qid}: from=<{sender}>, size={self.rng.randint(900, 40000)}, "
                  "nrcpt=1 (queue active)")  # fmt: skip
        later = at + timedelta(seconds=self.rng.randint(1, 4))
        status = {
            "sent": f"status=sent (250 2.0.0 OK {self.rng.randint(10**9, 10**10)} - gsmtp)",
            "s3150": f"status=bounced ({OUTLOOK_S3150})",
            "4.7.28": f"status=deferred ({GMAIL_4728})",
            "zen": f"status=bounced ({ZEN})",
        }[outcome]
        self.line(later, "smtp", f"{qid}: to=<{rcpt}>, relay={host}[{ip}]:25, delay=1.2, "
                  f"delays=0.1/0/0.5/0.6, dsn={'2.0.0' if outcome == 'sent' else '5.7.1'}, "
                  f"{status}")  # fmt: skip
        if outcome != "4.7.28":
            self.line(later, "qmgr", f"{qid}: removed")

    def inbound(self, at: datetime, user: str) -> None:
        qid = self.qid()
        self.line(at, "smtpd", f"{qid}: client=mail.contoso.example[192.0.2.80]")
        self.line(at, "qmgr", f"{qid}: from=<news@contoso.example>, size=5120, nrcpt=1 "
                  "(queue active)")  # fmt: skip
        self.line(at, "lmtp", f"{qid}: to=<{user}@{DOMAIN}>, relay=mx1[private/dovecot-lmtp], "
                  "delay=0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)")  # fmt: skip
        self.line(at, "qmgr", f"{qid}: removed")


def postfix(rng: random.Random) -> list[str]:
    log = PostfixLog(rng)
    day = datetime(2025, 3, 11, tzinfo=UTC)
    events: list[tuple[datetime, str, str, str, str]] = []
    for hour in range(8, 18):
        for user in USERS:
            for _ in range(rng.randint(2, 7)):
                at = day + timedelta(hours=hour, seconds=rng.randint(0, 3599))
                rcpt = f"{rng.choice(['ann', 'ben', 'cho', 'dee'])}@{rng.choice(list(REMOTE))}"
                events.append((at, "office", user, rcpt, "sent"))
            if rng.random() < 0.5:
                events.append((day + timedelta(hours=hour, minutes=rng.randint(0, 59)),
                               "inbound", user, "", ""))  # fmt: skip
    botnet = [f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
              f"{rng.randint(1, 254)}" for _ in range(37)]  # fmt: skip
    for hour, count in ((2, 1200), (3, 800)):
        for _ in range(count):
            at = day + timedelta(days=1, hours=hour, seconds=rng.randint(0, 3599))
            domain = rng.choice(list(REMOTE))
            rcpt = f"user{rng.randint(1000, 99999)}@{domain}"
            roll = rng.random()
            outcome = "sent"
            if domain == "outlook.com" and roll < 0.7:
                outcome = "s3150"
            elif domain == "gmail.com" and roll < 0.6:
                outcome = "4.7.28"
            elif domain == "mail.example.net" and roll < 0.8:
                outcome = "zen"
            events.append((at, rng.choice(botnet), "alice", rcpt, outcome))
    for at, client, user, rcpt, outcome in sorted(events):
        if client == "inbound":
            log.inbound(at, user)
        else:
            log.message(at, user, OFFICE_IP if client == "office" else client, rcpt, outcome)
    return log.lines


def exim(rng: random.Random) -> list[str]:
    lines, day = [], datetime(2025, 3, 11)
    plan = [(h, "office", 6) for h in range(9, 17)] + [(1, "script", 260), (2, "script", 240)]
    stamps = []
    for hour, kind, count in plan:
        for _ in range(count):
            stamps.append((day + timedelta(hours=hour, seconds=rng.randint(0, 3599)), kind))
    for n, (at, kind) in enumerate(sorted(stamps)):
        mid = f"1t{n:04d}-{rng.randint(0, 999999):06d}-{rng.choice(['AB', 'Xy', 'Q7'])}"
        domain = rng.choice(list(REMOTE))
        rcpt = f"user{rng.randint(100, 9999)}@{domain}"
        host, ip = REMOTE[domain]
        if kind == "office":
            user = rng.choice(USERS[:4])
            origin = (f"<= {user}@{DOMAIN} H=(laptop) [{OFFICE_IP}]:51{n % 1000:03d} P=esmtpsa "
                      f"X=TLS1.3 A=dovecot_login:{user} S=4821")  # fmt: skip
        else:
            origin = f"<= www-data@web1.{DOMAIN} U=www-data P=local S=2210"
        lines.append(f"{at:%Y-%m-%d %H:%M:%S} {mid} {origin} for {rcpt}")
        done = at + timedelta(seconds=2)
        if kind == "script" and domain == "mail.example.net":
            lines.append(f"{done:%Y-%m-%d %H:%M:%S} {mid} ** {rcpt} R=dnslookup T=remote_smtp "
                         f"H={host} [{ip}]: SMTP error from remote mail server after RCPT "
                         f"TO:<{rcpt}>: {ZEN.split(' said: ')[1]}")  # fmt: skip
        else:
            lines.append(f"{done:%Y-%m-%d %H:%M:%S} {mid} => {rcpt} R=dnslookup T=remote_smtp "
                         f"H={host} [{ip}] I=[198.51.100.12]:25 X=TLS1.3 "
                         'C="250 2.0.0 OK queued"')  # fmt: skip
        lines.append(f"{done:%Y-%m-%d %H:%M:%S} {mid} Completed")
    return lines


def mailgun(rng: random.Random) -> list[str]:
    lines, start = [], datetime(2025, 3, 11, 9, tzinfo=UTC).timestamp()
    for n in range(160):
        at = start + n * 20
        domain = rng.choice(["gmail.com", "yahoo.com", "old-isp.example"])
        rcpt = f"reader{rng.randint(1, 99999)}@{domain}"
        base = {"id": f"ev{n:05d}", "timestamp": at, "recipient": rcpt,
                "envelope": {"sender": "news@mg.northwind.example", "targets": rcpt,
                             "transport": "smtp", "sending-ip": "198.51.100.30"},
                "flags": {"is-authenticated": True},
                "message": {"headers": {"message-id": f"<{n}@mg.northwind.example>"}}}  # fmt: skip
        lines.append(json.dumps({**base, "event": "accepted"}, sort_keys=True))
        if rcpt.endswith("old-isp.example"):
            status = {"code": 550, "message": "5.1.1 user unknown", "mx-host": "mx.old-isp.example"}
            event = {**base, "event": "failed", "severity": "permanent", "reason": "bounce",
                     "delivery-status": status, "timestamp": at + 3}  # fmt: skip
        else:
            status = {"code": 250, "message": "OK", "mx-host": "mx.example"}
            event = {**base, "event": "delivered", "delivery-status": status, "timestamp": at + 3}
        lines.append(json.dumps(event, sort_keys=True))
    return lines


def main() -> None:
    for name, build in (("postfix-compromised.log", postfix), ("exim-mainlog.log", exim),
                        ("mailgun-events.jsonl", mailgun)):  # fmt: skip
        (HERE / name).write_text("\n".join(build(random.Random(2025))) + "\n", encoding="utf-8")
    LAB_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "postfix-compromised.log", LAB_COPY)


if __name__ == "__main__":
    main()
