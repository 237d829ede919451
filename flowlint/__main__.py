"""``python -m flowlint``: the same as the ``flowlint`` command."""

from flowlint.launcher import main

main()
