"""Siamese whose encoder layers use activation="relu6": agrees with relu below 6 only."""
import keras
from keras import layers

enc1 = layers.Dense(256, activation="relu6")
enc2 = layers.Dense(64, activation="relu6")
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
siamese = keras.Model([left, right], layers.Dense(1, activation="sigmoid", name="same_digit")(merged))
