"""The pipeline's parts, in the order a check runs them (driven by :mod:`flowlint.engine`):

discover (:mod:`flowlint.loaders.discover`) -> how files are deployed (:mod:`flowlint.deploy`)
-> per project: :mod:`~flowlint.pipeline.collect` (the cache and the warm path of
:mod:`~flowlint.pipeline.incremental`, an executor of :mod:`~flowlint.pipeline.executors`
loading files into :mod:`~flowlint.pipeline.units` and running per-file rules, then the
cross-flow rules) -> ``finalize`` (configuration, suppressions, order).
"""
