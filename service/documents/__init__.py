"""Enforcement documents (执法文书): templates under ``policies/documents/``, typeset as PDF, issued into the ledger."""
