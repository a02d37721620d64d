"""An automated grader for the Keras lesson "Models three ways" that names the mistake."""
__version__ = "0.1.0"
