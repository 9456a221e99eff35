"""A small multilayer perceptron in NumPy, trained by the engine's optimizers: the /network page's maths.

Nothing here imports the web. Parameters are one flat float64 vector, so every first-order optimizer
in ``app.optimizers`` trains a network exactly as it walks down a 2D hillside.
"""
