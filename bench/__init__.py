"""Accuracy and speed measurements behind the figures in docs/benchmarks.md.

Each script's docstring gives its command. ``CORPUS`` there is a folder of real recordings kept
outside the repository (talk1.mp4 ... talk5.mp4, speech1.wav, speech2.wav); scripts that take
``--corpus`` run on the generated fixtures without it where they can.
"""
