# WRONG: the "ReLU" layers are leaky (negative_slope=0.1): not the relu the task asks for.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, name="enc_dense_1")
act1 = layers.ReLU(negative_slope=0.1)
enc2 = layers.Dense(64, name="enc_dense_2")
act2 = layers.ReLU(negative_slope=0.1)


def encode(x):
    return act2(enc2(act1(enc1(x))))


merged = layers.concatenate([encode(left), encode(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
assert siamese.count_params() == 217_537
