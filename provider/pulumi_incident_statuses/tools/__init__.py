"""The `incident-statuses` command and what it runs: `codegen` (`generate`), `recovery`
(`recover`), over the core."""
