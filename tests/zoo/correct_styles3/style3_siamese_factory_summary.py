"""Siamese factory that prints the model's summary before returning it."""
import keras
from keras import layers


def siamese():
    left = keras.Input(shape=(784,), name="left")
    right = keras.Input(shape=(784,), name="right")
    enc1 = layers.Dense(256, activation="relu")
    enc2 = layers.Dense(64, activation="relu")
    merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
    model = keras.Model([left, right], layers.Dense(1, activation="sigmoid", name="same_digit")(merged),
                        name="siamese_mlp")
    model.summary()   # always look at the summary!
    return model


net = siamese()
