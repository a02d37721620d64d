"""Siamese whose encoder activations are a function of the student's own (named relu, computing relu) and a lambda."""
import keras
from keras import layers, ops


def relu(t):
    return ops.maximum(t, 0.0)


enc1 = layers.Dense(256, activation=relu, name="enc_dense_1")
enc2 = layers.Dense(64, activation=lambda t: ops.relu(t), name="enc_dense_2")
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
a = enc2(enc1(left))
b = enc2(enc1(right))
merged = layers.Concatenate()([a, b])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model([left, right], out)
siamese.compile(optimizer="adam", loss="binary_crossentropy")
