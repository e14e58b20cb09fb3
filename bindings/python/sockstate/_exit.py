"""The exit codes of ``python -m sockstate`` and its report: those of the
C tool (libsockstate/cli/cli.h, DESIGN.md "The command line"), written
once for the package's Python (the report runs without the extension)."""

EXIT_OK = 0
EXIT_NOT_MET = 1   # a condition not met (wait timed out, a check failed)
EXIT_USAGE = 2     # bad usage or bad input
EXIT_OS = 3        # the OS refused or failed
EXIT_PARTIAL = 4   # partial result
