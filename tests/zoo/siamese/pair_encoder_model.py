# A model of my own that takes [left, right], encodes both with the same layers and concatenates;
# the siamese itself is Functional around it.
import numpy as np
import keras
from keras import layers


class PairEncoder(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.enc1 = layers.Dense(256, activation="relu")
        self.enc2 = layers.Dense(64, activation="relu")
        self.concat = layers.Concatenate()

    def encode(self, x):
        return self.enc2(self.enc1(x))

    def call(self, inputs):
        a, b = inputs
        return self.concat([self.encode(a), self.encode(b)])


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
pair = PairEncoder(name="pair_encoder")
merged = pair([left, right])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
