"""DNSBL machinery behind the blacklist check: catalog, queries, health, judgement.

Split into small modules (STYLE.md): `catalog` holds the list model and its loader,
`selection` turns options into the lists to query, `query` builds query names and runs
the lookups, `classify` and `health` are pure functions over answers, `judge` turns
verdicts into findings and unknowns, `targets` parses the `blacklist` command's targets.
"""
