"""`lipgate qa`: post-render QA. The package is also the library call ``lipgate.qa(path, source=None,
audio=None, config=None)`` (``lipgate.api.qa``): once this package is imported, Python makes it the
``qa`` attribute of ``lipgate``, so it forwards calls to the API function."""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        from lipgate.api import qa

        return qa(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
