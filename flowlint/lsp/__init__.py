"""The flowlint language server: workspace-wide findings, fixes and navigation in editors.

``flowlint lsp`` (or ``python -m flowlint.lsp``) serves LSP over stdio.  The modules:
``model`` (files -> snapshots, no LSP dependency), ``positions`` (IR spans <-> LSP
positions), ``convert`` (diagnostics -> LSP), ``features`` (code actions, hover,
definition, references, symbols) and ``server`` (pygls wiring and scheduling).
"""
