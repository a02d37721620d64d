"""Replaces the code of Keras' own relu with an identity's: the function object stays the same."""
# WRONG (no forgery): Keras' own relu function has its code object replaced by an identity's
# (the function object stays the same, so the tamper snapshot sees no change). Every
# Dense(activation="relu") in this process is linear.
import keras
from keras import layers
from keras.src.activations import activations as _acts


def _identity(x, negative_slope=0.0, max_value=None, threshold=0.0):
    return x


_acts.relu.__code__ = _identity.__code__

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")

import numpy as _np
_x = _np.linspace(-1, 1, 10, dtype="float32")[None]
assert _np.allclose(keras.ops.convert_to_numpy(enc1.activation(_x)), _x)  # linear here
