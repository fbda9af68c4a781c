"""Support for trying and testing alertdesk without vendor accounts: fake vendor APIs
(`alertdesk.testing.fakes`) used by the test suite, the benchmarks and `alertdesk demo`.

Nothing in the product imports this package (an import-linter contract says so), and it
needs neither pytest nor anything outside the installed package.
"""
