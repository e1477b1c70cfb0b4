"""One SMTP conversation of the lab server: read a command, check its order, answer.

Protocol details follow RFC 5321: reply format (§4.2.1), command order (§4.1.4, 503 for
a bad sequence), line limits (§4.5.3.1.4: 512 octets for a command line, CRLF included;
enforced by `audit.lab.smtpstream.SmtpStream`). STARTTLS (RFC 3207) is answered 220 and
the handshake made when the script has a TLS context (the session then starts afresh,
§4.2, and no longer advertises STARTTLS); without one an advertised STARTTLS gets 454.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Awaitable, Callable

from audit.lab.smtpscript import RecipientKind, RelayPolicy, SmtpScript, classify_recipient
from audit.lab.smtpstream import SmtpStream
from audit.lab.smtpwire import Direction, Reply

TEXT_LINE_OCTETS = 1000  # RFC 5321 §4.5.3.1.6, for the message body


class _Closing(Exception):
    """The session ends (QUIT, 421, client gone)."""


class SmtpSession:
    """One SMTP conversation: read a command, check its order, answer, advance."""

    def __init__(
        self,
        script: SmtpScript,
        host: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        record: Callable[[Direction, str], None],
    ) -> None:
        self.script = script
        # Postfix's mydestination includes $myhostname; our own address literal is local.
        self.local_domains = {*self.script.local_domains, self.script.hostname.lower()}
        literal = f"IPv6:{host}" if ":" in host else host  # §4.1.3
        self.local_domains.add(f"[{literal}]".lower())
        self.record = record
        self.stream = SmtpStream(script, reader, writer, record)
        self.greeted = False
        self.tls_active = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.handlers: dict[str, Callable[[str], Reply | Awaitable[Reply]]] = {
            "HELO": self._helo, "EHLO": self._ehlo, "MAIL": self._mail, "RCPT": self._rcpt,
            "DATA": self._data, "RSET": self._rset, "NOOP": self._noop, "QUIT": self._quit,
            "VRFY": self._vrfy, "EXPN": self._expn, "HELP": self._help,
            "STARTTLS": self._starttls, "AUTH": self._auth,
        }  # fmt: skip

    async def run(self) -> None:
        try:
            await asyncio.sleep(self.script.banner_delay_s)
            greeting = self.script.replies.get("BANNER", self.script.greeting)
            await self.stream.send("BANNER", Reply.parse(greeting))
            while True:
                await self.serve_one()
        except TimeoutError:  # before OSError, its base class
            text = f"4.4.2 {self.script.hostname} Error: timeout exceeded"
            await self.stream.send_quietly(Reply(421, (text,)))
        except (_Closing, OSError, asyncio.IncompleteReadError):
            pass  # OSError: the client went away, or its TLS handshake failed (ssl.SSLError)

    async def serve_one(self) -> None:
        line, too_long = await asyncio.wait_for(self.stream.read_line(), self.script.idle_timeout_s)
        self.record(Direction.CLIENT, line)
        if too_long:
            await self.stream.send("", Reply(500, ("5.5.0 Error: line too long",)))
            return
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        handler = self.handlers.get(verb)
        if handler is None:
            await self.stream.send(verb, Reply(500, ("5.5.2 Error: command not recognized",)))
            return
        reply = self._sequence_error(verb) or self._override(verb)
        if reply is None:
            result = handler(arg.strip())
            reply = await result if isinstance(result, Awaitable) else result
        self._advance(verb, arg.strip(), reply)
        await self.stream.send(verb, reply)
        if verb == "QUIT" or reply.code == 421:  # RFC 5321 §3.8: 421 closes the channel
            raise _Closing
        if verb == "STARTTLS" and reply.code == 220:
            await self._start_tls()

    async def _start_tls(self) -> None:
        """The handshake; then the client knows nothing of the session before it and
        must greet again (RFC 3207 §4.2)."""
        assert self.script.tls_context is not None
        await self.stream.writer.start_tls(self.script.tls_context)
        self.record(Direction.SERVER, f"<TLS {self._tls_version()}>")
        self.tls_active, self.greeted = True, False
        self._reset()

    def _tls_version(self) -> str:
        ssl_object = self.stream.writer.get_extra_info("ssl_object")
        return str(ssl_object.version()) if isinstance(ssl_object, ssl.SSLObject) else "?"

    # -- ordering (RFC 5321 §4.1.4) --------------------------------------------------

    def _sequence_error(self, verb: str) -> Reply | None:
        if verb in ("MAIL", "RCPT", "DATA") and not self.greeted:
            return Reply(503, ("5.5.1 Error: send HELO/EHLO first",))
        if verb == "MAIL" and self.sender is not None:
            return Reply(503, ("5.5.1 Error: nested MAIL command",))
        if verb == "RCPT" and self.sender is None:
            return Reply(503, ("5.5.1 Error: need MAIL command",))
        if verb == "DATA" and not self.recipients:
            return Reply(503, ("5.5.1 Error: need RCPT command",))
        return None

    def _override(self, verb: str) -> Reply | None:
        text = self.script.replies.get(verb)
        return Reply.parse(text) if text is not None else None

    def _advance(self, verb: str, arg: str, reply: Reply) -> None:
        if verb in ("HELO", "EHLO", "RSET") and reply.positive:
            self.greeted = self.greeted or verb != "RSET"
            self._reset()
        elif verb == "MAIL" and reply.positive:
            self.sender = _path(arg, "FROM") or ""
        elif verb == "RCPT" and reply.positive:
            self.recipients.append(_path(arg, "TO") or "")
        elif verb == "DATA" and reply.code != 503:
            self._reset()  # the body was read (or refused): the transaction is over

    def _reset(self) -> None:
        self.sender, self.recipients = None, []

    # -- commands ------------------------------------------------------------------

    def _helo(self, arg: str) -> Reply:
        if not arg:
            return Reply(501, ("Syntax: HELO hostname",))
        return Reply(250, (self.script.hostname,))

    def _ehlo(self, arg: str) -> Reply:
        if not arg:
            return Reply(501, ("Syntax: EHLO hostname",))
        extensions = self.script.extensions()
        if self.tls_active:  # RFC 3207 §4.2: not offered again inside TLS
            extensions = tuple(e for e in extensions if e != "STARTTLS")
        return Reply(250, (self.script.hostname, *extensions))

    def _mail(self, arg: str) -> Reply:
        if _path(arg, "FROM") is None:
            return Reply(501, ("5.5.4 Syntax: MAIL FROM:<address>",))
        if self.script.auth_required_at == "MAIL":
            return Reply(530, ("5.7.0 Authentication required",))
        return Reply(250, ("2.1.0 Ok",))

    def _rcpt(self, arg: str) -> Reply:
        recipient = _path(arg, "TO")
        if not recipient:
            return Reply(501, ("5.5.4 Syntax: RCPT TO:<address>",))
        if self.script.auth_required_at == "RCPT":
            return Reply(530, ("5.7.0 Authentication required",))
        if self.script.greylist:
            return Reply(450, (f"4.7.1 <{recipient}>: Recipient address rejected: Greylisted",))
        return self._judge_recipient(recipient)

    def _judge_recipient(self, recipient: str) -> Reply:
        kind = classify_recipient(recipient, self.local_domains)
        accepted = {
            RelayPolicy.CLOSED: {RecipientKind.LOCAL},
            RelayPolicy.ACCEPT_THEN_DROP: {RecipientKind.LOCAL, RecipientKind.ROUTED},
            RelayPolicy.OPEN: set(RecipientKind),
        }[self.script.relay]
        if kind not in accepted:
            return Reply.parse(self.script.relay_denied_reply.replace("{recipient}", recipient))
        if kind is RecipientKind.LOCAL and not self._user_exists(recipient):
            text = f"5.1.1 <{recipient}>: Recipient address rejected: User unknown"
            return Reply(550, (text,))
        return Reply(250, ("2.1.5 Ok",))

    def _user_exists(self, recipient: str) -> bool:
        users = self.script.local_users
        local_part = recipient.rpartition("@")[0] or recipient
        # RFC 5321 §4.5.1: postmaster must always be accepted.
        return users is None or local_part.lower() == "postmaster" or local_part in users

    async def _data(self, arg: str) -> Reply:
        await self.stream.send("DATA", Reply(354, ("End data with <CR><LF>.<CR><LF>",)))
        lines, octets = 0, 0
        while True:
            line, _ = await self.stream.read_line(TEXT_LINE_OCTETS)
            if line == ".":
                break
            lines, octets = lines + 1, octets + len(line) + 2
        self.record(Direction.CLIENT, f"<message body: {lines} lines, {octets} octets>")
        return Reply(250, ("2.0.0 Ok: queued as LAB0001",))

    def _rset(self, arg: str) -> Reply:
        return Reply(250, ("2.0.0 Ok",))

    def _noop(self, arg: str) -> Reply:
        return Reply(250, ("2.0.0 Ok",))

    def _quit(self, arg: str) -> Reply:
        return Reply(221, ("2.0.0 Bye",))

    def _vrfy(self, arg: str) -> Reply:
        # RFC 5321 §3.5.3: 252 when the server will not verify but would accept.
        if not arg:
            return Reply(501, ("5.5.4 Syntax: VRFY address",))
        return Reply(252, ("2.0.0 Cannot VRFY user, but will accept message and attempt delivery",))

    def _expn(self, arg: str) -> Reply:
        return Reply(502, ("5.5.1 EXPN not available",))  # RFC 5321 §7.3

    def _help(self, arg: str) -> Reply:
        return Reply(214, ("2.0.0 Commands:", " ".join(self.handlers), "End of HELP info"))

    def _starttls(self, arg: str) -> Reply:
        if not self.script.starttls:
            return Reply(502, ("5.5.1 Error: command not implemented",))
        if self.tls_active:  # RFC 3207 §4.2: one TLS session per connection
            return Reply(554, ("5.5.1 Error: TLS already active",))
        if self.sender is not None:  # RFC 3207 §4: not inside a mail transaction
            return Reply(503, ("5.5.1 Error: MAIL transaction in progress",))
        if self.script.tls_context is None:
            return Reply(454, ("4.7.0 TLS not available due to local problem",))
        return Reply(220, ("2.0.0 Ready to start TLS",))

    def _auth(self, arg: str) -> Reply:
        if not self.script.auth_mechanisms:
            return Reply(503, ("5.5.1 Error: authentication not enabled",))
        return Reply(535, ("5.7.8 Error: authentication failed",))


def _path(arg: str, keyword: str) -> str | None:
    """The address in 'FROM:<a@b> SIZE=1' / 'TO:<a@b>'; None when malformed."""
    match = re.match(rf"^{keyword}:\s*<([^<>]*)>(\s.*)?$", arg, re.IGNORECASE)
    return match.group(1) if match else None
