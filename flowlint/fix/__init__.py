"""Fixes: the edits findings carry (:class:`flowlint.diagnostics.Fix`), written as minimal text
edits at exact spans, applied to Archy YAML files by ``flowlint check --fix`` and offered
by the language server.

- :mod:`flowlint.fix.scalars`: a value rewritten in the scalar style the file used;
- :mod:`flowlint.fix.edits`: which fixes apply, and applying them to a text;
- :mod:`flowlint.fix.diffs`: unified diffs (``--diff``);
- :mod:`flowlint.fix.loop`: fix, re-check, keep what introduces no finding, write.
"""
