"""The console: server-rendered pages for every role, in Chinese (English on request), at ``/``."""
