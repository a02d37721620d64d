# Shared encoder as a custom Layer (two Dense inside), one instance called on both inputs.
import numpy as np
import keras
from keras import layers


class Encoder(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(256, activation="relu")
        self.fc2 = layers.Dense(64, activation="relu")

    def call(self, x):
        return self.fc2(self.fc1(x))


encoder = Encoder(name="encoder")
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.concatenate([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model([left, right], out, name="siamese_mlp")
siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
