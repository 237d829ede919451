"""The pipeline's parts, in the order a check runs them (driven by :mod:`flowlint.engine`):

discover (:mod:`flowlint.loaders.discover`) -> how files are deployed (:mod:`flowlint.deploy`)
-> per project: :mod:`~flowlint.pipeline.collect` (an executor of
:mod:`~flowlint.pipeline.executors` loading files into :mod:`~flowlint.pipeline.units` and
running per-file rules, then the cross-flow rules; with the cache, the files that changed
(:mod:`~flowlint.pipeline.changes`) go to the incremental engine of
:mod:`~flowlint.pipeline.resident`, which the language server and ``--daemon`` keep between
edits) -> ``finalize`` (configuration, suppressions, order).
"""
