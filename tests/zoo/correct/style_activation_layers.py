# relu as separate Activation layers after linear Dense layers (same function as Dense(..., activation="relu")).
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

d1 = layers.Dense(256)
a1 = layers.Activation("relu")
d2 = layers.Dense(64)
a2 = layers.ReLU()


def encode(x):
    return a2(d2(a1(d1(x))))


merged = layers.concatenate([encode(left), encode(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
