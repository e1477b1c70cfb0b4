"""audit.loglines: the one reader of a mail-log line (Postfix, Exim, Mailgun events).

Below both the bounce classifier (`explain` reads a log excerpt's rejections with
`loglines.rejected`) and the log digest (`audit.maillog` runs the stateful parsers over
whole files), so a Postfix or Exim line is parsed in one place.
"""

from audit import native

native.check()  # before audit.loglines.postfix, compiled or not (audit/native.py)
