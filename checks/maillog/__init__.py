"""Mail log parsing: Postfix, Exim mainlog and Mailgun events, normalized to one model.

`reader` opens files (gzip, stdin) with bounded lines and a bounded total size;
`detect` picks the format from the first lines; the format parsers turn lines into
`records.SubmissionEvent` / `records.DeliveryEvent`; `digest` aggregates them into the
per-account, per-hour facts the volume check judges (checks/volume_judge.py).
"""
