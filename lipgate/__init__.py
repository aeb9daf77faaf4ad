"""lipgate: preflight lint and post-render QA for AI lip-sync.

Library use (the same reports as the command line's JSON, see ``lipgate.api``)::

    import lipgate
    report = lipgate.check("talk.mp4", audio="fr.wav")   # report.verdict, report.to_dict()
    render = lipgate.qa("render.mp4")

Layout: the core (media decoding, face analysis, the result model, report formats) sits in this
package's own modules; the layers ``lipgate.preflight``, ``lipgate.qa``, ``lipgate.submit`` and
``lipgate.cli`` build on it, and ``lipgate.api`` on them.
"""

import types

__version__ = "0.1.0"

__all__ = ["check", "qa", "load_config", "__version__"]


class _QaPackage(types.ModuleType):
    """The subpackage ``lipgate.qa``, callable as the library's ``lipgate.qa(...)``: the contract
    gives both the one name, and the import system binds ``lipgate.qa`` to the subpackage as soon
    as any of its modules loads, which would otherwise hide the function."""

    def __call__(self, path, source=None, audio=None, config=None):
        from lipgate import api

        return api.qa(path, source=source, audio=audio, config=config)

    __call__.__doc__ = "Post-render QA of a render: see ``lipgate.api.qa``."


from lipgate import qa  # noqa: E402  (qa/__init__.py itself imports nothing)

qa.__class__ = _QaPackage


def __getattr__(name: str):
    # the API is loaded on first use: `import lipgate` (and the CLI's start-up) stays light
    if name in ("check", "load_config"):
        from lipgate import api

        return getattr(api, name)
    raise AttributeError(f"module 'lipgate' has no attribute {name!r}")
