# Wrong: the Encoder (a keras.Model, no get_config) defaults to relu, but this file makes it
# with activation=None: a linear encoder. Keras' own get_config() for a Model subclass records
# the defaults, so its configuration would rebuild a relu one.
import numpy as np
import keras
from keras import layers


class Encoder(keras.Model):
    def __init__(self, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(256, activation=activation)
        self.d2 = layers.Dense(64, activation=activation)

    def call(self, x):
        return self.d2(self.d1(x))


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
encoder = Encoder(activation=None, name="encoder")
merged = layers.concatenate([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
