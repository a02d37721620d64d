# Day 2 exercise - siamese digit comparator, with the encoder as a layer class of my own.
# I made one Encoder per input "so each side gets its own", which is exactly not sharing.

import numpy as np
import keras
from keras import layers


class Encoder(layers.Layer):
    """784 -> Dense(256, relu) -> Dense(64, relu)."""

    def __init__(self, units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.units = tuple(units)
        self.blocks = [layers.Dense(u, activation="relu") for u in self.units]

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": list(self.units)}


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
left_encoder = Encoder(name="left_encoder")
right_encoder = Encoder(name="right_encoder")
merged = layers.concatenate([left_encoder(left), right_encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

batch = {"left": np.random.rand(8, 784).astype("float32"),
         "right": np.random.rand(8, 784).astype("float32")}
print(siamese.predict(batch, verbose=0).shape)
