"""The resident checker: ``flowlint check --daemon`` runs in a long-lived server process.

A fresh ``flowlint`` process spends most of a warm re-check starting up: importing
flowlint (its rules, loaders, click...) and reading the project's last run back from the
cache take longer than re-checking the edited file.  With ``--daemon``, a small client
(:mod:`flowlint.daemon.client`, imported before click) hands the command line, working
directory and environment to a server (:mod:`flowlint.daemon.server`) that has everything
imported and the project's incremental engine in memory; the server runs the very same ``check``
command and sends back its output and exit code.  When no server is running, the client
starts one in the background and checks in its own process this time.

The server listens on a Unix socket in a directory only its user can enter
(:mod:`flowlint.daemon.protocol`), serves one request at a time, and exits after an idle
period or when flowlint's own files change on disk.
"""
