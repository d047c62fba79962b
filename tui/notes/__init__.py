"""The analyst's sidecar on disk: where it lives, how it is read, locked, merged and
written (the layer itself, free of files, is ``tui/model/annotations.py``).

A package of its own, not ``tui/model`` (the domain never touches files) nor ``tui/store``
(which holds the engine that reads the data, only ever read): this is the one place that
writes beside the data, and it writes only the sidecar.
"""
