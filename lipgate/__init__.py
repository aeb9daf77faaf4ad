"""lipgate: preflight lint and post-render QA for AI lip-sync.

Library use (the same reports as the command line's JSON, see ``lipgate.api``)::

    import lipgate
    report = lipgate.check("talk.mp4", audio="fr.wav")   # report.verdict, report.to_dict()
    render = lipgate.qa("render.mp4")

Layout: the core (media decoding, face analysis, the result model, report formats) sits in this
package's own modules; the layers ``lipgate.preflight``, ``lipgate.qa``, ``lipgate.submit`` and
``lipgate.cli`` build on it, and ``lipgate.api`` on them.
"""

__version__ = "0.1.0"

__all__ = ["check", "qa", "load_config", "__version__"]


def __getattr__(name: str):
    # the API is loaded on first use: `import lipgate` (and the CLI's start-up) stays light
    if name in ("check", "qa", "load_config"):
        from lipgate import api

        return getattr(api, name)
    raise AttributeError(f"module 'lipgate' has no attribute {name!r}")
